/// The tap parameters most methods share, under their recipe names.
extension MethodEntry.Parameter {
    public static let studentTaps = MethodEntry.Parameter(
        "student_taps", .none, "student layers, shallow to deep (none: the method's default)")
    public static let teacherTaps = MethodEntry.Parameter(
        "teacher_taps", .none, "teacher layers, paired in order with the student's (none: the method's default)")
    public static let studentTap = MethodEntry.Parameter("student_tap", .none, "student layer (none: the method's default)")
    public static let teacherTap = MethodEntry.Parameter("teacher_tap", .none, "teacher layer (none: the method's default)")
}
