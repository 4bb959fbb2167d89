import Foundation

/// A JSON value, decoded strictly (booleans, integers and other numbers kept apart).
public indirect enum JSONValue: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .integer(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public static func parse(_ data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }

    /// The value as JSON text (for messages).
    public var text: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .number(let d): return String(d)
        case .string(let s): return "\"" + s + "\""
        case .array(let a): return "[" + a.map(\.text).joined(separator: ", ") + "]"
        case .object(let o): return "{" + o.keys.sorted().map { "\"\($0)\": " + o[$0]!.text }.joined(separator: ", ") + "}"
        }
    }

    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .integer: return "integer"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// Validates JSON against the subset of JSON Schema (draft 2020-12) that
/// docs/summary.schema.json uses: `type`, `const`, `enum`, `properties`, `required`,
/// `items`, `anyOf`, `minimum`, `minLength`, `pattern`, `additionalProperties` (a schema) and
/// `$ref` to `#/$defs/…`.
/// Annotations (`$schema`, `$id`, `title`, `description`, `$defs`) are ignored; any other
/// keyword is reported as unsupported, so the subset cannot silently skip a rule.
/// `make check` validates the same files with Python's jsonschema, the full implementation.
public struct JSONSchemaSubset {
    public let root: JSONValue

    public init(_ schema: Data) throws { root = try JSONValue.parse(schema) }

    static let annotations: Set<String> = ["$schema", "$id", "title", "description", "$defs"]
    static let supported: Set<String> = ["type", "const", "enum", "properties", "required", "items", "anyOf", "minimum", "minLength", "pattern", "$ref", "additionalProperties"]

    /// Every violation, as `path: what is wrong` (empty when `instance` is valid).
    public func errors(_ instance: JSONValue) -> [String] {
        var out: [String] = []
        check(instance, root, "$", &out)
        return out
    }

    func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#/$defs/"), case .object(let r) = root, case .object(let defs)? = r["$defs"] else { return nil }
        return defs[String(ref.dropFirst("#/$defs/".count))]
    }

    func check(_ v: JSONValue, _ schema: JSONValue, _ path: String, _ out: inout [String]) {
        guard case .object(let s) = schema else { return }
        for key in s.keys.sorted() where !Self.annotations.contains(key) && !Self.supported.contains(key) {
            out.append("\(path): unsupported schema keyword \(key)")
        }
        if case .string(let ref)? = s["$ref"] {
            guard let target = resolve(ref) else { return out.append("\(path): unresolvable $ref \(ref)") }
            check(v, target, path, &out)
        }
        if let t = s["type"] {
            let allowed: [String]
            switch t {
            case .string(let one): allowed = [one]
            case .array(let many): allowed = many.compactMap { if case .string(let x) = $0 { return x } else { return nil } }
            default: allowed = []
            }
            let actual = v.typeName
            if !(allowed.contains(actual) || (actual == "integer" && allowed.contains("number"))) {
                out.append("\(path): is \(actual), expected \(allowed.joined(separator: " or "))")
                return
            }
        }
        if let c = s["const"], !Self.equal(c, v) { out.append("\(path): must be \(c.text)") }
        if case .array(let options)? = s["enum"], !options.contains(where: { Self.equal($0, v) }) {
            out.append("\(path): \(v.text) is not one of the allowed values")
        }
        if case .array(let branches)? = s["anyOf"] {
            let ok = branches.contains { b in
                var e: [String] = []
                check(v, b, path, &e)
                return e.isEmpty
            }
            if !ok { out.append("\(path): matches none of anyOf") }
        }
        if case .object(let obj) = v {
            if case .array(let req)? = s["required"] {
                for case .string(let k) in req where obj[k] == nil { out.append("\(path): missing required \(k)") }
            }
            if case .object(let props)? = s["properties"] {
                for (k, sub) in props.sorted(by: { $0.key < $1.key }) { if let x = obj[k] { check(x, sub, path + "." + k, &out) } }
            }
            if let extra = s["additionalProperties"], case .object = extra {
                var declared: Set<String> = []
                if case .object(let props)? = s["properties"] { declared = Set(props.keys) }
                for (k, x) in obj.sorted(by: { $0.key < $1.key }) where !declared.contains(k) { check(x, extra, path + "." + k, &out) }
            }
        }
        if case .array(let items) = v, let itemSchema = s["items"] {
            for (i, x) in items.enumerated() { check(x, itemSchema, "\(path)[\(i)]", &out) }
        }
        if let min = s["minimum"].flatMap(Self.number), let x = Self.number(v), x < min { out.append("\(path): \(x) < minimum \(min)") }
        if case .string(let str) = v {
            if case .integer(let n)? = s["minLength"], str.count < n { out.append("\(path): shorter than \(n)") }
            if case .string(let p)? = s["pattern"], str.range(of: p, options: .regularExpression) == nil {
                out.append("\(path): \"\(str)\" does not match \(p)")
            }
        }
    }

    static func number(_ v: JSONValue) -> Double? {
        switch v {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }

    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = number(a), let y = number(b) { return x == y }
        return a == b
    }
}

/// Golden files: compares text with `Golden/<name>` beside the test file, or records it when
/// `RECORD_GOLDEN=1` (review the diff, then commit it).
public enum Golden {
    /// Returns nil when `actual` matches (or was recorded), else a message with the first difference.
    public static func compare(_ actual: String, name: String, file: String = #filePath) -> String? {
        let dir = (file as NSString).deletingLastPathComponent + "/Golden"
        let path = dir + "/" + name
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try? Data(actual.utf8).write(to: URL(fileURLWithPath: path))
            return nil
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            return "golden file \(path) is missing: run the tests with RECORD_GOLDEN=1 to record it"
        }
        if expected == actual { return nil }
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let i = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
        return "\(name) differs from the golden file at line \(i + 1):\n  golden: \(i < e.count ? String(e[i]) : "<end>")\n  actual: \(i < a.count ? String(a[i]) : "<end>")\nIf the change is intended, re-record with RECORD_GOLDEN=1 and review the diff."
    }
}
