// Kolmogorov distributions: the limiting distribution of sqrt(n)·D_n (scipy `kstwobign`,
// `scipy.special.kolmogorov`), the one-sided Smirnov distribution (`scipy.special.smirnov`),
// and the exact finite-n two-sided distribution (scipy `kstwo`, `_ksstats._kolmogn`) with
// scipy's method selection (Simard & L'Ecuyer 2011): Ruben–Gambino closed forms, the
// Durbin matrix algorithm (Marsaglia–Tsang–Wang), the Pomeranz recursion, 2·Smirnov, and
// the Pelz–Good asymptotic series.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Namespace for the Kolmogorov / Smirnov distributions.
public enum Kolmogorov {

    // MARK: Limiting distribution (kstwobign)

    /// Survival function of the limiting Kolmogorov distribution K(x); matches `scipy.stats.kstwobign.sf(x)` (`scipy.special.kolmogorov`).
    public static func limitingSF(_ x: Double) -> Double {
        limiting(x).sf
    }

    /// CDF of the limiting Kolmogorov distribution; matches `scipy.stats.kstwobign.cdf(x)` (`scipy.special.kolmogc`).
    public static func limitingCDF(_ x: Double) -> Double {
        limiting(x).cdf
    }

    /// Port of xsf `_kolmogorov`: both tails of the limiting distribution.
    static func limiting(_ x: Double) -> (sf: Double, cdf: Double) {
        if x.isNaN { return (.nan, .nan) }
        if x <= 0 { return (1, 0) }
        // exp() of anything below -746 is 0: x <= 0.040611972203751713
        if x <= Double.pi / (746.0 * 8).squareRoot() { return (1, 0) }
        var sf: Double
        var cdf: Double
        if x <= 0.82 {
            let w = (2 * Double.pi).squareRoot() / x
            let logu8 = -Double.pi * Double.pi / (x * x)
            let u = exp(logu8 / 8)
            var p = 1.0
            if u == 0 {
                p = exp(logu8 / 8 + log(w))
            } else {
                let u8 = exp(logu8)
                let u8cub = pow(u8, 3)
                p = 1 + u8cub * p
                p = 1 + u8 * u8 * p
                p = 1 + u8 * p
                p = w * u * p
            }
            cdf = p
            sf = 1 - p
        } else {
            let logv = -2 * x * x
            let v = exp(logv)
            let vsq = v * v
            let v3 = pow(v, 3)
            var p = 1.0
            var vpwr = v3 * v3 * v
            p = 1 - vpwr * p
            vpwr = v3 * vsq
            p = 1 - vpwr * p
            vpwr = v3
            p = 1 - vpwr * p
            p = 2 * v * p
            sf = p
            cdf = 1 - sf
        }
        cdf = clip01(cdf)
        sf = clip01(sf)
        return (sf, cdf)
    }

    // MARK: One-sided Smirnov distribution

    /// Survival function P(D_n^+ >= x) of the one-sided statistic; matches `scipy.special.smirnov(n, x)`.
    public static func smirnovSF(n: Int, _ x: Double) -> Double {
        smirnov(n: n, x: x).sf
    }

    /// CDF P(D_n^+ < x) of the one-sided statistic; matches `scipy.special.smirnovc(n, x)`.
    public static func smirnovCDF(n: Int, _ x: Double) -> Double {
        smirnov(n: n, x: x).cdf
    }

    /// Port of xsf `_smirnov` (Birnbaum–Tingey / Smirnov sums). The double-double arithmetic
    /// of the original is replaced by log-space terms with an exactly split n·x, which keeps
    /// ~1e-10 relative accuracy up to n = 10^6.
    static func smirnov(n: Int, x: Double) -> (sf: Double, cdf: Double) {
        guard n > 0, x >= 0, x <= 1 else { return (.nan, .nan) }
        if n == 1 { return (1 - x, x) }
        if x == 0 { return (1, 0) }
        if x == 1 { return (0, 1) }
        let nD = Double(n)
        // floor(n*x) and its remainder, exactly (scipy modNX).
        let nxHi = nD * x
        let nxLo = fma(nD, x, -nxHi)
        var nxFloorD = nxHi.rounded(.down)
        var alpha = (nxHi - nxFloorD) + nxLo
        if alpha < 0 { nxFloorD -= 1; alpha += 1 }
        if alpha >= 1 { nxFloorD += 1; alpha -= 1 }
        let nxfl = Int(nxFloorD)
        let nx = nxHi
        var n1mxfl = n - nxfl - (alpha == 0 ? 0 : 1)
        var n1mxceil = n - nxfl
        if alpha == 0 {
            n1mxfl -= 1
            n1mxceil += 1
        }
        _ = nx
        // x <= 1/n
        if nxfl == 0 || (nxfl == 1 && alpha == 0) {
            let t = exp(Double(n - 1) * log1p(x))
            let cdf = x * t
            return (1 - cdf, cdf)
        }
        // The sf underflows.
        let minLog = -7.451332191019412076235e2
        if -2 * nD * x * x < minLog { return (0, 1) }
        // x >= 1 - 1/n
        if nxfl >= n - 1 {
            let sf = exp(nD * log1p(-x))
            return (sf, 1 - sf)
        }
        if n > 1_000_000 {
            let logp = -pow(6.0 * nD * x + 1, 2) / 18.0 / nD
            if logp < -M_LN2 {
                let sf = exp(logp)
                return (sf, 1 - sf)
            }
            let cdf = -expm1(logp)
            return (1 - cdf, cdf)
        }
        let nUpperTerms = n - n1mxceil + 1
        var useUpperSum = nUpperTerms <= 1 && x < 0.5
        useUpperSum = useUpperSum || (n >= 10 && nUpperTerms <= 3 && x <= 0.5 / nD.squareRoot())

        var start = 0
        var step = 1
        var nTerms = n1mxfl + 1
        var aj: Double
        if useUpperSum {
            start = n
            step = -1
            nTerms = n - n1mxceil + 1
            aj = exp(Double(n - 1) * log1p(x))
        } else {
            aj = exp(nD * log1p(-x)) / x
        }
        var ajSum = aj
        // Binomial coefficient C(n, j) kept as mantissa * 2^exponent.
        var cMan = 1.0
        var cExp = 0
        func updateBinomial(_ j: Int) {
            let r = cMan * (Double(n - j) / Double(j + 1))
            let e = r.exponent + 1
            cMan = r / pow(2.0, Double(e))  // exact: scaling by a power of two
            cExp += e
        }
        updateBinomial(0)
        let vmid = n / 2
        var j = 1
        while j < nTerms {
            let v = start + j * step
            // A_v = C(n,v) * (x + v/n)^(v-1) * (1 - x - v/n)^(n-v)
            let vD = Double(v)
            let t1x = ((vD + nxHi) + nxLo) / nD
            let t2x = (((nD - vD) - nxHi) - nxLo) / nD
            var logAbs = log(cMan) + Double(cExp) * M_LN2 + Double(v - 1) * log(t1x)
            var sign = 1.0
            if n - v > 0 {
                if t2x == 0 {
                    logAbs = -.infinity
                } else {
                    logAbs += Double(n - v) * log(abs(t2x))
                    if t2x < 0 && (n - v) % 2 == 1 { sign = -1 }
                }
            }
            aj = sign * exp(logAbs)
            if aj.isFinite && aj != 0 {
                ajSum += aj
            }
            if aj != 0 {
                if 4 * Double(nTerms - j) * abs(aj) < Double.ulpOfOne * ajSum && j != nTerms - 1 {
                    break
                }
            } else if j > vmid {
                break
            }
            updateBinomial(j)
            j += 1
        }
        let prob = x * ajSum
        var sf: Double
        var cdf: Double
        if step < 0 {
            cdf = prob
            sf = 1 - prob
        } else {
            cdf = 1 - prob
            sf = prob
        }
        cdf = clip01(cdf)
        sf = clip01(sf)
        return (sf, cdf)
    }

    // MARK: Exact finite-n two-sided distribution (kstwo)

    /// Survival function P(D_n >= d) of the two-sided one-sample statistic; matches `scipy.stats.kstwo.sf(d, n)` (`_kolmogn(n, d, cdf=False)`).
    public static func sf(_ d: Double, n: Int) -> Double {
        kolmogn(n: n, x: d, cdf: false)
    }

    /// CDF P(D_n <= d) of the two-sided one-sample statistic; matches `scipy.stats.kstwo.cdf(d, n)` (`_kolmogn(n, d, cdf=True)`).
    public static func cdf(_ d: Double, n: Int) -> Double {
        kolmogn(n: n, x: d, cdf: true)
    }

    @inline(__always)
    static func clip01(_ p: Double) -> Double {
        if p.isNaN { return p }
        return Swift.min(1, Swift.max(0, p))
    }

    @inline(__always)
    static func select(_ cdfProb: Double, _ sfProb: Double, _ cdf: Bool) -> Double {
        clip01(cdf ? cdfProb : sfProb)
    }

    /// Port of scipy `_ksstats._kolmogn` with its method selection.
    static func kolmogn(n: Int, x: Double, cdf: Bool) -> Double {
        if n <= 0 || x.isNaN { return .nan }
        if x >= 1.0 { return select(1.0, 0.0, cdf) }
        if x <= 0.0 { return select(0.0, 1.0, cdf) }
        let nD = Double(n)
        let t = nD * x
        if t <= 1.0 {  // Ruben–Gambino: 1/2n <= x <= 1/n
            if t <= 0.5 { return select(0.0, 1.0, cdf) }
            var prob: Double
            if n <= 140 {
                prob = 1.0
                let inv = 1.0 / nD
                for i in 1...n {
                    prob *= (Double(i) * inv) * (2 * t - 1)
                }
            } else {
                prob = exp(logNFactorialDivNPowN(n) + nD * log(2 * t - 1))
            }
            return select(prob, 1.0 - prob, cdf)
        }
        if t >= nD - 1 {  // Ruben–Gambino
            let prob = 2 * pow(1.0 - x, nD)
            return select(1 - prob, prob, cdf)
        }
        if x >= 0.5 {  // exact: 2 * smirnov
            let prob = 2 * smirnov(n: n, x: x).sf
            return select(1.0 - prob, prob, cdf)
        }
        let nxSquared = t * x
        if n <= 140 {
            if nxSquared <= 0.754693 {
                let prob = durbinMTW(n: n, d: x)
                return select(prob, 1.0 - prob, cdf)
            }
            if nxSquared <= 4 {
                let prob = pomeranz(n: n, x: x)
                return select(prob, 1.0 - prob, cdf)
            }
            let prob = 2 * smirnov(n: n, x: x).sf
            return select(1.0 - prob, prob, cdf)
        }
        if !cdf {
            if nxSquared >= 370.0 { return 0.0 }
            if nxSquared >= 2.2 {
                return clip01(2 * smirnov(n: n, x: x).sf)
            }
        }
        let cdfProb: Double
        if nxSquared >= 18.0 {
            cdfProb = 1.0
        } else if n <= 100_000 && nD * pow(x, 1.5) <= 1.4 {
            cdfProb = durbinMTW(n: n, d: x)
        } else {
            cdfProb = pelzGood(n: n, x: x)
        }
        return select(cdfProb, 1.0 - cdfProb, cdf)
    }

    /// log(n! / n^n) by Stirling's series (scipy `_log_nfactorial_div_n_pow_n`).
    static func logNFactorialDivNPowN(_ n: Int) -> Double {
        let coeffs: [Double] = [-2.955065359477124183e-2, 6.4102564102564102564e-3,
                                -1.9175269175269175269e-3, 8.4175084175084175084e-4,
                                -5.952380952380952381e-4, 7.9365079365079365079e-4,
                                -2.7777777777777777778e-3, 8.3333333333333333333e-2]
        let nD = Double(n)
        let rn = 1.0 / nD
        let z = rn / nD
        var poly = 0.0
        for c in coeffs { poly = poly * z + c }
        return log(nD) / 2 - nD + log(2 * Double.pi) / 2 + rn * poly
    }

    /// Pr(D_n <= d) by the Durbin matrix algorithm, Marsaglia–Tsang–Wang form (scipy `_kolmogn_DMTW`).
    static func durbinMTW(n: Int, d: Double) -> Double {
        if d >= 1.0 { return 1.0 }
        let nD = Double(n)
        let nd = nD * d
        if nd <= 0.5 { return 0.0 }
        let k = Int(nd.rounded(.up))
        let h = Double(k) - nd
        let m = 2 * k - 1

        var v = [Double](repeating: 0, count: m)
        var w = [Double](repeating: 0, count: m)
        var fac = 1.0
        for j in 1...m {
            v[j - 1] = 1.0 - pow(h, Double(j))
            w[j - 1] = fac
            fac /= Double(j)
            v[j - 1] *= fac
        }
        let tt = pow(Swift.max(2 * h - 1.0, 0), Double(m)) - 2 * pow(h, Double(m))
        v[m - 1] = (1.0 + tt) * fac

        var hMat = SquareMatrix(size: m)
        for i in 1..<m {
            for r in (i - 1)..<m {
                hMat[r, i] = w[r - (i - 1)]
            }
        }
        for r in 0..<m { hMat[r, 0] = v[r] }
        for c in 0..<m { hMat[m - 1, c] = v[m - 1 - c] }

        var hPower = SquareMatrix.identity(size: m)
        var nn = n
        var expnt = 0
        var hExpnt = 0
        let ep128 = 0x1p128
        let em128 = 0x1p-128
        while nn > 0 {
            if nn % 2 == 1 {
                hPower = hPower.multiplied(by: hMat)
                expnt += hExpnt
            }
            hMat = hMat.multiplied(by: hMat)
            hExpnt *= 2
            if abs(hMat[k - 1, k - 1]) > ep128 {
                hMat.scale(by: em128)
                hExpnt += 128
            }
            nn /= 2
        }
        var p = hPower[k - 1, k - 1]
        for i in 1...n {
            p = Double(i) * p / nD
            if abs(p) < em128 {
                p *= ep128
                expnt -= 128
            }
        }
        if expnt != 0 { p = scalbn(p, Int32(expnt)) }
        return clip01(p)
    }

    /// Python-style slice `array[start:stop]` (negative indices wrap, bounds clamp).
    private static func pySlice(_ a: [Double], _ start: Int, _ stop: Int) -> ArraySlice<Double> {
        let n = a.count
        var s = start < 0 ? start + n : start
        var e = stop < 0 ? stop + n : stop
        s = Swift.min(Swift.max(s, 0), n)
        e = Swift.min(Swift.max(e, 0), n)
        if e < s { e = s }
        return a[s..<e]
    }

    /// Endpoints of the interval for row i of the Pomeranz recursion (scipy `_pomeranz_compute_j1j2`).
    private static func pomeranzJ1J2(_ i: Int, _ n: Int, _ ll: Int, _ ceilf: Int, _ roundf: Int) -> (Int, Int) {
        var j1: Int
        var j2: Int
        if i == 0 {
            j1 = -ll - ceilf - 1
            j2 = ll + ceilf - 1
        } else {
            let ip1div2 = (i + 1) / 2
            let ip1mod2 = (i + 1) % 2
            if ip1mod2 == 0 {
                if ip1div2 == n + 1 {
                    j1 = n - ll - ceilf - 1
                    j2 = n + ll + ceilf - 1
                } else {
                    j1 = ip1div2 - 1 - ll - roundf - 1
                    j2 = ip1div2 + ll - 1 + ceilf - 1
                }
            } else {
                j1 = ip1div2 - 1 - ll - 1
                j2 = ip1div2 + ll + roundf - 1
            }
        }
        return (Swift.max(j1 + 2, 0), Swift.min(j2, n))
    }

    /// Pr(D_n <= x) by the Pomeranz recursion (scipy `_kolmogn_Pomeranz`).
    static func pomeranz(n: Int, x: Double) -> Double {
        let nD = Double(n)
        let t = nD * x
        let ll = Int(t.rounded(.down))
        let f = 1.0 * (t - Double(ll))
        let g = Swift.min(f, 1.0 - f)
        let ceilf = f > 0 ? 1 : 0
        let roundf = f > 0.5 ? 1 : 0
        let npwrs = 2 * (ll + 1)
        var gpower = [Double](repeating: 0, count: npwrs)
        var twogpower = [Double](repeating: 0, count: npwrs)
        var onem2gpower = [Double](repeating: 0, count: npwrs)
        gpower[0] = 1.0
        twogpower[0] = 1.0
        onem2gpower[0] = 1.0
        var expnt = 0
        let gOverN = g / nD
        let twoGOverN = 2 * g / nD
        let oneMinusTwoGOverN = (1 - 2 * g) / nD
        for m in 1..<npwrs {
            gpower[m] = gpower[m - 1] * gOverN / Double(m)
            twogpower[m] = twogpower[m - 1] * twoGOverN / Double(m)
            onem2gpower[m] = onem2gpower[m - 1] * oneMinusTwoGOverN / Double(m)
        }
        var v0 = [Double](repeating: 0, count: npwrs)
        var v1 = [Double](repeating: 0, count: npwrs)
        v1[0] = 1
        var v0s = 0
        var v1s = 0
        let ep128 = 0x1p128
        let em128 = 0x1p-128
        var (j1, j2) = pomeranzJ1J2(0, n, ll, ceilf, roundf)
        for i in 1..<(2 * n + 2) {
            let k1 = j1
            swap(&v0, &v1)
            swap(&v0s, &v1s)
            for idx in 0..<npwrs { v1[idx] = 0 }
            (j1, j2) = pomeranzJ1J2(i, n, ll, ceilf, roundf)
            let pwrs = (i == 1 || i == 2 * n + 1) ? gpower : (i % 2 == 1 ? twogpower : onem2gpower)
            let ln2 = j2 - k1 + 1
            if ln2 > 0 {
                let a = Array(pySlice(v0, k1 - v0s, k1 - v0s + ln2))
                let b = Array(pySlice(pwrs, 0, ln2))
                // full convolution (np.convolve)
                var conv = [Double](repeating: 0, count: Swift.max(a.count + b.count - 1, 0))
                for (ia, av) in a.enumerated() where av != 0 {
                    for (ib, bv) in b.enumerated() {
                        conv[ia + ib] += av * bv
                    }
                }
                let convStart = j1 - k1
                let convLen = j2 - j1 + 1
                let piece = pySlice(conv, convStart, convStart + convLen)
                var idx = 0
                for value in piece where idx < npwrs {
                    v1[idx] = value
                    idx += 1
                }
                var maxV = -Double.infinity
                for value in v1 where value > maxV { maxV = value }
                if maxV > 0 && maxV < em128 {
                    for idx in 0..<npwrs { v1[idx] *= ep128 }
                    expnt -= 128
                }
                v1s = v0s + j1 - k1
            }
        }
        let index = n - v1s
        var ans = (index >= 0 && index < npwrs) ? v1[index] : 0
        for m in 1...n {
            if abs(ans) > ep128 {
                ans *= em128
                expnt += 128
            }
            ans *= Double(m)
        }
        if expnt != 0 { ans = scalbn(ans, Int32(expnt)) }
        return clip01(ans)
    }

    /// Pelz–Good approximation to Pr(D_n <= x) (scipy `_kolmogn_PelzGood`).
    static func pelzGood(n: Int, x: Double) -> Double {
        if x <= 0.0 { return 0.0 }
        if x >= 1.0 { return 1.0 }
        let nD = Double(n)
        let piSquared = pow(Double.pi, 2)
        let piFour = pow(Double.pi, 4)
        let piSix = pow(Double.pi, 6)
        let sqrt2pi = (2 * Double.pi).squareRoot()
        let z = nD.squareRoot() * x
        let zsquared = pow(z, 2), zthree = pow(z, 3), zfour = pow(z, 4), zsix = pow(z, 6)
        let qlog = -piSquared / 8 / zsquared
        if qlog < -708 { return 0.0 }
        var q = exp(qlog)

        let k1a = -zsquared
        let k1b = piSquared / 4
        let k2a = 6 * zsix + 2 * zfour
        let k2b = (2 * zfour - 5 * zsquared) * piSquared / 4
        let k2c = piFour * (1 - 2 * zsquared) / 16
        let k3d = piSix * (5 - 30 * zsquared) / 64
        let k3c = piFour * (-60 * zsquared + 212 * zfour) / 16
        let k3b = piSquared * (135 * zfour - 96 * zsix) / 4
        let k3a = -30 * zsix - 90 * pow(z, 8)

        var k0to3 = [0.0, 0.0, 0.0, 0.0]
        let maxk = Int((16 * z / Double.pi).rounded(.up))
        if maxk >= 1 {
            for k in stride(from: maxk, through: 1, by: -1) {
                let m = 2 * k - 1
                let msquared = Double(m * m)
                let mfour = Double(m * m) * Double(m * m)
                let msix = mfour * Double(m * m)
                let qpower = pow(q, Double(8 * k))
                let coeffs = [1.0,
                              k1a + k1b * msquared,
                              k2a + k2b * msquared + k2c * mfour,
                              k3a + k3b * msquared + k3c * mfour + k3d * msix]
                for i in 0..<4 {
                    k0to3[i] *= qpower
                    k0to3[i] += coeffs[i]
                }
            }
        }
        let denominators = [z, 6 * zfour, 72 * pow(z, 7), 6480 * pow(z, 10)]
        for i in 0..<4 {
            k0to3[i] *= q
            k0to3[i] *= sqrt2pi
            k0to3[i] /= denominators[i]
        }
        q = exp(-piSquared / 2 / zsquared)
        let sqrt3z = 3.0.squareRoot() * z
        var k2extra = 0.0
        var k3extra = 0.0
        if maxk >= 1 {
            for k in stride(from: maxk, through: 1, by: -1) {
                let ksquared = Double(k * k)
                let kspi = Double.pi * Double(k)
                let qpwer = pow(q, ksquared)
                k2extra += ksquared * qpwer
                k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksquared * qpwer
            }
        }
        k2extra *= piSquared * sqrt2pi / (-36 * zthree)
        k0to3[2] += k2extra
        k3extra *= piSquared * sqrt2pi / (216 * zsix)
        k0to3[3] += k3extra
        for i in 0..<4 {
            k0to3[i] /= pow(nD, Double(i) / 2.0)
        }
        return k0to3[0] + k0to3[1] + k0to3[2] + k0to3[3]
    }
}

/// Small dense row-major square matrix used by the Durbin algorithm.
struct SquareMatrix {
    let size: Int
    var storage: [Double]

    init(size: Int) {
        self.size = size
        self.storage = [Double](repeating: 0, count: size * size)
    }

    static func identity(size: Int) -> SquareMatrix {
        var m = SquareMatrix(size: size)
        for i in 0..<size { m[i, i] = 1 }
        return m
    }

    subscript(_ r: Int, _ c: Int) -> Double {
        get { storage[r * size + c] }
        set { storage[r * size + c] = newValue }
    }

    mutating func scale(by factor: Double) {
        for i in 0..<storage.count { storage[i] *= factor }
    }

    func multiplied(by other: SquareMatrix) -> SquareMatrix {
        let n = size
        var result = SquareMatrix(size: n)
        storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                result.storage.withUnsafeMutableBufferPointer { c in
                    for i in 0..<n {
                        let rowC = i * n
                        for k in 0..<n {
                            let aik = a[i * n + k]
                            if aik == 0 { continue }
                            let rowB = k * n
                            for j in 0..<n {
                                c[rowC + j] += aik * b[rowB + j]
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}
