import Dispatch

/// Maps `body` over `items` on all cores, keeping order. For CPU-bound work on independent
/// items (one column each): profile and drift use it.
public func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ body: @Sendable (T) throws -> R) rethrows -> [R] {
    if items.count <= 1 { return try items.map(body) }
    let results = UnsafeResults<R>(count: items.count)
    DispatchQueue.concurrentPerform(iterations: items.count) { i in
        results.set(i, Result { try body(items[i]) })
    }
    return try results.values.map { try $0!.get() }
}

private final class UnsafeResults<R>: @unchecked Sendable {
    var values: [Result<R, any Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<R, any Error>) {
        // Each index is written by exactly one iteration; the array is not resized.
        values.withUnsafeMutableBufferPointer { $0[i] = r }
    }
}
