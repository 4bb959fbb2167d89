import AuditModel
import GRDB

extension Migrations {
    /// Per-segment results and the segment of a finding (issue 15, docs/warehouse.md).
    static func registerSegmentMigrations(_ m: inout DatabaseMigrator) {
        m.registerMigration("v3-issue15-segments") { db in
            try db.execute(sql: """
                CREATE TABLE segmentResult (
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
                  segmentColumn TEXT NOT NULL,
                  value TEXT NOT NULL,
                  grouped INTEGER NOT NULL CHECK (grouped IN (0, 1)),
                  rows INTEGER NOT NULL CHECK (rows >= 0),
                  baselineRows INTEGER NOT NULL CHECK (baselineRows >= 0),
                  judged INTEGER NOT NULL CHECK (judged IN (0, 1)),
                  driftedShare REAL,
                  labelledRows INTEGER NOT NULL CHECK (labelledRows >= 0),
                  judgedMetric TEXT,
                  metricValue REAL,
                  baselineMetricValue REAL,
                  estimatedValue REAL,
                  PRIMARY KEY (snapshotId, segmentColumn, value, grouped)
                );
                ALTER TABLE finding ADD COLUMN segmentColumn TEXT;
                ALTER TABLE finding ADD COLUMN segmentValue TEXT;
                """)
        }
    }
}

/// One stored row of `segmentResult`.
public struct SegmentRecord: Sendable, Equatable {
    public var date: String
    public var column: String
    public var value: String
    public var rows: Int
    public var judged: Bool
    public var driftedShare: Double?
    public var metricValue: Double?
    public var estimatedValue: Double?

    public init(
        date: String, column: String, value: String, rows: Int, judged: Bool, driftedShare: Double?, metricValue: Double?,
        estimatedValue: Double?
    ) {
        self.date = date
        self.column = column
        self.value = value
        self.rows = rows
        self.judged = judged
        self.driftedShare = driftedShare
        self.metricValue = metricValue
        self.estimatedValue = estimatedValue
    }
}

extension Store {
    /// Replaces the per-segment rows of a snapshot (compare stage).
    public func replaceSegments(snapshotId: Int64, _ segments: [AuditSummary.Segment]) throws {
        try db.execute(sql: "DELETE FROM segmentResult WHERE snapshotId = ?", arguments: [snapshotId])
        let st = try db.cachedStatement(sql: """
            INSERT INTO segmentResult (snapshotId, segmentColumn, value, grouped, rows, baselineRows, judged, driftedShare,
              labelledRows, judgedMetric, metricValue, baselineMetricValue, estimatedValue)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for s in segments {
            let metric = s.judgedMetric
            let values: [(any DatabaseValueConvertible)?] = [
                snapshotId, s.column, StoredText.storable(s.value), s.grouped ? 1 : 0, s.rows, s.baselineRows, s.judged ? 1 : 0, s.driftedShare,
                s.labelledRows, metric, metric.flatMap { s.metrics[$0] }, metric.flatMap { s.baselineMetrics[$0] },
                metric.flatMap { s.estimated[$0] },
            ]
            try st.execute(arguments: StatementArguments(values))
        }
    }

    /// The stored segments of one column over a date range of current daily snapshots, oldest first.
    public func segmentSeries(pipelineId: Int64, column: String, from: String, to: String) throws -> [SegmentRecord] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT s.date AS date, r.segmentColumn, r.value, r.rows, r.judged, r.driftedShare, r.metricValue, r.estimatedValue
                FROM segmentResult r JOIN snapshot s ON s.id = r.snapshotId
                WHERE s.pipelineId = ? AND s.kind = 'daily' AND s.status = 'current' AND r.segmentColumn = ?
                  AND s.date BETWEEN ? AND ?
                ORDER BY s.date, r.grouped, r.value
                """,
            arguments: [pipelineId, column, from, to]
        ).map {
            SegmentRecord(
                date: $0["date"], column: $0["segmentColumn"], value: $0["value"], rows: $0["rows"],
                judged: ($0["judged"] as Int) == 1, driftedShare: $0["driftedShare"], metricValue: $0["metricValue"],
                estimatedValue: $0["estimatedValue"])
        }
    }
}
