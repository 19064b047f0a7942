#ifndef GIRD_C_INTERRUPT_H
#define GIRD_C_INTERRUPT_H

// Ctrl-C as one flag for the whole process: the recipe interpreter's safe
// points, a training run's stop check and the REPL all read this one, so a
// press is seen wherever the computation happens to be.
//
// The handler only stores to a volatile sig_atomic_t, which is
// async-signal-safe; a third Ctrl-C that no safe point consumed ends the
// process with status 130 (the way out of a computation with no safe
// point). `restart` adds SA_RESTART, so that a Ctrl-C during a computation
// does not make its file reads fail with EINTR.
int gird_interrupt_install(int restart);
int gird_interrupt_pending(void);
void gird_interrupt_clear(void);
// As if Ctrl-C had been pressed once (tests, and code that wants to stop
// the computation at its next safe point).
void gird_interrupt_request(void);

#endif
