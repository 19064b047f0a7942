/// An ONNX graph before encoding: nodes in order, initializers (weights and
/// constant shapes) and the names of the graph's input and output. Built by
/// `ONNXTraceRecorder`, rewritten by `BatchNormFolding`, encoded by
/// `ONNXModelEncoder`.
struct ONNXGraph {
    struct Node {
        var op: String
        var inputs: [String]
        var outputs: [String]
        var attributes: [Attribute] = []
    }

    enum Attribute {
        case int(String, Int)
        case ints(String, [Int])
        case float(String, Float)
    }

    struct Initializer {
        enum Values {
            case float([Float])
            case int64([Int64])
        }
        var name: String
        var dimensions: [Int]
        var values: Values
    }

    var nodes: [Node] = []
    var initializers: [Initializer] = []
    var inputName = "input"
    var outputName = "logits"

    func initializer(named name: String) -> Initializer? { initializers.first { $0.name == name } }

    /// The nodes that read `name`.
    func consumers(of name: String) -> [Int] {
        nodes.indices.filter { nodes[$0].inputs.contains(name) }
    }
}
