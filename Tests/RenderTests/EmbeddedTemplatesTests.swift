import Foundation
import Testing

@testable import Render

/// The templates embedded in the binary are exactly the files of Sources/Render/Templates,
/// byte for byte, and each one parses.
@Suite("Embedded templates")
struct EmbeddedTemplatesTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/Render/Templates")

    @Test func embeddedTemplatesAreTheFiles() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".mustache") }
        #expect(Set(EmbeddedTemplates.byName.keys) == Set(files))
        for name in files {
            let disk = try Data(contentsOf: Self.folder.appendingPathComponent(name))
            #expect(Data(EmbeddedTemplates.byName[name]!.utf8) == disk, "\(name)")
            _ = try TemplateStore.read(name)
        }
    }
}
