import Foundation
import GirdView

/// `plot`: a line chart as a PNG (cairo), for a study's figures, e.g.
/// accuracy against GIRD's bank size with the baselines as dashed lines.
extension BuiltinRegistry {
    static var plotBuiltins: [Builtin] {
        [
            Builtin("plot", "path, x, series, *, lines: [], title: \"\", x_label: \"\", y_label: \"\", width: 720, height: 450",
                    doc: "writes a line chart as a PNG: x the labels of evenly spaced positions, series records {name, y, err (optional)}, lines horizontal references {name, y, err (optional)}; the legend goes to the corner that hides the least data; a dry run writes nothing") { arguments in
                let path = try arguments.writablePath("path")
                let ticks = try arguments.list("x").map(\.description)
                let series = try arguments.list("series").enumerated().map { try plotSeries($1, at: $0) }
                let lines = try arguments.list("lines").enumerated().map { try referenceLine($1, at: $0) }
                var chart = LinePlot(xTicks: ticks, series: series)
                chart.references = lines
                chart.title = try arguments.string("title")
                chart.xLabel = try arguments.string("x_label")
                chart.yLabel = try arguments.string("y_label")
                chart.width = try arguments.int("width")
                chart.height = try arguments.int("height")
                if arguments.context.isDryRun {
                    try chart.validate(path: path)
                    return .none
                }
                try chart.write(to: path)
                return .none
            },
        ]
    }

    private static func plotSeries(_ value: Value, at index: Int) throws -> LinePlot.Series {
        let record = try plotRecord(value, "series", index)
        let name = record["name"].map(\.description) ?? ""
        guard let y = record["y"] else { throw BuiltinFailure("plot(): series[\(index)] has no field y (a list of numbers)") }
        let values = try numbers(y, "series[\(index)].y")
        var errors: [Double]?
        if let err = record["err"], !err.isNone { errors = try numbers(err, "series[\(index)].err") }
        return LinePlot.Series(name: name, values: values, errors: errors)
    }

    private static func referenceLine(_ value: Value, at index: Int) throws -> LinePlot.ReferenceLine {
        let record = try plotRecord(value, "lines", index)
        guard let y = record["y"], let level = y.number else {
            throw BuiltinFailure("plot(): lines[\(index)] needs a field y (a number)")
        }
        var band: Double?
        if let err = record["err"], !err.isNone {
            guard let spread = err.number else { throw BuiltinFailure("plot(): lines[\(index)].err must be a number") }
            band = spread
        }
        return LinePlot.ReferenceLine(name: record["name"].map(\.description) ?? "", value: level, band: band)
    }

    private static func plotRecord(_ value: Value, _ argument: String, _ index: Int) throws -> Record {
        guard case .record(let record) = value else {
            throw BuiltinFailure("plot(): \(argument)[\(index)] must be a record ({name, y, err}), got a \(value.typeName)")
        }
        return record
    }

    private static func numbers(_ value: Value, _ what: String) throws -> [Double] {
        guard case .list(let items) = value else { throw BuiltinFailure("plot(): \(what) must be a list of numbers, got a \(value.typeName)") }
        return try items.map { item in
            guard let number = item.number else { throw BuiltinFailure("plot(): \(what) must hold numbers, got a \(item.typeName)") }
            return number
        }
    }
}

private extension Value {
    var isNone: Bool {
        if case .none = self { return true }
        return false
    }

    var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .float(let x): return x
        default: return nil
        }
    }
}
