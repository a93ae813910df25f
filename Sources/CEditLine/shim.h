#ifndef DECIDE_CEDITLINE_SHIM_H
#define DECIDE_CEDITLINE_SHIM_H

#include <stdio.h>
#include <histedit.h>

/* Swift cannot call C variadic functions (el_set, el_get, history); these wrap the calls the REPL makes. */

/** Sets up an editor: emacs keys, the prompt callback, the client pointer, the history, Tab bound to the
    completion callback and Ctrl-R to incremental history search. libedit's own signal handling stays off: the
    host handles SIGINT. */
static inline void cedit_configure(EditLine *el, History *list, char *(*prompt)(EditLine *),
                                   unsigned char (*complete)(EditLine *, int), void *client) {
    el_set(el, EL_EDITOR, "emacs");
    el_set(el, EL_SIGNAL, 0);
    el_set(el, EL_CLIENTDATA, client);
    el_set(el, EL_PROMPT, prompt);
    el_set(el, EL_HIST, history, list);
    el_set(el, EL_ADDFN, "decide-complete", "Complete commands, flows, fields and offers", complete);
    el_set(el, EL_BIND, "^I", "decide-complete", NULL);
    el_set(el, EL_BIND, "^R", "em-inc-search-prev", NULL);
}

/** The client pointer given to `cedit_configure`. */
static inline void *cedit_client(EditLine *el) {
    void *client = NULL;
    el_get(el, EL_CLIENTDATA, &client);
    return client;
}

/** A history of at most `size` entries that skips consecutive duplicates. */
static inline History *cedit_history_open(int size) {
    History *list = history_init();
    HistEvent event;
    history(list, &event, H_SETSIZE, size);
    history(list, &event, H_SETUNIQUE, 1);
    return list;
}

/** Adds a line to the history. */
static inline void cedit_history_add(History *list, const char *line) {
    HistEvent event;
    history(list, &event, H_ENTER, line);
}

/** Loads the history file (a missing file is no error). */
static inline void cedit_history_load(History *list, const char *path) {
    HistEvent event;
    history(list, &event, H_LOAD, path);
}

/** Saves the history file. */
static inline void cedit_history_save(History *list, const char *path) {
    HistEvent event;
    history(list, &event, H_SAVE, path);
}

#endif
