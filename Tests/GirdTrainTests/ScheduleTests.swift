import XCTest
import GirdTensor
@testable import GirdTrain

/// Expected rates are worked out by hand from the formulas in
/// LearningRateSchedule.swift, in the comment beside each.
final class ScheduleTests: XCTestCase {
    func testConstant() throws {
        let schedule = LearningRateSchedule.constant
        XCTAssertEqual(try schedule.learningRate(base: 0.05, epoch: 0, step: 0, stepsPerEpoch: 10, epochs: 3), 0.05)
        XCTAssertEqual(try schedule.learningRate(base: 0.05, epoch: 2, step: 9, stepsPerEpoch: 10, epochs: 3), 0.05)
    }

    /// RepDistiller's CIFAR run: 240 epochs of 391 steps, 0.05 divided by 10
    /// at 150, 180 and 210 (its `epoch > 150` with epochs from 1 is our
    /// `epoch ≥ 150` with epochs from 0). Each rate is exactly its Python
    /// `0.05 * 0.1 ** k` rounded to Float.
    func testMultiStepBoundaries() throws {
        let schedule = try LearningRateSchedule.multiStep(milestones: [150, 180, 210], gamma: 0.1)
        func rate(_ epoch: Int, _ step: Int) throws -> Float {
            try schedule.learningRate(base: 0.05, epoch: epoch, step: step, stepsPerEpoch: 391, epochs: 240)
        }
        XCTAssertEqual(try rate(0, 0), 0.05)
        XCTAssertEqual(try rate(149, 390), 0.05)                        // last step before the milestone
        XCTAssertEqual(try rate(150, 0), 0.005)         // 0.05 · 0.1
        XCTAssertEqual(try rate(179, 390), 0.005)
        XCTAssertEqual(try rate(180, 0), 0.0005)        // 0.05 · 0.1²
        XCTAssertEqual(try rate(209, 390), 0.0005)
        XCTAssertEqual(try rate(210, 0), 0.00005)       // 0.05 · 0.1³
        XCTAssertEqual(try rate(239, 390), 0.00005)
    }

    /// 2 epochs of 2 steps: T = 4, rate = 0.1 · (1 + cos(π·t/4)) / 2.
    func testCosinePerStep() throws {
        func rate(_ epoch: Int, _ step: Int) throws -> Float {
            try LearningRateSchedule.cosine.learningRate(base: 0.1, epoch: epoch, step: step, stepsPerEpoch: 2, epochs: 2)
        }
        XCTAssertEqual(try rate(0, 0), 0.1)                                       // cos 0 = 1
        XCTAssertEqual(try rate(0, 1), 0.085355339, accuracy: 1e-9)                // (1 + √2/2)/2 = 0.853553390
        XCTAssertEqual(try rate(1, 0), 0.05, accuracy: 1e-9)                       // cos(π/2) = 0
        XCTAssertEqual(try rate(1, 1), 0.014644661, accuracy: 1e-9)                // last step: (1 − √2/2)/2 = sin²(π/8)
        XCTAssertEqual(try rate(2, 0), 0)                                         // end of training: cos π = −1
    }

    /// Warm-up over 1 epoch of 4 steps, then a cosine over the 2 epochs left
    /// (8 steps): base 0.2.
    func testWarmupThenCosine() throws {
        let schedule = try LearningRateSchedule.warmup(epochs: 1, then: .cosine)
        func rate(_ epoch: Int, _ step: Int) throws -> Float {
            try schedule.learningRate(base: 0.2, epoch: epoch, step: step, stepsPerEpoch: 4, epochs: 3)
        }
        XCTAssertEqual(try rate(0, 0), 0.05)                                      // 0.2 · 1/4
        XCTAssertEqual(try rate(0, 1), 0.1)                                       // 0.2 · 2/4
        XCTAssertEqual(try rate(0, 3), 0.2)                                       // last warm-up step: 0.2 · 4/4
        XCTAssertEqual(try rate(1, 0), 0.2)                                       // handover: cosine at t = 0
        XCTAssertEqual(try rate(1, 1), 0.19238795, accuracy: 1e-8)                 // 0.2 · (1 + cos(π/8))/2 = 0.2 · 0.961939766
        XCTAssertEqual(try rate(2, 3), 0.0076120467, accuracy: 1e-9)               // t = 7: 0.2 · (1 + cos(7π/8))/2 = 0.2 · 0.0380602337
        XCTAssertEqual(try rate(3, 0), 0)                                         // end of training
    }

    /// The inner schedule counts epochs from the end of the warm-up.
    func testWarmupShiftsMilestones() throws {
        let schedule = try LearningRateSchedule.warmup(epochs: 5, then: .multiStep(milestones: [150, 180, 210], gamma: 0.1))
        func rate(_ epoch: Int) throws -> Float {
            try schedule.learningRate(base: 0.05, epoch: epoch, step: 0, stepsPerEpoch: 10, epochs: 245)
        }
        XCTAssertEqual(try rate(0), 0.001)                                        // 0.05 · 1/50
        XCTAssertEqual(try rate(5), 0.05)
        XCTAssertEqual(try rate(154), 0.05)
        XCTAssertEqual(try rate(155), 0.005)
    }

    func testDescription() throws {
        let schedule = try LearningRateSchedule.warmup(epochs: 5, then: .multiStep(milestones: [150, 180], gamma: 0.1))
        XCTAssertEqual("\(schedule)", "warmup(epochs: 5, then: multiStep(milestones: [150, 180], gamma: 0.1))")
    }

    func testBadSettings() throws {
        XCTAssertThrowsError(try LearningRateSchedule.multiStep(milestones: [150, 150], gamma: 0.1)) { error in
            XCTAssertEqual("\(error)", "multiStep: milestones must be positive epochs in increasing order, got [150, 150]")
        }
        XCTAssertThrowsError(try LearningRateSchedule.multiStep(milestones: [150], gamma: 0)) { error in
            XCTAssertEqual("\(error)", "multiStep: gamma must be positive, got 0.0")
        }
        XCTAssertThrowsError(try LearningRateSchedule.warmup(epochs: 0, then: .cosine)) { error in
            XCTAssertEqual("\(error)", "warmup: a warm-up lasts at least 1 epoch, got 0")
        }
        let warmup = try LearningRateSchedule.warmup(epochs: 5, then: .cosine)
        XCTAssertThrowsError(try warmup.learningRate(base: 0.1, epoch: 0, step: 0, stepsPerEpoch: 10, epochs: 5)) { error in
            XCTAssertEqual("\(error)", "warmup: a warm-up of 5 epochs leaves no epoch of a 5-epoch run")
        }
        XCTAssertThrowsError(try LearningRateSchedule.cosine.learningRate(base: 0.1, epoch: 0, step: 10, stepsPerEpoch: 10, epochs: 5)) { error in
            XCTAssertEqual("\(error)", "learning rate schedule: step 10 of epoch 0 is outside a run of 5 epochs of 10 steps")
        }
        XCTAssertThrowsError(try LearningRateSchedule.constant.learningRate(base: 0.1, epoch: 0, step: 0, stepsPerEpoch: 0, epochs: 5)) { error in
            XCTAssertEqual("\(error)", "learning rate schedule: a run needs at least 1 epoch of 1 step, got 5 of 0")
        }
    }
}
