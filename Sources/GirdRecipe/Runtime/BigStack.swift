import Foundation

/// Runs the parser and the evaluator on a thread with a large stack, so that
/// their depth limits (nesting, recursion) are reached long before the stack
/// is: a deep recipe is an error message, never a crash.
enum BigStack {
    static let size = 512 << 20
    private static let marker = "GirdRecipe.BigStack"

    static func run<T>(_ body: @escaping () -> T) -> T {
        if Thread.current.threadDictionary[marker] != nil { return body() }
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            Thread.current.threadDictionary[marker] = true
            box.value = body()
            done.signal()
        }
        thread.stackSize = size
        thread.start()
        done.wait()
        return box.value!
    }
}

private final class ResultBox<T> {
    var value: T?
}
