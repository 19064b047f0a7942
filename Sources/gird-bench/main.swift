import Foundation
import GirdTensor

// gird-bench: throughput of the engine's kernels, printed as a table.
// `scripts/bench-vs-pytorch` runs the same cases in PyTorch and joins both.

ComputeThreads.relaunchWithTunedNativeLibraries()
setvbuf(stdout, nil, _IOLBF, 0)

var options = BenchOptions()
do {
    options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("gird-bench: \(error)\n\(BenchOptions.usage)".utf8))
    exit(2)
}
if options.showHelp {
    print(BenchOptions.usage, terminator: "")
    exit(0)
}
if options.listCases {
    for benchCase in BenchCases.all(quick: options.quick) { print(benchCase.name) }
    exit(0)
}
if options.dataParallel {
    do {
        try ComputeThreads.set(options.threads)
        // One layout (the engine's default unless --layout names one).
        if options.layouts.count == 1 { ActivationLayout.preferred = options.layouts[0] }
        try DataParallelBench.run(steps: options.steps, quick: options.quick)
    } catch {
        FileHandle.standardError.write(Data("gird-bench: \(error)\n".utf8))
        ProcessGroups.world.abort(code: 1)
    }
    exit(0)
}
if let folder = options.imagenetFolder {
    do {
        try ComputeThreads.set(options.threads)
        try ImageNetLoaderBench.run(root: folder, threads: options.loaderThreads, withSteps: options.withSteps,
                                    steps: options.steps)
    } catch {
        FileHandle.standardError.write(Data("gird-bench: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}
do {
    try ComputeThreads.set(options.threads)
    print("# \(ComputeThreads.nativeLibraries); threads \(options.threads)")
    if !options.tabSeparated { print(BenchReport.header) }
    let cases = BenchCases.all(quick: options.quick).filter { options.filter == nil || $0.name.contains(options.filter!) }
    for benchCase in cases {
        let repetitions = options.quick ? 3 : 10
        let result = benchCase.dependsOnLayout
            ? try options.layouts.map { layout in
                ActivationLayout.preferred = layout
                return try BenchRunner.measure(benchCase, repetitions: repetitions, layout: layout.rawValue)
            }.min { $0.milliseconds < $1.milliseconds }!
            : try BenchRunner.measure(benchCase, repetitions: repetitions, layout: "-")
        print(options.tabSeparated ? BenchReport.tabSeparatedRow(result) : BenchReport.row(result))
    }
    print("# peak RSS \(PeakMemory.residentMegabytes) MB")
} catch {
    FileHandle.standardError.write(Data("gird-bench: \(error)\n".utf8))
    exit(1)
}
