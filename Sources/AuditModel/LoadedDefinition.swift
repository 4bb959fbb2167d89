/// A pipeline definition as loaded from its file: the decoded value, the text it came from
/// (its SHA-256 goes into the warehouse and every manifest), and where each key sits.
public struct LoadedDefinition: Sendable {
    public let definition: PipelineDefinition
    /// The path the definition was loaded from, as given.
    public let path: String
    /// The file's text, byte for byte.
    public let text: String
    /// Lowercase hex SHA-256 of `text`'s UTF-8 bytes.
    public let sha256: String
    /// Line of each key path (`schema.features[2].name`), for error messages.
    public let lines: [String: Int]

    public init(definition: PipelineDefinition, path: String, text: String, sha256: String, lines: [String: Int]) {
        self.definition = definition
        self.path = path
        self.text = text
        self.sha256 = sha256
        self.lines = lines
    }

    public var name: String { definition.name }

    /// The same definition with `snapshots.cadence` set (the runner resolves `auto` from the
    /// snapshot files it found, so every stage sees the same cadence).
    public func with(cadence: Cadence) -> LoadedDefinition {
        var d = definition
        d.snapshots.cadence = cadence
        return LoadedDefinition(definition: d, path: path, text: text, sha256: sha256, lines: lines)
    }

    /// Resolves a path from the definition: absolute paths stay, relative ones are taken
    /// against `root` (itself relative to the current directory; default the current directory).
    public func resolve(_ p: String) -> String {
        if p.hasPrefix("/") { return p }
        guard let root = definition.root, !root.isEmpty, root != "." else { return p }
        return root.hasSuffix("/") ? root + p : root + "/" + p
    }

    /// Substitutes `{date}` (YYYY-MM-DD) and `{yyyymmdd}` in a path pattern, then resolves it.
    public func resolve(_ pattern: String, day: Day) -> String {
        let d = day.description
        let compact = d.replacingAll("-", with: "")
        return resolve(pattern.replacingAll("{date}", with: d).replacingAll("{yyyymmdd}", with: compact))
    }

    public var warehousePath: String { resolve(definition.warehousePathSetting) }
    public var reportRoot: String { resolve(definition.reportRootSetting) }
    public var baselinePath: String { resolve(definition.baseline.path) }
    /// `metrics.textfile`, resolved; nil when the definition asks for no textfile.
    public var metricsTextfilePath: String? { definition.metrics?.textfile.map { resolve($0) } }
    public func snapshotPath(for day: Day) -> String { resolve(definition.snapshots.path, day: day) }
    public func labelsPath(for day: Day) -> String? { definition.labels.map { resolve($0.path, day: day) } }

    /// The serving hosts' resources file of the period starting on `day` (`operational.resources.path`).
    public func resourcesPath(for day: Day) -> String? {
        definition.operational?.resources.map { resolve($0.path, day: day) }
    }

    /// The model configuration served on `day`, if the definition names one.
    public func modelConfigPath(for day: Day) -> String? {
        definition.model.config.map { resolve($0, day: day) }
    }

    /// The configuration the baseline was trained with.
    public var trainingConfigPath: String? {
        if let t = definition.model.trainingConfig { return resolve(t) }
        guard let c = definition.model.config, !c.contains("{") else { return nil }
        return resolve(c)
    }
}

extension String {
    /// Replaces every occurrence of `target` (Foundation-free).
    public func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}

extension Substring {
    func range(of target: String) -> Range<Substring.Index>? {
        guard !target.isEmpty, count >= target.count else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(target) {
                return i..<index(i, offsetBy: target.count)
            }
            i = index(after: i)
        }
        return nil
    }
}
