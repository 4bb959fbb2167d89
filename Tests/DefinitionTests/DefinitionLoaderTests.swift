import AuditModel
import Foundation
import Testing
import TestSupport

@testable import Definition

@Suite("Pipeline definitions")
struct DefinitionLoaderTests {
    static let minimal = """
        name: p
        model:
          name: m
          version: "1"
        baseline:
          path: base.csv
        snapshots:
          path: days/{date}.csv
        schema:
          features:
            - name: x
              type: numeric
        """

    func parse(_ text: String) throws -> LoadedDefinition { try DefinitionLoader.parse(text: text, file: "p.yaml") }

    func error(_ text: String) -> MLAuditError? {
        do {
            _ = try parse(text)
            return nil
        } catch let e as MLAuditError {
            return e
        } catch {
            Issue.record("unexpected error type \(error)")
            return nil
        }
    }

    @Test func minimalDefinitionDecodesWithDefaults() throws {
        let d = try parse(Self.minimal).definition
        #expect(d.name == "p")
        #expect(d.schema.features == [FeatureSpec(name: "x", type: .numeric)])
        #expect(d.warehousePathSetting == "warehouse/p.sqlite")
        #expect(d.reportRootSetting == "reports")
        #expect(d.decisionThreshold == 0.5)
    }

    @Test func demoDefinitionLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let loaded = try DefinitionLoader.load(path: root.appendingPathComponent("pipelines/demo.yaml").path)
        let d = loaded.definition
        #expect(d.name == "demo")
        #expect(d.schema.features.count == 10)
        #expect(d.schema.prediction?.kind == .binary)
        #expect(d.model.trainedAt == Day("2026-09-01"))
        #expect(loaded.sha256.count == 64)
        #expect(loaded.snapshotPath(for: Day("2026-11-05")!) == "demo-data/snapshots/2026-11-05.csv")
    }

    @Test func misspelledKeyNamesKeyLineAndSuggestion() {
        let text = Self.minimal + "\ndrift:\n  thresold: 0.1\n"
        let e = error(text)
        #expect(e?.code == .invalidDefinition)
        #expect(e?.line == 14)
        #expect(e?.key == "drift.thresold")
        #expect(e?.description == "p.yaml:14: unknown key 'thresold' in 'drift'. Did you mean 'threshold'? Expected one of: method, threshold, drifted_share, feature_severity, dataset_severity, null_rate_change, prediction, score, target, multiple_testing.")
        #expect(e?.exitStatus == 2)
    }

    @Test func metricsTextfileResolvesLikeEveryPathAndMustNameAFile() throws {
        let loaded = try parse("root: /srv/audit\n" + Self.minimal + "\nmetrics:\n  textfile: prom/p.prom\n")
        #expect(loaded.metricsTextfilePath == "/srv/audit/prom/p.prom")
        #expect(try parse(Self.minimal).metricsTextfilePath == nil)
        let folder = error(Self.minimal + "\nmetrics:\n  textfile: prom/\n")
        #expect(folder?.key == "metrics.textfile")
        #expect(folder?.message == "'metrics.textfile' must name a file, found 'prom/'")
        let typo = error(Self.minimal + "\nmetrics:\n  textfil: x.prom\n")
        #expect(typo?.hint?.hasPrefix("Did you mean 'textfile'?") == true)
    }

    @Test func operationalResourcesAreCheckedKeyByKey() throws {
        func resources(_ body: String) -> String { Self.minimal + "\noperational:\n  resources:\n" + body }
        let ok = try parse(resources("    path: r/{date}.csv\n    columns: {host: node, up: is_up}\n    sample_interval_seconds: 30\n"))
        let r = try #require(ok.definition.operational?.resources)
        #expect(r.columns?.host == "node" && r.interval == 30)
        #expect(r.uptimeThresholds == Thresholds(warning: 0.99, critical: 0.95))
        #expect(ok.resourcesPath(for: Day("2026-03-02")!)?.hasSuffix("r/2026-03-02.csv") == true)
        let noDate = error(resources("    path: r/today.csv\n"))
        #expect(noDate?.key == "operational.resources.path")
        let shared = error(resources("    path: r/{date}.csv\n    columns: {cpu: x, io_wait: x}\n"))
        #expect(shared?.key == "operational.resources.columns.io_wait")
        #expect(shared?.message == "'operational.resources.columns.io_wait' names column 'x', already the column of 'cpu'")
        let upside = error(resources("    path: r/{date}.csv\n    min_uptime_share: {warning: 0.9, critical: 0.99}\n"))
        #expect(upside?.key == "operational.resources.min_uptime_share.warning")
        let share = error(resources("    path: r/{date}.csv\n    max_disk_used_share: {warning: 1.5}\n"))
        #expect(share?.key == "operational.resources.max_disk_used_share.warning")
        let interval = error(resources("    path: r/{date}.csv\n    sample_interval_seconds: 0\n"))
        #expect(interval?.key == "operational.resources.sample_interval_seconds")
        let memory = error(resources("    path: r/{date}.csv\n    memory_total_bytes: -1\n"))
        #expect(memory?.key == "operational.resources.memory_total_bytes")
        let typo = error(resources("    path: r/{date}.csv\n    max_memory: {warning: 0.9}\n"))
        #expect(typo?.hint?.hasPrefix("Did you mean 'max_memory_share'?") == true)
        let parquet = error(resources("    path: r/{date}.parquet\n    format: parquet\n"))
        #expect(parquet?.key == "operational.resources.format")
    }

    @Test func unknownTopLevelKey() {
        let e = error(Self.minimal + "\nwarehous: w.sqlite\n")
        #expect(e?.message == "unknown key 'warehous' at the top level")
        #expect(e?.hint?.hasPrefix("Did you mean 'warehouse'?") == true)
        #expect(e?.line == 13)
    }

    @Test func wrongTypeNamesExpectedForm() {
        let text = Self.minimal.replacingOccurrences(of: "type: numeric", with: "type: numeric\n      min: low")
        let e = error(text)
        #expect(e?.key == "schema.features[0].min")
        #expect(e?.line == 13)
        #expect(e?.message == "'schema.features[0].min' must be a number, found 'low'")
    }

    @Test func invalidEnumValueListsChoices() {
        let text = Self.minimal.replacingOccurrences(of: "type: numeric", with: "type: numerik")
        let e = error(text)
        #expect(e?.message == "'schema.features[0].type' has the invalid value 'numerik'")
        #expect(e?.hint == "Did you mean 'numeric'? Expected one of: numeric, integer, categorical, boolean, datetime, text.")
        #expect(e?.line == 12)
    }

    @Test func missingRequiredKey() {
        let text = Self.minimal.replacingOccurrences(of: "  version: \"1\"\n", with: "")
        let e = error(text)
        #expect(e?.message == "missing required key 'version' in 'model'")
        #expect(e?.line == 3)
        #expect(e?.hint == "Add 'version:' with a text value.")
    }

    @Test func duplicateKeyIsAnError() {
        let e = error(Self.minimal + "\nname: q\n")
        #expect(e?.message == "duplicate key 'name' in one mapping")
        #expect(e?.line == 1 || e?.line == 13)
    }

    @Test func yamlSyntaxErrorHasLine() {
        let e = error("name: p\nmodel: [unclosed\n")
        #expect(e?.code == .invalidDefinition)
        #expect(e?.message.hasPrefix("YAML syntax error") == true)
        #expect(e?.line != nil)
    }

    @Test func unquotedBracesInAFlowMappingGetAQuotingHint() {
        let e = error(Self.minimal.replacingOccurrences(of: "snapshots:\n  path: days/{date}.csv", with: "snapshots: {path: days/{date}.csv}"))
        #expect(e?.message.hasPrefix("YAML syntax error") == true)
        #expect(e?.hint?.contains("quote a value that contains braces") == true)
    }

    /// The definition shown in the README loads (a newcomer copies it).
    @Test func readmeExampleLoads() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let start = try #require(text.range(of: "```yaml\nname: demo\n"))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let yaml = String(text[start.upperBound..<end.lowerBound])
        let loaded = try DefinitionLoader.parse(text: "name: demo\n" + yaml, file: "README.md")
        #expect(loaded.definition.snapshots.path.hasSuffix("demo-data/snapshots/{date}.csv"))
        #expect(loaded.definition.schema.features.map(\.name) == ["income", "employment_type"])
    }

    @Test func emptyDocument() {
        #expect(error("")?.message == "the definition is empty")
    }

    @Test func snapshotPathNeedsDatePlaceholder() {
        let e = error(Self.minimal.replacingOccurrences(of: "days/{date}.csv", with: "days/today.csv"))
        #expect(e?.message == "'snapshots.path' must contain {date}")
        #expect(e?.line == 8)
    }

    @Test func columnDeclaredTwice() {
        let text = Self.minimal.replacingOccurrences(of: "schema:\n", with: "schema:\n  id: x\n")
        let e = error(text)
        #expect(e?.message == "column 'x' is declared twice: at 'schema.id' and at 'schema.features[0].name'")
    }

    @Test func warningAboveCriticalIsRejected() {
        let e = error(Self.minimal + "\nchecks:\n  null_rate: {warning: 0.5, critical: 0.1}\n")
        #expect(e?.message == "'checks.null_rate.warning' (0.5) is above 'checks.null_rate.critical' (0.1)")
        #expect(e?.line == 14)
    }

    @Test func shareThresholdAboveOne() {
        let e = error(Self.minimal + "\nchecks:\n  null_rate: {warning: 2}\n")
        #expect(e?.message == "'checks.null_rate.warning' must be a share between 0 and 1, found 2.0")
    }

    @Test func invalidPattern() {
        let text = Self.minimal.replacingOccurrences(of: "type: numeric", with: "type: text\n      pattern: \"[a-\"")
        #expect(error(text)?.message == "feature 'x' has an invalid pattern '[a-'")
    }

    @Test func minAboveMax() {
        let text = Self.minimal.replacingOccurrences(of: "type: numeric", with: "type: numeric\n      min: 5\n      max: 1")
        #expect(error(text)?.message == "feature 'x' has min 5.0 above max 1.0")
    }

    @Test func missingFileIsUnreadableInput() {
        do {
            _ = try DefinitionLoader.load(path: "/nonexistent/p.yaml")
            Issue.record("expected an error")
        } catch let e as MLAuditError {
            #expect(e.code == .unreadableInput)
            #expect(e.message == "pipeline definition not found")
            #expect(e.file == "/nonexistent/p.yaml")
        } catch { Issue.record("\(error)") }
    }

    @Test func pathsResolveAgainstRoot() throws {
        let d = try parse("root: /data/x\n" + Self.minimal)
        #expect(d.baselinePath == "/data/x/base.csv")
        #expect(d.snapshotPath(for: Day("2026-01-31")!) == "/data/x/days/2026-01-31.csv")
        #expect(d.warehousePath == "/data/x/warehouse/p.sqlite")
    }

    @Test func suggestionUsesEditDistance() {
        #expect(suggestion(for: "thresold", among: ["threshold", "method"]) == "threshold")
        #expect(suggestion(for: "zzz", among: ["threshold", "method"]) == nil)
        #expect(suggestion(for: "minimum", among: ["min", "max", "name"]) == "min")
        #expect(suggestion(for: "maximum_value", among: ["min", "max", "name"]) == "max")
        #expect(suggestion(for: "regex", among: ["pattern", "type"]) == "pattern")
        #expect(suggestion(for: "mi", among: ["min", "max"]) == "min")
        #expect(editDistance("kitten", "sitting") == 3)
    }
}

@Suite("Days and timestamps")
struct DayTests {
    @Test func civilRoundTrip() {
        for text in ["1970-01-01", "2000-02-29", "2026-11-28", "1969-12-31", "2400-12-31"] {
            #expect(Day(text)?.description == text)
        }
        #expect(Day("2026-02-29") == nil)
        #expect(Day("2026-13-01") == nil)
        #expect(Day("26-01-01") == nil)
        #expect(Day("1970-01-02")?.ordinal == 1)
        #expect(Day("2026-03-01")! - Day("2026-02-01")! == 28)
    }

    @Test func canonicalTimestamp() {
        #expect(Timestamp.format(epochMilliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(epochMilliseconds: 1_764_288_000_123) == "2025-11-28T00:00:00.123Z")
        #expect(Timestamp.format(epochMilliseconds: -1) == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp.parseCanonical("2025-11-28T00:00:00.123Z") == 1_764_288_000_123)
    }

    @Test func numberFormatting() {
        #expect(formatNumber(0.123456) == "0.1235")
        #expect(formatNumber(12) == "12")
        #expect(formatNumber(1234.5678) == "1235")
        #expect(formatNumber(0.00001234) == "1.234e-5")
        #expect(formatNumber(-2.5e9) == "-2500000000")
        #expect(formatNumber(.nan) == "NaN")
        #expect(formatPercent(0.1234) == "12.3%")
        #expect(formatPercent(0.001) == "0.1%")
        #expect(formatPercent(0.0001) == "0.01%")
    }
}
