// Quantiles with NumPy's default method ("linear", Hyndman & Fan type 7).
//
// Input must be sorted ascending and NaN-free (callers sort once and ask for many
// quantiles). The arithmetic is the same, operation for operation, as NumPy 2.x
// `_quantile` + `_lerp`, so results are identical to the last bit.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Namespace for quantiles and medians.
public enum Quantiles {

    /// The q-quantile (0 <= q <= 1) of `sorted`, bit-identical to `np.quantile(x, q)` (method "linear"); nil when empty or q is outside [0, 1] or NaN.
    public static func quantile(sorted: [Double], _ q: Double) -> Double? {
        let n = sorted.count
        guard n > 0, q >= 0, q <= 1 else { return nil }
        // virtual index = (n - 1) * q, as NumPy's 'linear' method.
        let virtualIndex = Double(n - 1) * q
        let previousFloor = virtualIndex.rounded(.down)
        let previous: Int
        let next: Int
        let gammaBase: Double
        if virtualIndex >= Double(n - 1) {
            // NumPy points both neighbours at the last element (index -1).
            previous = n - 1
            next = n - 1
            gammaBase = -1
        } else {
            previous = Int(previousFloor)
            next = previous + 1
            gammaBase = previousFloor
        }
        let gamma = virtualIndex - gammaBase
        return lerp(sorted[previous], sorted[next], gamma)
    }

    /// Quantiles of `sorted` for each q in `qs`, bit-identical to `np.quantile(x, qs)`; nil when empty or any q is invalid.
    public static func quantiles(sorted: [Double], _ qs: [Double]) -> [Double]? {
        var out: [Double] = []
        out.reserveCapacity(qs.count)
        for q in qs {
            guard let v = quantile(sorted: sorted, q) else { return nil }
            out.append(v)
        }
        return out
    }

    /// Median of `sorted`, bit-identical to `np.median(x)`; nil when empty.
    public static func median(sorted: [Double]) -> Double? {
        let n = sorted.count
        guard n > 0 else { return nil }
        if n % 2 == 1 { return sorted[n / 2] }
        // np.median averages the two middle values with np.mean: (a + b) / 2.
        return (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /// NumPy `_lerp`: `a + (b-a)*t` for t < 0.5, else `b - (b-a)*(1-t)`.
    @inline(__always)
    static func lerp(_ a: Double, _ b: Double, _ t: Double) -> Double {
        let diff = b - a
        if t >= 0.5 {
            return b - diff * (1 - t)
        }
        return a + diff * t
    }
}
