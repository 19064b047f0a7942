import XCTest
@testable import GirdRecipe

/// The resolver as a pass of its own: the slots it records on the tree
/// before anything compiles, and the errors it finds there.
final class ResolverTests: XCTestCase {
    /// Parses and resolves `code` in a fresh session; compiles and runs nothing.
    private func resolve(_ code: String, in interpreter: Interpreter = Interpreter()) throws -> [Stmt] {
        let block = try Parser.parse(SourceFile(name: "<test>", text: code))
        try interpreter.resolver.resolveProgram(block)
        return block.statements
    }

    private func function(_ statement: Stmt) -> FunctionDeclaration? {
        if case .function(let declaration) = statement.kind { return declaration }
        return nil
    }

    private func binding(_ statement: Stmt) -> NameBinding? {
        switch statement.kind {
        case .declaration(_, let binding, _): return binding
        case .forLoop(let variable, _, _): return variable
        case .function(let declaration): return declaration.binding
        default: return nil
        }
    }

    /// The slot of a statement that is a lone name.
    private func slot(_ statement: Stmt) -> Slot? {
        if case .expression(let expression) = statement.kind, case .name(let use) = expression.kind { return use.slot }
        return nil
    }

    func testTopLevelNamesAreGlobalSlotsInDeclarationOrder() throws {
        let statements = try resolve("let a = 1\nvar b = 2\nfn f() { a }\nb\nprint")
        XCTAssertEqual(binding(statements[0])?.slot, .global(0))
        XCTAssertEqual(binding(statements[1])?.slot, .global(1))
        XCTAssertEqual(binding(statements[2])?.slot, .global(2))
        XCTAssertEqual(slot(statements[3]), .global(1))
        XCTAssertEqual(slot(statements[4]), .builtin(BuiltinRegistry.functionIndex["print"]!))
        // A top-level function's body reads the global; it captures no frame.
        let f = try XCTUnwrap(function(statements[2]))
        XCTAssertEqual(slot(f.body.statements[0]), .global(0))
        XCTAssertFalse(f.capturesFrame)
        XCTAssertFalse(f.makesClosures)
    }

    func testAFunctionCanCallOneDefinedBelowIt() throws {
        let statements = try resolve("fn f() { g }\nfn g() { 1 }")
        let f = try XCTUnwrap(function(statements[0]))
        XCTAssertEqual(slot(f.body.statements[0]), binding(statements[1])?.slot)
    }

    func testLocalsTakeSlotsAfterTheParameters() throws {
        let statements = try resolve("fn f(x, y) {\n let z = x\n for i in [1] { let w = i }\n z\n y\n}")
        let f = try XCTUnwrap(function(statements[0]))
        XCTAssertEqual(binding(f.body.statements[0])?.slot, .local(2))
        XCTAssertEqual(binding(f.body.statements[1])?.slot, .local(3))
        XCTAssertEqual(slot(f.body.statements[2]), .local(2))
        XCTAssertEqual(slot(f.body.statements[3]), .local(1))
        // x, y, z, i and w: a block's names have slots of their own.
        XCTAssertEqual(f.slotCount, 5)
    }

    func testAClosureReadsItsDefiningFramesByDepth() throws {
        let statements = try resolve("fn outer(k) {\n let m = 2\n let h = fn(x) {\n let g = fn() { x + k + m }\n g\n }\n h\n}")
        let outer = try XCTUnwrap(function(statements[0]))
        XCTAssertTrue(outer.makesClosures)
        XCTAssertFalse(outer.capturesFrame)
        guard case .declaration(_, _, let middleExpression) = outer.body.statements[1].kind,
              case .function(let middle) = middleExpression.kind,
              case .declaration(_, _, let innerExpression) = middle.body.statements[0].kind,
              case .function(let inner) = innerExpression.kind,
              case .expression(let sum) = inner.body.statements[0].kind,
              case .binary(.add, let left, let m) = sum.kind,
              case .binary(.add, let x, let k) = left.kind,
              case .name(let xUse) = x.kind, case .name(let kUse) = k.kind, case .name(let mUse) = m.kind
        else { return XCTFail("unexpected tree") }
        XCTAssertTrue(middle.capturesFrame)
        XCTAssertTrue(middle.makesClosures)
        XCTAssertTrue(inner.capturesFrame)
        XCTAssertFalse(inner.makesClosures)
        XCTAssertEqual(xUse.slot, .enclosing(depth: 1, slot: 0))
        XCTAssertEqual(kUse.slot, .enclosing(depth: 2, slot: 0))
        XCTAssertEqual(mUse.slot, .enclosing(depth: 2, slot: 1))
    }

    func testALaterEntryResolvesAgainstTheSessionsGlobals() throws {
        let interpreter = Interpreter()
        _ = try resolve("let a = 1\nlet b = 2", in: interpreter)
        XCTAssertEqual(slot(try resolve("b", in: interpreter)[0]), .global(1))
    }

    /// Name errors come from the resolver, before any code is compiled or run.
    func testNameErrorsComeFromThePassWithTheirExactText() {
        func message(_ code: String) -> String? {
            do {
                _ = try resolve(code)
                return nil
            } catch let error as RecipeError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(message("let results = []\nprint(len(resluts))"), "unknown name 'resluts'; did you mean 'results'?")
        XCTAssertEqual(message("let x = 1\nx = 2"), "cannot assign to 'x': it was declared with 'let' (use 'var' for a variable)")
        XCTAssertEqual(message("len = 2"), "cannot assign to 'len': it is a builtin")
        XCTAssertEqual(message("fn f(n) { n = 1 }"), "cannot assign to 'n': it is a function parameter")
        XCTAssertEqual(message("for i in [1] { i = 2 }"), "cannot assign to 'i': it is a loop variable")
        XCTAssertEqual(message("let a = 1\nlet a = 2"), "'a' is already defined (at <test>:1:5)")
        // A call's arguments are resolved before its callee, as before the pass.
        XCTAssertEqual(message("qqqqqqq(zzzzzzz)"), "unknown name 'zzzzzzz'")
    }

    func testNothingRunsWhenResolutionFails() throws {
        var output = ""
        var options = InterpreterOptions()
        options.output = { output += $0 }
        let interpreter = Interpreter(options: options)
        XCTAssertThrowsError(try interpreter.run(source: "print(1)\nprint(missing)"))
        XCTAssertEqual(output, "")
    }
}
