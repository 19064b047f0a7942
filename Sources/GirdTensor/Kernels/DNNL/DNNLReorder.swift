import CDNNL

/// Moves a tensor between plain row-major and a oneDNN blocked layout.
enum DNNLReorder {
    /// Copies `source` (in layout `from`) into `destination` (in `to`).
    static func reorder(from: DNNLFormat, _ source: UnsafeMutableRawPointer,
                        to: DNNLFormat, _ destination: UnsafeMutableRawPointer) {
        let key = "reorder \(fingerprint(from)) -> \(fingerprint(to))"
        let primitive = try! DNNLPrimitiveCache.primitive(key) {
            var descriptor: dnnl_primitive_desc_t?
            var a = from.desc, b = to.desc
            DNNLRuntime.mustSucceed(
                dnnl_reorder_primitive_desc_create(&descriptor, &a, DNNLRuntime.engine, &b, DNNLRuntime.engine, nil),
                "reorder descriptor")
            return try DNNLPrimitive(descriptor: descriptor!, op: "reorder")
        }
        do {
            try primitive.execute([(DNNL_ARG_FROM, from, source), (DNNL_ARG_TO, to, destination)], op: "reorder")
        } catch {
            fatalError("oneDNN reorder failed: \(error)")
        }
    }

    /// A plain copy of a blocked tensor.
    static func toPlain(_ tensor: Tensor, format: DNNLFormat) -> Tensor {
        let result = Tensor.uninitialized(tensor.shape)
        reorder(from: format, tensor.storage.pointer, to: .plain(tensor.shape), result.storage.pointer)
        return result
    }

    /// `tensor` in `format`: itself if it is already laid out so, else a copy.
    static func toFormat(_ tensor: Tensor, _ format: DNNLFormat) -> Tensor {
        if case let .blocked(current) = tensor.layout, current == format { return tensor }
        if format.isPlain { return tensor.plain() }
        let source = tensor.layout.format(shape: tensor.shape)
        let storage = TensorStorage(byteCount: format.byteCount)
        reorder(from: source, tensor.storage.pointer, to: format, storage.pointer)
        return Tensor(shape: tensor.shape, dtype: tensor.dtype, storage: storage, layout: .blocked(format))
    }

    /// A cache key for a descriptor: its raw bytes, which fix dims, type and
    /// layout completely.
    static func fingerprint(_ format: DNNLFormat) -> String {
        withUnsafeBytes(of: format.desc) { bytes in
            var hasher = FNV1a()
            for byte in bytes { hasher.combine(byte) }
            return String(hasher.value, radix: 16)
        }
    }
}

/// 64-bit FNV-1a: a stable hash (Swift's `Hasher` is seeded per process).
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func combine(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x100_0000_01b3
    }
}
