extension CommandLineTool {
    /// Names whose presence in `-e` code means real compute may follow: a
    /// run (OpenBLAS and oneDNN's OpenMP threads side by side, where
    /// `GOMP_SPINCOUNT=0` halves the time), a model's forward passes (the
    /// registry's builtins marked `computes`), or an import that could hold either.
    static let computeNames: Set<String> = Set(BuiltinRegistry.all.filter(\.computes).map(\.name) + ["import"])

    /// Whether gird-repl should re-execute itself with the environment the
    /// native libraries read when they load
    /// (`ComputeThreads.relaunchWithTunedNativeLibraries`). The second
    /// start costs about as much as the first; it pays for itself in any
    /// run that computes, so files, pipes and the REPL always take it. A
    /// quick `-e` check (`gird-repl -e '1 + 1'`) skips it unless its code
    /// names something that computes, and `--help` and `--version` never
    /// need it. The code is only scanned for words, not parsed: a false
    /// "yes" costs one restart, a false "no" only the spin-count tuning.
    public static func benefitsFromTunedLibraries(_ arguments: [String]) -> Bool {
        if arguments.contains(where: { ["--help", "-h", "--version", "--list-builtins-markdown"].contains($0) }) {
            return false
        }
        guard let flag = arguments.firstIndex(of: "-e"), flag + 1 < arguments.count else { return true }
        var words = Set<String>()
        var word = ""
        for character in arguments[flag + 1] + " " {
            if character.isLetter || character.isNumber || character == "_" {
                word.append(character)
            } else if !word.isEmpty {
                words.insert(word)
                word = ""
            }
        }
        return !words.isDisjoint(with: computeNames)
    }
}
