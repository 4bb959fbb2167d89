/// Text the warehouse keeps outside the row table (finding texts, quarantined rows and their
/// reasons, label ids and values, segment and fairness group values, model configurations)
/// never holds U+0000: SQLite through GRDB ends a text at its first NUL both when it binds and
/// when it reads one (a quarantined row `id\0broken` was kept as `id`, a label for `id0\0x`
/// joined row `id0`), and PostgreSQL's text type refuses it (a NUL in an undeclared column's
/// name failed every run's validate stage). Both backends write it as U+FFFD, the replacement
/// character, as the PostgreSQL row copy does (`PostgresCopyText`) — one rule, applied where
/// each backend binds text (docs/warehouse.md, "Text and NUL").
public enum StoredText {
    /// `s` with every U+0000 replaced by U+FFFD; `s` itself when it holds none.
    @inline(__always)
    public static func storable(_ s: String) -> String {
        guard s.utf8.contains(0) else { return s }
        return String(String.UnicodeScalarView(s.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 }))
    }

    @inline(__always)
    public static func storable(_ s: String?) -> String? { s.map(storable) }
}
