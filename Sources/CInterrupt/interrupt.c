#include "CInterrupt.h"

#include <signal.h>
#include <string.h>

#include <unistd.h>

// Ctrl-C presses no safe point has consumed yet.
static volatile sig_atomic_t interrupt_pending = 0;

// A computation that never reaches a safe point (a stuck native call, a
// recipe builtin without checks) would otherwise be impossible to stop:
// the third unconsumed Ctrl-C leaves at once with the spec's status for
// "interrupted", using only async-signal-safe calls.
static void on_interrupt(int signal_number) {
    (void)signal_number;
    interrupt_pending = interrupt_pending + 1;
    if (interrupt_pending >= 3) {
        static const char message[] = "\ninterrupted three times without reaching a safe point; leaving\n";
        ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
        (void)ignored;
        _exit(130);
    }
}

int gird_interrupt_install(int restart) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = restart ? SA_RESTART : 0;
    return sigaction(SIGINT, &action, NULL);
}

int gird_interrupt_pending(void) { return interrupt_pending; }

void gird_interrupt_clear(void) { interrupt_pending = 0; }

void gird_interrupt_request(void) {
    if (interrupt_pending == 0) interrupt_pending = 1;
}
