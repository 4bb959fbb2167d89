import AuditModel
import GRDB

extension Migrations {
    /// Per-group fairness results (issue 15, docs/warehouse.md): one row per snapshot,
    /// protected attribute and group, so trends can be queried.
    static func registerFairnessMigrations(_ m: inout DatabaseMigrator) {
        m.registerMigration("v3-issue15-fairness") { db in
            try db.execute(sql: """
                CREATE TABLE fairnessGroup (
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
                  attribute TEXT NOT NULL,
                  value TEXT NOT NULL,
                  isReference INTEGER NOT NULL CHECK (isReference IN (0, 1)),
                  rows INTEGER NOT NULL,
                  labelledRows INTEGER NOT NULL,
                  judged INTEGER NOT NULL CHECK (judged IN (0, 1)),
                  selectionRate REAL,
                  selectionRateLower REAL,
                  selectionRateUpper REAL,
                  truePositiveRate REAL,
                  falsePositiveRate REAL,
                  precision REAL,
                  accuracy REAL,
                  impactRatio REAL,
                  PRIMARY KEY (snapshotId, attribute, value)
                )
                """)
        }
        // The finding table's category CHECK gains 'fairness' (SQLite cannot alter a CHECK:
        // the table is rebuilt with the same columns, rows and index).
        m.registerMigration("v3-issue15-finding-fairness") { db in
            try db.execute(sql: """
                CREATE TABLE finding_new (
                  id INTEGER PRIMARY KEY,
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id),
                  stage TEXT NOT NULL,
                  checkId TEXT NOT NULL,
                  category TEXT NOT NULL
                    CHECK (category IN ('data_quality', 'drift', 'performance', 'operational', 'technical_debt', 'fairness')),
                  severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
                  column TEXT,
                  message TEXT NOT NULL,
                  observed TEXT,
                  expected TEXT,
                  advice TEXT NOT NULL,
                  stageRunId INTEGER REFERENCES stageRun(id)
                );
                INSERT INTO finding_new (id, snapshotId, stage, checkId, category, severity, column, message, observed,
                  expected, advice, stageRunId)
                SELECT id, snapshotId, stage, checkId, category, severity, column, message, observed, expected, advice,
                  stageRunId FROM finding;
                DROP TABLE finding;
                ALTER TABLE finding_new RENAME TO finding;
                CREATE INDEX finding_snapshot ON finding(snapshotId, stage);
                """)
        }
    }
}

/// One stored row of `fairnessGroup`.
public struct FairnessGroupRecord: Sendable, Equatable {
    public var date: String
    public var attribute: String
    public var value: String
    public var rows: Int
    public var selectionRate: Double?
    public var truePositiveRate: Double?
    public var impactRatio: Double?

    public init(
        date: String, attribute: String, value: String, rows: Int, selectionRate: Double?, truePositiveRate: Double?,
        impactRatio: Double?
    ) {
        self.date = date
        self.attribute = attribute
        self.value = value
        self.rows = rows
        self.selectionRate = selectionRate
        self.truePositiveRate = truePositiveRate
        self.impactRatio = impactRatio
    }
}

extension Store {
    /// Replaces the per-group fairness rows of a snapshot (compare stage).
    public func replaceFairnessGroups(snapshotId: Int64, _ attributes: [AuditSummary.FairnessAttribute]) throws {
        try db.execute(sql: "DELETE FROM fairnessGroup WHERE snapshotId = ?", arguments: [snapshotId])
        let st = try db.cachedStatement(sql: """
            INSERT INTO fairnessGroup (snapshotId, attribute, value, isReference, rows, labelledRows, judged, selectionRate,
              selectionRateLower, selectionRateUpper, truePositiveRate, falsePositiveRate, precision, accuracy, impactRatio)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for a in attributes {
            for g in a.groups {
                let values: [(any DatabaseValueConvertible)?] = [
                    snapshotId, a.attribute, StoredText.storable(g.value), g.value == a.referenceGroup ? 1 : 0, g.rows, g.labelledRows,
                    g.judged ? 1 : 0, g.selectionRate, g.selectionRateCI?.first, g.selectionRateCI?.last,
                    g.truePositiveRate, g.falsePositiveRate, g.precision, g.accuracy, g.impactRatio,
                ]
                try st.execute(arguments: StatementArguments(values))
            }
        }
    }

    /// The stored groups of one attribute over a date range of current daily snapshots, oldest first.
    public func fairnessGroupSeries(pipelineId: Int64, attribute: String, from: String, to: String) throws -> [FairnessGroupRecord] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT s.date AS date, f.attribute, f.value, f.rows, f.selectionRate, f.truePositiveRate, f.impactRatio
                FROM fairnessGroup f JOIN snapshot s ON s.id = f.snapshotId
                WHERE s.pipelineId = ? AND s.kind = 'daily' AND s.status = 'current' AND f.attribute = ? AND s.date BETWEEN ? AND ?
                ORDER BY s.date, f.value
                """,
            arguments: [pipelineId, attribute, from, to]
        ).map {
            FairnessGroupRecord(
                date: $0["date"], attribute: $0["attribute"], value: $0["value"], rows: $0["rows"],
                selectionRate: $0["selectionRate"], truePositiveRate: $0["truePositiveRate"], impactRatio: $0["impactRatio"])
        }
    }
}
