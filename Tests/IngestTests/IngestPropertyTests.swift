import AuditModel
import Definition
import Foundation
import Testing
import TestSupport
import Warehouse

@testable import Ingest

/// SplitMix64: the property test's seeded, deterministic randomness.
struct SeededRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) * 0x1.0p-53 < p }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}

/// A value as the test expects to read it back.
enum Expected: Equatable {
    case null
    case number(Double)
    case text(String)
}

/// Random tables written as CSV with random delimiters, quoting, line endings, BOM, gzip and
/// part splits; ingested; read back; compared value by value with what was written.
@Suite("Ingest round trip")
struct IngestPropertyTests {
    static let columns: [(name: String, type: ColumnType)] = [
        ("id", .text), ("ts", .datetime), ("f_num", .numeric), ("f_num2", .numeric), ("f_int", .integer),
        ("f_bool", .boolean), ("f_cat", .categorical), ("f_txt", .text),
    ]
    static let delimiters: [(yaml: String, byte: Character)] = [(",", ","), (";", ";"), ("\\t", "\t"), ("|", "|")]
    static let nullTokens: Set<String> = ["", "NA", "N/A", "n/a", "null", "NULL", "Null", "None", "none", "NaN", "nan", "-"]

    func definition(root: String, k: Int) -> String {
        var y = """
            name: prop\(k)
            root: \(root)
            model: {name: m, version: "1"}
            baseline: {path: baseline.csv}
            snapshots:
              path: d\(k)/{date}
              delimiter: "\(Self.delimiters[k].yaml)"
            schema:
              id: id
              timestamp: ts
              features:

            """
        for c in Self.columns.dropFirst(2) { y += "    - {name: \(c.name), type: \(c.type.rawValue)}\n" }
        y += "warehouse: prop.sqlite\n"
        return y
    }

    /// A field value and what it must read back as.
    func value(_ type: ColumnType, _ r: inout SeededRandom) -> (text: String, expected: Expected) {
        if r.chance(0.1) {
            let token = r.pick(type == .numeric ? ["", "NA", "null", "None", "N/A"] : ["", "NA", "null", "None", "NaN", "-"])
            return (token, .null)
        }
        switch type {
        case .numeric:
            switch r.int(0...5) {
            case 0:
                let v = Double(Int64(r.next() % 2_000_001) - 1_000_000) / 1000
                return (String(format: "%.3f", v), .number(v))
            case 1:
                let v = Double(bitPattern: (r.next() & 0x7FEF_FFFF_FFFF_FFFF)) * (r.chance(0.5) ? -1 : 1)
                return ("\(v)", .number(v))
            case 2:
                let v = Double(r.int(-999...999)) * pow(10, Double(r.int(-30...30)))
                return ("\(v)", .number(Double("\(v)")!))
            case 3:
                let (t, v) = r.pick([("nan", Double.nan), ("NaN", .nan), ("inf", .infinity), ("-inf", -.infinity), ("Infinity", .infinity)])
                return (t, .number(v))
            case 4:
                let v = Double(r.int(-100_000...100_000))
                return (" \(Int(v)) ", .number(v))
            default:
                let t = "\(r.int(0...99)).\(r.int(0...999_999))e\(r.int(-5...5))"
                return (t, .number(Double(t)!))
            }
        case .integer:
            let v = Int64(r.next() % (1 << 53)) - (1 << 52)
            return r.chance(0.2) ? ("\(v % 100_000).0", .number(Double(v % 100_000))) : ("\(v)", .number(Double(v)))
        case .boolean:
            let (t, v) = r.pick([("true", 1.0), ("false", 0), ("yes", 1), ("no", 0), ("1", 1), ("0", 0), ("t", 1), ("f", 0)])
            let cased = r.chance(0.5) ? t.uppercased() : t
            return (cased, .number(v))
        case .datetime:
            let ms = Int64(r.next() % 4_102_444_800_000)
            switch r.int(0...4) {
            case 0:
                return ("\(ms / 1000)", .text(Timestamp.format(epochMilliseconds: ms / 1000 * 1000)))
            case 1:
                let m = max(ms, 100_000_000_000)
                return ("\(m)", .text(Timestamp.format(epochMilliseconds: m)))
            case 2:
                let day = ms / 86_400_000 * 86_400_000
                return (String(Timestamp.format(epochMilliseconds: day).prefix(10)), .text(Timestamp.format(epochMilliseconds: day)))
            default:
                // ISO 8601 with a random offset (or none).
                let offsetMinutes = r.pick([0, 60, -90, 330, -600])
                let local = ms + Int64(offsetMinutes) * 60_000
                var t = Timestamp.format(epochMilliseconds: local)  // YYYY-MM-DDTHH:MM:SS.mmmZ
                t.removeLast()
                if r.chance(0.3) { t = t.replacingOccurrences(of: "T", with: " ") }
                let sign = offsetMinutes < 0 ? "-" : "+"
                let a = abs(offsetMinutes)
                let zone = offsetMinutes == 0 ? r.pick(["Z", "", "+00:00"]) : String(format: "%@%02d:%02d", sign, a / 60, a % 60)
                return (t + zone, .text(Timestamp.format(epochMilliseconds: ms)))
            }
        case .categorical, .text:
            let alphabet = ["a", "b", "Z", " ", ",", ";", "\t", "|", "\"", "\n", "\r", "\r\n", "é", "🚀", "中", "'", "\\", "{", "x", "0"]
            var s = ""
            for _ in 0..<r.int(0...8) { s += r.pick(alphabet) }
            return (s, Self.nullTokens.contains(s) ? .null : .text(s))
        }
    }

    func quoted(_ s: String, delimiter: Character, mode: Int, _ r: inout SeededRandom) -> String {
        let must = s.contains(delimiter) || s.contains("\"") || s.contains("\n") || s.contains("\r")
        let quote = must || mode == 1 || (mode == 2 && r.chance(0.5))
        return quote ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// Ingests the day through `IngestStage` and reads the values back from the warehouse.
    func throughWarehouse(_ loaded: LoadedDefinition, _ warehouse: Warehouse, day: Day, rows: Int, names: [String]) throws
        -> (values: [String: [Expected]], lines: [Int], extras: [String?])
    {
        let outcome = try IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(day), runId: nil, stageRunId: nil)
        #expect(outcome.rowsStored == rows && outcome.rowsQuarantined == 0, "\(day)")
        return try warehouse.read { store in
            let pipelineId = try #require(try store.ensurePipelineIfExists(loaded.name))
            let table = try store.rowTable(pipelineId: pipelineId, columns: loaded.definition.declaredColumns)
            let data = try store.readColumns(table, snapshotId: outcome.snapshotId, columns: names)
            var values: [String: [Expected]] = [:]
            for (name, column) in data {
                switch column {
                case .numeric(let d): values[name] = (0..<d.values.count).map { d.nulls[$0] ? .null : .number(d.values[$0]) }
                case .labels(let l): values[name] = (0..<l.codes.count).map { l.value(at: $0).map(Expected.text) ?? .null }
                }
            }
            return (
                values, try store.storedLines(table, snapshotId: outcome.snapshotId),
                try store.extraColumns(table, snapshotId: outcome.snapshotId)
            )
        }
    }

    /// Reads the day's parts with the ingest parser and typing, collecting the typed batches.
    func throughBatches(_ loaded: LoadedDefinition, _ path: String, delimiter: Character, rows: Int) throws
        -> (values: [String: [Expected]], lines: [Int], extras: [String?])
    {
        let columns = loaded.definition.declaredColumns
        let plan = LoadPlan(
            parts: try SnapshotParts.resolve(path), expectedDigests: nil, format: .auto,
            delimiter: delimiter.asciiValue, declared: columns,
            typer: RowTyper(columns: columns, parser: ValueParser(nullTokens: nil)), requiredHeaderColumns: [],
            requireSomeDeclaredColumn: true)
        let sink = CollectingSink(columns: columns)
        let result = try runLoad(plan, sink: sink)
        #expect(result.counts.stored == rows && result.counts.quarantined == 0, "\(path)")
        return (sink.box.values, sink.box.lines, sink.box.extras)
    }

    @Test func randomTablesReadBackIdentically() throws {
        let dir = TemporaryDirectory()
        let loaded = try (0..<Self.delimiters.count).map { k in
            try DefinitionLoader.load(path: dir.write("prop\(k).yaml", definition(root: dir.path, k: k)))
        }
        let warehouse = try Warehouse(path: loaded[0].warehousePath)
        var r = SeededRandom(state: 20_261_129)
        for n in 0..<300 {
            let k = r.int(0...(Self.delimiters.count - 1))
            let delimiter = Self.delimiters[k].byte
            let day = Day("2026-01-01")!.adding(days: n)
            // Columns: a random order of a random subset, plus undeclared ones.
            var cols = Self.columns.filter { _ in r.chance(0.85) }
            for e in 0..<r.int(0...2) { cols.append(("extra_\(e)", .text)) }
            if cols.count < 2 { cols += [("extra_a", .text), ("extra_b", .text)] }
            for i in stride(from: cols.count - 1, to: 0, by: -1) { cols.swapAt(i, r.int(0...i)) }
            let rows = r.int(1...12)
            let mode = r.int(0...2)  // quoting: minimal, all, random
            let eol = r.chance(0.5) ? "\n" : "\r\n"
            var expected: [[Expected]] = []
            var records: [String] = []
            for _ in 0..<rows {
                var fields: [String] = []
                var values: [Expected] = []
                for c in cols {
                    let v = value(c.type, &r)
                    fields.append(quoted(v.text, delimiter: delimiter, mode: mode, &r))
                    values.append(v.expected)
                }
                records.append(fields.joined(separator: String(delimiter)))
                expected.append(values)
            }
            let header = cols.map { quoted($0.name, delimiter: delimiter, mode: mode, &r) }.joined(separator: String(delimiter))
            // Split into parts, each with its header; lines count from 1 in every part.
            let partCount = r.int(1...min(3, rows))
            var cuts = [0, rows]
            while cuts.count < partCount + 1 { cuts.append(r.int(1...(rows - 1))); cuts = Array(Set(cuts)).sorted() }
            var expectedLines: [Int] = []
            for p in 0..<(cuts.count - 1) {
                var text = (r.chance(0.2) ? "\u{FEFF}" : "") + header + eol
                for i in cuts[p]..<cuts[p + 1] {
                    expectedLines.append(1 + text.utf8.filter { $0 == 0x0A }.count)
                    text += records[i] + (i + 1 < cuts[p + 1] || r.chance(0.7) ? eol : "")
                }
                let name = String(format: "d%d/%@/part-%04d.csv", k, day.description, p)
                if r.chance(0.3) {
                    dir.write(name + ".gz", bytes: GzipFixture.gzip(text, blockSize: r.int(7...70_000)))
                } else {
                    dir.write(name, text)
                }
            }

            // One case in fifteen goes through the whole stage and the warehouse; the others through
            // the same parser, typing and batches into memory (fast enough for hundreds of cases).
            let declared = cols.enumerated().filter { !$0.element.name.hasPrefix("extra") }
            let readBack: (values: [String: [Expected]], lines: [Int], extras: [String?])
            if n % 15 == 0 {
                readBack = try throughWarehouse(loaded[k], warehouse, day: day, rows: rows, names: declared.map(\.element.name))
            } else {
                readBack = try throughBatches(loaded[k], dir.path + "/d\(k)/\(day)", delimiter: delimiter, rows: rows)
            }
            #expect(readBack.lines == expectedLines, "case \(n)")
            for (index, c) in declared {
                for row in 0..<rows {
                    let got = readBack.values[c.name]?[row] ?? .null
                    let want = expected[row][index]
                    let same: Bool
                    if case .number(let a) = got, case .number(let b) = want {
                        same = a == b || (a.isNaN && b.isNaN)
                    } else {
                        same = got == want
                    }
                    #expect(same, "case \(n) row \(row) column \(c.name): got \(got), want \(want)")
                }
            }
            let extras = readBack.extras
            // Undeclared columns come back as a JSON object of text values.
            let extraColumns = cols.enumerated().filter { $0.element.name.hasPrefix("extra") }
            for row in 0..<rows {
                guard !extraColumns.isEmpty else {
                    #expect(extras[row] == nil)
                    continue
                }
                let object = try JSONSerialization.jsonObject(with: Data((extras[row] ?? "").utf8)) as? [String: Any]
                for (index, c) in extraColumns {
                    let got = object?[c.name]
                    switch expected[row][index] {
                    case .text(let s): #expect(got as? String == s, "case \(n) row \(row) \(c.name)")
                    default: #expect(got is NSNull, "case \(n) row \(row) \(c.name)")
                    }
                }
            }
        }
    }
}

/// Decodes typed batches back into values, as the warehouse would store them.
struct CollectingSink: BatchSink {
    final class Box: @unchecked Sendable {
        var values: [String: [Expected]] = [:]
        var lines: [Int] = []
        var extras: [String?] = []
    }
    let columns: [DeclaredColumn]
    let box = Box()

    func write(_ batch: RowBatch) throws {
        for r in 0..<batch.rows {
            for (j, c) in columns.enumerated() {
                let s = r * batch.columns + j
                let v: Expected
                switch batch.kinds[s] {
                case SlotKind.integer.rawValue: v = .number(Double(batch.payloads[s]))
                case SlotKind.double.rawValue: v = .number(Double(bitPattern: UInt64(bitPattern: batch.payloads[s])))
                case SlotKind.nan.rawValue: v = .number(.nan)
                case SlotKind.text.rawValue:
                    v = .text(String(decoding: batch.text(offset: batch.payloads[s], length: batch.lengths[s]), as: UTF8.self))
                default: v = .null
                }
                box.values[c.name, default: []].append(v)
            }
            box.lines.append(batch.lines[r])
            let offset = batch.extraOffsets[r]
            box.extras.append(
                offset < 0 ? nil : String(decoding: batch.text(offset: Int64(offset), length: batch.extraLengths[r]), as: UTF8.self))
        }
    }
}
