import AuditModel
import Foundation
import Yams

/// Decodes a `Decodable` from YAML strictly: unknown keys, duplicate keys, wrong types and
/// missing required keys are errors naming the key path, the line and the expected form.
///
/// `Yams.YAMLDecoder` ignores unknown keys and reports positions only as coding paths; a
/// pipeline definition is edited by hand, so a misspelled threshold must fail loudly, at its
/// line, with a suggestion.
struct StrictYAMLDecoder {
    /// Shown in error messages.
    let file: String

    /// Where each key path starts (`schema.features[2].name` → 14), filled while decoding.
    final class SourceMap: @unchecked Sendable {
        var lines: [String: Int] = [:]
    }

    func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> (T, SourceMap) {
        try Self.checkAliases(text, file: file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw MLAuditError.definition(
                    "the definition is empty", file: file,
                    hint: "Write a pipeline definition (see docs/definition.md), or draft one with `mlaudit init BASELINE.csv`.")
            }
            root = node
        } catch let e as YamlError {
            throw Self.syntaxError(e, file: file)
        }
        let map = SourceMap()
        let decoder = NodeDecoder(node: root, codingPath: [], file: file, map: map)
        let value = try decoder.decodeValue(T.self)
        return (value, map)
    }

    /// Aliases (`*name`) a definition may use, at most.
    static let maxAliases = 100

    /// Bounds YAML alias expansion before the text is composed: at most `maxAliases` aliases,
    /// and none as (or inside) a mapping key, where the YAML library hashes the whole expanded
    /// node (nested aliases as keys are exponential: the loader hung). A lexical scan: an
    /// alias is a `*` followed by a name character where a node starts, outside quotes and
    /// comments.
    static func checkAliases(_ text: String, file: String) throws {
        var count = 0
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let chars = Array(line.unicodeScalars)
            var quote: Unicode.Scalar? = nil
            var previous: Unicode.Scalar? = nil  // last non-blank character outside quotes
            var aliasAt: Int? = nil
            var i = 0
            while i < chars.count {
                let c = chars[i]
                if let q = quote {
                    if c == q { quote = nil }
                    if c == "\\", q == "\"" { i += 1 }
                    i += 1
                    continue
                }
                if c == "\"" || c == "'", previous == nil || "-[{,?:".unicodeScalars.contains(previous!) {
                    quote = c
                } else if c == "#", i == 0 || chars[i - 1] == " " || chars[i - 1] == "\t" {
                    break
                } else if c == "*", previous == nil || "-[{,?:".unicodeScalars.contains(previous!),
                    i + 1 < chars.count, !" \t,[]{}".unicodeScalars.contains(chars[i + 1])
                {
                    count += 1
                    if aliasAt == nil { aliasAt = i }
                    if previous == "?" {
                        throw aliasKey(index + 1, file: file)
                    }
                } else if c == ":", i + 1 == chars.count || chars[i + 1] == " " || chars[i + 1] == "\t", aliasAt != nil {
                    throw aliasKey(index + 1, file: file)
                }
                if c != " " && c != "\t" { previous = c }
                i += 1
            }
            if count > maxAliases {
                throw MLAuditError.definition(
                    "the definition uses more than \(maxAliases) YAML aliases", file: file, line: index + 1,
                    hint: "Write the values out; MLAudit bounds alias expansion (docs/security.md).")
            }
        }
    }

    static func aliasKey(_ line: Int, file: String) -> MLAuditError {
        .definition(
            "a YAML alias is used as (or inside) a mapping key", file: file, line: line,
            hint: "Write the key out; aliases may only stand for values (docs/security.md).")
    }

    static func syntaxError(_ e: YamlError, file: String) -> MLAuditError {
        switch e {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var msg = "YAML syntax error: \(problem)"
            if let context { msg += " \(context.text)" }
            if msg.contains("flow mapping") || msg.contains("flow sequence") {
                return .definition(
                    msg, file: file, line: mark.line,
                    hint: "Inside { } and [ ], quote a value that contains braces, brackets or commas (path: \"days/{date}.csv\"), or write the mapping one key per line.")
            }
            return .definition(
                msg, file: file, line: mark.line,
                hint: "Check indentation (spaces, not tabs), colons after keys and matching quotes.")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return .definition(
                "duplicate key \(keys) in one mapping", file: file, line: context.mark.line,
                hint: "Each key may appear once per mapping; remove or merge the repeated one.")
        case .reader(let problem, _, _, _):
            return .definition("cannot read the YAML text: \(problem)", file: file, hint: "Save the file as UTF-8.")
        default:
            return .definition("YAML error: \(e)", file: file)
        }
    }
}

/// Text for a coding path: `schema.features[2].type`.
func pathString(_ path: [any CodingKey]) -> String {
    var s = ""
    for k in path {
        if let i = k.intValue, k.stringValue.hasPrefix("Index ") || k.stringValue == String(i) {
            s += "[\(i)]"
        } else {
            if !s.isEmpty { s += "." }
            s += k.stringValue
        }
    }
    return s
}

struct IndexKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ i: Int) {
        stringValue = "Index \(i)"
        intValue = i
    }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.init(intValue) }
}

/// How to describe the expected form of a type in an error message.
func expectedForm(_ type: Any.Type) -> String {
    if type == String.self { return "a text value" }
    if type == Int.self { return "a whole number" }
    if type == Double.self { return "a number" }
    if type == Bool.self { return "true or false" }
    if type == Day.self { return "a date as YYYY-MM-DD" }
    if let choices = enumChoices(type) { return "one of: " + choices.joined(separator: ", ") }
    let name = String(describing: type)
    if name.hasPrefix("Array<") { return "a list" }
    if name.hasPrefix("Optional<") { return "a value" }
    if let keys = structKeys(type) { return "a mapping with keys: " + keys.joined(separator: ", ") }
    return "a value of type \(name)"
}

func enumChoices(_ type: Any.Type) -> [String]? {
    guard let ci = type as? any CaseIterable.Type else { return nil }
    return choices(ci)
}

private func choices<C: CaseIterable>(_ c: C.Type) -> [String]? {
    let values = c.allCases.compactMap { ($0 as? any RawRepresentable)?.rawValue as? String }
    return values.isEmpty ? nil : values
}

/// The YAML keys a definition type accepts, from its `CaseIterable` coding keys.
func structKeys(_ type: Any.Type) -> [String]? {
    guard let described = type as? any DefinitionKeyed.Type else { return nil }
    return described.yamlKeys
}

/// Definition types expose their keys so messages can list them.
protocol DefinitionKeyed { static var yamlKeys: [String] { get } }

private func keyNames<K: CodingKey & CaseIterable>(_ k: K.Type) -> [String] { k.allCases.map(\.stringValue) }

func allKeyNames<K: CodingKey>(_ k: K.Type) -> [String]? {
    guard let ci = k as? any (CodingKey & CaseIterable).Type else { return nil }
    return keyNames(ci)
}

/// The closest candidate within a small edit distance, for "did you mean …?".
func suggestion(for word: String, among candidates: [String]) -> String? {
    var best: (String, Int)?
    for c in candidates {
        let d = editDistance(word.lowercased(), c.lowercased())
        let limit = max(1, min(3, c.count / 3))
        if d <= limit, best == nil || d < best!.1 { best = (c, d) }
    }
    if let best { return best.0 }
    // Words other tools use for the same setting, then a shortened or lengthened spelling
    // (`minimum` for `min`).
    let synonyms = ["minimum": "min", "maximum": "max", "allowed_values": "allowed", "categories": "allowed",
                    "values": "allowed", "dtype": "type", "regex": "pattern", "columns": "features"]
    if let s = synonyms[word.lowercased()], candidates.contains(s) { return s }
    let w = word.lowercased()
    return candidates.filter { c in
        let l = c.lowercased()
        return min(l.count, w.count) >= 3 && (w.hasPrefix(l) || l.hasPrefix(w))
    }.min { $0.count < $1.count }
}

/// Levenshtein distance between two strings (for "did you mean …?" suggestions).
package func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var prev = Array(0...y.count)
    var cur = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        cur[0] = i
        for j in 1...y.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[y.count]
}

private func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let s):
        // A long scalar (a data file given as the definition) is shown by its start only.
        let text = s.string.replacingOccurrences(of: "\n", with: " ")
        return text.count <= 80 ? "'\(text)'" : "'\(text.prefix(80))…' (\(s.string.count) characters)"
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
}

private func isNull(_ node: Node) -> Bool {
    guard case .scalar(let s) = node else { return false }
    guard s.style == .plain else { return false }
    return s.string.isEmpty || s.string == "~" || s.string == "null" || s.string == "Null" || s.string == "NULL"
}

final class NodeDecoder: Decoder {
    let node: Node
    let codingPath: [any CodingKey]
    let file: String
    let map: StrictYAMLDecoder.SourceMap
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: Node, codingPath: [any CodingKey], file: String, map: StrictYAMLDecoder.SourceMap) {
        self.node = node
        self.codingPath = codingPath
        self.file = file
        self.map = map
    }

    var line: Int? { node.mark?.line }
    var path: String { pathString(codingPath) }

    func fail(_ message: String, hint: String? = nil, line: Int? = nil) -> MLAuditError {
        .definition(message, file: file, line: line ?? self.line, key: path.isEmpty ? nil : path, hint: hint)
    }

    func typeMismatch(_ type: Any.Type) -> MLAuditError {
        let at = path.isEmpty ? "the document" : "'\(path)'"
        return fail("\(at) must be \(expectedForm(type)), found \(describe(node))")
    }

    /// Decodes `T`, turning Foundation's decoding errors into located definition errors.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if let choices = enumChoices(T.self), !(T.self is any DefinitionKeyed.Type) {
            // Enumerations: check the value against the choices ourselves for a better message.
            guard case .scalar(let s) = node else { throw typeMismatch(T.self) }
            if !choices.contains(s.string) {
                var hint = "Expected one of: \(choices.joined(separator: ", "))."
                if let near = suggestion(for: s.string, among: choices) { hint = "Did you mean '\(near)'? " + hint }
                throw fail("'\(path)' has the invalid value '\(s.string)'", hint: hint)
            }
        }
        do {
            return try T(from: self)
        } catch let e as DecodingError {
            switch e {
            case .dataCorrupted(let ctx), .typeMismatch(_, let ctx), .valueNotFound(_, let ctx):
                throw fail("'\(path)': \(ctx.debugDescription)")
            case .keyNotFound(let key, _):
                throw fail("missing required key '\(key.stringValue)' in '\(path)'")
            @unknown default:
                throw fail("'\(path)' could not be decoded: \(e)")
            }
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let mapping) = node else {
            let form = allKeyNames(Key.self).map { "a mapping with keys: " + $0.joined(separator: ", ") } ?? "a mapping"
            let at = path.isEmpty ? "the document" : "'\(path)'"
            throw fail("\(at) must be \(form), found \(describe(node))")
        }
        return KeyedDecodingContainer(try KeyedContainer<Key>(decoder: self, mapping: mapping))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let seq) = node else {
            if isNull(node) { return UnkeyedContainer(decoder: self, nodes: []) }
            throw fail("'\(path)' must be a list, found \(describe(node))", hint: "Write a YAML list: one '- item' per line, or [a, b].")
        }
        return UnkeyedContainer(decoder: self, nodes: Array(seq))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleValue(decoder: self) }
}

struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: NodeDecoder
    var entries: [String: (key: Node, value: Node)] = [:]
    var codingPath: [any CodingKey] { decoder.codingPath }

    init(decoder: NodeDecoder, mapping: Node.Mapping) throws {
        self.decoder = decoder
        let known = allKeyNames(Key.self)
        for (k, v) in mapping {
            guard case .scalar(let ks) = k else {
                throw decoder.fail("a key in '\(decoder.path)' is not a plain name", line: k.mark?.line)
            }
            let name = ks.string
            let childPath = decoder.path.isEmpty ? name : decoder.path + "." + name
            if let known, !known.contains(name) {
                var hint = "Expected one of: \(known.joined(separator: ", "))."
                if let near = suggestion(for: name, among: known) { hint = "Did you mean '\(near)'? " + hint }
                let at = decoder.path.isEmpty ? "at the top level" : "in '\(decoder.path)'"
                throw MLAuditError.definition(
                    "unknown key '\(name)' \(at)", file: decoder.file, line: k.mark?.line, key: childPath, hint: hint)
            }
            entries[name] = (k, v)
            if let line = k.mark?.line { decoder.map.lines[childPath] = line }
        }
    }

    var allKeys: [Key] { entries.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { entries[key.stringValue] != nil }

    func child(_ key: Key) throws -> NodeDecoder {
        guard let e = entries[key.stringValue] else {
            let at = decoder.path.isEmpty ? "at the top level" : "in '\(decoder.path)'"
            throw decoder.fail("missing required key '\(key.stringValue)' \(at)")
        }
        return NodeDecoder(node: e.value, codingPath: codingPath + [key], file: decoder.file, map: decoder.map)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let e = entries[key.stringValue] else { return true }
        return isNull(e.value)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let e = entries[key.stringValue] else {
            let at = decoder.path.isEmpty ? "at the top level" : "in '\(decoder.path)'"
            throw decoder.fail(
                "missing required key '\(key.stringValue)' \(at)",
                hint: "Add '\(key.stringValue):' with \(expectedForm(T.self)).")
        }
        if isNull(e.value), !(T.self is any ExpressibleByNilLiteral.Type) {
            let child = try child(key)
            throw child.fail("'\(child.path)' is empty", hint: "Give it \(expectedForm(T.self)), or remove the key.")
        }
        return try child(key).decodeValue(T.self)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let e = entries[key.stringValue], !isNull(e.value) else { return nil }
        return try child(key).decodeValue(T.self)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try child(key).container(keyedBy: NestedKey.self)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

struct UnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: NodeDecoder
    let nodes: [Node]
    var currentIndex = 0
    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { nodes.count }
    var isAtEnd: Bool { currentIndex >= nodes.count }

    init(decoder: NodeDecoder, nodes: [Node]) {
        self.decoder = decoder
        self.nodes = nodes
    }

    mutating func next() throws -> NodeDecoder {
        guard !isAtEnd else { throw decoder.fail("'\(decoder.path)' has fewer items than expected") }
        let d = NodeDecoder(
            node: nodes[currentIndex], codingPath: codingPath + [IndexKey(currentIndex)], file: decoder.file,
            map: decoder.map)
        if let line = d.line { decoder.map.lines[d.path] = line }
        currentIndex += 1
        return d
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if isNull(nodes[currentIndex]) {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeValue(T.self) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try next().container(keyedBy: NestedKey.self)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}

struct SingleValue: SingleValueDecodingContainer {
    let decoder: NodeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func scalar<T>(_ type: T.Type) throws -> String {
        guard case .scalar(let s) = decoder.node else { throw decoder.typeMismatch(type) }
        return s.string
    }

    func decodeNil() -> Bool { isNull(decoder.node) }

    func decode(_ type: Bool.Type) throws -> Bool {
        switch try scalar(type).lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw decoder.typeMismatch(type)
        }
    }

    func decode(_ type: String.Type) throws -> String { try scalar(type) }

    func decode(_ type: Double.Type) throws -> Double {
        let s = try scalar(type).replacingOccurrences(of: "_", with: "")
        switch s.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default: break
        }
        guard let v = Double(s) else { throw decoder.typeMismatch(type) }
        return v
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    func decode(_ type: Int.Type) throws -> Int {
        let s = try scalar(type).replacingOccurrences(of: "_", with: "")
        guard let v = Int(s) else { throw decoder.typeMismatch(type) }
        return v
    }

    func decode(_ type: Int8.Type) throws -> Int8 { try narrow(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try narrow(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try narrow(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try narrow(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try narrow(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try narrow(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try narrow(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try narrow(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try narrow(type) }

    private func narrow<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        guard let v = I(exactly: try decode(Int.self)) else { throw decoder.typeMismatch(type) }
        return v
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(T.self) }
}
