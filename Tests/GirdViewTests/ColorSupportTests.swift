import XCTest
@testable import GirdView

final class ColorSupportTests: XCTestCase {
    func testDetection() {
        XCTAssertEqual(ColorSupport.detect(environment: ["COLORTERM": "truecolor", "TERM": "xterm"], isTerminal: true), .trueColor)
        XCTAssertEqual(ColorSupport.detect(environment: ["COLORTERM": "24bit"], isTerminal: true), .trueColor)
        XCTAssertEqual(ColorSupport.detect(environment: ["TERM": "xterm-256color"], isTerminal: true), .palette256)
        XCTAssertEqual(ColorSupport.detect(environment: ["TERM": "screen"], isTerminal: true), .palette256)
        XCTAssertEqual(ColorSupport.detect(environment: ["TERM": "dumb"], isTerminal: true), .plain)
        XCTAssertEqual(ColorSupport.detect(environment: ["COLORTERM": "truecolor"], isTerminal: false), .plain)
    }

    func testPaletteIndices() {
        XCTAssertEqual(Palette256.index(of: RGB(0, 0, 0)), 16)
        XCTAssertEqual(Palette256.index(of: RGB(255, 255, 255)), 231)
        XCTAssertEqual(Palette256.index(of: RGB(255, 0, 0)), 196)
        XCTAssertEqual(Palette256.index(of: RGB(255, 0, 255)), 201)
        XCTAssertEqual(Palette256.index(of: RGB(95, 135, 175)), 67)   // exactly a cube entry: 16 + 36 + 12 + 3
        // Mid grey: the cube's nearest (135, 135, 135) is 7 away per channel,
        // the grey ramp's 128 (entry 232 + 12) is exact.
        XCTAssertEqual(Palette256.index(of: RGB(128, 128, 128)), 244)
    }

    func testVisibleWidthIgnoresEscapes() {
        XCTAssertEqual(VisibleText.width("\u{1B}[38;2;1;2;3m▀▀\u{1B}[0m x"), 4)
    }
}
