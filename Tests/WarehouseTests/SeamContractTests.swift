import AuditModel
import Testing
import TestSupport
import Warehouse

/// The storage seam's contract (`SeamContract`), checked on the SQLite backend.
@Suite("Seam contract: SQLite")
struct SeamContractTests {
    @Test(arguments: SeamContract.all.map(\.name))
    func sqliteKeepsTheContract(_ name: String) throws {
        let dir = TemporaryDirectory()
        let location = WarehouseLocation.sqlite(path: dir.path + "/w.sqlite")
        let check = try #require(SeamContract.all.first { $0.name == name }).check
        let problems = try check { try WarehouseBackends.open(location, options: $0) }
        #expect(problems.isEmpty, "\(problems)")
    }
}
