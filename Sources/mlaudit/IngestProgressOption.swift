import Foundation
import Ingest
import Logging

extension GlobalOptions {
    /// How ingest reports progress: a line rewritten in place when stderr is a terminal, else
    /// one log line per file; nothing with --quiet.
    func ingestProgress(_ logger: Logger) -> (any IngestProgressReporter)? {
        if quiet { return nil }
        return isatty(STDERR_FILENO) != 0 ? TerminalIngestProgress() : LogIngestProgress(logger: logger)
    }
}
