import AuditModel

/// manifest.json: what a report version is made of, with hashes, and the link to the
/// previous manifest of the pipeline (a hash chain recorded in the warehouse as well).
struct Manifest: Codable, Equatable {
    static let currentSchemaVersion = 1

    var schemaVersion: Int
    var pipeline: String
    var date: String
    var version: Int
    var status: AuditStatus
    var tool: AuditSummary.ToolInfo
    var runId: Int64?
    var contentSha256: String
    var files: [FileEntry]
    var inputs: [InputEntry]
    var stages: [StageEntry]
    var previousManifestSha256: String?

    struct FileEntry: Codable, Equatable {
        var name: String
        var sha256: String
        var bytes: Int
    }

    struct InputEntry: Codable, Equatable {
        var role: String
        var path: String
        var sha256: String
        var bytes: Int?
    }

    struct StageEntry: Codable, Equatable {
        var stage: String
        var startedAt: String
        var finishedAt: String?
        enum CodingKeys: String, CodingKey {
            case stage
            case startedAt = "started_at"
            case finishedAt = "finished_at"
        }
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case pipeline, date, version, status, tool
        case runId = "run_id"
        case contentSha256 = "content_sha256"
        case files, inputs, stages
        case previousManifestSha256 = "previous_manifest_sha256"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(pipeline, forKey: .pipeline)
        try c.encode(date, forKey: .date)
        try c.encode(version, forKey: .version)
        try c.encode(status, forKey: .status)
        try c.encode(tool, forKey: .tool)
        try c.encode(runId, forKey: .runId)
        try c.encode(contentSha256, forKey: .contentSha256)
        try c.encode(files, forKey: .files)
        try c.encode(inputs, forKey: .inputs)
        try c.encode(stages, forKey: .stages)
        try c.encode(previousManifestSha256, forKey: .previousManifestSha256)
    }
}
