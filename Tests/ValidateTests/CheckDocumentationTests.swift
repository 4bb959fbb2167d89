import AuditModel
import Foundation
import Testing

/// docs/checks.md and the code say the same thing: every catalogued check is documented,
/// every documented check exists, and every default threshold quoted is the one in force.
@Suite("Check documentation")
struct CheckDocumentationTests {
    static func doc() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("docs/checks.md"), encoding: .utf8)
    }

    /// Ids of the `### `id` — Title` headings.
    static func documentedIds(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("### `"), let end = line.dropFirst(5).firstIndex(of: "`") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 5)..<end])
        }
    }

    @Test func everyCatalogIdIsDocumentedAndEveryDocumentedIdExists() throws {
        let documented = Self.documentedIds(try Self.doc())
        let catalog = CheckCatalog.all.map(\.id)
        #expect(Set(catalog).subtracting(documented).sorted() == [], "in CheckCatalog.all but not in docs/checks.md")
        #expect(Set(documented).subtracting(catalog).sorted() == [], "in docs/checks.md but not in CheckCatalog.all")
        #expect(documented.count == Set(documented).count, "a check documented twice")
        #expect(catalog.count == Set(catalog).count, "a check id catalogued twice")
    }

    @Test func documentedDefaultsAreTheDefaultsInForce() throws {
        let text = try Self.doc()
        let data = try JSONEncoder().encode(ChecksSpec.defaults)
        let defaults = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let pair = try NSRegularExpression(pattern: "`checks\\.([a-z_]+)`: warning ([0-9]+(?:\\.[0-9]+)?|none), critical ([0-9]+(?:\\.[0-9]+)?|none)")
        var quoted = Set<String>()
        for m in pair.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let field = { (i: Int) in String(text[Range(m.range(at: i), in: text)!]) }
            let key = field(1)
            quoted.insert(key)
            let t = try #require(defaults[key] as? [String: Double], "docs/checks.md quotes unknown key checks.\(key)")
            #expect(field(2) == (t["warning"].map { formatNumber($0) } ?? "none"), "checks.\(key) warning")
            #expect(field(3) == (t["critical"].map { formatNumber($0) } ?? "none"), "checks.\(key) critical")
        }
        let thresholdKeys = Set(defaults.filter { $0.value is [String: Any] }.keys)
        #expect(thresholdKeys.subtracting(quoted).sorted() == [], "defaults not quoted in docs/checks.md")
        #expect(text.contains("`checks.row_count_days`: \(ChecksSpec.defaults.rowCountDays!)"))
    }
}
