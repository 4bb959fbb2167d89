import GRDB

/// The warehouse schema. Migrations are never edited once landed: add a new one instead.
/// Raw table and column names, no app types (GRDB's migration guide). docs/warehouse.md
/// documents every table.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-core") { db in
            try db.execute(sql: """
                CREATE TABLE pipeline (
                  id INTEGER PRIMARY KEY,
                  name TEXT NOT NULL UNIQUE,
                  rowTable TEXT NOT NULL UNIQUE,
                  createdAt TEXT NOT NULL
                );
                CREATE TABLE definition (
                  id INTEGER PRIMARY KEY,
                  pipelineId INTEGER NOT NULL REFERENCES pipeline(id),
                  sha256 TEXT NOT NULL,
                  path TEXT NOT NULL,
                  text TEXT NOT NULL,
                  firstSeenAt TEXT NOT NULL,
                  UNIQUE (pipelineId, sha256)
                );
                CREATE TABLE run (
                  id INTEGER PRIMARY KEY,
                  pipelineId INTEGER NOT NULL REFERENCES pipeline(id),
                  definitionId INTEGER REFERENCES definition(id),
                  command TEXT NOT NULL,
                  toolVersion TEXT NOT NULL,
                  startedAt TEXT NOT NULL,
                  finishedAt TEXT,
                  status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
                  exitStatus INTEGER,
                  error TEXT
                );
                CREATE TABLE modelConfig (
                  id INTEGER PRIMARY KEY,
                  pipelineId INTEGER NOT NULL REFERENCES pipeline(id),
                  sha256 TEXT NOT NULL,
                  path TEXT NOT NULL,
                  content TEXT NOT NULL,
                  firstSeenAt TEXT NOT NULL,
                  UNIQUE (pipelineId, sha256)
                );
                CREATE TABLE snapshot (
                  id INTEGER PRIMARY KEY,
                  pipelineId INTEGER NOT NULL REFERENCES pipeline(id),
                  kind TEXT NOT NULL CHECK (kind IN ('baseline', 'daily', 'labels')),
                  date TEXT NOT NULL,
                  version INTEGER NOT NULL CHECK (version >= 1),
                  sourcePath TEXT NOT NULL,
                  sha256 TEXT NOT NULL,
                  bytes INTEGER NOT NULL,
                  rowsRead INTEGER NOT NULL,
                  rowsStored INTEGER NOT NULL,
                  rowsQuarantined INTEGER NOT NULL,
                  status TEXT NOT NULL CHECK (status IN ('current', 'superseded')),
                  header TEXT NOT NULL,
                  modelConfigId INTEGER REFERENCES modelConfig(id),
                  modelConfigPath TEXT,
                  runId INTEGER REFERENCES run(id),
                  ingestedAt TEXT NOT NULL,
                  CHECK (rowsRead = rowsStored + rowsQuarantined),
                  UNIQUE (pipelineId, kind, date, version)
                );
                CREATE INDEX snapshot_lookup ON snapshot(pipelineId, kind, date, status);
                CREATE TABLE rowColumn (
                  pipelineId INTEGER NOT NULL REFERENCES pipeline(id),
                  name TEXT NOT NULL,
                  type TEXT NOT NULL,
                  sqlName TEXT NOT NULL,
                  addedAt TEXT NOT NULL,
                  PRIMARY KEY (pipelineId, name, type),
                  UNIQUE (pipelineId, sqlName)
                );
                CREATE TABLE quarantinedRow (
                  id INTEGER PRIMARY KEY,
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
                  file TEXT NOT NULL,
                  line INTEGER NOT NULL,
                  raw TEXT NOT NULL,
                  reason TEXT NOT NULL,
                  column TEXT
                );
                CREATE INDEX quarantinedRow_snapshot ON quarantinedRow(snapshotId);
                CREATE TABLE label (
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
                  rowId TEXT NOT NULL,
                  value TEXT,
                  line INTEGER NOT NULL
                );
                CREATE INDEX label_snapshot ON label(snapshotId);
                CREATE TABLE stageRun (
                  id INTEGER PRIMARY KEY,
                  runId INTEGER NOT NULL REFERENCES run(id),
                  pipelineId INTEGER NOT NULL REFERENCES pipeline(id),
                  date TEXT NOT NULL,
                  stage TEXT NOT NULL CHECK (stage IN ('ingest', 'validate', 'profile', 'compare', 'render')),
                  snapshotId INTEGER REFERENCES snapshot(id),
                  status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
                  startedAt TEXT NOT NULL,
                  finishedAt TEXT,
                  error TEXT
                );
                CREATE INDEX stageRun_lookup ON stageRun(pipelineId, date, stage);
                CREATE TABLE finding (
                  id INTEGER PRIMARY KEY,
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id),
                  stage TEXT NOT NULL,
                  checkId TEXT NOT NULL,
                  category TEXT NOT NULL
                    CHECK (category IN ('data_quality', 'drift', 'performance', 'operational', 'technical_debt')),
                  severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
                  column TEXT,
                  message TEXT NOT NULL,
                  observed TEXT,
                  expected TEXT,
                  advice TEXT NOT NULL,
                  stageRunId INTEGER REFERENCES stageRun(id)
                );
                CREATE INDEX finding_snapshot ON finding(snapshotId, stage);
                CREATE TABLE columnProfile (
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id),
                  column TEXT NOT NULL,
                  type TEXT NOT NULL,
                  role TEXT NOT NULL,
                  profile TEXT NOT NULL,
                  PRIMARY KEY (snapshotId, column)
                );
                CREATE TABLE metric (
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id),
                  stage TEXT NOT NULL,
                  name TEXT NOT NULL,
                  column TEXT NOT NULL DEFAULT '',
                  value REAL,
                  PRIMARY KEY (snapshotId, name, column)
                );
                CREATE TABLE drift (
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id),
                  baselineSnapshotId INTEGER NOT NULL REFERENCES snapshot(id),
                  column TEXT NOT NULL,
                  role TEXT NOT NULL,
                  method TEXT NOT NULL,
                  statistic REAL NOT NULL,
                  pValue REAL,
                  threshold REAL NOT NULL,
                  drifted INTEGER NOT NULL CHECK (drifted IN (0, 1)),
                  referenceCount INTEGER NOT NULL,
                  currentCount INTEGER NOT NULL,
                  detail TEXT NOT NULL,
                  PRIMARY KEY (snapshotId, column)
                );
                CREATE TABLE stageResult (
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id),
                  stage TEXT NOT NULL,
                  name TEXT NOT NULL,
                  value TEXT NOT NULL,
                  PRIMARY KEY (snapshotId, name)
                );
                CREATE TABLE report (
                  id INTEGER PRIMARY KEY,
                  pipelineId INTEGER NOT NULL REFERENCES pipeline(id),
                  date TEXT NOT NULL,
                  version INTEGER NOT NULL CHECK (version >= 1),
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id),
                  directory TEXT NOT NULL,
                  status TEXT NOT NULL CHECK (status IN ('ok', 'warning', 'critical')),
                  contentSha256 TEXT NOT NULL,
                  manifestSha256 TEXT NOT NULL,
                  previousManifestSha256 TEXT,
                  runId INTEGER REFERENCES run(id),
                  createdAt TEXT NOT NULL,
                  UNIQUE (pipelineId, date, version)
                );
                CREATE TABLE reportFile (
                  reportId INTEGER NOT NULL REFERENCES report(id),
                  name TEXT NOT NULL,
                  sha256 TEXT NOT NULL,
                  bytes INTEGER NOT NULL,
                  PRIMARY KEY (reportId, name)
                );
                """)
        }
        registerIngestMigrations(&m)
        m.registerMigration("v2-operations") { db in
            try db.execute(sql: """
                ALTER TABLE snapshot ADD COLUMN rowsPurgedAt TEXT;
                """)
        }
        // The report ledger also records each version's retraining recommendation and
        // finding counts, so the report index (reports/NAME/index.*) and `mlaudit verify`
        // need nothing but the ledger. Nullable: rows written before this migration lack them.
        m.registerMigration("v2-reports") { db in
            try db.execute(sql: """
                ALTER TABLE report ADD COLUMN recommendation TEXT
                  CHECK (recommendation IN ('recommended', 'watch', 'not_needed'));
                ALTER TABLE report ADD COLUMN criticalCount INTEGER CHECK (criticalCount >= 0);
                ALTER TABLE report ADD COLUMN warningCount INTEGER CHECK (warningCount >= 0);
                ALTER TABLE report ADD COLUMN infoCount INTEGER CHECK (infoCount >= 0);
                CREATE INDEX report_chain ON report(pipelineId, id);
                """)
        }
        m.registerMigration("v2-sorted-column") { db in
            // The compare stage's cache of a snapshot's numeric column: its finite values sorted
            // ascending (little-endian float64), with the counts of what was left out. Written
            // for the baseline on its first comparison, so later days neither re-read nor
            // re-sort it (docs/compare.md, "Performance of drift").
            try db.execute(sql: """
                CREATE TABLE sortedColumn (
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
                  sqlColumn TEXT NOT NULL,
                  column TEXT NOT NULL,
                  count INTEGER NOT NULL CHECK (count >= 0),
                  nulls INTEGER NOT NULL,
                  nan INTEGER NOT NULL,
                  infinite INTEGER NOT NULL,
                  data BLOB NOT NULL CHECK (length(data) = 8 * count),
                  PRIMARY KEY (snapshotId, sqlColumn)
                );
                """)
        }
        // Issue 4: baseline correlations for the technical-debt checks (docs/warehouse.md).
        m.registerMigration("v2-profile") { db in
            try db.execute(sql: """
                CREATE TABLE correlation (
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id),
                  columnA TEXT NOT NULL,
                  columnB TEXT NOT NULL,
                  kind TEXT NOT NULL CHECK (kind IN ('feature', 'target')),
                  method TEXT NOT NULL CHECK (method IN ('pearson')),
                  coefficient REAL CHECK (coefficient IS NULL OR (coefficient >= -1 AND coefficient <= 1)),
                  count INTEGER NOT NULL CHECK (count >= 0),
                  PRIMARY KEY (snapshotId, columnA, columnB)
                );
                """)
        }
        // A columnar copy of a snapshot's numeric, integer and boolean columns, written by the
        // ingest in the same transaction as the rows, so profile and compare read numbers
        // without decoding row records (docs/warehouse.md, numericColumn). Derived data: the
        // row table stays the record; retention deletes the copy with the rows.
        m.registerMigration("v2-numeric-column") { db in
            try db.execute(sql: """
                CREATE TABLE numericColumn (
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
                  sqlColumn TEXT NOT NULL,
                  column TEXT NOT NULL,
                  chunk INTEGER NOT NULL CHECK (chunk >= 0),
                  rows INTEGER NOT NULL CHECK (rows >= 1),
                  data BLOB NOT NULL CHECK (length(data) = 8 * rows),
                  PRIMARY KEY (snapshotId, sqlColumn, chunk)
                );
                """)
        }
        registerFairnessMigrations(&m)
        // Parquet part files (issue 16): snapshotPart.format also admits 'parquet'. SQLite
        // cannot change a CHECK constraint, so the table is rebuilt with its rows.
        m.registerMigration("v3-issue16-parquet-part-format") { db in
            try db.execute(sql: """
                CREATE TABLE snapshotPart_issue16 (
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
                  ordinal INTEGER NOT NULL,
                  path TEXT NOT NULL,
                  name TEXT NOT NULL,
                  format TEXT NOT NULL CHECK (format IN ('csv', 'jsonl', 'parquet')),
                  compression TEXT NOT NULL CHECK (compression IN ('none', 'gzip')),
                  sha256 TEXT NOT NULL,
                  bytes INTEGER NOT NULL,
                  dataBytes INTEGER NOT NULL,
                  rowsRead INTEGER NOT NULL,
                  rowsStored INTEGER NOT NULL,
                  rowsQuarantined INTEGER NOT NULL,
                  damage TEXT,
                  CHECK (rowsRead = rowsStored + rowsQuarantined),
                  PRIMARY KEY (snapshotId, ordinal)
                );
                INSERT INTO snapshotPart_issue16 SELECT snapshotId, ordinal, path, name, format, compression, sha256,
                  bytes, dataBytes, rowsRead, rowsStored, rowsQuarantined, damage FROM snapshotPart;
                DROP TABLE snapshotPart;
                ALTER TABLE snapshotPart_issue16 RENAME TO snapshotPart;
                """)
        }
        registerSegmentMigrations(&m)
        registerPackedColumnMigrations(&m)
        registerResourceMigrations(&m)
        registerSortedDeltaMigrations(&m)
        registerRowRangeMigrations(&m)
        return m
    }
}

extension Migrations {
    /// Ingest provenance (issue 3): one row per part file of a snapshot, in reading order.
    static func registerIngestMigrations(_ m: inout DatabaseMigrator) {
        m.registerMigration("v2-ingest") { db in
            try db.execute(sql: """
                CREATE TABLE snapshotPart (
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
                  ordinal INTEGER NOT NULL,
                  path TEXT NOT NULL,
                  name TEXT NOT NULL,
                  format TEXT NOT NULL CHECK (format IN ('csv', 'jsonl')),
                  compression TEXT NOT NULL CHECK (compression IN ('none', 'gzip')),
                  sha256 TEXT NOT NULL,
                  bytes INTEGER NOT NULL,
                  dataBytes INTEGER NOT NULL,
                  rowsRead INTEGER NOT NULL,
                  rowsStored INTEGER NOT NULL,
                  rowsQuarantined INTEGER NOT NULL,
                  damage TEXT,
                  CHECK (rowsRead = rowsStored + rowsQuarantined),
                  PRIMARY KEY (snapshotId, ordinal)
                )
                """)
        }
    }
}

extension Migrations {
    /// Issue 13: the columnar copy and the sorted-column cache stored packed (`PackedNumbers`:
    /// decimal scaling and frame of reference, exact), about a third of the raw float64 bytes.
    /// New tables, because `numericColumn` and `sortedColumn` check `length(data) = 8 × rows`:
    /// what older versions wrote there stays readable, nothing is rewritten; new snapshots are
    /// written here (docs/warehouse.md).
    static func registerPackedColumnMigrations(_ m: inout DatabaseMigrator) {
        m.registerMigration("v4-issue13-packed-columns") { db in
            try db.execute(sql: """
                CREATE TABLE numericColumnPacked (
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
                  sqlColumn TEXT NOT NULL,
                  column TEXT NOT NULL,
                  chunk INTEGER NOT NULL CHECK (chunk >= 0),
                  rows INTEGER NOT NULL CHECK (rows >= 1),
                  encoding INTEGER NOT NULL CHECK (encoding IN (0, 1)),
                  data BLOB NOT NULL CHECK (encoding <> 0 OR length(data) = 8 * rows),
                  PRIMARY KEY (snapshotId, sqlColumn, chunk)
                );
                CREATE TABLE sortedColumnPacked (
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
                  sqlColumn TEXT NOT NULL,
                  column TEXT NOT NULL,
                  count INTEGER NOT NULL CHECK (count >= 0),
                  nulls INTEGER NOT NULL,
                  nan INTEGER NOT NULL,
                  infinite INTEGER NOT NULL,
                  encoding INTEGER NOT NULL CHECK (encoding IN (0, 1)),
                  data BLOB NOT NULL CHECK (encoding <> 0 OR length(data) = 8 * count),
                  PRIMARY KEY (snapshotId, sqlColumn)
                );
                """)
        }
    }
}

extension Migrations {
    /// Issue 13: the sorted-column cache also admits encoding 2, sorted deltas
    /// (`PackedNumbers.encodeSorted`: the steps between consecutive sorted values, bit-packed).
    /// SQLite cannot change a CHECK constraint, so `sortedColumnPacked` is rebuilt with its rows
    /// (one entry per cached column of a baseline: small); entries written before keep their
    /// encoding and are read as they are.
    static func registerSortedDeltaMigrations(_ m: inout DatabaseMigrator) {
        m.registerMigration("v5-issue13-sorted-deltas") { db in
            try db.execute(sql: """
                CREATE TABLE sortedColumnPacked_issue13 (
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
                  sqlColumn TEXT NOT NULL,
                  column TEXT NOT NULL,
                  count INTEGER NOT NULL CHECK (count >= 0),
                  nulls INTEGER NOT NULL,
                  nan INTEGER NOT NULL,
                  infinite INTEGER NOT NULL,
                  encoding INTEGER NOT NULL CHECK (encoding IN (0, 1, 2)),
                  data BLOB NOT NULL CHECK (encoding <> 0 OR length(data) = 8 * count),
                  PRIMARY KEY (snapshotId, sqlColumn)
                );
                INSERT INTO sortedColumnPacked_issue13 SELECT snapshotId, sqlColumn, column, count, nulls, nan, infinite,
                  encoding, data FROM sortedColumnPacked;
                DROP TABLE sortedColumnPacked;
                ALTER TABLE sortedColumnPacked_issue13 RENAME TO sortedColumnPacked;
                """)
        }
    }
}

extension Migrations {
    /// Issue 13: each snapshot's rowid range in its row table (`firstRowid`, `lastRowid`; null
    /// for no rows), written by the ingest with the rows, so row tables created from now on need
    /// no index on `mlaudit_snapshot` (about 5 % of the warehouse) and no foreign key
    /// (docs/warehouse.md). Existing row tables are not rebuilt: they keep their index and foreign
    /// key, and the ranges of their snapshots are filled from the rows here (two index seeks per
    /// snapshot).
    static func registerRowRangeMigrations(_ m: inout DatabaseMigrator) {
        m.registerMigration("v6-issue13-row-ranges") { db in
            try db.execute(sql: """
                ALTER TABLE snapshot ADD COLUMN firstRowid INTEGER;
                ALTER TABLE snapshot ADD COLUMN lastRowid INTEGER
                  CHECK ((lastRowid IS NULL) = (firstRowid IS NULL) AND (lastRowid IS NULL OR lastRowid >= firstRowid));
                """)
            let pipelines = try Row.fetchAll(db, sql: "SELECT id, rowTable FROM pipeline ORDER BY id")
            for p in pipelines {
                let table: String = p["rowTable"]
                guard try db.tableExists(table) else { continue }
                let qt = quoteIdentifier(table)
                try db.execute(
                    sql: """
                        UPDATE snapshot SET
                          firstRowid = (SELECT MIN(rowid) FROM \(qt) WHERE mlaudit_snapshot = snapshot.id),
                          lastRowid = (SELECT MAX(rowid) FROM \(qt) WHERE mlaudit_snapshot = snapshot.id)
                        WHERE pipelineId = ? AND kind IN ('baseline', 'daily')
                        """, arguments: [p["id"] as Int64])
            }
        }
    }
}
