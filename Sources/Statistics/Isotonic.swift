// Isotonic regression as `sklearn.isotonic.IsotonicRegression(out_of_bounds="clip",
// increasing=True)`: sort by (x, y), merge duplicate x (within NumPy's float64
// resolution 1e-15 of the first x of a run) into their weighted mean, pool adjacent
// violators, drop interior points whose y equals both neighbours, and predict by linear
// interpolation (`np.interp`) after clipping to the fitted x range.

/// A fitted increasing isotonic regression (step-linear calibration map).
public struct IsotonicRegression: Sendable, Equatable {
    /// The x knots kept after fitting (sklearn `X_thresholds_`).
    public let xThresholds: [Double]
    /// The fitted y at each knot (sklearn `y_thresholds_`).
    public let yThresholds: [Double]
    /// Smallest distinct training x (sklearn `X_min_`).
    public let xMin: Double
    /// Largest distinct training x (sklearn `X_max_`).
    public let xMax: Double

    /// A fitted regression from its knots and range, as a fit made them (a stored calibrator).
    /// nil when the knots are empty or their lengths differ.
    public init?(xThresholds: [Double], yThresholds: [Double], xMin: Double, xMax: Double) {
        guard !xThresholds.isEmpty, xThresholds.count == yThresholds.count else { return nil }
        self.xThresholds = xThresholds
        self.yThresholds = yThresholds
        self.xMin = xMin
        self.xMax = xMax
    }

    /// Fits an increasing isotonic regression like sklearn `IsotonicRegression(out_of_bounds="clip").fit(x, y, sample_weight)`; nil when empty, lengths differ, or no positive weight remains. NaN is not allowed (sklearn raises).
    public init?(x: [Double], y: [Double], sampleWeight: [Double]? = nil) {
        guard x.count == y.count, !x.isEmpty else { return nil }
        if let w = sampleWeight, w.count != x.count { return nil }
        for v in x where !v.isFinite { return nil }
        for v in y where !v.isFinite { return nil }
        let weights = sampleWeight ?? [Double](repeating: 1, count: x.count)
        var idx = (0..<x.count).filter { weights[$0] > 0 }
        guard !idx.isEmpty else { return nil }
        // np.lexsort((y, X)): by x, then y, stable. A comparison sort in place: two radix passes
        // (`Sorting.stableOrder`) gave the same permutation for ~0.3 CPU s less per 1M rows but
        // held about 40 MB more at the first run's peak (issue 13, session 6).
        idx.sort { a, b in
            if x[a] != x[b] { return x[a] < x[b] }
            if y[a] != y[b] { return y[a] < y[b] }
            return a < b
        }
        // _make_unique
        let resolution = 1e-15
        var ux: [Double] = []
        var uy: [Double] = []
        var uw: [Double] = []
        var currentX = x[idx[0]]
        var currentY = 0.0
        var currentW = 0.0
        for i in idx {
            let xi = x[i]
            if xi - currentX >= resolution {
                ux.append(currentX)
                uw.append(currentW)
                uy.append(currentY / currentW)
                currentX = xi
                currentW = weights[i]
                currentY = y[i] * weights[i]
            } else {
                currentW += weights[i]
                currentY += y[i] * weights[i]
            }
        }
        ux.append(currentX)
        uw.append(currentW)
        uy.append(currentY / currentW)

        let fitted = IsotonicRegression.poolAdjacentViolators(uy, weights: uw)
        xMin = ux.min()!
        xMax = ux.max()!
        // Trim interior points whose y equals both neighbours.
        var keptX: [Double] = []
        var keptY: [Double] = []
        let n = fitted.count
        for i in 0..<n {
            if i == 0 || i == n - 1 || fitted[i] != fitted[i - 1] || fitted[i] != fitted[i + 1] {
                keptX.append(ux[i])
                keptY.append(fitted[i])
            }
        }
        xThresholds = keptX
        yThresholds = keptY
    }

    /// Weighted pool-adjacent-violators for a non-decreasing fit (sklearn `_inplace_contiguous_isotonic_regression`).
    public static func poolAdjacentViolators(_ values: [Double], weights: [Double]) -> [Double] {
        var y = values
        var w = weights
        let n = y.count
        guard n > 1 else { return y }
        var target = Array(0..<n)
        var i = 0
        while i < n {
            var k = target[i] + 1
            if k == n { break }
            if y[i] < y[k] {
                i = k
                continue
            }
            var sumWY = w[i] * y[i]
            var sumW = w[i]
            while true {
                let prevY = y[k]
                sumWY += w[k] * y[k]
                sumW += w[k]
                k = target[k] + 1
                if k == n || prevY < y[k] {
                    y[i] = sumWY / sumW
                    w[i] = sumW
                    target[i] = k - 1
                    target[k - 1] = i
                    if i > 0 {
                        i = target[i - 1]
                    }
                    break
                }
            }
        }
        i = 0
        while i < n {
            let k = target[i] + 1
            if i + 1 < k {
                for j in (i + 1)..<k { y[j] = y[i] }
            }
            i = k
        }
        return y
    }

    /// Calibrated value for `x` (clipped to [xMin, xMax], then `np.interp` over the knots); matches sklearn `predict`. NaN propagates.
    public func predict(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if xThresholds.count == 1 { return yThresholds[0] }
        let t = Swift.min(Swift.max(x, xMin), xMax)
        return IsotonicRegression.interp(t, xp: xThresholds, fp: yThresholds)
    }

    /// Calibrated values for each x; matches sklearn `predict`.
    public func predict(_ xs: [Double]) -> [Double] {
        xs.map { predict($0) }
    }

    /// `np.interp(x, xp, fp)` for increasing xp (left/right default to the end values).
    public static func interp(_ x: Double, xp: [Double], fp: [Double]) -> Double {
        let n = xp.count
        if x.isNaN { return x }
        if n == 0 { return .nan }
        if x < xp[0] { return fp[0] }
        if x > xp[n - 1] { return fp[n - 1] }
        if n == 1 { return fp[0] }
        // largest j with xp[j] <= x
        var lo = 0, hi = n - 1
        if x >= xp[n - 1] { return fp[n - 1] }
        while hi - lo > 1 {
            let mid = (lo + hi) >> 1
            if xp[mid] <= x { lo = mid } else { hi = mid }
        }
        let j = lo
        if xp[j] == x { return fp[j] }
        let slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
        var result = slope * (x - xp[j]) + fp[j]
        if result.isNaN {
            result = slope * (x - xp[j + 1]) + fp[j + 1]
            if result.isNaN && fp[j] == fp[j + 1] { result = fp[j] }
        }
        return result
    }
}

/// A stored calibrator (the compare stage keeps the baseline's): decoding checks what `predict`
/// relies on (knots present, as many y as x, finite and increasing x), so a damaged record is
/// an error, not a wrong estimate or a crash.
extension IsotonicRegression: Codable {
    enum CodingKeys: String, CodingKey { case xThresholds, yThresholds, xMin, xMax }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let xs = try c.decode([Double].self, forKey: .xThresholds), ys = try c.decode([Double].self, forKey: .yThresholds)
        let lo = try c.decode(Double.self, forKey: .xMin), hi = try c.decode(Double.self, forKey: .xMax)
        guard xs.allSatisfy(\.isFinite), zip(xs, xs.dropFirst()).allSatisfy({ $0 <= $1 }), lo.isFinite, hi.isFinite,
            let r = IsotonicRegression(xThresholds: xs, yThresholds: ys, xMin: lo, xMax: hi)
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a fitted isotonic regression"))
        }
        self = r
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(xThresholds, forKey: .xThresholds)
        try c.encode(yThresholds, forKey: .yThresholds)
        try c.encode(xMin, forKey: .xMin)
        try c.encode(xMax, forKey: .xMax)
    }
}
