// Special functions and the continuous distributions built on them: log-gamma, the
// regularized incomplete gamma functions, the normal and chi-square distributions.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Namespace for special functions (log-gamma, incomplete gamma, error function based).
public enum SpecialFunctions {

    /// Natural log of |Γ(x)| (reentrant C `lgamma_r`); matches `scipy.special.gammaln`.
    public static func logGamma(_ x: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }

    /// Regularized lower incomplete gamma P(a, x); matches `scipy.special.gammainc(a, x)`. NaN for a <= 0 or x < 0.
    public static func regularizedGammaP(_ a: Double, _ x: Double) -> Double {
        guard a > 0, x >= 0, !a.isNaN, !x.isNaN else { return .nan }
        if x == 0 { return 0 }
        if x.isInfinite { return 1 }
        if x < a + 1 {
            return gammaSeries(a, x)
        }
        return 1 - gammaContinuedFraction(a, x)
    }

    /// Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x); matches `scipy.special.gammaincc(a, x)`. NaN for a <= 0 or x < 0.
    public static func regularizedGammaQ(_ a: Double, _ x: Double) -> Double {
        guard a > 0, x >= 0, !a.isNaN, !x.isNaN else { return .nan }
        if x == 0 { return 1 }
        if x.isInfinite { return 0 }
        if x < a + 1 {
            return 1 - gammaSeries(a, x)
        }
        return gammaContinuedFraction(a, x)
    }

    /// log of the common prefactor x^a e^(-x) / Γ(a).
    @inline(__always)
    static func logGammaPrefactor(_ a: Double, _ x: Double) -> Double {
        a * log(x) - x - logGamma(a)
    }

    /// P(a, x) by its power series (converges quickly for x < a + 1).
    static func gammaSeries(_ a: Double, _ x: Double) -> Double {
        var ap = a
        var term = 1.0 / a
        var sum = term
        for _ in 0..<100_000 {
            ap += 1
            term *= x / ap
            sum += term
            if abs(term) < abs(sum) * Double.ulpOfOne { break }
        }
        let lp = logGammaPrefactor(a, x)
        return Swift.min(1, sum * exp(lp))
    }

    /// Q(a, x) by Lentz's continued fraction (converges quickly for x >= a + 1).
    static func gammaContinuedFraction(_ a: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        var i = 1.0
        while i < 100_000 {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < Double.ulpOfOne { break }
            i += 1
        }
        let lp = logGammaPrefactor(a, x)
        return Swift.max(0, Swift.min(1, exp(lp) * h))
    }
}

/// Namespace for continuous distribution functions (normal, chi-square).
public enum Distributions {

    /// Standard normal CDF Φ(x), evaluated as cephes `ndtr` (`scipy.stats.norm.cdf` / `scipy.special.ndtr`).
    public static func normalCDF(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        let sqrt1_2 = 0.70710678118654752440
        let x2 = x * sqrt1_2
        let z = abs(x2)
        var y: Double
        if z < sqrt1_2 {
            y = 0.5 + 0.5 * erf(x2)
        } else {
            y = 0.5 * erfc(z)
            if x2 > 0 { y = 1.0 - y }
        }
        return y
    }

    /// Standard normal survival function 1 − Φ(x) without cancellation; matches `scipy.stats.norm.sf`.
    public static func normalSF(_ x: Double) -> Double {
        normalCDF(-x)
    }

    /// Chi-square survival function with `dof` degrees of freedom; matches `scipy.stats.chi2.sf(x, dof)` (= `chdtrc`). NaN for dof <= 0.
    public static func chiSquareSF(_ x: Double, dof: Double) -> Double {
        guard dof > 0 else { return .nan }
        if x < 0 { return 1 }
        return SpecialFunctions.regularizedGammaQ(dof / 2, x / 2)
    }

    /// Chi-square CDF with `dof` degrees of freedom; matches `scipy.stats.chi2.cdf(x, dof)` (= `chdtr`). NaN for dof <= 0.
    public static func chiSquareCDF(_ x: Double, dof: Double) -> Double {
        guard dof > 0 else { return .nan }
        if x < 0 { return 0 }
        return SpecialFunctions.regularizedGammaP(dof / 2, x / 2)
    }
}
