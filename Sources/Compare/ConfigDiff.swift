import AuditModel
import Foundation

/// Differences between two model configurations, as `key: old → new` lines. JSON configurations
/// are compared key by key (nested keys joined with dots); other text line by line.
enum ConfigDiff {
    static func diff(old: String, new: String) -> [String] {
        if let a = flatten(old), let b = flatten(new) {
            var out: [String] = []
            for k in Set(a.keys).union(b.keys).sorted() where a[k] != b[k] {
                out.append("\(SafeText.cut(k)): \(SafeText.cut(a[k] ?? "(absent)")) → \(SafeText.cut(b[k] ?? "(absent)"))")
            }
            return out
        }
        let a = old.split(separator: "\n", omittingEmptySubsequences: false)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for i in 0..<max(a.count, b.count) where (i < a.count ? a[i] : "") != (i < b.count ? b[i] : "") {
            out.append("line \(i + 1): \(SafeText.cut(i < a.count ? String(a[i]) : "(absent)")) → \(SafeText.cut(i < b.count ? String(b[i]) : "(absent)"))")
        }
        return out
    }

    static func flatten(_ text: String) -> [String: String]? {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return nil }
        var out: [String: String] = [:]
        func walk(_ v: JSONValue, _ path: String) {
            switch v {
            case .object(let d):
                for (k, x) in d { walk(x, path.isEmpty ? k : path + "." + k) }
            case .array(let a) where a.contains(where: \.isContainer):
                for (i, x) in a.enumerated() { walk(x, "\(path)[\(i)]") }
            default:
                out[path] = v.text
            }
        }
        walk(value, "")
        return out
    }
}

/// A JSON value, decoded without Foundation's bridging quirks.
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    var isContainer: Bool {
        switch self {
        case .array, .object: return true
        default: return false
        }
    }

    var text: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return formatNumber(n, digits: 15)
        case .string(let s): return s
        case .array(let a): return "[" + a.map(\.text).joined(separator: ", ") + "]"
        case .object: return "{…}"
        }
    }
}

/// What the technical-debt checks read from a model configuration (JSON): the feature list,
/// the model version and the decision threshold, wherever they sit in the document.
struct ModelConfigFacts: Equatable {
    var features: [String]?
    var version: String?
    var threshold: Double?

    static let featureKeys: Set<String> = ["features", "feature_names", "input_features", "feature_list", "inputs"]
    static let versionKeys: Set<String> = ["version", "model_version"]
    static let thresholdKeys: Set<String> = ["decision_threshold", "threshold", "classification_threshold"]

    /// Reads the facts of a JSON configuration; nil when the text is not JSON. The first key
    /// found in a breadth-first walk wins (top-level keys before nested ones).
    init?(json text: String) {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return nil }
        var queue: [JSONValue] = [value]
        while !queue.isEmpty {
            let v = queue.removeFirst()
            guard case .object(let d) = v else {
                if case .array(let a) = v { queue += a.filter(\.isContainer) }
                continue
            }
            for (k, x) in d.sorted(by: { $0.key < $1.key }) {
                let key = k.lowercased()
                if features == nil, Self.featureKeys.contains(key), case .array(let items) = x {
                    let names = items.compactMap { item -> String? in
                        if case .string(let s) = item { return s }
                        if case .object(let o) = item, case .string(let s)? = o["name"] { return s }
                        return nil
                    }
                    if names.count == items.count { features = names }
                }
                if version == nil, Self.versionKeys.contains(key) {
                    switch x {
                    case .string(let s): version = s
                    case .number: version = x.text
                    default: break
                    }
                }
                if threshold == nil, Self.thresholdKeys.contains(key), case .number(let t) = x { threshold = t }
                if x.isContainer { queue.append(x) }
            }
        }
    }
}
