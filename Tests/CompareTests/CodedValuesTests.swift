import Testing

@testable import Compare

/// Labelled rows keep truth and prediction as codes into a table of distinct values, and a
/// regression target from a numeric column as its numbers (issue 13). What the metrics read
/// from them must be what they read from the strings before: `String(value)` of a number,
/// `Double(string)` of a value, counts by string.
@Suite("Coded labelled values")
struct CodedValuesTests {
    /// Numbers as the rows held them before (`String(v)`) and as kept now: the same strings,
    /// the same parsed numbers (`Double(String(v)) == v` for every number but NaN), the same
    /// finite numbers in order and the same counts.
    @Test func numbersReadAsTheirStrings() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 1, -1, 0.1 + 0.2, .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude, .infinity, -.infinity, 1e16, 123_456_789.125]
        while values.count < 20_000 {
            let v = Double(bitPattern: generator.next())
            if !v.isNaN { values.append(v) }
        }
        values += values.prefix(50)  // repeated values
        let strings = values.map { String($0) }
        let kept = CodedValues(numbers: values), before = CodedValues(strings)
        #expect(kept.count == values.count && before.count == values.count)
        #expect(kept.strings == strings && before.strings == strings)
        let keptParsed = kept.parsed, beforeParsed = before.parsed, parsed = strings.map { Double($0) }
        #expect(values.indices.map { keptParsed[$0] } == parsed)
        #expect(values.indices.map { beforeParsed[$0] } == parsed)
        let finite = strings.compactMap { Double($0) }.filter(\.isFinite)
        #expect(kept.finiteNumbers == finite && before.finiteNumbers == finite)
        var counts: [String: Int] = [:]
        for s in strings { counts[s, default: 0] += 1 }
        #expect(kept.counts() == counts && before.counts() == counts)
    }

    /// Coded strings: one code per distinct value, the rows' strings back in order, a view
    /// computed per distinct value equal to the function applied row by row, and rows copied
    /// into parts (segments) keeping their strings.
    @Test func codedStringsKeepTheirValues() {
        let strings = ["1", "0", "yes", "1", "", "ünïcode", "0", "1.0", "1", "n/a"]
        let coded = CodedValues(strings)
        #expect(coded.table.count == Set(strings).count)
        #expect(coded.strings == strings)
        let labels = BinaryLabels(positive: "1")
        let view = coded.view(labels.code)
        #expect(strings.indices.map { view[$0] } == strings.map(labels.code))
        var rows = LabelledRows(hasScore: true)
        rows.truth = strings
        rows.prediction = strings.reversed()
        rows.score = strings.indices.map { Double($0) / 10 }
        rows.index = strings.indices.map { Int32($0 * 2) }
        var even = rows.emptyCopy, odd = rows.emptyCopy
        for k in strings.indices { if k % 2 == 0 { even.append(rows, at: k) } else { odd.append(rows, at: k) } }
        #expect(even.truth == strings.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        #expect(odd.prediction == Array(strings.reversed()).enumerated().filter { $0.offset % 2 == 1 }.map(\.element))
        #expect(odd.score == [0.1, 0.3, 0.5, 0.7, 0.9])
        #expect(even.index == [0, 4, 8, 12, 16])
    }
}
