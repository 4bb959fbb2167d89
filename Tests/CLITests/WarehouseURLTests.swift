import Foundation
import Testing
import TestSupport

/// A warehouse URL whose backend the binary does not have: a clear error, exit 2, nothing made.
@Suite("Warehouse URL")
struct WarehouseURLTests {
    @Test func anUnknownSchemeIsAnErrorNamingTheURLAndTheFix() throws {
        let dir = TemporaryDirectory()
        dir.write("tiny.yaml", TinyPipeline.yaml(root: ".").replacingOccurrences(
            of: "warehouse: tiny.sqlite", with: "warehouse: mysql://audit@127.0.0.1:1/mlaudit"))
        dir.write("baseline.csv", TinyPipeline.csv(60, day: "2026-01-01"))
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(30, shift: 3))
        for args in [["run", "tiny.yaml"], ["verify", "tiny.yaml"]] {
            let r = try BuiltExecutable.run(args, in: dir.path)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr == "mlaudit: error: mysql://audit@127.0.0.1:1/mlaudit: the warehouse URL scheme 'mysql://' is not one MLAudit knows. Set 'warehouse:' (or MLAUDIT_WAREHOUSE_URL) to a SQLite file path or a postgres://USER@HOST:PORT/DB URL.\n", "\(args)")
        }
        #expect(!dir.exists("mysql:") && !dir.exists("reports"))
    }
}
