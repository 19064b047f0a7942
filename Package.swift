// swift-tools-version:6.0
import PackageDescription

// Vector code generation: AVX2 + FMA is on every x86-64 machine this project
// targets (the notes measured 2x on element-wise loops over the SSE default);
// AVX-512 is left to the native libraries, which pick their kernels at run time.
let vectorFlags: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "haswell"]),
    // Debug builds optimise too: the test suite builds whole networks and
    // runs finite-difference checks, 5-10x slower unoptimised, and the
    // debugger is rarely what finds a numerical bug here.
    .unsafeFlags(["-O"], .when(configuration: .debug)),
    // The engine's Swift code is single-threaded; parallelism lives in OpenBLAS
    // and oneDNN. Tape closures and C handles are not Sendable, so the targets
    // use the Swift 5 language mode rather than annotate every closure.
    .swiftLanguageMode(.v5),
]

let package = Package(
    name: "GIRD",
    products: [
        .library(name: "GirdTensor", targets: ["GirdTensor"]),
        .library(name: "GirdNN", targets: ["GirdNN"]),
        .library(name: "GirdTrain", targets: ["GirdTrain"]),
        .library(name: "GirdData", targets: ["GirdData"]),
        .library(name: "GirdDistill", targets: ["GirdDistill"]),
        .library(name: "GirdRun", targets: ["GirdRun"]),
        .library(name: "GirdMPI", targets: ["GirdMPI"]),
        .executable(name: "gird-repl", targets: ["gird-repl"]),
        .executable(name: "gird-bench", targets: ["gird-bench"]),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        // glibc's malloc tuning (mallopt), which Swift's Glibc module leaves out.
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // gzip-compressed datasets (IDX files as distributed).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // ImageFolder's decoders: libpng (simplified API) and libjpeg-turbo.
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG"),
        // Line charts (plot): cairo draws and writes the PNG.
        .systemLibrary(name: "CCairo", path: "Sources/CCairo"),
        // Data-parallel training: Open MPI (Debian's libopenmpi-dev), found
        // with pkg-config, and a C wrapper over the calls the engine makes
        // (MPI's handles are macros Swift cannot import).
        .systemLibrary(name: "COpenMPI", path: "Sources/COpenMPI", pkgConfig: "ompi-c"),
        .target(name: "CMPICalls", dependencies: ["COpenMPI"]),
        // Protobuf messages, encoded by protobuf-c (Debian's libprotobuf-c-dev)
        // from C that protoc-c generated and the repository keeps
        // (scripts/regenerate-protobuf): ONNX's schema (libonnx-dev's
        // onnx.proto) for export_onnx, TensorBoard's event schema for the
        // run directory's event files.
        .target(name: "COnnxProto", linkerSettings: [.linkedLibrary("protobuf-c")]),
        .target(name: "CTensorBoardProto", exclude: ["tensorboard_event.proto"],
                linkerSettings: [.linkedLibrary("protobuf-c")]),
        .target(name: "GirdMPI", dependencies: ["GirdTensor", "CMPICalls"], swiftSettings: vectorFlags),
        .target(
            name: "GirdTensor",
            dependencies: ["COpenBLAS", "CDNNL", "CMalloc"],
            swiftSettings: vectorFlags),
        .target(
            name: "GirdNN",
            dependencies: ["GirdTensor", "GirdSuggestions"],
            swiftSettings: vectorFlags),
        .target(
            name: "GirdTrain",
            dependencies: ["GirdTensor", "GirdNN", "GirdData", "CTensorBoardProto", "CPNG"],
            swiftSettings: vectorFlags),
        .target(
            name: "GirdDistill",
            dependencies: ["GirdTensor", "GirdNN", "GirdData", "GirdTrain", "GirdSuggestions"],
            swiftSettings: vectorFlags),
        // Runs: the run directory, run.json, reuse and resume, over the
        // trainer and the methods; the language's train/distill bind to it.
        .target(
            name: "GirdRun",
            dependencies: ["GirdTensor", "GirdNN", "GirdData", "GirdTrain", "GirdDistill"],
            swiftSettings: vectorFlags),
        // ONNX export: a traced eval-mode pass, encoded with protobuf-c over
        // ONNX's schema. A target of its own, so that the networks do not
        // link protobuf-c.
        .target(name: "GirdONNX", dependencies: ["GirdTensor", "GirdNN", "COnnxProto"], swiftSettings: vectorFlags),
        .target(
            name: "GirdData",
            dependencies: ["GirdTensor", "CZlib", "CPNG", "CJPEG"],
            swiftSettings: vectorFlags),
        .target(
            name: "GirdRecipe",
            dependencies: ["GirdTensor", "GirdNN", "GirdData", "GirdTrain", "GirdDistill", "GirdRun", "GirdView", "GirdInterrupt", "GirdSuggestions",
                           "GirdONNX"],
            // The evaluator touches its frames and counters on every step; the
            // dynamic exclusivity checks on class properties cost more than the work.
            swiftSettings: vectorFlags + [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .executableTarget(
            name: "gird-repl",
            dependencies: ["GirdTensor", "GirdRecipe", "GirdRecipeREPL", "GirdInterrupt", "GirdMPI"],
            swiftSettings: vectorFlags),
        .executableTarget(
            name: "gird-bench",
            dependencies: ["GirdTensor", "GirdNN", "GirdTrain", "GirdData", "GirdDistill", "GirdMPI"],
            swiftSettings: vectorFlags),
        .testTarget(
            name: "GirdRecipeTests",
            dependencies: ["GirdRecipe", "GirdTensor", "GirdNN", "GirdInterrupt", "GirdTestImages"],
            swiftSettings: vectorFlags),
        .testTarget(
            name: "GirdTrainTests",
            dependencies: ["GirdTrain", "GirdTensor", "GirdNN", "GirdData", "GirdCrossCheck", "GirdTestImages"],
            // The re-identification protocol's reference cases (scripts/reid_reference.py).
            exclude: ["Fixtures"],
            swiftSettings: vectorFlags),
        .testTarget(
            name: "GirdDistillTests",
            dependencies: ["GirdDistill", "GirdTrain", "GirdTensor", "GirdNN", "GirdData"],
            // Reference inputs and outputs written by scripts/distill_reference.py.
            exclude: ["Fixtures"],
            swiftSettings: vectorFlags),
        .testTarget(
            name: "GirdRunTests",
            dependencies: ["GirdRun", "GirdDistill", "GirdTrain", "GirdTensor", "GirdNN", "GirdData"],
            // A run directory written by the first format of run.json (see its README).
            exclude: ["Fixtures"],
            swiftSettings: vectorFlags),
        .testTarget(
            name: "GirdDataTests",
            dependencies: ["GirdData", "GirdTensor", "CZlib", "CPNG", "CJPEG", "GirdTestImages"],
            // torchvision's transforms of a few images (scripts/make-transform-fixtures.py).
            exclude: ["Fixtures"],
            swiftSettings: vectorFlags),
        .testTarget(
            name: "GirdNNTests",
            dependencies: ["GirdNN", "GirdTensor"],
            // Files exported by PyTorch that the tests open by path.
            exclude: ["Fixtures", "PyTorchExport"],
            swiftSettings: vectorFlags),
        .testTarget(
            name: "GirdTensorTests",
            dependencies: ["GirdTensor", "CDNNL"],
            // Reference weight files the tests open by path (see Fixtures/README.md).
            exclude: ["Fixtures"],
            swiftSettings: vectorFlags),
        // The REPL (issue #8): views of tensors for a terminal and for papers,
        // and line editing; GirdRecipe plugs in through GirdREPL's protocols
        // in GirdRecipeREPL.
        .target(name: "GirdView", dependencies: ["GirdTensor", "CPNG", "CCairo"], swiftSettings: vectorFlags),
        // libedit's native API is variadic (el_set, history), which Swift cannot
        // call; this C target wraps the calls the REPL makes.
        .target(name: "CLineEditing", linkerSettings: [.linkedLibrary("edit")]),
        // The SIGINT handler and its flag (C, so that the handler is
        // async-signal-safe by construction), and the one Swift type over it
        // that the interpreter and the REPL both read: a module of its own,
        // so that neither needs the other.
        // "Did you mean": one rule for every entry point, engine and language
        // alike; a module of its own because both sides need it and it needs
        // nothing.
        .target(name: "GirdSuggestions", swiftSettings: vectorFlags),
        .testTarget(name: "GirdSuggestionsTests", dependencies: ["GirdSuggestions"], swiftSettings: vectorFlags),
        .target(name: "CInterrupt"),
        .target(name: "GirdInterrupt", dependencies: ["CInterrupt"], swiftSettings: vectorFlags),
        .target(name: "GirdREPL", dependencies: ["GirdView", "GirdTensor", "CLineEditing", "GirdInterrupt", "GirdSuggestions"], swiftSettings: vectorFlags),
        // The recipe interpreter behind GirdREPL's protocols: the one place
        // that knows both (GirdREPL stays free of the language, and the
        // language of the REPL).
        .target(name: "GirdRecipeREPL", dependencies: ["GirdRecipe", "GirdREPL", "GirdTensor", "GirdSuggestions"], swiftSettings: vectorFlags),
        // A test fixture, not a product: ReplSession with a trivial evaluator
        // that can hang without a safe point, driven through a pseudo-terminal
        // by GirdREPLTests (the three-Ctrl-C way out).
        .executableTarget(name: "gird-line-demo", dependencies: ["GirdREPL"], path: "Tests/Fixtures/gird-line-demo",
                          swiftSettings: vectorFlags),
        // A test fixture, not a product: a short data-parallel run through the
        // engine alone, started under mpirun by GirdMPITests.
        .executableTarget(name: "gird-mpi-probe", dependencies: ["GirdMPI", "GirdTensor", "GirdNN", "GirdData", "GirdTrain", "GirdDistill"],
                          path: "Tests/Fixtures/gird-mpi-probe", swiftSettings: vectorFlags),
        .testTarget(name: "GirdMPITests", dependencies: ["GirdMPI", "GirdTensor", "GirdData", "gird-mpi-probe", "gird-repl"],
                    swiftSettings: vectorFlags),
        // Fuzzing (docs/reliability.md): the targets, a library so that the
        // corpus tests replay them, and gird-fuzz, libFuzzer's program
        // (scripts/fuzz builds it with -sanitize=fuzzer,address).
        .target(name: "GirdFuzzing",
                dependencies: ["GirdTensor", "GirdNN", "GirdData", "GirdTrain", "GirdRun", "GirdRecipe", "GirdREPL",
                               "GirdRecipeREPL", "CZlib"],
                swiftSettings: vectorFlags),
        .executableTarget(name: "gird-fuzz", dependencies: ["GirdFuzzing"], swiftSettings: vectorFlags),
        .testTarget(name: "GirdFuzzingTests", dependencies: ["GirdFuzzing"], exclude: ["Corpus", "Dictionaries"],
                    swiftSettings: vectorFlags),
        // Test support: runs the scripts/ that read the engine's files back
        // with other implementations (onnxruntime, TensorBoard's reader).
        .target(name: "GirdCrossCheck", path: "Tests/Support/GirdCrossCheck", swiftSettings: vectorFlags),
        // Tiny generated image folders in ImageNet's and Tiny ImageNet's layouts, for the data and recipe tests.
        .target(name: "GirdTestImages", dependencies: ["CJPEG", "GirdTensor"], path: "Tests/Support/GirdTestImages",
                swiftSettings: vectorFlags),
        .testTarget(name: "GirdONNXTests", dependencies: ["GirdONNX", "GirdNN", "GirdTensor", "GirdCrossCheck"], swiftSettings: vectorFlags),
        .testTarget(name: "GirdViewTests", dependencies: ["GirdView", "GirdTensor", "CPNG", "CCairo"], swiftSettings: vectorFlags),
        // Also drives the built gird-repl (and the demo) through a pseudo-terminal.
        .testTarget(name: "GirdREPLTests", dependencies: ["GirdREPL", "GirdRecipeREPL", "GirdRecipe", "GirdInterrupt", "GirdTensor", "gird-line-demo", "gird-repl"],
                    swiftSettings: vectorFlags),
    ]
)
