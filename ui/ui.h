/* ui — benchtop's interactive screen: the one object a live session or a
 * replay drives. It owns the view model (model.h), the curses session
 * (screen.h) and the keys; it never reads /proc or cgroup files: everything
 * it shows comes from the records it is fed, so live and replay are the
 * same code and differ only in which moment they show.
 *
 * Live call order (the session's poll loop):
 *   u = ui_open(&cfg, err, sizeof err)       refuses when not on a terminal
 *   ui_plan_run(u, ...) for runs known ahead  (shown as queued)
 *   loop: poll(ui_input_fd(u), timerfd, signalfd...)
 *         ui_feed(u, &rec) for every record, right after writing it
 *         ui_handle_input(u) -> UI_NONE / UI_STOP_RUNS / UI_QUIT
 *         ui_set_live(u, runs_going); ui_draw(u, now_ns)
 *   ui_session_over(u), then keys until q     the screen stays
 *   ui_close(u)                               restores the terminal
 * ui_draw is cheap when nothing changed (no curses call at all), and
 * rebuilds only the parts of the screen whose content changed. The screen
 * notices a new terminal size by itself on every ui_draw, so a caller that
 * takes SIGWINCH through a signalfd only needs to call ui_draw after it.
 *
 * The terminal is restored by ui_close, and as a safety net (screen.c) at
 * exit() and on a fatal signal (SIGSEGV, SIGABRT...). A caller that ends
 * on SIGINT/SIGTERM calls ui_close first.
 *
 * A controller (replay.c) adds its own keys and sets the moment shown with
 * ui_set_clock; see the second half of this file. */
#ifndef BT_UI_UI_H
#define BT_UI_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "frame.h"
#include "trace.h"

struct ui;
struct model;
struct model_ratio;

enum ui_mode { UI_LIVE, UI_REPLAY };
enum ui_action { UI_NONE, UI_STOP_RUNS, UI_QUIT };

/* Keys: a character is itself (Enter is '\r', Esc 27, Backspace 127);
 * keys that are no character have these codes. */
enum ui_keycode {
	UI_KEY_ESC = 27,
	UI_KEY_UP = 0x110000, /* past Unicode */
	UI_KEY_DOWN,
	UI_KEY_LEFT,
	UI_KEY_RIGHT,
	UI_KEY_PGUP,
	UI_KEY_PGDN,
	UI_KEY_HOME,
	UI_KEY_END,
	UI_KEY_BTAB, /* Shift-Tab */
	UI_KEY_F1,
	UI_KEY_RESIZE,
	UI_KEY_OTHER, /* any other special key: ignored */
};

/* A key a controller adds. fn gets the controller's ctx and the key code. */
struct ui_key {
	int codes[4];      /* characters or UI_KEY_* codes; 0 ends the list */
	const char *label; /* as the help shows it: "Left/Right" */
	const char *help;  /* what it does, one line */
	void (*fn)(struct ui *u, void *ctx, int code);
};

struct ui_config {
	enum ui_mode mode;
	const char *title;  /* in the header: the trace file, the session's name */
	bool no_color;      /* never use colour (NO_COLOR in the environment also does) */
	/* Controller keys, tried before the common ones. */
	const struct ui_key *keys;
	size_t nkeys;
	void *ctx;
	/* Replay: the frames at and just before time t (for the detail view's
	 * per-process rows); false when there are none. NULL in live mode,
	 * where the latest two frames fed are used. */
	bool (*frames_at)(void *ctx, uint64_t t_us, const struct bt_frame **prev, const struct bt_frame **cur);
	/* Tests and benchmarks: draw on these instead of the terminal
	 * (newterm). NULL: stdin/stdout, which must be a terminal. */
	FILE *in, *out;
	const char *term; /* with out: the terminal type (default $TERM) */
};

/* Start curses. NULL with one sentence in err when stdout (or stdin) is
 * not a terminal, TERM cannot draw a screen, or curses fails. */
struct ui *ui_open(const struct ui_config *cfg, char *err, size_t errlen);
/* Every record, in order. */
void ui_feed(struct ui *u, const struct bt_record *rec);
/* A run known in advance; shown as queued until its RUN_START. */
void ui_plan_run(struct ui *u, uint64_t run_id, const char *workload, const char *variant, unsigned rep);
/* The descriptor to poll for keys. */
int ui_input_fd(const struct ui *u);
/* Read every pending key without blocking and act on it. UI_STOP_RUNS:
 * the user confirmed quitting while runs are going (stop them cleanly,
 * then ui_close); UI_QUIT: quit now. */
enum ui_action ui_handle_input(struct ui *u);
/* Whether runs are still going (q then asks first). */
void ui_set_live(struct ui *u, bool runs_going);
/* The session is over (the screen stays until q): the elapsed clock stops,
 * the header says so, and planned runs that never started show as 'not
 * run'. */
void ui_session_over(struct ui *u);
/* Redraw what changed; now_ns is CLOCK_MONOTONIC (bt_now_ns) for the
 * elapsed time in the header. */
void ui_draw(struct ui *u, uint64_t now_ns);
/* End curses, restore the terminal, free. NULL is a no-op. */
void ui_close(struct ui *u);

/* The run table's "vs base" column: how a variant's ratio to the baseline
 * is computed from the wall times of finished runs (model.h,
 * model_ratio_fn). NULL: the default, the ratio of medians with its 95 %
 * bootstrap interval as `benchtop compare` gives it (model_ratio_ci). */
typedef bool (*ui_ratio_fn)(const double *base, size_t nbase, const double *var, size_t nvar,
			    struct model_ratio *out);
void ui_set_ratio(struct ui *u, ui_ratio_fn fn);
/* Tests and benchmarks: which parts of the screen the last ui_draw rebuilt
 * (screen_drawn); 0 when nothing had changed. */
unsigned ui_drawn(const struct ui *u);

/* ---- For controllers (replay) ------------------------------------------ */

/* The moment a replay shows and how it moves. */
struct ui_clock {
	uint64_t pos_us; /* the moment shown */
	uint64_t end_us; /* the end of the trace */
	double speed;    /* x0.25 .. x16 */
	bool playing;
};
void ui_set_clock(struct ui *u, const struct ui_clock *c);
/* The model, to look up frames, events and runs. */
const struct model *ui_model(const struct ui *u);
/* A line in the footer until the next key. */
void ui_message(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A lasting notice (a cut or damaged trace); NULL clears it. */
void ui_set_problem(struct ui *u, const char *text);
/* Ask a question in the footer; done() gets the answer on Enter (not on
 * Esc). */
void ui_prompt(struct ui *u, const char *question, void (*done)(struct ui *u, void *ctx, const char *answer));

#endif
