import CDNNL
import Foundation

/// The process's one oneDNN CPU engine and stream. oneDNN primitives run
/// synchronously on its OpenMP pool; the stream is waited on after each call.
enum DNNLRuntime {
    nonisolated(unsafe) static let engine: dnnl_engine_t = {
        var engine: dnnl_engine_t?
        let status = dnnl_engine_create(&engine, dnnl_cpu, 0)
        guard status == dnnl_success, let engine else { fatalError("oneDNN: no CPU engine (status \(status.rawValue))") }
        return engine
    }()

    nonisolated(unsafe) static let stream: dnnl_stream_t = {
        var stream: dnnl_stream_t?
        let status = dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue)
        guard status == dnnl_success, let stream else { fatalError("oneDNN: no stream (status \(status.rawValue))") }
        return stream
    }()

    /// Turns a oneDNN status into the engine's error, naming the op.
    static func check(_ status: dnnl_status_t, _ op: String) throws {
        guard status == dnnl_success else {
            throw TensorError.native(op: op, library: "oneDNN", status: Int(status.rawValue))
        }
    }

    /// For calls whose failure would be a bug of ours (a reorder between two
    /// descriptors we made), not of the caller's input.
    static func mustSucceed(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
        guard status == dnnl_success else { fatalError("oneDNN \(what()) failed with status \(status.rawValue)") }
    }
}

/// A oneDNN memory descriptor: the logical dims, data type and physical
/// layout of a buffer. In oneDNN 2.6 this is a plain C struct, copied freely.
struct DNNLFormat: Equatable {
    var desc: dnnl_memory_desc_t

    /// A plain (row-major) float32 descriptor for `shape`.
    static func plain(_ shape: [Int], dataType: dnnl_data_type_t = dnnl_f32) -> DNNLFormat {
        var desc = dnnl_memory_desc_t()
        let dims = shape.map(Int64.init)
        let strides = ShapeRules.strides(shape).map(Int64.init)
        DNNLRuntime.mustSucceed(
            dnnl_memory_desc_init_by_strides(&desc, Int32(dims.count), dims, dataType, strides),
            "plain descriptor for \(shape)")
        return DNNLFormat(desc: desc)
    }

    /// A descriptor with a format tag (`dnnl_any` lets a primitive choose).
    static func tagged(_ shape: [Int], _ tag: dnnl_format_tag_t, dataType: dnnl_data_type_t = dnnl_f32) -> DNNLFormat {
        var desc = dnnl_memory_desc_t()
        let dims = shape.map(Int64.init)
        DNNLRuntime.mustSucceed(
            dnnl_memory_desc_init_by_tag(&desc, Int32(dims.count), dims, dataType, tag),
            "descriptor for \(shape) with tag \(tag.rawValue)")
        return DNNLFormat(desc: desc)
    }

    /// Bytes a buffer in this layout needs (blocked layouts pad channels).
    var byteCount: Int {
        var copy = desc
        return dnnl_memory_desc_get_size(&copy)
    }

    var isPlain: Bool {
        let dims = withUnsafeBytes(of: desc.dims) { Array($0.bindMemory(to: Int64.self).prefix(Int(desc.ndims))) }
        return self == DNNLFormat.plain(dims.map(Int.init))
    }

    static func == (a: DNNLFormat, b: DNNLFormat) -> Bool {
        var x = a.desc, y = b.desc
        return dnnl_memory_desc_equal(&x, &y) != 0
    }
}

/// A oneDNN memory object over a buffer we own; destroyed with the wrapper.
final class DNNLMemory {
    let handle: dnnl_memory_t

    init(_ format: DNNLFormat, _ pointer: UnsafeMutableRawPointer) {
        var desc = format.desc
        var handle: dnnl_memory_t?
        DNNLRuntime.mustSucceed(dnnl_memory_create(&handle, &desc, DNNLRuntime.engine, pointer), "memory_create")
        self.handle = handle!
    }

    deinit { dnnl_memory_destroy(handle) }
}

/// A created primitive with its descriptor; made once per shape and reused
/// (see `DNNLPrimitiveCache`).
final class DNNLPrimitive {
    let descriptor: dnnl_primitive_desc_t
    let primitive: dnnl_primitive_t

    /// Takes ownership of `descriptor`.
    init(descriptor: dnnl_primitive_desc_t, op: String) throws {
        var primitive: dnnl_primitive_t?
        let status = dnnl_primitive_create(&primitive, descriptor)
        guard status == dnnl_success, let primitive else {
            dnnl_primitive_desc_destroy(descriptor)
            throw TensorError.native(op: op, library: "oneDNN", status: Int(status.rawValue))
        }
        self.descriptor = descriptor
        self.primitive = primitive
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(descriptor)
    }

    /// The memory format the primitive chose for one of its arguments.
    func format(of query: dnnl_query_t, index: Int32 = 0) -> DNNLFormat {
        DNNLFormat(desc: dnnl_primitive_desc_query_md(descriptor, query, index)!.pointee)
    }

    /// The format of an execution argument (`DNNL_ARG_*`), e.g. a workspace.
    func format(ofArgument argument: Int32) -> DNNLFormat {
        DNNLFormat(desc: dnnl_primitive_desc_query_md(descriptor, dnnl_query_exec_arg_md, argument)!.pointee)
    }

    /// The implementation oneDNN picked, e.g. "jit:avx512_core".
    var implementation: String {
        var name: UnsafePointer<CChar>?
        dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &name)
        return name.map { String(cString: $0) } ?? "?"
    }

    /// Runs the primitive on `(argument, format, buffer)` triples and waits.
    func execute(_ arguments: [(Int32, DNNLFormat, UnsafeMutableRawPointer)], op: String) throws {
        let memories = arguments.map { DNNLMemory($0.1, $0.2) }
        let args = zip(arguments, memories).map { dnnl_exec_arg_t(arg: $0.0.0, memory: $0.1.handle) }
        try DNNLRuntime.check(dnnl_primitive_execute(primitive, DNNLRuntime.stream, Int32(args.count), args), op)
        try DNNLRuntime.check(dnnl_stream_wait(DNNLRuntime.stream), op)
        withExtendedLifetime(memories) {}
    }
}

/// Primitives keyed by op, shapes, layouts and attributes: creating one costs
/// far more than running a small one, and a training step repeats the same
/// shapes every time.
enum DNNLPrimitiveCache {
    nonisolated(unsafe) private static var entries: [String: DNNLPrimitive] = [:]
    private static let lock = NSLock()

    static func primitive(_ key: String, make: () throws -> DNNLPrimitive) rethrows -> DNNLPrimitive {
        lock.lock(); defer { lock.unlock() }
        if let cached = entries[key] { return cached }
        let made = try make()
        entries[key] = made
        return made
    }
}
