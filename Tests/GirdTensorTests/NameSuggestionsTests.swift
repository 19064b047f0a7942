import XCTest
import GirdTensor

/// The one "did you mean" rule (see `NameSuggestions`), checked on its own;
/// the errors that use it are checked by their exact text elsewhere.
final class NameSuggestionsTests: XCTestCase {
    private func distance(_ a: String, _ b: String) -> Int {
        NameSuggestions.editDistance(a, b)
    }

    func testDistanceCountsEditsAndAdjacentSwaps() {
        XCTAssertEqual(distance("", ""), 0)
        XCTAssertEqual(distance("", "abc"), 3)
        XCTAssertEqual(distance("abc", ""), 3)
        XCTAssertEqual(distance("kitten", "sitting"), 3)
        XCTAssertEqual(distance("pritn", "print"), 1)   // a swap is one edit, not two
        XCTAssertEqual(distance("ab", "ba"), 1)
        XCTAssertEqual(distance("ca", "abc"), 3)        // optimal string alignment, not Damerau: no edit of a swapped pair
        XCTAssertEqual(distance("resnet8x5", "resnet8x4"), 1)
    }

    func testThresholdIsAThirdOfTheTypedLengthAndAtLeastOne() {
        // Two letters: one edit allowed.
        XCTAssertEqual(NameSuggestions.closest(to: "kx", among: ["kd"]), ["kd"])
        XCTAssertEqual(NameSuggestions.closest(to: "xy", among: ["kd"]), [])
        // Six letters: two edits allowed, three not.
        XCTAssertEqual(NameSuggestions.closest(to: "lenear", among: ["linear"]), ["linear"])
        XCTAssertEqual(NameSuggestions.closest(to: "lxnxar", among: ["linear"]), ["linear"])
        XCTAssertEqual(NameSuggestions.closest(to: "lxnxxr", among: ["linear"]), [])
    }

    func testSwapsAreSuggestedAsOneEdit() {
        // Two letters allow one edit: plain Levenshtein would count two.
        XCTAssertEqual(NameSuggestions.closest(to: "dk", among: ["kd", "crd"]), ["kd"])
        XCTAssertEqual(NameSuggestions.closest(to: "pritn", among: ["print", "range"], limit: 1), ["print"])
    }

    func testCaseIsIgnoredWhenMeasuringAndKeptInTheAnswer() {
        XCTAssertEqual(NameSuggestions.closest(to: "t", among: ["T", "alpha"]), ["T"])
        XCTAssertEqual(NameSuggestions.closest(to: "ResNet8x5", among: ["resnet8x4"]), ["resnet8x4"])
    }

    func testTheNameItselfIsNeverSuggested() {
        XCTAssertEqual(NameSuggestions.closest(to: "kd", among: ["kd"]), [])
        XCTAssertEqual(NameSuggestions.closest(to: "kd", among: ["kd", "kdd"]), ["kdd"])
    }

    func testTiesAreAlphabeticalUpToTheLimitAndOnlyTheBestDistanceCounts() {
        let candidates = ["resnet8x2", "resnet8x4", "resnet8x1", "resnet8x5"]
        XCTAssertEqual(NameSuggestions.closest(to: "resnet8x3", among: candidates), ["resnet8x1", "resnet8x2"])
        XCTAssertEqual(NameSuggestions.closest(to: "resnet8x3", among: candidates, limit: 1), ["resnet8x1"])
        XCTAssertEqual(NameSuggestions.closest(to: "resnet8x3", among: candidates, limit: 9),
                       ["resnet8x1", "resnet8x2", "resnet8x4", "resnet8x5"])
        // A closer candidate hides the farther ones, whatever the order given.
        XCTAssertEqual(NameSuggestions.closest(to: "resnet8x", among: ["resnet8x44", "resnet8x4"]), ["resnet8x4"])
        XCTAssertEqual(NameSuggestions.closest(to: "resnet8x", among: ["resnet8x4", "resnet"]), ["resnet8x4"])
        // A candidate listed twice is suggested once.
        XCTAssertEqual(NameSuggestions.closest(to: "kdd", among: ["kd", "kd"]), ["kd"])
    }

    func testTheOneSuggestionIsTheFirstOfTheClosest() {
        XCTAssertEqual(NameSuggestions.suggestion(for: "resnet8x3", among: ["resnet8x4", "resnet8x2"]), "resnet8x2")
        XCTAssertEqual(NameSuggestions.suggestion(for: "hlep", among: ["help", "load", "reset"]), "help")
        XCTAssertNil(NameSuggestions.suggestion(for: "x", among: ["reset"]))
        XCTAssertNil(NameSuggestions.suggestion(for: "x", among: []))
    }
}
