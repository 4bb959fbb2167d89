// k-sample Anderson–Darling test (Scholz & Stephens 1987), as
// `scipy.stats.anderson_ksamp(samples, midrank=True)`, including scipy's interpolated,
// capped (0.25) and floored (0.001) significance level.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Namespace for the k-sample Anderson–Darling test.
public enum AndersonDarling {

    /// Standardised statistic, critical values and approximate p-value.
    public struct Result: Sendable, Equatable {
        /// Normalised k-sample statistic (A2akN - (k-1)) / sigma.
        public var statistic: Double
        /// Critical values for significance levels 25%, 10%, 5%, 2.5%, 1%, 0.5%, 0.1%.
        public var criticalValues: [Double]
        /// Interpolated significance level, capped at 0.25 and floored at 0.001 (scipy).
        public var pValue: Double
    }

    /// k-sample Anderson–Darling test (midrank variant for ties); matches `scipy.stats.anderson_ksamp(samples, midrank=True)`. NaNs dropped; nil when fewer than two samples, a sample is empty or all values are equal (scipy raises).
    public static func kSample(_ samplesIn: [[Double]]) -> Result? {
        let samples = samplesIn.map { $0.filter { !$0.isNaN }.sorted() }
        let k = samples.count
        guard k >= 2 else { return nil }
        for s in samples where s.isEmpty { return nil }
        var z = samples.flatMap { $0 }
        z.sort()
        let nTotal = z.count
        var zStar: [Double] = []
        for v in z where zStar.last != v { zStar.append(v) }
        guard zStar.count >= 2 else { return nil }
        let nD = Double(nTotal)

        // A2akN (equation 7 of Scholz & Stephens), midrank version.
        var a2akN = 0.0
        let lj: [Double]
        let bj: [Double]
        do {
            var ljTmp = [Double](repeating: 0, count: zStar.count)
            var bjTmp = [Double](repeating: 0, count: zStar.count)
            var pos = 0
            for (idx, v) in zStar.enumerated() {
                let left = pos
                while pos < nTotal && z[pos] == v { pos += 1 }
                let l = nTotal == zStar.count ? 1.0 : Double(pos - left)
                ljTmp[idx] = l
                bjTmp[idx] = Double(left) + l / 2.0
            }
            lj = ljTmp
            bj = bjTmp
        }
        for s in samples {
            let ni = Double(s.count)
            var inner = 0.0
            var right = 0
            var left = 0
            for (idx, v) in zStar.enumerated() {
                while left < s.count && s[left] < v { left += 1 }
                if right < left { right = left }
                while right < s.count && s[right] <= v { right += 1 }
                let fij = Double(right - left)
                let mij = Double(right) - fij / 2.0
                let num = nD * mij - bj[idx] * ni
                inner += lj[idx] / nD * (num * num) / (bj[idx] * (nD - bj[idx]) - nD * lj[idx] / 4.0)
            }
            a2akN += inner / ni
        }
        a2akN *= (nD - 1.0) / nD

        // Variance of the statistic under H0.
        let kD = Double(k)
        var bigH = 0.0
        for s in samples { bigH += 1.0 / Double(s.count) }
        // hs_cs = cumsum(1 / arange(N - 1, 1, -1)); h = hs_cs[-1] + 1; g = sum(hs_cs / arange(2, N))
        var hsCs: [Double] = []
        var running = 0.0
        var denominator = nTotal - 1
        while denominator > 1 {
            running += 1.0 / Double(denominator)
            hsCs.append(running)
            denominator -= 1
        }
        let h = (hsCs.last ?? 0) + 1
        var g = 0.0
        for (idx, value) in hsCs.enumerated() {
            g += value / Double(idx + 2)
        }
        let a = (4 * g - 6) * (kD - 1) + (10 - 6 * g) * bigH
        let b = (2 * g - 4) * kD * kD + 8 * h * kD + (2 * g - 14 * h - 4) * bigH - 8 * h + 4 * g - 6
        let c = (6 * h + 2 * g - 2) * kD * kD + (4 * h - 4 * g + 6) * kD + (2 * h - 6) * bigH + 4 * h
        let d = (2 * h + 6) * kD * kD - 4 * h * kD
        let sigmasq = (a * nD * nD * nD + b * nD * nD + c * nD + d) / ((nD - 1.0) * (nD - 2.0) * (nD - 3.0))
        let m = kD - 1
        let a2 = (a2akN - m) / sigmasq.squareRoot()

        let b0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085]
        let b1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615]
        let b2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154]
        let critical = (0..<7).map { b0[$0] + b1[$0] / m.squareRoot() + b2[$0] / m }
        let sig = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001]
        let p: Double
        if a2 < critical.min()! {
            p = 0.25
        } else if a2 > critical.max()! {
            p = 0.001
        } else {
            let coefficients = quadraticLeastSquares(x: critical, y: sig.map { log($0) })
            p = exp((coefficients[0] * a2 + coefficients[1]) * a2 + coefficients[2])
        }
        return Result(statistic: a2, criticalValues: critical, pValue: p)
    }

    /// Degree-2 least-squares polynomial fit (as `np.polyfit(x, y, 2)`): coefficients highest power first.
    /// Solved by Householder QR on the column-scaled Vandermonde matrix, as numpy's lstsq does in spirit.
    static func quadraticLeastSquares(x: [Double], y: [Double]) -> [Double] {
        let rows = x.count
        let cols = 3
        var a = [[Double]](repeating: [Double](repeating: 0, count: cols), count: rows)
        for i in 0..<rows {
            a[i][0] = x[i] * x[i]
            a[i][1] = x[i]
            a[i][2] = 1
        }
        var scale = [Double](repeating: 0, count: cols)
        for j in 0..<cols {
            var s = 0.0
            for i in 0..<rows { s += a[i][j] * a[i][j] }
            scale[j] = s.squareRoot()
            for i in 0..<rows { a[i][j] /= scale[j] }
        }
        var rhs = y
        // Householder QR
        for j in 0..<cols {
            var norm = 0.0
            for i in j..<rows { norm += a[i][j] * a[i][j] }
            norm = norm.squareRoot()
            let alpha = a[j][j] > 0 ? -norm : norm
            var v = [Double](repeating: 0, count: rows)
            for i in j..<rows { v[i] = a[i][j] }
            v[j] -= alpha
            var vnorm2 = 0.0
            for i in j..<rows { vnorm2 += v[i] * v[i] }
            if vnorm2 == 0 { continue }
            for jj in j..<cols {
                var dot = 0.0
                for i in j..<rows { dot += v[i] * a[i][jj] }
                let f = 2 * dot / vnorm2
                for i in j..<rows { a[i][jj] -= f * v[i] }
            }
            var dot = 0.0
            for i in j..<rows { dot += v[i] * rhs[i] }
            let f = 2 * dot / vnorm2
            for i in j..<rows { rhs[i] -= f * v[i] }
        }
        var coef = [Double](repeating: 0, count: cols)
        for j in stride(from: cols - 1, through: 0, by: -1) {
            var s = rhs[j]
            for jj in (j + 1)..<cols { s -= a[j][jj] * coef[jj] }
            coef[j] = s / a[j][j]
        }
        return (0..<cols).map { coef[$0] / scale[$0] }
    }
}
