import Foundation
import Statistics
import Testing

@Suite("Isotonic calibration and CBPE")
struct CalibrationTests {

    /// Isotonic cases: the sklearn docstring example, ties in x, sample weights (incl. a zero
    /// weight), a single point, constant x, already-increasing data, and a 3000-row calibration
    /// with heavily repeated x; predictions include out-of-range x (clipped).
    @Test("IsotonicRegression fit thresholds and predictions against scikit-learn")
    func isotonic() throws {
        let ref = try Reference.load("calibration")
        for c in Reference.cases(ref, "isotonic") {
            let name = c["name"] as? String ?? "?"
            let w: [Double]? = c["w"] is NSNull ? nil : numbers(c["w"])
            let model = try #require(IsotonicRegression(x: numbers(c["x"]), y: numbers(c["y"]), sampleWeight: w), "\(name)")
            #expect(allClose(model.xThresholds, numbers(c["x_thresholds"]), rel: 0, abs: 0), "x thresholds \(name)")
            #expect(allClose(model.yThresholds, numbers(c["y_thresholds"]), rel: 1e-12), "y thresholds \(name)")
            #expect(allClose(model.predict(numbers(c["test_x"])), numbers(c["predict"]), rel: 1e-12), "predict \(name)")
        }
        #expect(IsotonicRegression(x: [], y: []) == nil)
        #expect(IsotonicRegression(x: [1, 2], y: [1]) == nil)
        #expect(IsotonicRegression(x: [1, 2], y: [1, 2], sampleWeight: [0, 0]) == nil)
    }

    /// A stored calibrator (JSON) predicts bit for bit as the fitted one; a damaged record
    /// (knots of different lengths, decreasing or non-finite x) does not decode.
    @Test func storedCalibratorRoundTripsExactly() throws {
        let x = (0..<500).map { Double(($0 * 37) % 101) / 100 }, y = (0..<500).map { Double(($0 * 7) % 3 == 0 ? 1 : 0) }
        let model = try #require(IsotonicRegression(x: x, y: y))
        let back = try JSONDecoder().decode(IsotonicRegression.self, from: JSONEncoder().encode(model))
        #expect(back == model)
        for v in stride(from: -0.1, through: 1.1, by: 0.013) { #expect(back.predict(v).bitPattern == model.predict(v).bitPattern) }
        for damaged in [
            #"{"xThresholds":[0,1],"yThresholds":[0],"xMin":0,"xMax":1}"#,
            #"{"xThresholds":[1,0],"yThresholds":[0,1],"xMin":0,"xMax":1}"#,
            #"{"xThresholds":[],"yThresholds":[],"xMin":0,"xMax":1}"#,
            #"{"xThresholds":[0,1],"yThresholds":[0,1],"xMin":0}"#,
        ] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(IsotonicRegression.self, from: Data(damaged.utf8)) }
        }
    }

    /// CBPE cases: calibrate on reference (isotonic), estimate on analysis data with thresholds
    /// 0.5 and 0.3 and a shifted score distribution; degenerate: every calibrated probability 1
    /// (estimated ROC AUC undefined) and tied uncalibrated scores.
    @Test("CBPE estimated confusion matrix, metrics and ROC AUC against NannyML's formulas")
    func cbpe() throws {
        let ref = try Reference.load("calibration")
        for c in Reference.cases(ref, "cbpe") {
            let name = c["name"] as? String ?? "?"
            let scores = numbers(c["analysis_scores"])
            var calibrated = numbers(c["calibrated"])
            if c["reference_scores"] != nil {
                let model = try #require(CBPE.fitCalibrator(referenceScores: numbers(c["reference_scores"]),
                                                            referenceLabels: integers(c["reference_labels"])))
                let mine = model.predict(scores)
                #expect(allClose(mine, calibrated, rel: 1e-12), "calibration \(name)")
                calibrated = mine
            }
            let threshold = number(c["threshold"]) ?? 0.5
            let e = try #require(CBPE.estimate(calibratedProbabilities: calibrated, uncalibratedScores: scores,
                                               threshold: threshold))
            #expect(close(e.tp, number(c["tp"]), rel: 1e-9), "tp \(name)")
            #expect(close(e.fp, number(c["fp"]), rel: 1e-9), "fp \(name)")
            #expect(close(e.fn, number(c["fn"]), rel: 1e-9), "fn \(name)")
            #expect(close(e.tn, number(c["tn"]), rel: 1e-9), "tn \(name)")
            #expect(close(e.accuracy, number(c["accuracy"])), "accuracy \(name)")
            #expect(close(e.precision, number(c["precision"])), "precision \(name)")
            #expect(close(e.recall, number(c["recall"])), "recall \(name)")
            #expect(close(e.f1, number(c["f1"])), "f1 \(name)")
            #expect(close(e.specificity, number(c["specificity"])), "specificity \(name)")
            let auc = CBPE.estimatedROCAUC(calibratedProbabilities: calibrated, uncalibratedScores: scores)
            #expect(close(auc, number(c["roc_auc"])), "estimated auc \(name): \(String(describing: auc))")
        }
        #expect(CBPE.estimate(calibratedProbabilities: [], predictedLabels: []) == nil)
    }
}
