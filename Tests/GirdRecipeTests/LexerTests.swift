import XCTest
@testable import GirdRecipe

final class LexerTests: XCTestCase {
    private func kinds(_ text: String) throws -> [String] {
        try Lexer.tokens(of: SourceFile(name: "t", text: text)).map { token in
            switch token.kind {
            case .int(let i): return "int \(i)"
            case .float(let x): return "float \(x)"
            case .identifier: return "id \(token.text)"
            case .string: return "string \(token.text)"
            case .newline: return "newline"
            case .endOfFile: return "eof"
            default: return token.text
            }
        }
    }

    func testTokensOfADeclaration() throws {
        XCTAssertEqual(try kinds("param lr = 0.05 # rate\nlet n = 1_000"), [
            "param", "id lr", "=", "float 0.05", "newline", "let", "id n", "=", "int 1000", "eof",
        ])
    }

    func testOperators() throws {
        XCTAssertEqual(try kinds("a ** b // c != d <= e >= f == g @ h % i"), [
            "id a", "**", "id b", "//", "id c", "!=", "id d", "<=", "id e", ">=", "id f", "==", "id g", "@", "id h", "%", "id i", "eof",
        ])
    }

    func testNumbers() throws {
        XCTAssertEqual(try kinds("5e-4 1e3 2.5E+2 7"), ["float 0.0005", "float 1000.0", "float 250.0", "int 7", "eof"])
    }

    func testStringPartsAndEscapes() throws {
        let tokens = try Lexer.tokens(of: SourceFile(name: "t", text: #""a\tb\(x + 1)\"""#))
        XCTAssertEqual(tokens.count, 2)
        XCTAssertEqual(tokens[0].parts.count, 3)
        guard case .text(let first) = tokens[0].parts[0], case .code(let code, _) = tokens[0].parts[1],
              case .text(let last) = tokens[0].parts[2] else { return XCTFail("parts: \(tokens[0].parts)") }
        XCTAssertEqual(first, "a\tb")
        XCTAssertEqual(code.map(\.text), ["x", "+", "1", ""])
        XCTAssertEqual(last, "\"")
    }

    func testColumnsCountCharacters() throws {
        let tokens = try Lexer.tokens(of: SourceFile(name: "t", text: "\"é\" x"))
        XCTAssertEqual(tokens[1].span.column, 5)
    }

    func testBadCharacter() {
        XCTAssertEqual(errorText("let x = 3 $ 4"), """
            <-e>:1:11: error: unexpected character '$'
                let x = 3 $ 4
                          ^

            """)
    }

    func testUnterminatedString() {
        XCTAssertEqual(errorText("print(\"abc)\nprint(1)"), """
            <-e>:1:7: error: unterminated string
                print("abc)
                      ^~~~~

            """)
    }

    func testUnknownEscape() {
        XCTAssertEqual(errorText(#"let s = "a\qb""#), """
            <-e>:1:11: error: unknown escape '\\q' in a string
                let s = "a\\qb"
                          ^~

            """)
    }

    func testIntegerLiteralTooLarge() {
        XCTAssertEqual(errorText("99999999999999999999"), """
            <-e>:1:1: error: integer literal '99999999999999999999' is too large (the largest int is 9223372036854775807)
                99999999999999999999
                ^~~~~~~~~~~~~~~~~~~~

            """)
    }
}
