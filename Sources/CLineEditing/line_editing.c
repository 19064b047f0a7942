#include "CLineEditing.h"

#include <string.h>

EditLine *gird_editline_open(const char *program, FILE *input, FILE *output, FILE *errors) {
    EditLine *editor = el_init(program, input, output, errors);
    if (editor == NULL) return NULL;
    el_set(editor, EL_EDITOR, "emacs");
    // Without this, Ctrl-C at the prompt would raise SIGINT and libedit
    // would give up the line with an error, indistinguishable from a read
    // failure; as a key it is bound to the REPL's "clear the line".
    const char *setty[] = {"setty", "-d", "-isig", NULL};
    el_parse(editor, 3, setty);
    return editor;
}

int gird_editline_set_prompt(EditLine *editor, char *(*prompt)(EditLine *)) {
    return el_set(editor, EL_PROMPT, prompt);
}

int gird_editline_set_client_data(EditLine *editor, void *data) {
    return el_set(editor, EL_CLIENTDATA, data);
}

void *gird_editline_client_data(EditLine *editor) {
    void *data = NULL;
    el_get(editor, EL_CLIENTDATA, &data);
    return data;
}

int gird_editline_add_function(EditLine *editor, const char *name, const char *help,
                               unsigned char (*function)(EditLine *, int)) {
    return el_set(editor, EL_ADDFN, name, help, function);
}

int gird_editline_bind(EditLine *editor, const char *key, const char *function) {
    int main = el_set(editor, EL_BIND, key, function, NULL);
    int alternate = el_set(editor, EL_BIND, "-a", key, function, NULL);
    return main != 0 ? main : alternate;
}

int gird_editline_use_history(EditLine *editor, History *entries) {
    // EL_HIST takes the history function and the list it works on.
    return el_set(editor, EL_HIST, history, entries);
}

int gird_editline_prepare_terminal(EditLine *editor) {
    return el_set(editor, EL_PREP_TERM, 1);
}

int gird_editline_is_vi(EditLine *editor) {
    const char *mode = NULL;
    if (el_get(editor, EL_EDITOR, &mode) != 0 || mode == NULL) return 0;
    return strcmp(mode, "vi") == 0;
}

History *gird_history_open(int size) {
    History *entries = history_init();
    if (entries == NULL) return NULL;
    HistEvent event;
    history(entries, &event, H_SETSIZE, size);
    return entries;
}

int gird_history_enter(History *entries, const char *line) {
    HistEvent event;
    return history(entries, &event, H_ENTER, line);
}

int gird_history_clear(History *entries) {
    HistEvent event;
    return history(entries, &event, H_CLEAR);
}
