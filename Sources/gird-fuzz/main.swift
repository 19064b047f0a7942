import Foundation
import GirdFuzzing

// gird-fuzz TARGET [libFuzzer options and corpus folders]
//
// Built by scripts/fuzz with -sanitize=fuzzer,address, libFuzzer's main
// drives the target named first. In an ordinary build (no libFuzzer) it
// reads each file named after the target once: a way to replay a crash by
// hand.
//
// This file holds declarations only, because a fuzzing build compiles it
// as a library (libFuzzer has the main) and refuses statements. In an
// ordinary build it is the program's main file, where a global's
// initializer runs at start: `replayed` below is that entry.

nonisolated(unsafe) var selected: FuzzTarget?

/// Finds the target named by the first argument; exits with the list when it is missing.
func selectTarget(_ arguments: [String]) -> FuzzTarget {
    if arguments.count == 3, arguments[1] == "--dictionary" {
        // For scripts/fuzz: the target's dictionary file name, if it has one.
        print(FuzzTargets.named(arguments[2])?.dictionary ?? "")
        exit(0)
    }
    guard arguments.count >= 2, arguments[1] != "--list" else {
        for target in FuzzTargets.all { print("\(target.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(target.summary)") }
        exit(arguments.count >= 2 ? 0 : 2)
    }
    guard let target = FuzzTargets.named(arguments[1]) else {
        FileHandle.standardError.write(Data("gird-fuzz: no target '\(arguments[1])'; gird-fuzz --list names them\n".utf8))
        exit(2)
    }
    return target
}

/// libFuzzer calls this before it reads its options: the target's name is
/// taken out of argv, so that libFuzzer does not take it for a corpus folder.
@_cdecl("LLVMFuzzerInitialize")
func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>,
                      _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> Int32 {
    let count = Int(argc.pointee), vector = argv.pointee
    selected = selectTarget((0..<count).map { String(cString: vector[$0]!) })
    for index in 1..<count { vector[index] = vector[index + 1] }  // argv ends with a null
    argc.pointee = Int32(count - 1)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    selected?.run(size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// Runs each file named after the target once (an ordinary build's entry).
func replay(_ arguments: [String]) -> Never {
    let target = selectTarget(arguments)
    for path in arguments.dropFirst(2) {
        guard let data = FileManager.default.contents(atPath: path) else {
            FileHandle.standardError.write(Data("gird-fuzz: cannot read \(path)\n".utf8))
            exit(2)
        }
        target.run([UInt8](data))
        print("\(path): ran without a crash")
    }
    exit(0)
}

let replayed: Never = replay(CommandLine.arguments)
