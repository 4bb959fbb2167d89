/// The one error type of MLAudit.
///
/// Every error says what went wrong, where (file, line, key, column) and what to do about it.
/// Errors are values: tests compare them whole, and the command line prints `description`.
/// Build them through the static factories so the wording lives in one place.
public struct MLAuditError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. Extensible: adding a code is not a breaking change.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The pipeline definition is malformed (unknown key, wrong type, missing key, bad value).
        public static let invalidDefinition = Code("invalid_definition")
        /// An input file is missing, unreadable or unusable as a whole.
        public static let unreadableInput = Code("unreadable_input")
        /// The warehouse cannot be opened, is from a newer version, or a write failed.
        public static let warehouse = Code("warehouse")
        /// A stage needs something an earlier stage has not produced yet.
        public static let missingPrerequisite = Code("missing_prerequisite")
        /// Files could not be written (reports, demo data).
        public static let output = Code("output")
        /// The command line was used wrongly.
        public static let usage = Code("usage")
        /// Another run holds the pipeline's lock.
        public static let locked = Code("locked")
        /// A bug in MLAudit: please report it.
        public static let `internal` = Code("internal")
    }

    public var code: Code
    /// What went wrong, in one sentence.
    public var message: String
    /// The file the problem is in, if any.
    public var file: String?
    /// The 1-based line in `file`, if known.
    public var line: Int?
    /// The definition key or data column concerned, if any.
    public var key: String?
    /// What to do about it.
    public var hint: String?
    /// The underlying error's text, if this error wraps another.
    public var cause: String?

    public init(
        _ code: Code, _ message: String, file: String? = nil, line: Int? = nil,
        key: String? = nil, hint: String? = nil, cause: String? = nil
    ) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.key = key
        self.hint = hint
        self.cause = cause
    }

    /// `file:line: message (cause). hint`
    public var description: String {
        var out = ""
        if let file {
            out += file
            if let line { out += ":\(line)" }
            out += ": "
        }
        out += message
        if let cause, !cause.isEmpty { out += " (\(cause))" }
        if let hint, !hint.isEmpty {
            if !out.hasSuffix(".") { out += "." }
            out += " " + hint
        }
        return out
    }

    /// The process exit status this error maps to (DESIGN.md: 2 could not finish, 64 bad usage).
    public var exitStatus: Int32 { code == .usage ? 64 : 2 }
}

extension MLAuditError {
    public static func definition(
        _ message: String, file: String?, line: Int? = nil, key: String? = nil, hint: String? = nil
    ) -> MLAuditError {
        MLAuditError(.invalidDefinition, message, file: file, line: line, key: key, hint: hint)
    }

    public static func missingFile(_ path: String, what: String, hint: String? = nil) -> MLAuditError {
        MLAuditError(
            .unreadableInput, "\(what) not found", file: path,
            hint: hint ?? "Check the path (relative paths are resolved against the definition's root) or create the file.")
    }

    public static func unreadable(_ path: String, what: String, cause: String) -> MLAuditError {
        MLAuditError(
            .unreadableInput, "cannot read \(what)", file: path, hint: "Check that the file exists and is readable.",
            cause: cause)
    }

    public static func warehouse(_ message: String, file: String? = nil, hint: String? = nil, cause: String? = nil)
        -> MLAuditError
    {
        MLAuditError(.warehouse, message, file: file, hint: hint, cause: cause)
    }

    public static func prerequisite(_ message: String, hint: String) -> MLAuditError {
        MLAuditError(.missingPrerequisite, message, hint: hint)
    }

    /// A stage needs a snapshot's stored rows, but retention deleted them.
    public static func rowsPurged(_ target: String, definition: String) -> MLAuditError {
        MLAuditError(
            .missingPrerequisite, "the stored rows of \(target) were deleted by retention (retention.raw_days)",
            hint: "Its reports, profiles and findings are kept. To audit it again, run `mlaudit run \(definition) --date \(target) --force`: ingest reloads the rows from the source file if it still exists.")
    }

    public static func output(_ path: String, cause: String) -> MLAuditError {
        MLAuditError(.output, "cannot write", file: path, hint: "Check that the folder is writable and the disk is not full.", cause: cause)
    }

    public static func internalError(_ message: String) -> MLAuditError {
        MLAuditError(.internal, message, hint: "This is a bug in MLAudit; please report it with the command that caused it.")
    }
}
