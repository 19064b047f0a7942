/// Maps a value in a heatmap's range to a colour.
public enum ColorMap: Equatable {
    /// matplotlib's perceptually uniform map, for magnitudes (low = dark blue).
    case viridis
    /// Blue (negative), white (0), red (positive), for differences; the
    /// range is made symmetric around 0 so that white always means 0.
    case diverging

    /// The colour of NaN cells: magenta, which neither map uses.
    public static let nanColor = RGB(255, 0, 255)

    /// The colour at `position` in 0...1 along the map (clamped).
    public func color(at position: Double) -> RGB {
        let t = Swift.min(1, Swift.max(0, position.isNaN ? 0.5 : position))
        switch self {
        case .viridis:
            return ColorMap.viridisTable[Int((t * 255).rounded())]
        case .diverging:
            // ColorBrewer RdBu's end colours around a white middle.
            let blue = RGB(33, 102, 172), white = RGB(247, 247, 247), red = RGB(178, 24, 43)
            return t < 0.5 ? blue.mixed(with: white, t * 2) : white.mixed(with: red, (t - 0.5) * 2)
        }
    }

    /// viridis sampled at 256 points, computed once from the degree-6
    /// polynomial fit of matplotlib's table that Matt Zucconi published
    /// (CC0) rather than embedding 768 numbers. The fit stays within about
    /// 0.01 of the table (checked at 0, ¼, ½, ¾, 1), invisible in a
    /// terminal or a figure.
    static let viridisTable: [RGB] = (0 ..< 256).map { index in
        let t = Double(index) / 255
        let coefficients: [(Double, Double, Double)] = [
            (0.2777273272234177, 0.005407344544966578, 0.3340998053353061),
            (0.1050930431085774, 1.404613529898575, 1.384590162594685),
            (-0.3308618287255563, 0.214847559468213, 0.09509516302823659),
            (-4.634230498983486, -5.799100973351585, -19.33244095627987),
            (6.228269936347081, 14.17993336680509, 56.69055260068105),
            (4.776384997670288, -13.74514537774601, -65.35303263337234),
            (-5.435455855934631, 4.645852612178535, 26.3124352495832),
        ]
        var red = 0.0, green = 0.0, blue = 0.0
        for (r, g, b) in coefficients.reversed() {
            red = red * t + r
            green = green * t + g
            blue = blue * t + b
        }
        func byte(_ x: Double) -> UInt8 { UInt8(Swift.min(255, Swift.max(0, (x * 255).rounded()))) }
        return RGB(byte(red), byte(green), byte(blue))
    }
}
