import ArgumentParser
import AuditModel
import Draft
import Foundation

extension MLAudit {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draft a commented pipeline definition from a baseline file.",
            discussion: """
                Infers each column's type, ranges, allowed values for low-cardinality columns and null-rate bounds from the data (as TFDV's schema inference and Deequ's constraint suggestion do), and writes a complete pipeline YAML whose comments say what each constraint was inferred from. Columns named by the role options get those roles; every other column is an input feature. Writes to stdout unless --out is given.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The training baseline: CSV with a header line, JSON Lines or Parquet (as ingest reads it).")
        var baselineFile: String

        @Option(help: "The true-label column.")
        var target: String?

        @Option(help: "The column holding the model's prediction.")
        var prediction: String?

        @Option(help: "The column holding the model's score (positive-class probability).")
        var score: String?

        @Option(help: "The row id column.")
        var id: String?

        @Option(help: "The event timestamp column (default: the only timestamp column, if there is one).")
        var timestamp: String?

        @Option(help: "The serving latency column in milliseconds (default: a numeric column named latency or latency_ms).")
        var latency: String?

        @Option(help: ArgumentHelp("A feature typed categorical whatever its values look like, e.g. integer codes (repeatable; or a comma list).", valueName: "column"))
        var categorical: [String] = []

        @Option(help: ArgumentHelp("A feature typed numeric (repeatable; or a comma list).", valueName: "column"))
        var numeric: [String] = []

        @Option(help: ArgumentHelp("A column kept and profiled but not a model input: a year, a region, a request source; never judged for drift (repeatable; or a comma list).", valueName: "column"))
        var carried: [String] = []

        @Option(help: ArgumentHelp("A column neither stored nor reported (repeatable; or a comma list).", valueName: "column"))
        var ignore: [String] = []

        @Option(help: "The pipeline name (default: from the file name).")
        var name: String?

        @Option(help: "Daily snapshot path pattern with {date} (default: snapshots/{date}.csv beside the baseline).")
        var snapshots: String?

        @Option(help: "Field delimiter of the file (one character; \\t for tab).")
        var delimiter: String?

        @Option(help: "Write the definition to this file instead of stdout.")
        var out: String?

        @Flag(help: "Overwrite --out if it exists.")
        var force = false

        func validate() throws {
            if let name, name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
                throw ValidationError("--name must use only letters, digits, '-' and '_'.")
            }
            if let snapshots, !(snapshots.contains("{date}") || snapshots.contains("{yyyymmdd}")) {
                throw ValidationError("--snapshots must contain {date}, e.g. data/snapshots/{date}.csv.")
            }
        }

        /// Repeated options and comma lists, as one list of names (blank items dropped).
        static func names(_ values: [String]) -> [String] {
            values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
        }

        func run() throws {
            _ = global.bootstrapLogging()
            let options = DefinitionDraft.Options(
                target: target, prediction: prediction, score: score, id: id, timestamp: timestamp, latency: latency,
                name: name, snapshots: snapshots, delimiter: delimiter, categorical: Self.names(categorical),
                numeric: Self.names(numeric), carried: Self.names(carried), ignore: Self.names(ignore))
            let text = try guarded { try DefinitionDraft(baselinePath: baselineFile, options: options).yaml() }
            guard let out else {
                print(text, terminator: "")
                return
            }
            try guarded {
                if FileManager.default.fileExists(atPath: out), !force {
                    throw MLAuditError(.usage, "\(out) exists", hint: "Choose another --out, or add --force to overwrite it.")
                }
                let dir = (out as NSString).deletingLastPathComponent
                do {
                    if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
                    try Data(text.utf8).write(to: URL(fileURLWithPath: out))
                } catch {
                    throw MLAuditError.output(out, cause: error.localizedDescription)
                }
            }
            FileHandle.standardError.write(Data(SafeText.terminal("wrote \(out): review it, then run `mlaudit run \(out)`\n", keepingLineFeeds: true).utf8))
        }
    }
}
