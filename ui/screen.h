/* screen — the only module that talks to curses: it opens and closes the
 * curses session, reads keys, and draws a model as a view describes it
 * (header, graphs, run table, detail page, help, footer, 'too small'
 * notice). It holds no state about the session: ui.c decides what to show
 * (struct ui_view) and screen draws exactly that, into curses' virtual
 * screen; curses then sends the terminal only the cells that changed.
 *
 * Colours come from one table here (one per variant, in order of first
 * appearance); none at all with NO_COLOR or on a monochrome terminal.
 * Braille graphs only when the locale's codeset is UTF-8, ASCII otherwise. */
#ifndef BT_UI_SCREEN_H
#define BT_UI_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "ui.h"

enum ui_page { UI_PAGE_MAIN, UI_PAGE_DETAIL, UI_PAGE_HELP };

/* One line of the help page. */
struct ui_help_line {
	const char *keys, *text;
};

/* Everything a frame of the screen depends on besides the model. */
struct ui_view {
	enum ui_mode mode;
	const char *title;
	enum ui_page page;
	uint64_t t_us;        /* the moment shown */
	uint64_t end_us;      /* replay: the trace's end; live: the latest data */
	double elapsed_s;     /* live: since the screen opened */
	bool paused;          /* live: display frozen */
	bool over;            /* live: the session has ended (the screen stays until q) */
	bool playing;         /* replay */
	double speed;         /* replay */
	bool runs_going;      /* live */
	double window_s;      /* graphs' time span; 0 = the whole session */
	unsigned graph_first; /* first graph kind shown (Tab rotates) */
	uint64_t sel;         /* id of the selected run (0: none yet) */
	int scroll;           /* detail and help pages */
	const char *prompt;   /* a question in the footer, and the answer so far */
	const char *answer;
	const char *message;  /* a footer line until the next key */
	const char *problem;  /* a lasting notice (cut trace) */
	const struct bt_frame *dprev, *dcur; /* detail rows: frames at t */
	const struct ui_help_line *help;
	size_t nhelp;
};

struct screen;

/* The parts of the screen rebuilt separately: the host facts (first row),
 * the state line (second), the graphs and the run table of the main page,
 * the body of the detail or help page, the footer. Each has a key folded
 * from what it shows and is rebuilt only when its key changes. */
enum scr_region { SR_FACTS, SR_STATE, SR_GRAPHS, SR_TABLE, SR_BODY, SR_FOOTER, SR_N };

struct screen_opts {
	bool no_color;
	FILE *in, *out;   /* NULL: the terminal */
	const char *term; /* NULL: $TERM */
};

/* Start curses (cbreak, no echo, keypad, non-blocking keys, hidden
 * cursor). NULL with one sentence in err on failure. On the real terminal
 * (out NULL) it also arms the safety net: the terminal's modes are put
 * back at exit() and on a fatal signal even if screen_close never runs. */
struct screen *screen_open(const struct screen_opts *o, char *err, size_t errlen);
/* End curses and free. NULL is a no-op. */
void screen_close(struct screen *s);
/* Whether curses is active (for the exit-time safety net). */
bool screen_active(void);
int screen_input_fd(const struct screen *s);
/* One pending key (a character or a UI_KEY_* code), or -1 when none
 * (never blocks). */
int screen_key(struct screen *s);
/* Match curses to the terminal's size when it changed (TIOCGWINSZ);
 * returns true when it did. */
bool screen_sync_size(struct screen *s);
void screen_size(const struct screen *s, int *rows, int *cols);
bool screen_braille(const struct screen *s);
bool screen_color(const struct screen *s);
/* Draw the view and update the terminal: the parts whose content changed
 * since the last draw are rebuilt, the rest are left as they are (and
 * curses sends the terminal only the cells that differ). */
void screen_draw(struct screen *s, const struct model *m, const struct ui_view *v);
/* Which parts the last screen_draw rebuilt: bits 1 << enum scr_region,
 * all of them after a resize or a new page, 0 when nothing changed. For
 * tests and benchmarks. */
unsigned screen_drawn(const struct screen *s);
/* After a draw: the rows a page can scroll by at most, and how many runs
 * a table page holds (for PgUp/PgDn). */
int screen_max_scroll(const struct screen *s);
int screen_table_rows(const struct screen *s);
/* The runs the main table lists at time t, in order (ids into ids, up to
 * max); returns the count. ui.c moves the selection through this list. */
size_t screen_visible_runs(const struct model *m, uint64_t t_us, uint64_t *ids, size_t max);
/* Number of graph kinds (Tab rotates through them). */
unsigned screen_graph_kinds(void);

#endif
