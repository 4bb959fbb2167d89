import Foundation
import Testing
import TestSupport

/// Issue 12: names, files, costs, verify and processes under crafted input, through the built
/// binary (each defect was end to end).
@Suite("Hostile input")
struct HostileInputTests {
    static func definition(_ features: [(String, String)], extra: String = "") -> String {
        var text = """
            name: h
            root: .
            model:
              name: m
              version: "1"
            baseline:
              path: baseline.csv
            snapshots:
              path: days/{date}.csv
            schema:
              prediction:
                column: pred
                kind: binary
              features:

            """
        for (name, type) in features { text += "    - name: \(name)\n      type: \(type)\n" }
        return text + "warehouse: h.sqlite\nreport:\n  output: reports\n" + extra
    }

    /// Columns named like SQLite's rowid aliases (any case), differing only in case, or with
    /// the reserved prefix in another case are stored under safe SQL names: the run completes
    /// (before: SIGILL, exit 132, and the stage left `running`).
    @Test func namesThatClashWithSQLiteAreMapped() throws {
        let dir = TemporaryDirectory()
        let names = [("rowid", "categorical"), ("OID", "numeric"), ("_RowID_", "categorical"), ("Region2", "categorical"),
                     ("region2", "categorical"), ("MLAUDIT_snapshot", "numeric")]
        dir.write("h.yaml", Self.definition(names))
        var csv = names.map(\.0).joined(separator: ",") + ",pred\n"
        for i in 0..<40 { csv += "a\(i % 3),\(i),b\(i % 2),r\(i % 4),s\(i % 5),\(i * 2),\(i % 2)\n" }
        dir.write("baseline.csv", csv)
        dir.write("days/2026-02-01.csv", csv)
        let r = try BuiltExecutable.run(["run", "h.yaml"], in: dir.path)
        #expect(r.status == 0, "\(r.stderr.suffix(2000))")
        #expect(r.stdout.hasPrefix("h 2026-02-01 ok v1 "), "\(r.stdout)")
        let again = try BuiltExecutable.run(["run", "h.yaml", "--force"], in: dir.path)
        #expect(again.status == 0, "\(again.stderr.suffix(2000))")
    }

    /// A NUL or another control character in a declared name is refused at definition load,
    /// naming the key and showing the character.
    @Test func controlCharacterInANameIsRefusedAtLoad() throws {
        let dir = TemporaryDirectory()
        dir.write("h.yaml", Self.definition([("\"a\\0b\"", "numeric")]))
        let r = try BuiltExecutable.run(["run", "h.yaml"], in: dir.path)
        #expect(r.status == 2)
        #expect(r.stderr.contains("column name 'a\\u{0000}b' at 'schema.features[0].name' holds the control or format character U+0000"), "\(r.stderr)")
    }
}
