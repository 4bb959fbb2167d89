// Regression metrics as scikit-learn computes them. Inputs must be NaN-free (a NaN
// propagates); empty input or mismatched lengths give nil.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Namespace for regression metrics.
public enum RegressionMetrics {

    /// Mean absolute error; matches `sklearn.metrics.mean_absolute_error`.
    public static func meanAbsoluteError(yTrue: [Double], yPred: [Double]) -> Double? {
        guard yTrue.count == yPred.count, !yTrue.isEmpty else { return nil }
        return Descriptive.mean(zip(yTrue, yPred).map { abs($1 - $0) })
    }

    /// Mean squared error; matches `sklearn.metrics.mean_squared_error`.
    public static func meanSquaredError(yTrue: [Double], yPred: [Double]) -> Double? {
        guard yTrue.count == yPred.count, !yTrue.isEmpty else { return nil }
        return Descriptive.mean(zip(yTrue, yPred).map { ($0 - $1) * ($0 - $1) })
    }

    /// Root mean squared error; matches `sklearn.metrics.root_mean_squared_error`.
    public static func rootMeanSquaredError(yTrue: [Double], yPred: [Double]) -> Double? {
        meanSquaredError(yTrue: yTrue, yPred: yPred).map { $0.squareRoot() }
    }

    /// Mean absolute percentage error |ŷ - y| / max(|y|, eps) with eps = 2.22e-16 (a fraction, not a percent); matches `sklearn.metrics.mean_absolute_percentage_error`.
    public static func meanAbsolutePercentageError(yTrue: [Double], yPred: [Double]) -> Double? {
        guard yTrue.count == yPred.count, !yTrue.isEmpty else { return nil }
        let eps = Double.ulpOfOne
        return Descriptive.mean(zip(yTrue, yPred).map { abs($1 - $0) / Swift.max(abs($0), eps) })
    }

    /// Coefficient of determination; matches `sklearn.metrics.r2_score` (force_finite: 1 for a perfect fit of constant y, 0 for an imperfect one); nil for fewer than two samples (sklearn returns NaN).
    public static func r2(yTrue: [Double], yPred: [Double]) -> Double? {
        guard yTrue.count == yPred.count, yTrue.count >= 2, let mean = Descriptive.mean(yTrue) else { return nil }
        let numerator = Descriptive.sum(zip(yTrue, yPred).map { ($0 - $1) * ($0 - $1) })
        let denominator = Descriptive.sum(yTrue.map { ($0 - mean) * ($0 - mean) })
        if denominator == 0 {
            return numerator == 0 ? 1.0 : 0.0
        }
        return 1 - numerator / denominator
    }

    /// Mean error (bias) mean(ŷ - y): positive when the model over-predicts.
    public static func meanError(yTrue: [Double], yPred: [Double]) -> Double? {
        guard yTrue.count == yPred.count, !yTrue.isEmpty else { return nil }
        return Descriptive.mean(zip(yTrue, yPred).map { $1 - $0 })
    }
}
