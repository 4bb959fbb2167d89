import AuditModel
import Foundation
import Testing
import TestSupport

@testable import Definition

@Suite("Definitions: segments and fairness")
struct FairnessDefinitionTests {
    static let base = """
        name: p
        model:
          name: m
          version: "1"
        baseline:
          path: base.csv
        snapshots:
          path: days/{date}.csv
        schema:
          prediction:
            column: pred
            kind: binary
            score: score
          target: label
          features:
            - name: region
              type: categorical
            - name: age
              type: integer
            - name: sex
              type: integer
            - name: race
              type: categorical
        """

    /// The issue's form, as written.
    static let issueForm = """

        segments:
          columns:
            - column: region               # categorical or carried column
            - column: age
              bins: [25, 45, 65]           # numeric: edges; values below the first and above the last get their own bins
          min_rows: 200                    # optional
        fairness:
          attributes:
            - column: sex
              reference_group: "1"         # optional; default: the group with the highest selection rate
            - column: race
        """

    func parse(_ text: String) throws -> PipelineDefinition {
        try DefinitionLoader.parse(text: text, file: "p.yaml").definition
    }

    func error(_ text: String) -> MLAuditError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error as? MLAuditError
        }
    }

    @Test func theIssuesFormDecodesAsWritten() throws {
        let d = try parse(Self.base + Self.issueForm)
        #expect(d.segments == SegmentsSpec(
            columns: [SegmentColumnSpec(column: "region"), SegmentColumnSpec(column: "age", bins: [25, 45, 65])], minRows: 200))
        #expect(d.fairness == FairnessSpec(attributes: [
            FairnessAttributeSpec(column: "sex", referenceGroup: "1"), FairnessAttributeSpec(column: "race"),
        ]))
    }

    @Test func misspelledKeyNamesLineAndSuggestion() {
        let e = error(Self.base + Self.issueForm.replacingOccurrences(of: "reference_group", with: "referance_group"))
        #expect(e?.key == "fairness.attributes[0].referance_group")
        #expect(e?.line == 33)
        #expect(e?.hint?.hasPrefix("Did you mean 'reference_group'?") == true)
        #expect(e?.exitStatus == 2)
    }

    @Test func unknownColumnIsAnErrorWithASuggestion() {
        let e = error(Self.base + Self.issueForm.replacingOccurrences(of: "column: race", with: "column: rase"))
        #expect(e?.message == "'fairness.attributes[1].column' names 'rase', which is not a declared feature, carried column or target")
        #expect(e?.hint?.hasPrefix("Did you mean 'race'?") == true)
        #expect(e?.line == 34)
    }

    @Test func carriedColumnsMayBeSegmentsAndProtectedAttributes() throws {
        let text = Self.base.replacingOccurrences(of: "\n    - name: race\n      type: categorical", with: "")
            + "\n  carried: [race]" + Self.issueForm
        let d = try parse(text)
        #expect(d.fairness?.attributes.last?.column == "race")
        #expect(d.schema.carried == ["race"])
    }

    @Test func binsMustAscendAndApplyToNumbers() {
        let e = error(Self.base + Self.issueForm.replacingOccurrences(of: "[25, 45, 65]", with: "[45, 25]"))
        #expect(e?.key == "segments.columns[1].bins")
        let f = error(Self.base + Self.issueForm.replacingOccurrences(of: "- column: region", with: "- column: region\n      bins: [1]"))
        #expect(f?.key == "segments.columns[0].bins")
    }

    @Test func fairnessNeedsABinaryModel() {
        let e = error(Self.base.replacingOccurrences(of: "kind: binary\n    score: score", with: "kind: multiclass") + Self.issueForm)
        #expect(e?.key == "fairness")
    }

    @Test func impactRatioLevelsAreOrderedLowerIsWorse() {
        let e = error(Self.base + Self.issueForm + "\n  impact_ratio:\n    warning: 0.6\n    critical: 0.8\n")
        #expect(e?.key == "fairness.impact_ratio.critical")
        let ok = try? parse(Self.base + Self.issueForm + "\n  impact_ratio:\n    warning: 0.9\n    critical: 0.7\n  min_group_rows: 50\n")
        #expect(ok?.fairness?.impactRatio == Thresholds(warning: 0.9, critical: 0.7))
        #expect(ok?.fairness?.minGroupRows == 50)
    }

    @Test func numericBinLabels() {
        let edges: [Double] = [25, 45, 65]
        #expect(SegmentColumnSpec.binLabel(10, edges: edges) == "< 25")
        #expect(SegmentColumnSpec.binLabel(25, edges: edges) == "[25, 45)")
        #expect(SegmentColumnSpec.binLabel(64.9, edges: edges) == "[45, 65)")
        #expect(SegmentColumnSpec.binLabel(65, edges: edges) == ">= 65")
    }
}
