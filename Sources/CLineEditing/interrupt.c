#include "CLineEditing.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t interrupt_pending = 0;

static void on_interrupt(int signal_number) {
    (void)signal_number;
    interrupt_pending = 1;
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
