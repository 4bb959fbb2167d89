import AuditModel
import Definition
import Foundation

/// A uniquely named temporary folder, deleted when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "mlaudit-test") {
        var tmp = NSTemporaryDirectory()
        while tmp.hasSuffix("/") { tmp.removeLast() }
        path = tmp + "/\(label)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `relative` (creating folders) and returns the full path.
    @discardableResult
    public func write(_ relative: String, _ text: String) -> String {
        let full = path + "/" + relative
        try! FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! Data(text.utf8).write(to: URL(fileURLWithPath: full))
        return full
    }

    /// Writes raw bytes.
    @discardableResult
    public func write(_ relative: String, bytes: [UInt8]) -> String {
        let full = path + "/" + relative
        try! FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! Data(bytes).write(to: URL(fileURLWithPath: full))
        return full
    }

    public func read(_ relative: String) -> String? {
        try? String(contentsOfFile: path + "/" + relative, encoding: .utf8)
    }

    public func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + relative) }
}

/// The "tiny" pipeline used across stage tests: an id, a timestamp, four features (numeric,
/// integer, categorical, boolean), a binary prediction with score, a target and latency.
public enum TinyPipeline {
    public static let header = "id,ts,x,n,color,flag,score,pred,y,latency_ms"

    public static func yaml(root: String, extra: String = "") -> String {
        """
        name: tiny
        root: \(root)
        model:
          name: tiny-model
          version: "1.0"
          trained_at: 2026-01-01
        baseline:
          path: baseline.csv
        snapshots:
          path: days/{date}.csv
        labels:
          path: labels/{date}.csv
        schema:
          id: id
          timestamp: ts
          prediction:
            column: pred
            kind: binary
            score: score
          target: y
          operational:
            latency: latency_ms
          features:
            - name: x
              type: numeric
              min: 0
              max: 100
            - name: n
              type: integer
            - name: color
              type: categorical
              allowed: [red, green, blue]
            - name: flag
              type: boolean
        warehouse: tiny.sqlite
        report:
          output: reports
        \(extra)
        """
    }

    /// Loads the tiny definition rooted at `dir`, optionally with one text replacement.
    public static func load(_ dir: TemporaryDirectory, extra: String = "", replacing: (String, String)? = nil) throws
        -> LoadedDefinition
    {
        var text = yaml(root: dir.path, extra: extra)
        if let (a, b) = replacing {
            precondition(text.contains(a), "fixture text to replace not found: \(a)")
            text = text.replacingOccurrences(of: a, with: b)
        }
        let path = dir.write("tiny.yaml", text)
        return try DefinitionLoader.load(path: path)
    }

    /// A deterministic row `i` of a day: x drifts by `shift`, colors cycle, every 4th flag is true.
    public static func row(_ i: Int, day: String = "2026-02-01", shift: Double = 0, color: String? = nil, x: String? = nil)
        -> String
    {
        let xv = x ?? String(format: "%.3f", 10 + Double((i * 37) % 50) + shift)
        let colors = ["red", "green", "blue"]
        let score = Double((i * 13) % 100) / 100
        let pred = score >= 0.5 ? 1 : 0
        let y = (i % 3 == 0) ? 1 - pred : pred
        let sec = i % 60, min = (i / 60) % 60, hour = (i / 3600) % 24
        let ts = String(format: "%@T%02d:%02d:%02dZ", day, hour, min, sec)
        return "id\(i),\(ts),\(xv),\(i % 7),\(color ?? colors[i % 3]),\(i % 4 == 0 ? "true" : "false"),\(score),\(pred),\(y),\(20 + i % 10)"
    }

    /// A CSV with `count` rows; without the target column `y` when `withTarget` is false (labels
    /// then come from a labels file).
    public static func csv(_ count: Int, day: String = "2026-02-01", shift: Double = 0, withTarget: Bool = true) -> String {
        let lines = [header] + (0..<count).map { row($0, day: day, shift: shift) }
        guard !withTarget else { return lines.joined(separator: "\n") + "\n" }
        return lines.map { line in
            var f = line.split(separator: ",", omittingEmptySubsequences: false)
            f.remove(at: 8)
            return f.joined(separator: ",")
        }.joined(separator: "\n") + "\n"
    }
}

/// Locates the built `mlaudit` executable for end-to-end tests.
public enum BuiltExecutable {
    public static func path(file: String = #filePath) -> String? {
        let fm = FileManager.default
        var candidates: [String] = []
        if let first = CommandLine.arguments.first {
            candidates.append(((first as NSString).deletingLastPathComponent as NSString).appendingPathComponent("mlaudit"))
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("mlaudit").path)
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("mlaudit").path)
        let root = URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/mlaudit").path)
        return candidates.first { fm.isExecutableFile(atPath: $0) }
    }

    /// Runs the executable; returns exit status, stdout and stderr.
    public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        guard let exe = path() else { throw NSError(domain: "mlaudit-tests", code: 1, userInfo: [NSLocalizedDescriptionKey: "mlaudit not built"]) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if !environment.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment, uniquingKeysWith: { _, b in b })
        }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}

import Logging

/// A logger that drops everything (tests assert on values, not on log lines).
public let testLogger = Logger(label: "mlaudit.test", factory: { _ in SwiftLogNoOpLogHandler() })
