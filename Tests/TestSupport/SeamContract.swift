import AuditModel
import Foundation
import Warehouse

/// What every warehouse backend must do behind the storage seam, as checks any backend's tests
/// can run (`WarehouseTests/SeamContractTests.swift` runs them on SQLite; a PostgreSQL test
/// target runs the same on its server). Each check opens fresh warehouses with `open` and
/// returns the problems it found (empty: the backend keeps the contract).
public enum SeamContract {
    /// Opens a fresh, empty warehouse with the given options (the same warehouse on each call
    /// within one check).
    public typealias Opener = (WarehouseOpenOptions) throws -> OpenedWarehouse

    /// Every check, by name.
    public static let all: [(name: String, check: @Sendable (Opener) throws -> [String])] = [
        ("a failed write commits nothing, results and ledger together", failedWriteCommitsNothing),
        ("results come back as written, in the documented order", resultsRoundTrip),
        ("typed rows come back bit for bit, nulls and NaN apart", rowsRoundTrip),
        ("a held pipeline lease refuses a second holder until released", leaseIsExclusive),
        ("the fleet reads: latest run, latest audited period, audited dates", fleetReads),
    ]

    static let columns = [
        DeclaredColumn(name: "x", type: .numeric, role: .feature),
        DeclaredColumn(name: "n", type: .integer, role: .feature),
        DeclaredColumn(name: "b", type: .boolean, role: .feature),
        DeclaredColumn(name: "c", type: .categorical, role: .feature),
    ]

    /// A stage's results and its ledger entry, written in one `write` whose body throws, leave
    /// no trace; the same body without the throw leaves both.
    public static func failedWriteCommitsNothing(_ open: Opener) throws -> [String] {
        var problems: [String] = []
        let w = try open(.init()).backend
        struct Crash: Error {}
        let (pipelineId, runId) = try w.write { tx -> (Int64, Int64) in
            let p = try tx.ensurePipeline("contract")
            _ = try tx.ensurePipeline("b-pipe")
            _ = try tx.ensurePipeline("Zeta")
            if try tx.pipelineNames() != ["Zeta", "b-pipe", "contract"] {
                problems.append("the pipelines came back as \(try tx.pipelineNames()), not in byte order")
            }
            return (p, try tx.startRun(pipelineId: p, definitionId: nil, command: "contract"))
        }
        func attempt(fail: Bool) throws {
            try w.write { tx in
                let (snapshot, _) = try tx.insertSnapshot(pipelineId: pipelineId, NewSnapshot(
                    kind: .daily, date: "2026-01-01", sourcePath: "day.csv", sha256: "00", bytes: 1, header: ["x"]))
                let stage = try tx.startStage(runId: runId, pipelineId: pipelineId, date: "2026-01-01", stage: .validate)
                try tx.replaceMetrics(snapshotId: snapshot, stage: .validate, [Metric(.rowsStored, 1)])
                try tx.completeStage(stage, snapshotId: snapshot)
                if fail { throw Crash() }
            }
        }
        do {
            try attempt(fail: true)
            problems.append("the failing write did not throw")
        } catch is Crash {}
        try w.read { tx in
            if try tx.currentSnapshot(pipelineId: pipelineId, kind: .daily, date: "2026-01-01") != nil {
                problems.append("a snapshot of the rolled-back write is visible")
            }
            if try tx.lastStageRun(pipelineId: pipelineId, date: "2026-01-01", stage: .validate) != nil {
                problems.append("a stage run of the rolled-back write is visible")
            }
        }
        try attempt(fail: false)
        try w.read { tx in
            guard let s = try tx.currentSnapshot(pipelineId: pipelineId, kind: .daily, date: "2026-01-01") else {
                return problems.append("the committed snapshot is missing")
            }
            if try tx.lastStageRun(pipelineId: pipelineId, date: "2026-01-01", stage: .validate)?.status != .ok {
                problems.append("the committed stage run is not ok")
            }
            if try tx.metric(snapshotId: s.id, name: .rowsStored) != 1 { problems.append("the committed metric is missing") }
        }
        return problems
    }

    /// Findings in insertion order (and by stage), metrics ordered by name then column with
    /// infinities kept and undefined values nil, stored results by key, a series over dates.
    public static func resultsRoundTrip(_ open: Opener) throws -> [String] {
        var problems: [String] = []
        let w = try open(.init()).backend
        let findings = [
            Finding(check: CheckCatalog.nullRate.id, stage: .validate, category: .dataQuality, severity: .warning,
                    column: "x", message: "z first", observed: "0.5", expected: "< 0.1"),
            Finding(check: CheckCatalog.range.id, stage: .validate, category: .dataQuality, severity: .critical,
                    column: "ünïcode \"q\" <b>", message: "a second"),
        ]
        let metrics = [
            Metric(.mean, column: "x", -0.0), Metric(.max, column: "x", .infinity), Metric(.driftedShare, 0.25),
            Metric(.min, column: "x", -.infinity), Metric(.std, column: "x", .nan),
        ]
        let retraining = AuditSummary.RetrainingSection(recommendation: .watch, reasons: ["a", "b"])
        let (pipelineId, days) = try w.write { tx -> (Int64, [Int64]) in
            let p = try tx.ensurePipeline("contract")
            var days: [Int64] = []
            for (i, date) in ["2026-01-01", "2026-01-02", "2026-01-03"].enumerated() {
                let (s, _) = try tx.insertSnapshot(pipelineId: p, NewSnapshot(
                    kind: .daily, date: date, sourcePath: "d.csv", sha256: "\(i)", bytes: 1, header: []))
                if i != 1 { try tx.replaceMetrics(snapshotId: s, stage: .compare, [Metric(.driftedShare, Double(i) / 4)]) }
                days.append(s)
            }
            try tx.replaceFindings(snapshotId: days[0], stage: .validate, findings, stageRunId: nil)
            try tx.appendFindings(snapshotId: days[0], [Finding(
                check: CheckCatalog.featureDrift.id, stage: .compare, category: .drift, severity: .info, message: "m")],
                stageRunId: nil)
            try tx.replaceMetrics(snapshotId: days[0], stage: .profile, metrics)
            try tx.putResult(snapshotId: days[0], .retraining, retraining)
            return (p, days)
        }
        try w.read { tx in
            let back = try tx.findings(snapshotId: days[0], stage: .validate)
            if back != findings { problems.append("findings came back as \(back)") }
            if try tx.findings(snapshotId: days[0]).map(\.check) != findings.map(\.check) + [CheckCatalog.featureDrift.id] {
                problems.append("findings are not in insertion order across stages")
            }
            let m = try tx.metrics(snapshotId: days[0])
            let expected: [(MetricName, String, Double?)] = [
                (.driftedShare, "", 0.25), (.max, "x", .infinity), (.mean, "x", 0), (.min, "x", -.infinity), (.std, "x", nil),
            ]
            if m.map(\.name) != expected.map(\.0) || m.map(\.column) != expected.map(\.1) || m.map(\.value) != expected.map(\.2) {
                problems.append("metrics came back as \(m.map { "\($0.name)/\($0.column)=\(String(describing: $0.value))" })")
            }
            if try tx.result(.retraining, snapshotId: days[0]) != retraining { problems.append("the stored result differs") }
            if try tx.result(.performance, snapshotId: days[0]) != nil { problems.append("a result never stored is not nil") }
            let series = try tx.metricSeries(pipelineId: pipelineId, name: .driftedShare, from: "2026-01-02", to: "2026-01-03")
            if series.map(\.date) != ["2026-01-02", "2026-01-03"] || series.map(\.value) != [nil, 0.5] {
                problems.append("the series came back as \(series)")
            }
        }
        return problems
    }

    /// `pipelineNames` lists every pipeline in byte order; `latestRun` is the newest run (any status); `latestPeriodReport` the highest date and of
    /// it the highest version, whatever order the reports were written in (a late backfill of
    /// an older date is written last); `reportedDates` each date once, oldest first.
    public static func fleetReads(_ open: Opener) throws -> [String] {
        let w = try open(.init()).backend
        return try fleetReads(write: { body in try w.write { try body($0) } }, read: { body in try w.read { try body($0) } })
    }

    /// A transaction of the ledger, catalog and results (what the fleet reads need), for a
    /// backend tested before it has row storage.
    public typealias LedgerTransaction = any RunLedger & SnapshotCatalog & ResultStore
    public typealias TransactionRunner = ((LedgerTransaction) throws -> Void) throws -> Void

    /// `fleetReads` on any backend's write and read transactions.
    public static func fleetReads(write: TransactionRunner, read: TransactionRunner) throws -> [String] {
        var problems: [String] = []
        var pipelineId: Int64 = 0
        try write { tx in
            let p = try tx.ensurePipeline("contract")
            if try tx.latestRun(pipelineId: p) != nil || tx.latestPeriodReport(pipelineId: p) != nil || !tx.reportedDates(pipelineId: p).isEmpty {
                problems.append("a new pipeline has a run or a report")
            }
            let first = try tx.startRun(pipelineId: p, definitionId: nil, command: "first")
            try tx.finishRun(first, ok: true, exitStatus: 1, error: nil)
            // Written in this order: 02 v1, 03 v1, 02 v2 (a re-run), 01 v1 (a backfill).
            for (date, version) in [("2026-01-02", 1), ("2026-01-03", 1), ("2026-01-02", 2), ("2026-01-01", 1)] {
                let (s, _) = try tx.insertSnapshot(pipelineId: p, NewSnapshot(
                    kind: .daily, date: date, sourcePath: "d.csv", sha256: "\(date)\(version)", bytes: 1, header: []))
                _ = try tx.insertReport(
                    pipelineId: p, date: date, version: version, snapshotId: s, directory: "reports/contract/\(date)/v\(version)",
                    status: .warning, contentSha256: "c\(date)\(version)", manifestSha256: "m\(date)\(version)",
                    previousManifestSha256: nil, runId: first, recommendation: .watch,
                    counts: .init(critical: 0, warning: version, info: 0), files: [])
            }
            let second = try tx.startRun(pipelineId: p, definitionId: nil, command: "second")
            try tx.finishRun(second, ok: false, exitStatus: 2, error: "boom")
            pipelineId = p
        }
        try read { tx in
            let run = try tx.latestRun(pipelineId: pipelineId)
            if run?.status != "failed" || run?.exitStatus != 2 || run?.finishedAt == nil {
                problems.append("the latest run came back as \(String(describing: run))")
            }
            let report = try tx.latestPeriodReport(pipelineId: pipelineId)
            if report?.date != "2026-01-03" || report?.version != 1 || report?.recommendation != "watch" {
                problems.append("the latest period's report came back as \(String(describing: report))")
            }
            let dates = try tx.reportedDates(pipelineId: pipelineId)
            if dates != ["2026-01-01", "2026-01-02", "2026-01-03"] { problems.append("the audited dates came back as \(dates)") }
        }
        return problems
    }

    /// Rows written a batch at a time through `rowWriter` read back by `readColumns` (the
    /// columnar way and from the rows) and `readFiniteNumbers`, value for value.
    public static func rowsRoundTrip(_ open: Opener) throws -> [String] {
        var problems: [String] = []
        let w = try open(.init()).backend
        let rows = 300
        // Row r: x = r * 0.25 - 3 (null every 7th, NaN every 11th, +inf at 5), n = r - 150 (null every 13th),
        // b = r % 2, c = one of four texts (null every 17th).
        let texts = ["rød", "", "tab\there", "<b>&\"'"]
        let arena = Array(texts.joined().utf8)
        var offsets: [Int] = []
        var at = 0
        for t in texts {
            offsets.append(at)
            at += t.utf8.count
        }
        var kinds: [UInt8] = [], payloads: [Int64] = [], lengths: [Int32] = []
        for r in 0..<rows {
            if r % 7 == 0 { kinds.append(RowSlotKind.null.rawValue); payloads.append(0) }
            else if r % 11 == 0 { kinds.append(RowSlotKind.nan.rawValue); payloads.append(0) }
            else {
                kinds.append(RowSlotKind.double.rawValue)
                payloads.append(Int64(bitPattern: (r == 5 ? Double.infinity : Double(r) * 0.25 - 3).bitPattern))
            }
            lengths.append(0)
            if r % 13 == 0 { kinds.append(RowSlotKind.null.rawValue) } else { kinds.append(RowSlotKind.integer.rawValue) }
            payloads.append(Int64(r - 150))
            lengths.append(0)
            kinds.append(RowSlotKind.integer.rawValue)
            payloads.append(Int64(r % 2))
            lengths.append(0)
            if r % 17 == 0 {
                kinds.append(RowSlotKind.null.rawValue)
                payloads.append(0)
                lengths.append(0)
            } else {
                kinds.append(RowSlotKind.text.rawValue)
                payloads.append(Int64(offsets[r % 4]))
                lengths.append(Int32(texts[r % 4].utf8.count))
            }
        }
        let lines = Array(2..<(rows + 2))
        let extraOffsets = [Int](repeating: -1, count: rows), extraLengths = [Int32](repeating: 0, count: rows)
        let (table, snapshot) = try w.write { tx -> (RowTable, Int64) in
            let p = try tx.ensurePipeline("contract")
            let table = try tx.rowTable(pipelineId: p, columns: columns)
            let (s, _) = try tx.insertSnapshot(pipelineId: p, NewSnapshot(
                kind: .daily, date: "2026-01-01", sourcePath: "d.csv", sha256: "0", bytes: 1, header: columns.map(\.name)))
            let writer = try tx.rowWriter(table, snapshotId: s)
            // Two batches: rows 0..<100 and 100..<300.
            for (from, to) in [(0, 100), (100, rows)] {
                let base = from * columns.count
                try kinds.withUnsafeBufferPointer { k in
                    try payloads.withUnsafeBufferPointer { p in
                        try lengths.withUnsafeBufferPointer { l in
                            try lines.withUnsafeBufferPointer { ln in
                                try extraOffsets.withUnsafeBufferPointer { eo in
                                    try extraLengths.withUnsafeBufferPointer { el in
                                        try arena.withUnsafeBytes { a in
                                            try writer.write(TypedRowSlots(
                                                rows: to - from, columns: columns.count, kinds: k.baseAddress! + base,
                                                payloads: p.baseAddress! + base, lengths: l.baseAddress! + base,
                                                lines: ln.baseAddress! + from, extraOffsets: eo.baseAddress! + from,
                                                extraLengths: el.baseAddress! + from, arena: a.baseAddress!))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            try writer.finish()
            try tx.finishSnapshot(s, read: rows, stored: rows, quarantined: 0)
            return (table, s)
        }
        for columnar in [true, false] {
            let read = try w.read { try $0.readColumns(table, snapshotId: snapshot, columns: columns.map(\.name), columnar: columnar) }
            guard case .numeric(let x)? = read["x"], case .numeric(let n)? = read["n"], case .numeric(let b)? = read["b"],
                  case .labels(let c)? = read["c"], x.values.count == rows, n.values.count == rows, c.codes.count == rows
            else {
                problems.append("readColumns(columnar: \(columnar)) gave the wrong shapes")
                continue
            }
            for r in 0..<rows {
                let xOK: Bool
                if r % 7 == 0 { xOK = x.nulls[r] && x.values[r].isNaN }
                else if r % 11 == 0 { xOK = !x.nulls[r] && x.values[r].isNaN }
                else { xOK = !x.nulls[r] && x.values[r].bitPattern == (r == 5 ? Double.infinity : Double(r) * 0.25 - 3).bitPattern }
                let nOK = r % 13 == 0 ? n.nulls[r] : (!n.nulls[r] && n.values[r] == Double(r - 150))
                let bOK = !b.nulls[r] && b.values[r] == Double(r % 2)
                let cOK = c.value(at: r) == (r % 17 == 0 ? nil : texts[r % 4])
                if !(xOK && nOK && bOK && cOK) {
                    problems.append("row \(r) (columnar: \(columnar)) came back as x=\(x.values[r]) n=\(n.values[r]) b=\(b.values[r]) c=\(String(describing: c.value(at: r)))")
                    break
                }
            }
            let finite = try w.read { try $0.readFiniteNumbers(table, snapshotId: snapshot, columns: ["x"], columnar: columnar) }["x"]
            let nulls = (0..<rows).filter { $0 % 7 == 0 }.count
            let nan = (0..<rows).filter { $0 % 7 != 0 && $0 % 11 == 0 }.count
            if finite?.nulls != nulls || finite?.nan != nan || finite?.infinite != 1 || finite?.values.count != rows - nulls - nan - 1 {
                problems.append("readFiniteNumbers(columnar: \(columnar)) counted \(String(describing: finite.map { ($0.values.count, $0.nulls, $0.nan, $0.infinite) }))")
            }
        }
        if try w.read({ try $0.storedLines(table, snapshotId: snapshot) }) != lines { problems.append("the stored lines differ") }
        return problems
    }

    /// While one holder has the pipeline's lease, a second open asking for it fails with
    /// `.locked`; once the first lets go, it succeeds.
    public static func leaseIsExclusive(_ open: Opener) throws -> [String] {
        var problems: [String] = []
        var first: OpenedWarehouse? = try open(.init(lockPipeline: "contract"))
        if first?.lease == nil { problems.append("no lease was handed out") }
        do {
            _ = try open(.init(lockPipeline: "contract"))
            problems.append("a second holder got the lease")
        } catch let e as MLAuditError where e.code == .locked {
        }
        first = nil
        if try open(.init(lockPipeline: "contract")).lease == nil { problems.append("the released lease was not handed out again") }
        return problems
    }
}
