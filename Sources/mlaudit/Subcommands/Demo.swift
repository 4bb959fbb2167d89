import ArgumentParser
import AuditModel
import Demo
import Foundation

extension MLAudit {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the demo data set: a credit-default model's baseline, daily snapshots, labels and configs.",
            discussion: """
                Deterministic: the same options write the same bytes. pipelines/demo.yaml reads the default folder (demo-data). Incidents are injected on documented days (see the README).
                """)

        @OptionGroup var global: GlobalOptions

        @Option(help: "Folder to write into.")
        var out = "demo-data"

        @Option(help: "Number of daily snapshots, starting 2026-11-01.")
        var days = 30

        @Option(help: "Rows per daily snapshot.")
        var rows = 3000

        @Option(help: "Rows in the training baseline.")
        var baselineRows = 10_000

        @Option(help: "Format of the baseline, snapshots and labels: csv (read by pipelines/demo.yaml) or parquet (snappy; read by pipelines/demo-parquet.yaml).")
        var format = "csv"

        func validate() throws {
            guard (1...366).contains(days) else { throw ValidationError("--days must be between 1 and 366.") }
            guard rows >= 1 else { throw ValidationError("--rows must be at least 1.") }
            guard baselineRows >= 1 else { throw ValidationError("--baseline-rows must be at least 1.") }
            guard DemoGenerator.Format(rawValue: format) != nil else { throw ValidationError("--format must be csv or parquet.") }
        }

        func run() throws {
            let generator = DemoGenerator(options: .init(
                days: days, rowsPerDay: rows, baselineRows: baselineRows, format: DemoGenerator.Format(rawValue: format) ?? .csv))
            let files = try guarded { try generator.write(to: out) }
            print("wrote \(files.count) files to \(out)/ (\(days) days from \(generator.options.start), \(rows) rows a day)")
        }
    }
}
