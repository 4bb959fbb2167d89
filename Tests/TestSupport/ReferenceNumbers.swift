import Foundation

/// Decodes a number written by the reference scripts (scripts/reference/): JSON numbers, or
/// strings for exact decimals and the non-finite values `nan`, `inf`, `-inf`; nil for null.
public func referenceNumber(_ value: Any?) -> Double? {
    switch value {
    case let n as NSNumber: return n.doubleValue
    case let s as String:
        switch s {
        case "nan": return .nan
        case "inf": return .infinity
        case "-inf": return -.infinity
        default: return Double(s)
        }
    default: return nil
    }
}
