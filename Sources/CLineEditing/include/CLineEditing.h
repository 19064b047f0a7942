#ifndef GIRD_C_LINE_EDITING_H
#define GIRD_C_LINE_EDITING_H

// What GirdREPL needs from libedit's native API (histedit.h), wrapped because
// el_set and history are variadic and Swift cannot call variadic C
// functions. The non-variadic calls (el_gets, el_line, el_insertstr,
// el_deletestr, el_source, el_end, history_end) are used directly.

#include <stdio.h>
#include <histedit.h>

// An editor on the given streams, in Emacs mode, with the terminal's signal
// keys (ISIG) turned off while a line is edited, so that Ctrl-C reaches a
// key binding (which clears the line) instead of raising SIGINT.
EditLine *gird_editline_open(const char *program, FILE *input, FILE *output, FILE *errors);
int gird_editline_set_prompt(EditLine *editor, char *(*prompt)(EditLine *));
int gird_editline_set_client_data(EditLine *editor, void *data);
void *gird_editline_client_data(EditLine *editor);
// Registers a named editor function (as `bind` in ~/.editrc sees it).
int gird_editline_add_function(EditLine *editor, const char *name, const char *help,
                               unsigned char (*function)(EditLine *, int));
// Binds `key` (in `bind` notation: "^I", "^C") to a named function in the
// main keymap and in vi's command keymap.
int gird_editline_bind(EditLine *editor, const char *key, const char *function);
int gird_editline_use_history(EditLine *editor, History *history);
// Puts the terminal in the editor's raw mode now. el_gets does it only
// after drawing the prompt, so keys typed just after the prompt appears
// could still meet the line discipline: Ctrl-D there is swallowed as the
// cooked mode's end-of-file, and Ctrl-C raises SIGINT instead of clearing.
int gird_editline_prepare_terminal(EditLine *editor);
// 1 when the editor is in vi mode (after ~/.editrc said `bind -v`).
int gird_editline_is_vi(EditLine *editor);

History *gird_history_open(int size);
int gird_history_enter(History *history, const char *line);
int gird_history_clear(History *history);

#endif
