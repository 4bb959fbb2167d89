import Foundation
import Logging

/// What one part file of a snapshot held, for a progress reporter.
public struct IngestFileSummary: Sendable, Equatable {
    public var path: String
    public var rowsRead: Int
    public var rowsStored: Int
    public var rowsQuarantined: Int
    /// Bytes on disk.
    public var bytes: Int
    /// `none` or `gzip`.
    public var compression: String
    /// `csv` or `jsonl`.
    public var format: String
}

/// Told how an ingest advances. The ingest stage calls it from its writer thread; the stage's
/// logic does not depend on it (pass nil for silence).
public protocol IngestProgressReporter: AnyObject, Sendable {
    /// A snapshot load starts: what it is (`pipeline date`) and its size on disk.
    func begin(_ label: String, totalBytes: Int)
    /// Rows read so far (stored and quarantined) and bytes of the files consumed so far.
    func update(rows: Int, bytesDone: Int)
    /// The load finished; one summary per part file.
    func end(_ label: String, files: [IngestFileSummary], seconds: Double)
    /// The load failed (the transaction rolls back).
    func abandon()
}

/// For a terminal: one line on stderr rewritten in place (rows, MB/s, ETA) at most ten times a
/// second, replaced at the end by one summary line.
public final class TerminalIngestProgress: IngestProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var label = ""
    private var totalBytes = 0
    private var started: UInt64 = 0
    private var lastDraw: UInt64 = 0
    private let write: (String) -> Void

    /// - Parameter write: where text goes (default: stderr, unbuffered).
    public init(write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.write = write
    }

    public func begin(_ label: String, totalBytes: Int) {
        lock.withLock {
            self.label = label
            self.totalBytes = totalBytes
            started = DispatchTime.now().uptimeNanoseconds
            lastDraw = 0
        }
    }

    public func update(rows: Int, bytesDone: Int) {
        lock.withLock {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now - lastDraw >= 100_000_000 else { return }
            lastDraw = now
            let elapsed = Double(now - started) / 1e9
            let mbps = elapsed > 0 ? Double(bytesDone) / 1_048_576 / elapsed : 0
            var line = "\r\u{1B}[2Kingest \(label): \(groupedThousands(rows)) rows, \(formatMB(bytesDone))/\(formatMB(totalBytes)) MB"
            line += String(format: ", %.1f MB/s", mbps)
            if bytesDone > 0, totalBytes > bytesDone, elapsed > 0.5 {
                let eta = elapsed * Double(totalBytes - bytesDone) / Double(bytesDone)
                line += String(format: ", ETA %.0f s", eta.rounded(.up))
            }
            write(line)
        }
    }

    public func end(_ label: String, files: [IngestFileSummary], seconds: Double) {
        lock.withLock {
            write("\r\u{1B}[2K" + summaryLine(label, files: files, seconds: seconds) + "\n")
        }
    }

    public func abandon() {
        lock.withLock { write("\r\u{1B}[2K") }
    }
}

/// For logs (stderr not a terminal): one line per part file when the load ends, at `notice`.
public final class LogIngestProgress: IngestProgressReporter, @unchecked Sendable {
    private let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func begin(_ label: String, totalBytes: Int) {}
    public func update(rows: Int, bytesDone: Int) {}
    public func abandon() {}

    public func end(_ label: String, files: [IngestFileSummary], seconds: Double) {
        let total = files.reduce(0) { $0 + $1.bytes }
        for f in files {
            // Each file's share of the time, by size (parts are read one after the other).
            let share = total > 0 ? seconds * Double(f.bytes) / Double(total) : seconds / Double(max(files.count, 1))
            logger.notice("\(Logger.Message(stringLiteral: summaryLine(label, files: [f], seconds: share, path: f.path)))")
        }
    }
}

func summaryLine(_ label: String, files: [IngestFileSummary], seconds: Double, path: String? = nil) -> String {
    let read = files.reduce(0) { $0 + $1.rowsRead }
    let stored = files.reduce(0) { $0 + $1.rowsStored }
    let quarantined = files.reduce(0) { $0 + $1.rowsQuarantined }
    let bytes = files.reduce(0) { $0 + $1.bytes }
    var what = "ingest \(label)"
    if let path { what += " \(path)" } else if files.count > 1 { what += " (\(files.count) files)" }
    let mbps = seconds > 0 ? Double(bytes) / 1_048_576 / seconds : 0
    return what + ": \(groupedThousands(read)) rows read, \(groupedThousands(stored)) stored, \(groupedThousands(quarantined)) quarantined, "
        + "\(formatMB(bytes)) MB in " + String(format: "%.2f s (%.1f MB/s)", seconds, mbps)
}

private func formatMB(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }

private func groupedThousands(_ n: Int) -> String {
    let digits = String(n)
    var out = ""
    for (i, c) in digits.reversed().enumerated() {
        if i > 0, i % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return String(out.reversed())
}
