import Synchronization

/// The bytes tensors hold, now and at their highest since `resetPeak()`:
/// what a run's memory estimate is checked against (`MemoryEstimate`), and
/// what a user can read to see where a step's memory goes. Counted at each
/// storage's allocation and release (two atomic additions; a step makes a
/// few thousand), so the figures are exact for tensors and leave out
/// everything else (the heap's own overhead, byte buffers, code).
public enum TensorMemory {
    private static let live = Atomic<Int>(0)
    private static let peak = Atomic<Int>(0)

    /// Bytes held by tensor storages now.
    public static var liveBytes: Int { live.load(ordering: .relaxed) }

    /// The most held at once since the last `resetPeak()` (or the start).
    public static var peakBytes: Int { peak.load(ordering: .relaxed) }

    /// Starts a new high-water mark from what is held now.
    public static func resetPeak() { peak.store(live.load(ordering: .relaxed), ordering: .relaxed) }

    static func allocated(_ bytes: Int) {
        let now = live.add(bytes, ordering: .relaxed).newValue
        var highest = peak.load(ordering: .relaxed)
        while now > highest {
            let (exchanged, original) = peak.compareExchange(expected: highest, desired: now, ordering: .relaxed)
            if exchanged { break }
            highest = original
        }
    }

    static func released(_ bytes: Int) { live.subtract(bytes, ordering: .relaxed) }
}
