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
    /// Nested columns are listed in `nested` and not read. Holds every value: for tests and
    /// small files; `forEachRow` reads any size in bounded memory.
    ///
    /// - Throws: `MLAuditError` when the file cannot be read or is corrupt.
    package static func read(path: String) throws
        -> (names: [String], types: [String], nested: [String], rows: Int, values: [[String?]])
    {
        var names: [String] = [], types: [String] = [], nested: [String] = []
        var values: [[String?]] = []
        var rows = 0
        try forEachRow(
            path: path,
            columns: { n, t, x in
                (names, types, nested) = (n, t, x)
                values = Array(repeating: [], count: n.count)
            },
            row: { fields in
                for i in fields.indices { values[i].append(fields[i]) }
                rows += 1
            })
        return (names, types, nested, rows, values)
    }

    /// Calls `columns` with the flat columns' names and Parquet types and the nested columns'
    /// names (not read), then `row` with each row's values as the reader's text (nil for a
    /// null), in file order.
    ///
    /// Memory is bounded whatever the file's size: the footer is read alone (`pread`), then
    /// each row group's columns page by page (`ParquetColumnStream`, the ingest's reader), so
    /// at most one decoded page per column is held; `row`'s array is reused.
    ///
    /// - Throws: `MLAuditError` when the file cannot be read or is corrupt (and whatever
    ///   `columns` or `row` throw).
    package static func forEachRow(
        path: String, columns: ([String], [String], [String]) throws -> Void, row: ([String?]) throws -> Void
    ) throws {
        let file = try FileByteSource(path: path)
        var st = stat()
        guard fstat(file.fd, &st) == 0 else {
            throw MLAuditError.unreadable(path, what: "the file", cause: String(cString: strerror(errno)))
        }
        do {
            let (footer, dataEnd) = try ParquetFooter.read(fd: file.fd, size: Int(st.st_size))
            let flat = footer.columns.indices.filter { !footer.columns[$0].nested }
            let nested = footer.topLevel.filter { t in footer.columns.contains { $0.nested && ($0.name == t || $0.name.hasPrefix(t + ".")) } }
            try columns(flat.map { footer.columns[$0].name }, flat.map { footer.columns[$0].typeName }, nested)
            let kinds = flat.map { ParquetValueKind(footer.columns[$0]) }
            let buffer = ParquetReadBuffer()
            var fields = [String?](repeating: nil, count: flat.count)
            var views = [ParquetPageView](repeating: ParquetPageView(), count: flat.count)
            var text: [UInt8] = []
            for (g, rg) in footer.rowGroups.enumerated() {
                guard rg.numRows <= parquetMaxRowGroupRows else { throw ParquetError("row group \(g + 1) claims \(rg.numRows) rows") }
                let rows = Int(rg.numRows)
                var streams: [ParquetColumnStream] = []
                for i in flat {
                    do {
                        streams.append(try ParquetColumnStream(
                            fd: file.fd, dataEnd: dataEnd, column: footer.columns[i], chunk: rg.chunks[i], rows: rows, buffer: buffer))
                    } catch let e as ParquetError {
                        throw ParquetError("row group \(g + 1), column '\(footer.columns[i].name)': \(e.message)")
                    }
                }
                for n in views.indices { views[n] = ParquetPageView() }
                for _ in 0..<rows {
                    for n in flat.indices {
                        if views[n].pageRow >= views[n].pageRows {
                            do {
                                views[n] = try streams[n].nextView()
                            } catch let e as ParquetError {
                                throw ParquetError("row group \(g + 1), column '\(footer.columns[flat[n]].name)': \(e.message)")
                            }
                        }
                        if views[n].isPresent {
                            text.removeAll(keepingCapacity: true)
                            parquetText(streams[n].page, views[n].valueIndex, kinds[n], into: &text)
                            fields[n] = String(decoding: text, as: UTF8.self)
                        } else {
                            fields[n] = nil
                        }
                        views[n].advance()
                    }
                    try row(fields)
                }
            }
        } catch let e as ParquetError {
            throw MLAuditError(.unreadableInput, "the Parquet file cannot be read: \(e.message)", file: path,
                               hint: "Check that the file was written whole.")
        }
    }
}
