/// A small, strict HTML tokenizer for security tests: it finds every start tag the way an HTML5
/// parser's tokenizer does (WHATWG "tag open state": `<` then an ASCII letter), working on
/// Unicode scalars, never on `Character`s, so a Prepend scalar before `<` cannot hide a tag.
/// Comments, the doctype and the raw text of `<style>`/`<script>` are skipped.
public struct HTMLTag: Equatable, Sendable, CustomStringConvertible {
    public let name: String
    /// Attribute names, lowercased, in order.
    public let attributes: [String]
    public var description: String { "<\(name)" + attributes.map { " " + $0 }.joined() + ">" }
}

public enum HTMLTokens {
    /// Every start tag of `html`, in document order.
    public static func startTags(_ html: String) -> [HTMLTag] {
        let s = Array(html.unicodeScalars)
        var tags: [HTMLTag] = []
        var i = 0
        func isAlpha(_ u: Unicode.Scalar) -> Bool { ("a"..."z").contains(u) || ("A"..."Z").contains(u) }
        func isSpace(_ u: Unicode.Scalar) -> Bool { u == " " || u == "\t" || u == "\n" || u == "\r" || u == "\u{0C}" }
        func starts(_ text: String, at k: Int) -> Bool {
            let t = Array(text.unicodeScalars)
            guard k + t.count <= s.count else { return false }
            return (0..<t.count).allSatisfy { String(s[k + $0]).lowercased() == String(t[$0]).lowercased() }
        }
        func skip(to end: String, from k: Int) -> Int {
            var j = k
            while j < s.count, !starts(end, at: j) { j += 1 }
            return min(s.count, j + end.unicodeScalars.count)
        }
        while i < s.count {
            guard s[i] == "<", i + 1 < s.count else { i += 1; continue }
            let next = s[i + 1]
            if starts("<!--", at: i) { i = skip(to: "-->", from: i + 4); continue }
            if next == "!" || next == "?" { i = skip(to: ">", from: i + 2); continue }
            if next == "/" { i = skip(to: ">", from: i + 2); continue }
            guard isAlpha(next) else { i += 1; continue }
            // Tag name.
            var j = i + 1
            var name = ""
            while j < s.count, !isSpace(s[j]), s[j] != "/", s[j] != ">" { name.unicodeScalars.append(s[j]); j += 1 }
            name = name.lowercased()
            // Attributes.
            var attributes: [String] = []
            while j < s.count, s[j] != ">" {
                if isSpace(s[j]) || s[j] == "/" { j += 1; continue }
                var attr = ""
                attr.unicodeScalars.append(s[j])
                j += 1
                while j < s.count, !isSpace(s[j]), s[j] != "/", s[j] != ">", s[j] != "=" { attr.unicodeScalars.append(s[j]); j += 1 }
                attributes.append(attr.lowercased())
                while j < s.count, isSpace(s[j]) { j += 1 }
                guard j < s.count, s[j] == "=" else { continue }
                j += 1
                while j < s.count, isSpace(s[j]) { j += 1 }
                guard j < s.count else { break }
                if s[j] == "\"" || s[j] == "'" {
                    let q = s[j]
                    j += 1
                    while j < s.count, s[j] != q { j += 1 }
                    j += 1
                } else {
                    while j < s.count, !isSpace(s[j]), s[j] != ">" { j += 1 }
                }
            }
            tags.append(HTMLTag(name: name, attributes: attributes))
            i = j + 1
            if name == "style" || name == "script" || name == "textarea" || name == "title" {
                i = skip(to: "</" + name, from: i)
            }
        }
        return tags
    }
}
