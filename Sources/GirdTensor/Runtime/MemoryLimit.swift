import Foundation

/// The check every size chosen from outside the code (a recipe's bank size,
/// a tensor shape, a subset, a header read from a file) passes before
/// anything is allocated. Linux overcommits: a 40 GB `posix_memalign` can
/// succeed and the process is then killed by a signal when the pages are
/// touched, so "allocate and see" is no check at all. A request larger than
/// the machine's physical memory is refused with a named error instead.
public enum MemoryLimit {
    /// The machine's physical memory in bytes (sysconf), read once.
    public static let physicalBytes: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return Int.max }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        return overflow ? Int.max : bytes
    }()

    /// The bytes of `count` elements of `bytesPerElement` each, or nil when
    /// the product overflows or a factor is negative.
    public static func bytes(of counts: [Int], bytesPerElement: Int = 4) -> Int? {
        var total = bytesPerElement
        for count in counts {
            guard count >= 0 else { return nil }
            let (product, overflow) = total.multipliedReportingOverflow(by: count)
            if overflow { return nil }
            total = product
        }
        return total
    }

    /// Throws `TensorError.tooLarge` when `counts` elements (multiplied
    /// together) of `bytesPerElement` bytes would not fit in physical memory.
    /// `what` names the request in the error: "gird: a bank of K = 1e13 images".
    public static func check(_ counts: [Int], bytesPerElement: Int = 4, what: String) throws {
        guard let bytes = bytes(of: counts, bytesPerElement: bytesPerElement), bytes <= physicalBytes else {
            throw TensorError.tooLarge(what: what, bytes: bytes(of: counts, bytesPerElement: bytesPerElement),
                                       limit: physicalBytes)
        }
    }

    /// "1.5 GiB": a byte count as a person reads it.
    public static func describe(bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f %@", value, units[unit])
    }
}
