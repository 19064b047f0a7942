import GirdSuggestions
import XCTest

/// The one "did you mean" rule (issue 14): the distance, the threshold, the
/// order of ties, and the prefix fallback for names in scope.
final class NameSuggestionsTests: XCTestCase {
    func testDistanceCountsAnAdjacentSwapAsOneEdit() {
        XCTAssertEqual(NameSuggestions.distance("hlep", "help"), 1)
        XCTAssertEqual(NameSuggestions.distance("hlep", "help", countingSwaps: false), 2)
        XCTAssertEqual(NameSuggestions.distance("resnet8x5", "resnet8x4"), 1)
        XCTAssertEqual(NameSuggestions.distance("", "abc"), 3)
        XCTAssertEqual(NameSuggestions.distance("abc", ""), 3)
        XCTAssertEqual(NameSuggestions.distance("kitten", "sitting"), 3)
        // OSA, not full Damerau: "ca" → "abc" takes 3 (no edit of a swapped pair).
        XCTAssertEqual(NameSuggestions.distance("ca", "abc"), 3)
        XCTAssertEqual(NameSuggestions.distance("ca", "abc", countingSwaps: false), 3)
    }

    func testThresholdIsAThirdOfTheTypedName() {
        XCTAssertEqual(NameSuggestions.best(for: "pritn", among: ["print", "len"]), "print")
        XCTAssertNil(NameSuggestions.best(for: "x", among: ["reset"]))          // :x is no typo of :reset
        XCTAssertEqual(NameSuggestions.best(for: "Resnet8X4", among: ["resnet8x4"]), "resnet8x4")  // case-insensitive
        // 6 letters allow 2 edits, 5 allow 1.
        XCTAssertEqual(NameSuggestions.best(for: "resnxt", among: ["resnet"]), "resnet")
        XCTAssertEqual(NameSuggestions.best(for: "abcxyz", among: ["abcdef"]), nil)
        XCTAssertNil(NameSuggestions.best(for: "lrate", among: ["learn"]))
    }

    func testPlainEditsRankAheadOfSwapsOnTies() {
        // One deletion from kd, one swap from dkd: the deletion wins alone.
        XCTAssertEqual(NameSuggestions.closest(to: "kdd", among: ["dkd", "kd", "rkd"]), ["kd"])
        // Real ties are all given, alphabetically, up to the limit.
        XCTAssertEqual(NameSuggestions.closest(to: "resnet8", among: ["resnet20", "resnet8x4", "resnet56", "resnet32"]),
                       ["resnet20", "resnet32"])
        XCTAssertEqual(NameSuggestions.closest(to: "resnet8", among: ["resnet20", "resnet32"], limit: 1), ["resnet20"])
    }

    func testTheNameItselfIsNeverSuggested() {
        XCTAssertEqual(NameSuggestions.closest(to: "kd", among: ["kd", "dkd"]), ["dkd"])
        XCTAssertEqual(NameSuggestions.closest(to: "kd", among: ["kd"]), [])
    }

    func testPrefixFallbackForNamesInScope() {
        XCTAssertEqual(NameSuggestions.best(for: "dataset", among: ["data"], byPrefix: true), "data")
        XCTAssertNil(NameSuggestions.best(for: "dataset", among: ["data"]))              // fields, parameters: distance only
        XCTAssertEqual(NameSuggestions.best(for: "ab", among: ["abc"], byPrefix: true), "abc")  // one edit: the distance rule
        XCTAssertNil(NameSuggestions.best(for: "ab", among: ["abcdef"], byPrefix: true))        // a prefix of 2 letters is no guess
        XCTAssertEqual(NameSuggestions.best(for: "learning", among: ["learn", "learning_rate"], byPrefix: true), "learn")
    }
}
