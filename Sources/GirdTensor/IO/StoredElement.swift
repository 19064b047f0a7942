/// An element type as a file stores it, and how it becomes one of the two
/// types a tensor holds: every float type is read as float32 (float64 loses
/// precision, and values beyond float32's range become infinities), every
/// integer and boolean type as int64 (exactly).
enum StoredElement: CaseIterable {
    case float64, float32, float16, bfloat16
    case int64, int32, int16, int8, uint32, uint16, uint8, bool

    var byteSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32, .uint32: return 4
        case .float16, .bfloat16, .int16, .uint16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    var tensorType: DType {
        switch self {
        case .float64, .float32, .float16, .bfloat16: return .float32
        default: return .int64
        }
    }

    /// A tensor of `shape` holding `bytes` (row-major, little-endian),
    /// converted to the tensor's type. `bytes` must hold exactly the
    /// elements of `shape`: the format readers check that first.
    func makeTensor(shape: [Int], from bytes: UnsafeRawBufferPointer) -> Tensor {
        let count = ShapeRules.count(shape)
        precondition(bytes.count == count * byteSize, "the reader checked the size")
        let tensor = Tensor.uninitialized(shape, dtype: tensorType)
        let destination = tensor.storage.pointer
        guard count > 0 else { return tensor }
        let source = bytes.baseAddress!
        // A file's data need not be aligned for its type: read every element unaligned.
        func convert<Stored, Element>(_: Stored.Type, _: Element.Type, _ transform: (Stored) -> Element) {
            let output = destination.assumingMemoryBound(to: Element.self)
            for index in 0..<count {
                output[index] = transform(source.loadUnaligned(fromByteOffset: index * byteSize, as: Stored.self))
            }
        }
        switch self {
        case .float32, .int64:
            destination.copyMemory(from: source, byteCount: bytes.count)
        case .float64: convert(Double.self, Float.self) { Float($0) }
        case .float16: convert(UInt16.self, Float.self) { Float(Float16(bitPattern: $0)) }
        case .bfloat16: convert(UInt16.self, Float.self) { Float(bitPattern: UInt32($0) << 16) }
        case .int32: convert(Int32.self, Int64.self) { Int64($0) }
        case .int16: convert(Int16.self, Int64.self) { Int64($0) }
        case .int8: convert(Int8.self, Int64.self) { Int64($0) }
        case .uint32: convert(UInt32.self, Int64.self) { Int64($0) }
        case .uint16: convert(UInt16.self, Int64.self) { Int64($0) }
        case .uint8: convert(UInt8.self, Int64.self) { Int64($0) }
        case .bool: convert(UInt8.self, Int64.self) { $0 == 0 ? 0 : 1 }
        }
        return tensor
    }
}

/// The number of elements of `shape` and their size in bytes, or nil if a
/// size is negative or the product overflows.
func checkedByteCount(_ shape: [Int], elementSize: Int) -> (count: Int, bytes: Int)? {
    var count = 1
    for size in shape {
        guard size >= 0 else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow else { return nil }
        count = product
    }
    let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
    return overflow ? nil : (count, bytes)
}

extension Tensor {
    /// The row-major bytes of this tensor (reordered from a blocked layout if
    /// needed), for writers.
    func withPlainBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let plain = plain()
        return try body(UnsafeRawBufferPointer(start: plain.storage.pointer, count: count * dtype.byteSize))
    }
}
