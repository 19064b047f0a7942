/// Adaptive average pooling over plain NCHW planes when the output size does
/// not divide the input size, so that the bins differ in size and overlap
/// (oneDNN's pooling has one kernel size for all windows). Bins are
/// PyTorch's: output i covers [floor(i·in/out), ceil((i+1)·in/out)).
enum AdaptivePoolKernels {
    static func binStart(_ index: Int, input: Int, output: Int) -> Int { index * input / output }
    static func binEnd(_ index: Int, input: Int, output: Int) -> Int { ((index + 1) * input + output - 1) / output }

    /// The plain [N, C, outHeight, outWidth] averages of a plain NCHW input.
    static func forward(_ input: Tensor, outHeight: Int, outWidth: Int) -> Tensor {
        let (planes, inHeight, inWidth) = (input.shape[0] * input.shape[1], input.shape[2], input.shape[3])
        let result = Tensor.uninitialized([input.shape[0], input.shape[1], outHeight, outWidth])
        let source = input.floats.baseAddress!, destination = result.mutableFloats.baseAddress!
        for plane in 0..<planes {
            let x = source + plane * inHeight * inWidth, y = destination + plane * outHeight * outWidth
            for oh in 0..<outHeight {
                let h0 = binStart(oh, input: inHeight, output: outHeight), h1 = binEnd(oh, input: inHeight, output: outHeight)
                for ow in 0..<outWidth {
                    let w0 = binStart(ow, input: inWidth, output: outWidth), w1 = binEnd(ow, input: inWidth, output: outWidth)
                    var total: Float = 0
                    for h in h0..<h1 { for w in w0..<w1 { total += x[h * inWidth + w] } }
                    y[oh * outWidth + ow] = total / Float((h1 - h0) * (w1 - w0))
                }
            }
        }
        return result
    }

    /// The transpose: each output gradient (plain) spread evenly over its
    /// bin, added where bins overlap; a plain gradient of `inputShape`.
    static func backward(_ gradient: Tensor, inputShape: [Int]) -> Tensor {
        let (planes, inHeight, inWidth) = (inputShape[0] * inputShape[1], inputShape[2], inputShape[3])
        let (outHeight, outWidth) = (gradient.shape[2], gradient.shape[3])
        let result = Tensor.zeros(inputShape)
        let diffDestination = gradient.floats.baseAddress!, diffSource = result.mutableFloats.baseAddress!
        for plane in 0..<planes {
            let gy = diffDestination + plane * outHeight * outWidth, gx = diffSource + plane * inHeight * inWidth
            for oh in 0..<outHeight {
                let h0 = binStart(oh, input: inHeight, output: outHeight), h1 = binEnd(oh, input: inHeight, output: outHeight)
                for ow in 0..<outWidth {
                    let w0 = binStart(ow, input: inWidth, output: outWidth), w1 = binEnd(ow, input: inWidth, output: outWidth)
                    let share = gy[oh * outWidth + ow] / Float((h1 - h0) * (w1 - w0))
                    for h in h0..<h1 { for w in w0..<w1 { gx[h * inWidth + w] += share } }
                }
            }
        }
        return result
    }
}
