import CMalloc
import Foundation

/// A tensor's bytes: one 64-byte-aligned heap block (the alignment AVX-512
/// loads and oneDNN's blocked layouts prefer), freed when the last tensor
/// sharing it goes away. Reshape and detach share a storage; nothing writes
/// into a storage after the op that made it has returned, except optimizers
/// updating parameters and gradient accumulation into `grad`.
final class TensorStorage {
    let pointer: UnsafeMutableRawPointer
    let byteCount: Int

    /// For the sizes the code itself computes (an op's result, a copy): a
    /// failure here is the machine running out, not bad input, so it stops.
    init(byteCount: Int) {
        guard let raw = TensorStorage.allocate(byteCount) else {
            fatalError("out of memory allocating \(byteCount) bytes")
        }
        self.byteCount = byteCount
        pointer = raw
        TensorMemory.allocated(byteCount)
    }

    /// For sizes that come from input (a recipe's shape, a file's header),
    /// after `MemoryLimit.check`: an allocation that still fails is an error
    /// the caller reports, never an abort.
    init(checkedByteCount byteCount: Int, what: String) throws {
        guard let raw = TensorStorage.allocate(byteCount) else {
            throw TensorError.outOfMemory(what: what, bytes: byteCount)
        }
        self.byteCount = byteCount
        pointer = raw
        TensorMemory.allocated(byteCount)
    }

    private static func allocate(_ byteCount: Int) -> UnsafeMutableRawPointer? {
        _ = TensorStorage.allocatorTuned
        var raw: UnsafeMutableRawPointer?
        // posix_memalign with size 0 may return nil; keep one cache line.
        let status = posix_memalign(&raw, 64, max(byteCount, 64))
        return status == 0 ? raw : nil
    }

    /// A zero-filled block.
    convenience init(zeroedByteCount byteCount: Int) {
        self.init(byteCount: byteCount)
        memset(pointer, 0, byteCount)
    }

    deinit {
        free(pointer)
        TensorMemory.released(byteCount)
    }

    /// glibc hands blocks above its mmap threshold (at most 32 MB) straight
    /// back to the kernel on free, so every step's large activations come
    /// fresh from the OS, page fault by page fault: measured here, a
    /// depthwise conv forward+backward at [64, 128, 32, 32] took 39 ms that
    /// way and 14 ms with the heap keeping them. Training repeats the same
    /// sizes every step, so keeping freed blocks in the heap is what we want.
    private static let allocatorTuned: Bool = {
        _ = mallopt(M_MMAP_THRESHOLD, 1 << 30)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
        return true
    }()

    func copy() -> TensorStorage {
        let other = TensorStorage(byteCount: byteCount)
        memcpy(other.pointer, pointer, byteCount)
        return other
    }
}
