/* ui — see ui.h. This file: the ui object, the keys common to live and
 * replay (one const table that also writes the help page, so every key the
 * help lists works) and the view handed to the screen. No curses here. */
#include "ui.h"
#include "model.h"
#include "screen.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_KEYS_PER_CALL 256
#define LIVE_WINDOW_S 60

struct ui {
	struct ui_config cfg;
	char *title;
	struct model m;
	struct screen *scr;
	struct ui_view v;
	bool dirty;
	enum ui_action action;
	uint64_t t0_ns;
	uint64_t over_ns;      /* live: when the session ended (0: going on) */
	uint64_t shown_tenths; /* elapsed time last drawn, in 0.1 s */
	unsigned drawn;        /* what the last ui_draw rebuilt */
	/* live pause: the moment and the frames frozen */
	bool paused;
	uint64_t frozen_us;
	struct bt_frame fprev, fcur;
	bool have_fprev, have_fcur;
	/* replay */
	struct ui_clock clock;
	/* footer */
	char message[256];
	bool has_message;
	char *problem;
	bool prompting, confirming;
	char question[128], answer[64];
	size_t alen;
	void (*prompt_done)(struct ui *u, void *ctx, const char *answer);
	/* help page lines: common keys of this mode, then the controller's */
	struct ui_help_line *help;
	size_t nhelp;
	uint64_t *ids; /* scratch: visible run ids */
	size_t idcap;
};

/* ---- Common keys -------------------------------------------------------- */

enum { M_LIVE = 1, M_REPLAY = 2, M_ALL = 3 };

struct common_key {
	int codes[6];
	unsigned modes;
	const char *label, *help;
	void (*fn)(struct ui *u, int code);
};

static uint64_t view_time(const struct ui *u)
{
	if (u->cfg.mode == UI_REPLAY)
		return u->clock.pos_us;
	return u->paused ? u->frozen_us : u->m.end_us;
}

/* The runs the table lists now, into u->ids; returns how many. */
static size_t visible_ids(struct ui *u)
{
	size_t n = screen_visible_runs(&u->m, view_time(u), NULL, 0);
	bt_grow((void **)&u->ids, &u->idcap, n + 1, sizeof(*u->ids));
	return screen_visible_runs(&u->m, view_time(u), u->ids, n);
}

static void move_selection(struct ui *u, long delta)
{
	size_t n = visible_ids(u);
	if (!n)
		return;
	long i = 0;
	for (size_t k = 0; k < n; k++)
		if (u->ids[k] == u->v.sel)
			i = (long)k;
	i += delta;
	if (i < 0)
		i = 0;
	if (i >= (long)n)
		i = (long)n - 1;
	u->v.sel = u->ids[i];
}

static void scroll_by(struct ui *u, int delta)
{
	int max = screen_max_scroll(u->scr);
	int s = u->v.scroll + delta;
	u->v.scroll = s < 0 ? 0 : s > max ? max : s;
}

static void k_quit(struct ui *u, int code)
{
	if (u->cfg.mode == UI_LIVE && u->v.runs_going) {
		u->confirming = true;
		snprintf(u->question, sizeof u->question, "Runs are still going. Stop them and quit? (y/n) ");
		return;
	}
	u->action = UI_QUIT;
}

static void k_help(struct ui *u, int code)
{
	u->v.page = UI_PAGE_HELP;
	u->v.scroll = 0;
}

static void k_updown(struct ui *u, int code)
{
	int d = code == UI_KEY_UP ? -1 : 1;
	if (u->v.page == UI_PAGE_MAIN)
		move_selection(u, d);
	else
		scroll_by(u, d);
}

static void k_page(struct ui *u, int code)
{
	int d = code == UI_KEY_PGUP ? -1 : 1;
	if (u->v.page == UI_PAGE_MAIN) {
		move_selection(u, d * screen_table_rows(u->scr));
	} else {
		int rows, cols;
		screen_size(u->scr, &rows, &cols);
		scroll_by(u, d * (rows > 8 ? rows - 8 : 1));
	}
}

static void k_tab(struct ui *u, int code)
{
	unsigned n = screen_graph_kinds();
	u->v.graph_first = (u->v.graph_first + (code == UI_KEY_BTAB ? n - 1 : 1)) % n;
}

static void k_enter(struct ui *u, int code)
{
	if (u->v.page == UI_PAGE_MAIN && visible_ids(u)) {
		u->v.page = UI_PAGE_DETAIL;
		u->v.scroll = 0;
	}
}

static void k_esc(struct ui *u, int code)
{
	u->v.page = UI_PAGE_MAIN;
	u->v.scroll = 0;
}

static void k_pause(struct ui *u, int code)
{
	u->paused = !u->paused;
	if (!u->paused) {
		ui_message(u, "live again");
		return;
	}
	u->frozen_us = u->m.end_us;
	u->have_fcur = u->m.have_cur;
	u->have_fprev = u->m.have_prev;
	if (u->have_fcur)
		frame_copy(&u->fcur, &u->m.cur);
	if (u->have_fprev)
		frame_copy(&u->fprev, &u->m.prev);
	ui_message(u, "paused: the display is frozen, sampling and recording go on (p or space to go on)");
}

/* Time windows the zoom steps through; 0 is the whole session. */
static const double spans[] = { 3600, 1800, 600, 300, 120, 60, 30, 10, 5, 2, 1 };

static void k_zoom(struct ui *u, int code)
{
	bool in = code == '+' || code == '=';
	double whole = (double)(u->cfg.mode == UI_REPLAY ? u->clock.end_us : view_time(u)) / 1e6;
	double shown = u->v.window_s > 0 ? u->v.window_s : whole;
	double next = -1;
	if (in) {
		for (size_t i = 0; i < BT_ARRAY_LEN(spans) && next < 0; i++)
			if (spans[i] < shown - 1e-9)
				next = spans[i];
		if (next < 0) {
			ui_message(u, "the window is as small as it goes (1 s)");
			return;
		}
	} else {
		if (u->v.window_s <= 0) {
			ui_message(u, "already showing the whole %s", u->cfg.mode == UI_REPLAY ? "trace" : "session");
			return;
		}
		for (size_t i = BT_ARRAY_LEN(spans); i-- > 0 && next < 0;)
			if (spans[i] > shown + 1e-9)
				next = spans[i];
		if (next < 0 || next >= whole)
			next = 0;
	}
	u->v.window_s = next;
}

static const struct common_key common_keys[] = {
	{ { 'q', 'Q' }, M_ALL, "q", "quit (in a live session, asks first while runs are going)", k_quit },
	{ { '?', UI_KEY_F1 }, M_ALL, "? or F1", "this help", k_help },
	{ { UI_KEY_UP, UI_KEY_DOWN }, M_ALL, "Up/Down", "select a run; scroll the detail and help pages", k_updown },
	{ { UI_KEY_PGUP, UI_KEY_PGDN }, M_ALL, "PgUp/PgDn", "a page of runs, or of lines", k_page },
	{ { '\t', UI_KEY_BTAB }, M_ALL, "Tab", "next graphs: CPU, memory, RSS, throttled, threads (Shift-Tab: back)", k_tab },
	{ { '\r', '\n' }, M_ALL, "Enter", "detail of the selected run: processes, threads, phases, metrics, limits, env", k_enter },
	{ { UI_KEY_ESC }, M_ALL, "Esc", "back to the run table", k_esc },
	{ { 'p', ' ' }, M_LIVE, "p or space", "pause the display (sampling and recording go on)", k_pause },
	{ { '+', '=', '-', '_' }, M_ALL, "+ / -", "zoom the time window in / out (1 s .. the whole session)", k_zoom },
};

static bool has_code(const int *codes, size_t n, int code)
{
	for (size_t i = 0; i < n && codes[i]; i++)
		if (codes[i] == code)
			return true;
	return false;
}

static void build_help(struct ui *u)
{
	unsigned mode = u->cfg.mode == UI_LIVE ? M_LIVE : M_REPLAY;
	u->help = xcalloc(BT_ARRAY_LEN(common_keys) + u->cfg.nkeys + 1, sizeof(*u->help));
	for (size_t i = 0; i < BT_ARRAY_LEN(common_keys); i++)
		if (common_keys[i].modes & mode)
			u->help[u->nhelp++] = (struct ui_help_line){ common_keys[i].label, common_keys[i].help };
	for (size_t i = 0; i < u->cfg.nkeys; i++)
		u->help[u->nhelp++] = (struct ui_help_line){ u->cfg.keys[i].label, u->cfg.keys[i].help };
}

/* ---- Input -------------------------------------------------------------- */

static void prompt_key(struct ui *u, int c)
{
	if (c == '\r' || c == '\n') {
		u->prompting = false;
		u->answer[u->alen] = '\0';
		if (u->prompt_done)
			u->prompt_done(u, u->cfg.ctx, u->answer);
	} else if (c == UI_KEY_ESC) {
		u->prompting = false;
		ui_message(u, "cancelled");
	} else if (c == 127 || c == 8) {
		if (u->alen)
			u->alen--;
	} else if (c >= 0x20 && c < 0x7f && u->alen + 1 < sizeof u->answer) {
		u->answer[u->alen++] = (char)c;
	}
	u->answer[u->alen] = '\0';
}

static void confirm_key(struct ui *u, int c)
{
	u->confirming = false;
	if (c == 'y' || c == 'Y') {
		u->action = UI_STOP_RUNS;
		ui_message(u, "stopping the runs...");
	} else {
		ui_message(u, "not quitting: the runs go on");
	}
}

static void help_key(struct ui *u, int c)
{
	if (c == UI_KEY_ESC || c == 'q' || c == 'Q' || c == '?' || c == UI_KEY_F1 || c == '\r' || c == '\n')
		k_esc(u, c);
	else if (c == UI_KEY_UP || c == UI_KEY_DOWN)
		scroll_by(u, c == UI_KEY_UP ? -1 : 1);
	else if (c == UI_KEY_PGUP || c == UI_KEY_PGDN)
		k_page(u, c);
}

static void dispatch(struct ui *u, int c)
{
	unsigned mode = u->cfg.mode == UI_LIVE ? M_LIVE : M_REPLAY;
	for (size_t i = 0; i < u->cfg.nkeys; i++)
		if (has_code(u->cfg.keys[i].codes, BT_ARRAY_LEN(u->cfg.keys[i].codes), c)) {
			u->cfg.keys[i].fn(u, u->cfg.ctx, c);
			return;
		}
	for (size_t i = 0; i < BT_ARRAY_LEN(common_keys); i++)
		if ((common_keys[i].modes & mode) && has_code(common_keys[i].codes, BT_ARRAY_LEN(common_keys[i].codes), c)) {
			common_keys[i].fn(u, c);
			return;
		}
}

enum ui_action ui_handle_input(struct ui *u)
{
	u->action = UI_NONE;
	for (int i = 0; i < MAX_KEYS_PER_CALL && u->action == UI_NONE; i++) {
		int c = screen_key(u->scr);
		if (c < 0)
			break;
		u->dirty = true;
		if (c == UI_KEY_RESIZE || c == UI_KEY_OTHER)
			continue;
		u->has_message = false;
		if (u->confirming)
			confirm_key(u, c);
		else if (u->prompting)
			prompt_key(u, c);
		else if (u->v.page == UI_PAGE_HELP)
			help_key(u, c);
		else
			dispatch(u, c);
	}
	return u->action;
}

/* ---- The object --------------------------------------------------------- */

struct ui *ui_open(const struct ui_config *cfg, char *err, size_t errlen)
{
	if (!cfg->out && !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "standard output is not a terminal, and the screen needs one");
		return NULL;
	}
	if (!cfg->in && !isatty(STDIN_FILENO)) {
		snprintf(err, errlen, "standard input is not a terminal, and the screen reads keys from one");
		return NULL;
	}
	struct screen_opts so = { .no_color = cfg->no_color, .in = cfg->in, .out = cfg->out, .term = cfg->term };
	struct screen *scr = screen_open(&so, err, errlen);
	if (!scr)
		return NULL;
	struct ui *u = xcalloc(1, sizeof(*u));
	u->cfg = *cfg;
	u->title = xstrdup(cfg->title ? cfg->title : "");
	u->cfg.title = u->title;
	u->scr = scr;
	model_init(&u->m);
	frame_init(&u->fprev);
	frame_init(&u->fcur);
	u->v.mode = cfg->mode;
	u->v.speed = 1;
	/* Live graphs scroll: the last minute, the whole session while it is
	 * shorter (- shows the whole of a longer one). A replay shows the
	 * whole trace. */
	u->v.window_s = cfg->mode == UI_LIVE ? LIVE_WINDOW_S : 0;
	u->t0_ns = bt_now_ns();
	u->dirty = true;
	build_help(u);
	return u;
}

void ui_close(struct ui *u)
{
	if (!u)
		return;
	screen_close(u->scr);
	model_free(&u->m);
	frame_free(&u->fprev);
	frame_free(&u->fcur);
	free(u->help);
	free(u->ids);
	free(u->problem);
	free(u->title);
	free(u);
}

void ui_feed(struct ui *u, const struct bt_record *rec)
{
	model_feed(&u->m, rec);
	if (!u->paused)
		u->dirty = true;
}

void ui_plan_run(struct ui *u, uint64_t run_id, const char *workload, const char *variant, unsigned rep)
{
	model_plan_run(&u->m, run_id, workload, variant, rep);
	u->dirty = true;
}

int ui_input_fd(const struct ui *u)
{
	return screen_input_fd(u->scr);
}

void ui_set_live(struct ui *u, bool runs_going)
{
	if (u->v.runs_going != runs_going)
		u->dirty = true;
	u->v.runs_going = runs_going;
}

void ui_set_clock(struct ui *u, const struct ui_clock *c)
{
	if (memcmp(&u->clock, c, sizeof *c) != 0)
		u->dirty = true;
	u->clock = *c;
}

void ui_set_ratio(struct ui *u, ui_ratio_fn fn)
{
	u->m.ratio = fn ? fn : model_ratio_ci;
	u->m.gen++;
	u->dirty = true;
}

void ui_session_over(struct ui *u)
{
	if (u->over_ns)
		return;
	u->over_ns = bt_now_ns();
	model_session_over(&u->m);
	u->v.runs_going = false;
	u->dirty = true;
}

unsigned ui_drawn(const struct ui *u)
{
	return u->drawn;
}

const struct model *ui_model(const struct ui *u)
{
	return &u->m;
}

void ui_message(struct ui *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(u->message, sizeof u->message, fmt, ap);
	va_end(ap);
	u->has_message = true;
	u->dirty = true;
}

void ui_set_problem(struct ui *u, const char *text)
{
	free(u->problem);
	u->problem = text ? xstrdup(text) : NULL;
	u->dirty = true;
}

void ui_prompt(struct ui *u, const char *question, void (*done)(struct ui *u, void *ctx, const char *answer))
{
	u->prompting = true;
	snprintf(u->question, sizeof u->question, "%s", question);
	u->alen = 0;
	u->answer[0] = '\0';
	u->prompt_done = done;
	u->dirty = true;
}

/* Everything the screen needs for this frame. */
static void build_view(struct ui *u, uint64_t now_ns)
{
	struct ui_view *v = &u->v;
	v->title = u->title;
	v->t_us = view_time(u);
	if (u->cfg.mode == UI_REPLAY) {
		v->end_us = u->clock.end_us;
		v->speed = u->clock.speed;
		v->playing = u->clock.playing;
	} else {
		v->end_us = u->m.end_us;
		v->paused = u->paused;
		v->over = u->over_ns != 0;
		/* the clock stops with the session */
		v->elapsed_s = (double)((u->over_ns ? u->over_ns : now_ns) - u->t0_ns) / 1e9;
	}
	/* Keep a visible run selected. */
	size_t n = visible_ids(u);
	bool found = false;
	for (size_t i = 0; i < n && !found; i++)
		found = u->ids[i] == v->sel;
	if (!found)
		v->sel = n ? u->ids[0] : 0;
	if (!n && v->page == UI_PAGE_DETAIL)
		v->page = UI_PAGE_MAIN;
	v->dprev = v->dcur = NULL;
	if (v->page == UI_PAGE_DETAIL) {
		if (u->cfg.frames_at) {
			if (!u->cfg.frames_at(u->cfg.ctx, v->t_us, &v->dprev, &v->dcur))
				v->dprev = v->dcur = NULL;
		} else if (u->paused) {
			v->dcur = u->have_fcur ? &u->fcur : NULL;
			v->dprev = u->have_fprev ? &u->fprev : NULL;
		} else {
			v->dcur = u->m.have_cur ? &u->m.cur : NULL;
			v->dprev = u->m.have_prev ? &u->m.prev : NULL;
		}
	}
	v->prompt = u->confirming || u->prompting ? u->question : NULL;
	v->answer = u->prompting ? u->answer : "";
	v->message = u->has_message ? u->message : NULL;
	v->problem = u->problem;
	v->help = u->help;
	v->nhelp = u->nhelp;
}

void ui_draw(struct ui *u, uint64_t now_ns)
{
	if (screen_sync_size(u->scr))
		u->dirty = true;
	if (u->cfg.mode == UI_LIVE && !u->over_ns) {
		uint64_t tenths = (now_ns - u->t0_ns) / 100000000ull;
		if (tenths != u->shown_tenths)
			u->dirty = true;
		u->shown_tenths = tenths;
	}
	u->drawn = 0;
	if (!u->dirty)
		return;
	build_view(u, now_ns);
	screen_draw(u->scr, &u->m, &u->v);
	u->drawn = screen_drawn(u->scr);
	u->dirty = false;
}
