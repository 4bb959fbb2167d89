import Foundation
import Warehouse

/// How a typed value is held in a batch slot (the seam's `RowSlotKind`: the row writer reads
/// the slots as they are).
typealias SlotKind = RowSlotKind

/// A bounded batch of typed rows, filled by the parser thread and inserted by the writer
/// thread. Storage is preallocated and reused: no per-field allocation, no `String`.
///
/// Slots are row-major (`row * columns + column`). Text bytes (categoricals, text, canonical
/// timestamps, the JSON of undeclared columns) live in one arena.
final class RowBatch: @unchecked Sendable {
    let columns: Int
    let rowCapacity: Int
    private(set) var rows = 0
    let kinds: UnsafeMutablePointer<UInt8>
    let payloads: UnsafeMutablePointer<Int64>
    let lengths: UnsafeMutablePointer<Int32>
    let lines: UnsafeMutablePointer<Int>
    /// Per row: arena offset of the undeclared columns' JSON object, or -1.
    let extraOffsets: UnsafeMutablePointer<Int>
    let extraLengths: UnsafeMutablePointer<Int32>
    private(set) var arena: UnsafeMutableRawPointer
    private(set) var arenaCapacity: Int
    private(set) var arenaCount = 0
    /// Rows set aside in this batch (inserted with it).
    var quarantined: [QuarantinedRow] = []
    /// Part index and bytes of the part file consumed when the batch was sent (for progress).
    var partIndex = 0
    var fileBytesDone = 0
    /// Arena size past which the batch is sent early (huge fields or very wide rows).
    static let arenaSoftLimit = 8 << 20

    init(columns: Int) {
        self.columns = columns
        rowCapacity = max(1, min(4096, (1 << 17) / max(columns, 1)))
        let slots = rowCapacity * max(columns, 1)
        kinds = .allocate(capacity: slots)
        payloads = .allocate(capacity: slots)
        lengths = .allocate(capacity: slots)
        lines = .allocate(capacity: rowCapacity)
        extraOffsets = .allocate(capacity: rowCapacity)
        extraLengths = .allocate(capacity: rowCapacity)
        arenaCapacity = 1 << 20
        arena = .allocate(byteCount: arenaCapacity, alignment: 16)
    }

    deinit {
        kinds.deallocate()
        payloads.deallocate()
        lengths.deallocate()
        lines.deallocate()
        extraOffsets.deallocate()
        extraLengths.deallocate()
        arena.deallocate()
    }

    var isFull: Bool { rows == rowCapacity || arenaCount >= Self.arenaSoftLimit }
    var isEmpty: Bool { rows == 0 && quarantined.isEmpty }

    /// Empties the batch for reuse; an arena grown for a giant record is shrunk back.
    func reset() {
        rows = 0
        arenaCount = 0
        quarantined.removeAll(keepingCapacity: true)
        if arenaCapacity > 4 * Self.arenaSoftLimit {
            arena.deallocate()
            arenaCapacity = 1 << 20
            arena = .allocate(byteCount: arenaCapacity, alignment: 16)
        }
    }

    // MARK: Writing (parser thread)

    /// Where the row being built starts in the arena (to roll back a rejected row).
    @inline(__always) var arenaMark: Int { arenaCount }
    @inline(__always) func rollback(arenaTo mark: Int) { arenaCount = mark }

    @inline(__always) func slot(_ column: Int) -> Int { rows * columns + column }

    @inline(__always) func setNull(_ column: Int) { kinds[slot(column)] = SlotKind.null.rawValue }

    @inline(__always) func set(_ column: Int, int v: Int64) {
        let s = slot(column)
        kinds[s] = SlotKind.integer.rawValue
        payloads[s] = v
    }

    @inline(__always) func set(_ column: Int, double v: Double) {
        let s = slot(column)
        if v.isNaN {
            kinds[s] = SlotKind.nan.rawValue
        } else {
            kinds[s] = SlotKind.double.rawValue
            payloads[s] = Int64(bitPattern: v.bitPattern)
        }
    }

    /// Copies text bytes into the arena.
    @inline(__always) func set(_ column: Int, text bytes: UnsafeRawBufferPointer) {
        let offset = append(bytes)
        let s = slot(column)
        kinds[s] = SlotKind.text.rawValue
        payloads[s] = Int64(offset)
        lengths[s] = Int32(bytes.count)
    }

    /// Marks `count` arena bytes written by `reserve` as the column's text.
    @inline(__always) func set(_ column: Int, textAt offset: Int, count: Int) {
        let s = slot(column)
        kinds[s] = SlotKind.text.rawValue
        payloads[s] = Int64(offset)
        lengths[s] = Int32(count)
    }

    /// Returns room for `count` bytes at the end of the arena and counts them as written.
    @inline(__always) func reserve(_ count: Int) -> (offset: Int, pointer: UnsafeMutableRawPointer) {
        if arenaCount + count > arenaCapacity { grow(arenaCount + count) }
        let offset = arenaCount
        arenaCount += count
        return (offset, arena + offset)
    }

    @inline(__always) func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        let (offset, p) = reserve(bytes.count)
        if let base = bytes.baseAddress, bytes.count > 0 { p.copyMemory(from: base, byteCount: bytes.count) }
        return offset
    }

    @inline(__always) func append(byte: UInt8) {
        let (_, p) = reserve(1)
        p.storeBytes(of: byte, as: UInt8.self)
    }

    private func grow(_ needed: Int) {
        var cap = arenaCapacity * 2
        while cap < needed { cap *= 2 }
        let na = UnsafeMutableRawPointer.allocate(byteCount: cap, alignment: 16)
        na.copyMemory(from: arena, byteCount: arenaCount)
        arena.deallocate()
        arena = na
        arenaCapacity = cap
    }

    /// Completes the row being built.
    @inline(__always) func commitRow(line: Int, extraOffset: Int, extraLength: Int) {
        lines[rows] = line
        extraOffsets[rows] = extraOffset
        extraLengths[rows] = Int32(extraLength)
        rows += 1
    }

    // MARK: Reading (writer thread)

    @inline(__always) func text(offset: Int64, length: Int32) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: arena + Int(offset), count: Int(length))
    }

    /// The filled rows as the warehouse's row writer takes them (a view, valid while the batch
    /// is not reset).
    var slots: TypedRowSlots {
        TypedRowSlots(
            rows: rows, columns: columns, kinds: kinds, payloads: payloads, lengths: lengths, lines: lines,
            extraOffsets: extraOffsets, extraLengths: extraLengths, arena: arena)
    }
}
