/* screen — see screen.h. This file: the curses session, colours, the
 * layout of the main page, header, footer, help page and the 'too small'
 * notice. Graph panes, the run table and the detail page have files of
 * their own (screen_graph.c, screen_table.c, screen_detail.c). */
#include "screen_int.h"
#include "util.h"

#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

/* Below this the screen shows a notice instead of a cramped layout;
 * between it and 80x24 the layout drops graph panes and table columns. */
#define MIN_COLS 60
#define MIN_ROWS 16
#define MIN_GRAPH_ROWS 6 /* title, 4 plot rows, time labels */

/* The one colour table: variants in order of first appearance. */
static const short palette[SCREEN_PALETTE] = {
	COLOR_GREEN, COLOR_CYAN, COLOR_YELLOW, COLOR_MAGENTA, COLOR_BLUE, COLOR_RED,
};

static bool curses_active;

bool screen_active(void)
{
	return curses_active;
}

/* ---- Safety net: the terminal comes back whatever happens ---------------- */

static struct termios saved_tio;
static int saved_fd = -1;
static char restore_seq[128];
static size_t restore_len;
static bool net_armed;
static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
static struct sigaction old_fatal[sizeof fatal_signals / sizeof fatal_signals[0]];

/* Async-signal-safe: tcsetattr and write only; then die of the signal. */
static void fatal_restore(int sig)
{
	if (saved_fd >= 0) {
		tcsetattr(saved_fd, TCSANOW, &saved_tio);
		if (restore_len && write(saved_fd, restore_seq, restore_len) < 0)
			(void)0;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void exit_restore(void)
{
	if (curses_active)
		endwin();
}

static void add_seq(const char *cap)
{
	const char *s = tigetstr(cap);
	if (s && s != (char *)-1 && restore_len + strlen(s) < sizeof restore_seq) {
		memcpy(restore_seq + restore_len, s, strlen(s));
		restore_len += strlen(s);
	}
}

/* Before curses changes the terminal: remember its modes. */
static void arm_net(int fd)
{
	static bool atexit_done;
	if (!atexit_done)
		atexit_done = atexit(exit_restore) == 0;
	if (!isatty(fd) || tcgetattr(fd, &saved_tio) != 0)
		return;
	saved_fd = fd;
}

/* After newterm: what undoes the screen, and the handlers. */
static void arm_signals(void)
{
	if (saved_fd < 0)
		return;
	restore_len = 0;
	add_seq("rmcup"); /* leave the alternate screen */
	add_seq("cnorm"); /* show the cursor */
	add_seq("sgr0");
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fatal_restore;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < BT_ARRAY_LEN(fatal_signals); i++)
		sigaction(fatal_signals[i], &sa, &old_fatal[i]);
	net_armed = true;
}

static void disarm_net(void)
{
	if (net_armed)
		for (size_t i = 0; i < BT_ARRAY_LEN(fatal_signals); i++)
			sigaction(fatal_signals[i], &old_fatal[i], NULL);
	net_armed = false;
	saved_fd = -1;
}

static void setup_colors(struct screen *s)
{
	start_color();
	short bg = use_default_colors() == OK ? -1 : COLOR_BLACK;
	for (short i = 0; i < SCREEN_PALETTE; i++)
		init_pair((short)(i + 1), palette[i], bg);
	init_pair(PAIR_PROBLEM, COLOR_RED, bg);
	(void)s;
}

struct screen *screen_open(const struct screen_opts *o, char *err, size_t errlen)
{
	/* LC_CTYPE only: numbers in traces are parsed with strtod, which must
	 * keep reading "0.5" whatever the user's LC_NUMERIC says. */
	setlocale(LC_CTYPE, "");
	const char *term = o->term ? o->term : getenv("TERM");
	if (!term || !term[0] || strcmp(term, "dumb") == 0) {
		snprintf(err, errlen, "the terminal type (TERM=%s) cannot draw a screen; set TERM to a real terminal such as xterm-256color",
			 term ? term : "");
		return NULL;
	}
	struct screen *s = xcalloc(1, sizeof(*s));
	s->in = o->in ? o->in : stdin;
	s->out = o->out ? o->out : stdout;
	if (!o->out)
		arm_net(fileno(s->out));
	s->term = newterm(term, s->out, s->in);
	if (!s->term) {
		snprintf(err, errlen, "curses does not know the terminal type '%s'; set TERM to one it knows, such as xterm-256color", term);
		disarm_net();
		free(s);
		return NULL;
	}
	set_term(s->term);
	curses_active = true;
	if (!o->out)
		arm_signals();
	const char *codeset = nl_langinfo(CODESET);
	s->braille = codeset && strcmp(codeset, "UTF-8") == 0;
	const char *nc = getenv("NO_COLOR");
	s->color = !o->no_color && !(nc && nc[0]) && has_colors();
	if (s->color)
		setup_colors(s);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	set_escdelay(25); /* Esc alone must not wait a second for a sequence */
	curs_set(0);
	getmaxyx(stdscr, s->rows, s->cols);
	return s;
}

void screen_close(struct screen *s)
{
	if (!s)
		return;
	set_term(s->term);
	curs_set(1);
	endwin();
	delscreen(s->term);
	curses_active = false;
	disarm_net();
	graph_grid_free(&s->grid);
	free(s);
}

int screen_input_fd(const struct screen *s)
{
	return fileno(s->in);
}

/* curses' key codes into the UI's: characters stay themselves. */
static int ui_code(int c)
{
	switch (c) {
	case KEY_UP: return UI_KEY_UP;
	case KEY_DOWN: return UI_KEY_DOWN;
	case KEY_LEFT: return UI_KEY_LEFT;
	case KEY_RIGHT: return UI_KEY_RIGHT;
	case KEY_PPAGE: return UI_KEY_PGUP;
	case KEY_NPAGE: return UI_KEY_PGDN;
	case KEY_HOME: return UI_KEY_HOME;
	case KEY_END: return UI_KEY_END;
	case KEY_BTAB: return UI_KEY_BTAB;
	case KEY_F(1): return UI_KEY_F1;
	case KEY_RESIZE: return UI_KEY_RESIZE;
	case KEY_ENTER: return '\r';
	case KEY_BACKSPACE: return 127;
	}
	return c >= KEY_MIN ? UI_KEY_OTHER : c;
}

int screen_key(struct screen *s)
{
	set_term(s->term);
	int c = wgetch(stdscr);
	if (c == ERR)
		return -1;
	if (c == KEY_RESIZE)
		getmaxyx(stdscr, s->rows, s->cols);
	return ui_code(c);
}

bool screen_sync_size(struct screen *s)
{
	struct winsize ws;
	if (isatty(fileno(s->out)) && ioctl(fileno(s->out), TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0 && (ws.ws_row != LINES || ws.ws_col != COLS))
		resize_term(ws.ws_row, ws.ws_col);
	int r, c;
	getmaxyx(stdscr, r, c);
	bool changed = r != s->rows || c != s->cols;
	s->rows = r;
	s->cols = c;
	return changed;
}

void screen_size(const struct screen *s, int *rows, int *cols)
{
	*rows = s->rows;
	*cols = s->cols;
}

bool screen_braille(const struct screen *s)
{
	return s->braille;
}

bool screen_color(const struct screen *s)
{
	return s->color;
}

int screen_max_scroll(const struct screen *s)
{
	return s->max_scroll;
}

int screen_table_rows(const struct screen *s)
{
	return s->table_rows > 0 ? s->table_rows : 1;
}

/* ---- Drawing helpers ---------------------------------------------------- */

short scr_pair(const struct screen *s, int color)
{
	return s->color && color >= 0 ? (short)(1 + color % SCREEN_PALETTE) : 0;
}

uint32_t scr_swatch(const struct screen *s)
{
	return s->braille ? 0x25A0u : '#'; /* a filled square */
}

void scr_cell(struct screen *s, int row, int col, uint32_t ch, attr_t a, short pair)
{
	if (row < 0 || col < 0 || row >= s->rows || col >= s->cols)
		return;
	if (ch < 0x80 || !s->braille) {
		mvaddch(row, col, (chtype)(ch < 0x80 ? ch : '?') | a | (chtype)COLOR_PAIR(pair));
		return;
	}
	wchar_t wc[2] = { (wchar_t)ch, 0 };
	cchar_t cc;
	setcchar(&cc, wc, a, pair, NULL);
	mvadd_wch(row, col, &cc);
}

int scr_text(struct screen *s, int row, int col, int maxw, attr_t a, short pair, const char *text)
{
	if (row < 0 || row >= s->rows || col >= s->cols || maxw <= 0)
		return 0;
	if (col + maxw > s->cols)
		maxw = s->cols - col;
	/* Copy at most maxw characters, cleaning as we go; UTF-8 sequences
	 * pass whole in a UTF-8 locale (one column each: trace text is names
	 * and commands, not wide CJK). */
	char buf[1024];
	size_t n = 0;
	int cols = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p && cols < maxw && n + 5 < sizeof buf; cols++) {
		if (*p < 0x20 || *p == 0x7f) {
			buf[n++] = '?';
			p++;
		} else if (*p < 0x80) {
			buf[n++] = (char)*p++;
		} else if (!s->braille) {
			buf[n++] = '?';
			p++;
			while ((*p & 0xC0) == 0x80)
				p++;
		} else {
			buf[n++] = (char)*p++;
			while ((*p & 0xC0) == 0x80 && n + 1 < sizeof buf)
				buf[n++] = (char)*p++;
		}
	}
	buf[n] = '\0';
	attr_set(a, pair, NULL);
	mvaddstr(row, col, buf);
	attr_set(A_NORMAL, 0, NULL);
	return cols;
}

int scr_printf(struct screen *s, int row, int col, int maxw, attr_t a, short pair, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return scr_text(s, row, col, maxw, a, pair, buf);
}

int scr_line_row(struct scr_lines *l)
{
	int i = l->count++ - l->scroll;
	return i >= 0 && i < l->nrows ? l->row0 + i : -1;
}

void scr_line(struct scr_lines *l, attr_t a, short pair, const char *fmt, ...)
{
	int row = scr_line_row(l);
	if (row < 0)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	scr_text(l->s, row, 0, l->cols, a, pair, buf);
}

void scr_wrap(struct scr_lines *l, attr_t a, short pair, const char *label, const char *text)
{
	const int indent = 11; /* " " + a 9-column label + " " */
	int w = l->cols - indent - 1;
	if (w < 20)
		w = 20;
	bool first = true;
	/* bounded: each pass consumes at least one character */
	for (const char *p = text; *p;) {
		int len = (int)strlen(p);
		int take = len <= w ? len : w;
		if (take < len) {
			int sp = take;
			while (sp > 0 && p[sp] != ' ')
				sp--;
			if (sp > w / 3)
				take = sp;
		}
		scr_line(l, a, pair, " %-9s %.*s", first ? label : "", take, p);
		first = false;
		p += take;
		while (*p == ' ')
			p++;
	}
}

const char *scr_bytes(char *buf, size_t size, double b)
{
	static const char units[] = "KMGTP";
	if (!isfinite(b)) {
		snprintf(buf, size, "-");
		return buf;
	}
	if (b < 1024) {
		snprintf(buf, size, "%.0fB", b);
		return buf;
	}
	size_t u = 0;
	b /= 1024;
	while (b >= 1024 && u + 1 < sizeof units - 1) {
		b /= 1024;
		u++;
	}
	snprintf(buf, size, b < 10 ? "%.1f%c" : "%.0f%c", b, units[u]);
	return buf;
}

const char *scr_secs(char *buf, size_t size, double s)
{
	if (!isfinite(s) || s < 0)
		snprintf(buf, size, "-");
	else if (s < 60)
		snprintf(buf, size, "%.1fs", s);
	else if (s < 3600)
		snprintf(buf, size, "%d:%04.1f", (int)(s / 60), fmod(s, 60));
	else
		snprintf(buf, size, "%dh%02d", (int)(s / 3600), (int)fmod(s / 60, 60));
	return buf;
}

size_t screen_visible_runs(const struct model *m, uint64_t t_us, uint64_t *ids, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nruns; i++)
		if (model_run_visible(&m->runs[i], t_us)) {
			if (n < max)
				ids[n] = m->runs[i].id;
			n++;
		}
	return n;
}

/* ---- Header and footer -------------------------------------------------- */

/* The host facts of META, in a fixed order; when the line is too narrow
 * the least telling ones go first (kernel, host, cgroup, libc), the limits
 * a measurement ran under last. */
static void header_facts(struct screen *s, const struct model *m)
{
	const struct model_meta *mt = &m->meta;
	enum { F_HOST, F_KERNEL, F_LIBC, F_CGROUP, F_CPUS, F_MEM, F_INTERVAL, F_N };
	static const int drop_order[] = { F_KERNEL, F_HOST, F_CGROUP, F_LIBC, F_INTERVAL, F_MEM };
	char f[F_N][96], a[32], b[32];
	memset(f, 0, sizeof f);
	if (mt->have) {
		snprintf(f[F_HOST], sizeof f[0], "host %s", mt->host[0] ? mt->host : "-");
		snprintf(f[F_KERNEL], sizeof f[0], "kernel %s", mt->kernel[0] ? mt->kernel : "-");
		snprintf(f[F_LIBC], sizeof f[0], "%s", mt->libc[0] ? mt->libc : "libc -");
		if (mt->cgroup_version > 0)
			snprintf(f[F_CGROUP], sizeof f[0], "cgroup v%d %.*s", mt->cgroup_version,
				 (int)strcspn(mt->cgroup_mode, " "), mt->cgroup_mode);
		else if (mt->cgroup_version == 0)
			snprintf(f[F_CGROUP], sizeof f[0], "no cgroups");
		if (mt->cpus_visible > 0)
			snprintf(f[F_CPUS], sizeof f[0], "CPUs %.4g of %.4g", mt->cpus_effective, mt->cpus_visible);
		if (mt->mem_limit)
			snprintf(f[F_MEM], sizeof f[0], "memory limit %s of %s", scr_bytes(a, sizeof a, (double)mt->mem_limit),
				 scr_bytes(b, sizeof b, (double)mt->mem_total));
		else if (mt->mem_total)
			snprintf(f[F_MEM], sizeof f[0], "memory %s, no limit", scr_bytes(a, sizeof a, (double)mt->mem_total));
		if (mt->interval_ms)
			snprintf(f[F_INTERVAL], sizeof f[0], "tick %u ms", mt->interval_ms);
	} else {
		snprintf(f[F_HOST], sizeof f[0], "no host facts (the trace has no META record)");
	}
	char line[640];
	for (size_t dropped = 0;; dropped++) {
		size_t n = (size_t)snprintf(line, sizeof line, " benchtop");
		for (int i = 0; i < F_N; i++)
			if (f[i][0] && n < sizeof line)
				n += (size_t)snprintf(line + n, sizeof line - n, "  %s", f[i]);
		if ((int)n <= s->cols || dropped >= sizeof drop_order / sizeof drop_order[0])
			break;
		f[drop_order[dropped]][0] = '\0';
	}
	mvhline(0, 0, ' ' | A_REVERSE, s->cols);
	scr_text(s, 0, 0, s->cols, A_REVERSE, 0, line);
}

static void header_state(struct screen *s, const struct model *m, const struct ui_view *v)
{
	char line[512], a[32], b[32];
	int n;
	size_t counts[MS_OOM + 1] = { 0 };
	for (size_t i = 0; i < m->nruns; i++)
		if (model_run_visible(&m->runs[i], v->t_us))
			counts[model_run_state(&m->runs[i], v->t_us)]++;
	const char *window = v->window_s > 0 ? scr_secs(b, sizeof b, v->window_s) : "whole";
	if (v->mode == UI_LIVE) {
		n = snprintf(line, sizeof line, " %s  elapsed %s", v->paused ? "PAUSED (sampling goes on)" : "LIVE",
			     scr_secs(a, sizeof a, v->elapsed_s));
	} else {
		long idx = model_frame_index(m, v->t_us);
		const char *state = v->playing ? "playing" : v->t_us >= v->end_us ? "at end" : "paused";
		n = snprintf(line, sizeof line, " REPLAY %s  %s  %.3f s of %.3f s  tick %ld/%zu  speed x%g",
			     v->title ? v->title : "", state, (double)v->t_us / 1e6, (double)v->end_us / 1e6, idx + 1,
			     m->nframes, v->speed);
	}
	n += snprintf(line + n, sizeof line - (size_t)n, "  window %s  runs: %zu running, %zu done", window,
		      counts[MS_RUNNING], counts[MS_DONE]);
	if (counts[MS_FAILED] + counts[MS_OOM])
		n += snprintf(line + n, sizeof line - (size_t)n, ", %zu failed", counts[MS_FAILED] + counts[MS_OOM]);
	if (counts[MS_QUEUED])
		n += snprintf(line + n, sizeof line - (size_t)n, ", %zu queued", counts[MS_QUEUED]);
	if (v->problem)
		snprintf(line + n, sizeof line - (size_t)n, "  [cut or damaged trace]");
	scr_text(s, 1, 0, s->cols, A_BOLD, 0, line);
}

static void footer(struct screen *s, const struct ui_view *v)
{
	int row = s->rows - 1;
	if (v->prompt) {
		mvhline(row, 0, ' ' | A_REVERSE, s->cols);
		int w = scr_printf(s, row, 0, s->cols, A_REVERSE, 0, "%s%s", v->prompt, v->answer ? v->answer : "");
		scr_cell(s, row, w, '_', A_REVERSE | A_BLINK, 0);
		return;
	}
	if (v->message) {
		scr_text(s, row, 0, s->cols, A_BOLD, 0, v->message);
		return;
	}
	if (v->problem) {
		scr_text(s, row, 0, s->cols, A_BOLD, s->color ? PAIR_PROBLEM : 0, v->problem);
		return;
	}
	const char *hint;
	if (v->page == UI_PAGE_HELP)
		hint = "Esc back  Up/Down scroll";
	else if (v->page == UI_PAGE_DETAIL)
		hint = "Esc back  Up/Down/PgUp/PgDn scroll  ? help  q quit";
	else if (v->mode == UI_REPLAY)
		hint = "q quit  ? help  space play/pause  Left/Right step  [/] speed  g go to  n/N event  Enter detail  +/- zoom  Tab graphs";
	else
		hint = "q quit  ? help  Up/Down select  Enter detail  p pause  +/- zoom  Tab graphs";
	scr_text(s, row, 0, s->cols, A_DIM, 0, hint);
}

/* ---- Pages -------------------------------------------------------------- */

static void main_page(struct screen *s, const struct model *m, const struct ui_view *v, int row, int h)
{
	size_t nvis = screen_visible_runs(m, v->t_us, NULL, 0);
	int table_h = (int)nvis + 1 < 2 ? 2 : (int)nvis + 1;
	int graphs_h = h - table_h;
	if (graphs_h < MIN_GRAPH_ROWS) {
		table_h = h - MIN_GRAPH_ROWS < 3 ? 3 : h - MIN_GRAPH_ROWS;
		graphs_h = h - table_h;
	}
	if (graphs_h < MIN_GRAPH_ROWS) {
		graphs_h = 0;
		table_h = h;
	}
	if (graphs_h)
		scr_graphs(s, m, v, row, 0, graphs_h - 1, s->cols, v->graph_first, 5, 0);
	scr_table(s, m, v, row + graphs_h, table_h);
}

static void help_page(struct screen *s, const struct ui_view *v, int row, int h)
{
	struct scr_lines l = { .s = s, .row0 = row, .nrows = h, .cols = s->cols, .scroll = v->scroll };
	scr_line(&l, A_BOLD, 0, " Keys (%s)", v->mode == UI_LIVE ? "live session" : "replay");
	scr_line(&l, 0, 0, "%s", "");
	for (size_t i = 0; i < v->nhelp; i++)
		scr_line(&l, 0, 0, "   %-16s %s", v->help[i].keys, v->help[i].text);
	scr_line(&l, 0, 0, "%s", "");
	scr_line(&l, A_DIM, 0, " Graphs: one line per run in its variant's colour; the selected run is bold.");
	scr_line(&l, A_DIM, 0, " CPU %%: 100%% = one core. Marks on the top row: a phase began.");
	s->max_scroll = l.count > h ? l.count - h : 0;
}

static void too_small(struct screen *s)
{
	char msg[160];
	snprintf(msg, sizeof msg, "Terminal too small (%dx%d): benchtop needs at least %dx%d. Enlarge it, or press q to quit.",
		 s->cols, s->rows, MIN_COLS, MIN_ROWS);
	/* Word-wrap into the width, centred vertically. */
	int w = s->cols > 2 ? s->cols - 2 : 1, lines = 0;
	const char *p = msg;
	char out[8][160];
	while (*p && lines < 8) {
		int take = (int)strlen(p) < w ? (int)strlen(p) : w;
		if (p[take] && take == w)
			while (take > 1 && p[take] != ' ')
				take--;
		snprintf(out[lines++], sizeof out[0], "%.*s", take, p);
		p += take;
		while (*p == ' ')
			p++;
	}
	int top = (s->rows - lines) / 2;
	for (int i = 0; i < lines; i++)
		scr_text(s, top + i, 1, w, A_BOLD, 0, out[i]);
}

void screen_draw(struct screen *s, const struct model *m, const struct ui_view *v)
{
	set_term(s->term);
	getmaxyx(stdscr, s->rows, s->cols);
	werase(stdscr);
	s->max_scroll = 0;
	if (s->rows < MIN_ROWS || s->cols < MIN_COLS) {
		too_small(s);
	} else {
		header_facts(s, m);
		header_state(s, m, v);
		int body = s->rows - 3;
		switch (v->page) {
		case UI_PAGE_MAIN: main_page(s, m, v, 2, body); break;
		case UI_PAGE_DETAIL: scr_detail(s, m, v, 2, body); break;
		case UI_PAGE_HELP: help_page(s, v, 2, body); break;
		}
		footer(s, v);
	}
	wnoutrefresh(stdscr);
	doupdate();
}
