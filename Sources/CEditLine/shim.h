#ifndef DECIDE_CEDITLINE_SHIM_H
#define DECIDE_CEDITLINE_SHIM_H

#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <wchar.h>
#include <histedit.h>

/** libedit's reader: one character of standard input, decoded from UTF-8. A signal that interrupts the wait (Ctrl-C
    at the prompt) abandons the line: the text typed so far is deleted and it returns -1 with errno EINTR, so
    el_gets returns NULL with errno EINTR. (libedit's own reader retries the first EINTR, swallowing one Ctrl-C, and
    hands back the text typed so far as if Enter had been pressed.) */
static inline int cedit_getc(EditLine *el, wchar_t *out) {
    unsigned char bytes[4];
    ssize_t got = read(STDIN_FILENO, bytes, 1);
    if (got < 0 && errno == EINTR) {
        const LineInfo *line = el_line(el);
        el_cursor(el, (int)(line->lastchar - line->cursor));
        el_deletestr(el, (int)(line->lastchar - line->buffer));
        errno = EINTR;
        return -1;
    }
    if (got <= 0) return (int)got;
    int length = bytes[0] < 0x80 ? 1 : bytes[0] < 0xE0 ? 2 : bytes[0] < 0xF0 ? 3 : 4;
    for (int i = 1; i < length; i++) {
        if (read(STDIN_FILENO, bytes + i, 1) != 1) return -1;
    }
    static const unsigned char lead_bits[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    wchar_t character = bytes[0] & lead_bits[length];
    for (int i = 1; i < length; i++) character = (character << 6) | (bytes[i] & 0x3F);
    *out = character;
    return 1;
}

/* Swift cannot call C variadic functions (el_set, el_get, history); these wrap the calls the REPL makes. */

/** Sets up an editor: emacs keys, the prompt callback, the client pointer, the history, Tab bound to the
    completion callback, Ctrl-R to incremental history search, and `cedit_getc` as the reader. libedit's own signal handling stays off: the
    host handles SIGINT. */
static inline void cedit_configure(EditLine *el, History *list, char *(*prompt)(EditLine *),
                                   unsigned char (*complete)(EditLine *, int), void *client) {
    el_set(el, EL_EDITOR, "emacs");
    el_set(el, EL_SIGNAL, 0);
    el_set(el, EL_GETCFN, cedit_getc);
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
