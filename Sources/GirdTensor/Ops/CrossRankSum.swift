import Foundation

/// The sum of a tensor over the ranks of a data-parallel job, on the tape:
/// what synchronised batch norm builds its global statistics from. Each
/// rank's loss depends on every rank's input through the sum, so the
/// gradient of the input is the sum over ranks of the gradients each rank's
/// loss gives the result: the backward is the same collective
/// (`torch.distributed.nn.all_reduce` does the same).
extension Tensor {
    public func summedAcrossRanks(in group: ProcessGroup) throws -> Tensor {
        guard group.isDistributed else { return self }
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: "summedAcrossRanks", expected: .float32, got: dtype) }
        let result = plain().copied()
        try group.allReduceSum(result.mutableFloats)
        return result.recorded("summedAcrossRanks", [self]) { gradient in
            let summed = gradient.plain().copied()
            try group.allReduceSum(summed.mutableFloats)
            return [summed]
        }
    }
}
