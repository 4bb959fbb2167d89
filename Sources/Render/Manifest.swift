import AuditModel

/// manifest.json: what a report version is made of, with hashes, and the link to the
/// previous manifest of the pipeline (a hash chain recorded in the warehouse as well).
///
/// Everything in it comes from the warehouse (recorded times, never the render's clock) and
/// from the binary (tool version and source commit), so the same warehouse renders the same
/// manifest. docs/reports.md describes every field; `mlaudit verify` checks them.
package struct Manifest: Codable, Equatable, Sendable {
    package static let currentSchemaVersion = 1

    package var schemaVersion: Int
    package var pipeline: String
    package var date: String
    package var version: Int
    package var status: AuditStatus
    package var recommendation: Recommendation?
    package var findingCounts: AuditSummary.SeverityCounts?
    package var tool: ToolEntry
    /// The run that rendered this version (the run of the results when rendered outside one).
    package var runId: Int64?
    /// SHA-256 of the results (summary.json with version 0): equal results, equal hash.
    package var contentSha256: String
    /// The report files of the version, sorted by name (manifest.json itself excluded).
    package var files: [FileEntry]
    package var inputs: [InputEntry]
    package var stages: [StageEntry]
    package var previousManifestSha256: String?

    package struct ToolEntry: Codable, Equatable, Sendable {
        package var name: String
        package var version: String
        /// The git commit mlaudit was built from (`-dirty` with local changes; `unknown`).
        package var commit: String?
    }

    package struct FileEntry: Codable, Equatable, Sendable {
        package var name: String
        package var sha256: String
        package var bytes: Int
    }

    package struct InputEntry: Codable, Equatable, Sendable {
        package var role: String
        package var path: String
        package var sha256: String
        package var bytes: Int?
    }

    package struct StageEntry: Codable, Equatable, Sendable {
        package var stage: String
        package var runId: Int64?
        package var startedAt: String
        package var finishedAt: String?
        /// finished − started, from the recorded times.
        package var durationMs: Int64?
        enum CodingKeys: String, CodingKey {
            case stage
            case runId = "run_id"
            case startedAt = "started_at"
            case finishedAt = "finished_at"
            case durationMs = "duration_ms"
        }
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case pipeline, date, version, status, recommendation
        case findingCounts = "finding_counts"
        case tool
        case runId = "run_id"
        case contentSha256 = "content_sha256"
        case files, inputs, stages
        case previousManifestSha256 = "previous_manifest_sha256"
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(pipeline, forKey: .pipeline)
        try c.encode(date, forKey: .date)
        try c.encode(version, forKey: .version)
        try c.encode(status, forKey: .status)
        try c.encode(recommendation, forKey: .recommendation)
        try c.encode(findingCounts, forKey: .findingCounts)
        try c.encode(tool, forKey: .tool)
        try c.encode(runId, forKey: .runId)
        try c.encode(contentSha256, forKey: .contentSha256)
        try c.encode(files, forKey: .files)
        try c.encode(inputs, forKey: .inputs)
        try c.encode(stages, forKey: .stages)
        try c.encode(previousManifestSha256, forKey: .previousManifestSha256)
    }
}
