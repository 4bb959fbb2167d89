/// The part a column plays in the audit.
public enum ColumnRole: String, Codable, Sendable, CaseIterable {
    case id, timestamp, feature, prediction, score, target, latency, status
    /// Kept and profiled, not a model input (`schema.carried`): never judged for drift or debt.
    case carried
}

/// A column the pipeline knows, with the type its values are stored as.
public struct DeclaredColumn: Sendable, Equatable {
    public var name: String
    public var type: ColumnType
    public var role: ColumnRole
    /// Constraints, for features.
    public var feature: FeatureSpec?

    public init(name: String, type: ColumnType, role: ColumnRole, feature: FeatureSpec? = nil) {
        self.name = name
        self.type = type
        self.role = role
        self.feature = feature
    }

    public var onTypeError: TypeErrorPolicy { feature?.onTypeError ?? .quarantine }
}

extension PipelineDefinition {
    /// Every declared column, in a stable order: id, timestamp, features, prediction, score,
    /// target, operational columns, carried columns (categorical text). A name appears once (the
    /// first role wins). Ignored columns (`schema.ignored`) are not declared columns.
    public var declaredColumns: [DeclaredColumn] {
        var out: [DeclaredColumn] = []
        var seen = Set<String>()
        func add(_ c: DeclaredColumn) {
            if seen.insert(c.name).inserted { out.append(c) }
        }
        let s = schema
        if let id = s.id { add(DeclaredColumn(name: id, type: .text, role: .id)) }
        if let ts = s.timestamp { add(DeclaredColumn(name: ts, type: .datetime, role: .timestamp)) }
        for f in s.features { add(DeclaredColumn(name: f.name, type: f.type, role: .feature, feature: f)) }
        let labelType: ColumnType = s.prediction?.kind == .regression ? .numeric : .categorical
        if let p = s.prediction {
            add(DeclaredColumn(name: p.column, type: labelType, role: .prediction))
            if let score = p.score { add(DeclaredColumn(name: score, type: .numeric, role: .score)) }
        }
        if let t = s.target { add(DeclaredColumn(name: t, type: labelType, role: .target)) }
        if let op = s.operational {
            if let l = op.latency { add(DeclaredColumn(name: l, type: .numeric, role: .latency)) }
            if let st = op.status { add(DeclaredColumn(name: st, type: .categorical, role: .status)) }
        }
        for c in s.carried ?? [] { add(DeclaredColumn(name: c, type: .categorical, role: .carried)) }
        return out
    }

    /// Columns neither stored nor reported (`schema.ignored`).
    public var ignoredColumns: Set<String> { Set(schema.ignored ?? []) }

    /// The warehouse file, relative paths against `root`.
    public var warehousePathSetting: String { warehouse ?? "warehouse/\(name).sqlite" }

    /// The report root setting.
    public var reportRootSetting: String { report?.output ?? "reports" }

    /// Effective drift settings for a column.
    public func driftSettings(for column: DeclaredColumn) -> (method: DriftMethod, threshold: Double?, skip: Bool) {
        let col = column.feature?.drift
        let method = col?.method ?? drift?.method ?? .auto
        let threshold = col?.threshold ?? (col?.method == nil ? drift?.threshold : nil)
        return (method, threshold, col?.skip ?? false)
    }

    /// Decision threshold of a binary model.
    public var decisionThreshold: Double { schema.prediction?.threshold ?? 0.5 }

    /// The positive class label of a binary model, as written in the data.
    public var positiveClass: String { schema.prediction?.positiveClass ?? "1" }
}
