import AuditModel
import Foundation

/// Reads a whole Parquet file without a pipeline definition: every flat column's values as the
/// reader's text (nil for a null). For `mlaudit init` (types drafted from the values) and tests.
/// Package access: other MLAudit targets use it, users do not.
package enum ParquetInspection {
    /// Whether the file at `path` starts with the Parquet magic bytes.
    package static func isParquet(path: String) -> Bool {
        guard let f = try? FileByteSource(path: path) else { return false }
        return hasParquetMagic(f)
    }

    /// The flat columns (name, Parquet type) and their values as text, row group after row group.
    /// Nested columns are listed in `nested` and not read.
    ///
    /// - Throws: `MLAuditError` when the file cannot be read or is corrupt.
    package static func read(path: String) throws
        -> (names: [String], types: [String], nested: [String], rows: Int, values: [[String?]])
    {
        let file = try FileByteSource(path: path)
        let bytes = try file.readAll()
        return try bytes.withUnsafeBytes { b in
            do {
                let footer = try ParquetFooter.read(b)
                let flat = footer.columns.indices.filter { !footer.columns[$0].nested }
                let nested = footer.topLevel.filter { t in footer.columns.contains { $0.nested && ($0.name == t || $0.name.hasPrefix(t + ".")) } }
                var values = [[String?]](repeating: [], count: flat.count)
                let dataEnd = b.count - 8 - Int(b.loadUnaligned(fromByteOffset: b.count - 8, as: UInt32.self).littleEndian)
                var text: [UInt8] = []
                var rows = 0
                for (g, rg) in footer.rowGroups.enumerated() {
                    guard rg.numRows <= parquetMaxRowGroupRows else { throw ParquetError("row group \(g + 1) claims \(rg.numRows) rows") }
                    rows += Int(rg.numRows)
                    for (n, i) in flat.enumerated() {
                        let c = footer.columns[i]
                        let kind = ParquetValueKind(c)
                        let d: ParquetColumnData
                        do {
                            d = try ParquetChunkReader(file: b, dataEnd: dataEnd, column: c, chunk: rg.chunks[i], rows: Int(rg.numRows)).read()
                        } catch let e as ParquetError {
                            throw ParquetError("row group \(g + 1), column '\(c.name)': \(e.message)")
                        }
                        var k = 0
                        for r in 0..<Int(rg.numRows) {
                            if d.present.isEmpty || d.present[r] != 0 {
                                text.removeAll(keepingCapacity: true)
                                parquetText(d, k, kind, into: &text)
                                values[n].append(String(decoding: text, as: UTF8.self))
                                k += 1
                            } else {
                                values[n].append(nil)
                            }
                        }
                    }
                }
                return (flat.map { footer.columns[$0].name }, flat.map { footer.columns[$0].typeName }, nested, rows, values)
            } catch let e as ParquetError {
                throw MLAuditError(.unreadableInput, "the Parquet file cannot be read: \(e.message)", file: path,
                                   hint: "Check that the file was written whole.")
            }
        }
    }
}
