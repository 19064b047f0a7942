import COnnxProto
import Foundation

/// An `ONNXGraph` as the bytes of an ONNX `ModelProto`, encoded by
/// protobuf-c from C structs generated from ONNX's own schema (Debian's
/// libonnx-dev `onnx.proto`). The structs point into memory this encoder
/// allocates and frees once the bytes are packed.
final class ONNXModelEncoder {
    static let opsetVersion: Int64 = 13
    /// ONNX 1.8's IR version, the first that pairs with opset 13.
    static let irVersion: Int64 = 7
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit { allocations.forEach { free($0) } }

    private func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        let raw = calloc(max(1, count), MemoryLayout<T>.stride)!
        allocations.append(raw)
        return raw.bindMemory(to: T.self, capacity: max(1, count))
    }

    private func string(_ value: String) -> UnsafeMutablePointer<CChar> {
        let pointer = strdup(value)!
        allocations.append(pointer)
        return pointer
    }

    private func array<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
        let pointer = allocate(T.self, count: values.count)
        for (index, value) in values.enumerated() { (pointer + index).initialize(to: value) }
        return pointer
    }

    private func bytes(_ values: [UInt8]) -> ProtobufCBinaryData {
        let pointer = allocate(UInt8.self, count: values.count)
        pointer.update(from: values, count: values.count)
        return ProtobufCBinaryData(len: values.count, data: pointer)
    }

    /// `batch` nil: a dynamic first axis named "batch".
    func encode(_ graph: ONNXGraph, name: String, inputShape: [Int], outputShape: [Int], batch: Int?) -> [UInt8] {
        let proto = allocate(Onnx__GraphProto.self)
        onnx__graph_proto__init(proto)
        proto.pointee.name = string(name)
        proto.pointee.n_node = graph.nodes.count
        proto.pointee.node = array(graph.nodes.enumerated().map { Optional(node($1, index: $0)) })
        proto.pointee.n_initializer = graph.initializers.count
        proto.pointee.initializer = array(graph.initializers.map { Optional(tensor($0)) })
        proto.pointee.n_input = 1
        proto.pointee.input = array([Optional(valueInfo(graph.inputName, shape: inputShape, batch: batch))])
        proto.pointee.n_output = 1
        proto.pointee.output = array([Optional(valueInfo(graph.outputName, shape: outputShape, batch: batch))])

        let opset = allocate(Onnx__OperatorSetIdProto.self)
        onnx__operator_set_id_proto__init(opset)
        opset.pointee.domain = string("")
        opset.pointee.has_version = 1
        opset.pointee.version = Self.opsetVersion

        var model = Onnx__ModelProto()
        onnx__model_proto__init(&model)
        model.has_ir_version = 1
        model.ir_version = Self.irVersion
        model.n_opset_import = 1
        model.opset_import = array([Optional(opset)])
        model.producer_name = string("GIRD")
        model.producer_version = string("2")
        model.graph = proto
        let size = onnx__model_proto__get_packed_size(&model)
        var encoded = [UInt8](repeating: 0, count: size)
        let written = encoded.withUnsafeMutableBufferPointer { onnx__model_proto__pack(&model, $0.baseAddress) }
        precondition(written == size, "protobuf-c packed \(written) of \(size) bytes")
        return encoded
    }

    private func node(_ node: ONNXGraph.Node, index: Int) -> UnsafeMutablePointer<Onnx__NodeProto> {
        let proto = allocate(Onnx__NodeProto.self)
        onnx__node_proto__init(proto)
        proto.pointee.op_type = string(node.op)
        proto.pointee.name = string("\(node.op)_\(index)")
        proto.pointee.n_input = node.inputs.count
        proto.pointee.input = array(node.inputs.map { Optional(string($0)) })
        proto.pointee.n_output = node.outputs.count
        proto.pointee.output = array(node.outputs.map { Optional(string($0)) })
        proto.pointee.n_attribute = node.attributes.count
        proto.pointee.attribute = array(node.attributes.map { Optional(attribute($0)) })
        return proto
    }

    private func attribute(_ attribute: ONNXGraph.Attribute) -> UnsafeMutablePointer<Onnx__AttributeProto> {
        let proto = allocate(Onnx__AttributeProto.self)
        onnx__attribute_proto__init(proto)
        proto.pointee.has_type = 1
        switch attribute {
        case let .int(name, value):
            proto.pointee.name = string(name)
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT
            proto.pointee.has_i = 1
            proto.pointee.i = Int64(value)
        case let .ints(name, values):
            proto.pointee.name = string(name)
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS
            proto.pointee.n_ints = values.count
            proto.pointee.ints = array(values.map(Int64.init))
        case let .float(name, value):
            proto.pointee.name = string(name)
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT
            proto.pointee.has_f = 1
            proto.pointee.f = value
        }
        return proto
    }

    /// Little-endian raw bytes, as ONNX stores them (this machine is little-endian).
    private func tensor(_ initializer: ONNXGraph.Initializer) -> UnsafeMutablePointer<Onnx__TensorProto> {
        let proto = allocate(Onnx__TensorProto.self)
        onnx__tensor_proto__init(proto)
        proto.pointee.name = string(initializer.name)
        proto.pointee.n_dims = initializer.dimensions.count
        proto.pointee.dims = array(initializer.dimensions.map(Int64.init))
        proto.pointee.has_data_type = 1
        proto.pointee.has_raw_data = 1
        switch initializer.values {
        case .float(let values):
            proto.pointee.data_type = Int32(ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT.rawValue)
            proto.pointee.raw_data = bytes(values.withUnsafeBytes { Array($0) })
        case .int64(let values):
            proto.pointee.data_type = Int32(ONNX__TENSOR_PROTO__DATA_TYPE__INT64.rawValue)
            proto.pointee.raw_data = bytes(values.withUnsafeBytes { Array($0) })
        }
        return proto
    }

    private func valueInfo(_ name: String, shape: [Int], batch: Int?) -> UnsafeMutablePointer<Onnx__ValueInfoProto> {
        let dimensions = shape.enumerated().map { axis, size -> UnsafeMutablePointer<Onnx__TensorShapeProto__Dimension>? in
            let dimension = allocate(Onnx__TensorShapeProto__Dimension.self)
            onnx__tensor_shape_proto__dimension__init(dimension)
            if axis == 0 && batch == nil {
                dimension.pointee.value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
                dimension.pointee.dim_param = string("batch")
            } else {
                dimension.pointee.value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
                dimension.pointee.dim_value = Int64(axis == 0 ? batch! : size)
            }
            return dimension
        }
        let tensorShape = allocate(Onnx__TensorShapeProto.self)
        onnx__tensor_shape_proto__init(tensorShape)
        tensorShape.pointee.n_dim = dimensions.count
        tensorShape.pointee.dim = array(dimensions)
        let tensorType = allocate(Onnx__TypeProto__Tensor.self)
        onnx__type_proto__tensor__init(tensorType)
        tensorType.pointee.has_elem_type = 1
        tensorType.pointee.elem_type = Int32(ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT.rawValue)
        tensorType.pointee.shape = tensorShape
        let type = allocate(Onnx__TypeProto.self)
        onnx__type_proto__init(type)
        type.pointee.value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE
        type.pointee.tensor_type = tensorType
        let info = allocate(Onnx__ValueInfoProto.self)
        onnx__value_info_proto__init(info)
        info.pointee.name = string(name)
        info.pointee.type = type
        return info
    }
}
