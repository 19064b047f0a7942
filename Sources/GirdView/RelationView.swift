import GirdTensor

/// What `relations(teacher, student, data, tap:)` prints: the teacher's and
/// the student's relation matrices on one colour scale (so equal values look
/// equal), and student − teacher on a diverging scale centred at 0.
/// `options.maxColumns` is per panel: on a terminal W columns wide, pass
/// about (W − 2 · `SideBySide.gap`) / 3.
public enum RelationView {
    public static func render(teacher: Tensor, student: Tensor, options: Heatmap.Options) throws -> RenderedView {
        let teacherGrid = try ValueGrid(teacher), studentGrid = try ValueGrid(student)
        guard teacherGrid.rows == studentGrid.rows, teacherGrid.columns == studentGrid.columns else {
            throw ViewError.notAMatrix(
                shape: student.shape,
                reason: "the student's relation matrix must have the teacher's shape \(shapeText(teacher.shape))")
        }
        let difference = ValueGrid(rows: teacherGrid.rows, columns: teacherGrid.columns,
                                   values: zip(studentGrid.values, teacherGrid.values).map { $0 - $1 })
        var shared = options
        let ranges = [teacherGrid.finiteRange, studentGrid.finiteRange].compactMap { $0 }
        if options.range == nil, !ranges.isEmpty {
            shared.range = ranges.map(\.min).min()! ... ranges.map(\.max).max()!
        }
        shared.colorMap = .viridis
        var diverging = options
        diverging.colorMap = .diverging
        diverging.range = nil
        return SideBySide.compose([
            (title: "teacher", view: Heatmap.render(teacherGrid, options: shared)),
            (title: "student", view: Heatmap.render(studentGrid, options: shared)),
            (title: "student - teacher", view: Heatmap.render(difference, options: diverging)),
        ])
    }
}
