import ArgumentParser
import AuditModel
import Definition
import Foundation
import Render
import Warehouse

extension MLAudit {
    struct Ticket: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a short Markdown summary of a day's report for a retraining ticket.",
            discussion: """
                Verdict, retraining recommendation, top findings, the report paths and the SHA-256 of the manifest that pins them, from the newest report version of the date (or --report-version).
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Pipeline definition file (YAML).")
        var pipeline: String

        @Option(help: ArgumentHelp("The report date.", valueName: "YYYY-MM-DD"))
        var date: Day

        @Option(name: .customLong("report-version"), help: "A report version (the N of vN); default the newest.")
        var reportVersion: Int?

        func run() throws {
            _ = global.bootstrapLogging()
            try guarded {
                let loaded = try DefinitionLoader.load(path: pipeline)
                try requireWarehouse(loaded)
                let writer = TicketWriter(loaded: loaded, warehouse: try openReadOnly(loaded))
                print(try writer.ticket(day: date, version: reportVersion), terminator: "")
            }
        }
    }
}
