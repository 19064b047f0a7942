/// Several rendered views next to each other, each under its title, for
/// comparing maps at a glance (teacher | student | difference).
public enum SideBySide {
    /// Columns of blank space between panels.
    public static let gap = 3

    /// Panels padded to their widths (title or view, whichever is wider);
    /// lines carry no trailing spaces.
    public static func compose(_ panels: [(title: String, view: RenderedView)]) -> RenderedView {
        let widths = panels.map { Swift.max($0.view.width, $0.title.count) }
        let height = panels.map(\.view.lines.count).max() ?? 0
        func row(_ cell: (Int) -> String) -> String {
            var line = ""
            for index in panels.indices {
                let text = cell(index)
                line += text
                if index < panels.count - 1 {
                    line += String(repeating: " ", count: widths[index] - VisibleText.width(text) + gap)
                }
            }
            // A panel shorter than its neighbours leaves padding at the end.
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
        var lines = [row { panels[$0].title }]
        for lineIndex in 0 ..< height {
            lines.append(row { index in
                let view = panels[index].view
                return lineIndex < view.lines.count ? view.lines[lineIndex] : ""
            })
        }
        return RenderedView(lines: lines)
    }
}
