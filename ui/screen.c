/* screen — see screen.h. This file: the curses session and its safety net,
 * colours, drawing helpers, and screen_draw: which parts to rebuild, the
 * layout of the pages, the help page and the 'too small' notice. The header
 * and footer text (screen_bars.c), graph panes (screen_graph.c), the run
 * table (screen_table.c) and the detail page (screen_detail.c) have files
 * of their own. */
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
	/* A terminal without an alternate screen (vt100) keeps the last
	 * frame: clear its bottom line, where the cursor goes and the shell
	 * writes next, so no footer text is left mixed with what follows. */
	const char *rmcup = tigetstr("rmcup");
	if (!rmcup || rmcup == (char *)-1) {
		move(s->rows - 1, 0);
		clrtoeol();
		refresh();
	}
	curs_set(1);
	endwin();
	delscreen(s->term);
	curses_active = false;
	disarm_net();
	graph_grid_free(&s->grid);
	free(s->cells);
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

/* ---- Regions: rebuild only what changed ---------------------------------- */

/* FNV-1a, to fold a region's inputs (or the text it shows) into its key. */
static uint64_t fold(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}
#define FOLD(h, x) ((h) = fold((h), &(x), sizeof(x)))
#define FOLD0 1469598103934665603ull

/* Whether region r must be rebuilt for key k (and remember k): false when
 * it shows the same as last time, so curses is not even asked. */
static bool region_changed(struct screen *s, enum scr_region r, uint64_t k)
{
	if (s->key_valid & (1u << r) && s->key[r] == k)
		return false;
	s->key[r] = k;
	s->key_valid |= 1u << r;
	s->drawn |= 1u << r;
	return true;
}

static void clear_rows(int row, int n)
{
	for (int i = 0; i < n; i++) {
		move(row + i, 0);
		clrtoeol();
	}
}

static void draw_footer(struct screen *s, const struct scr_footer *f)
{
	int row = s->rows - f->n;
	uint64_t k = FOLD0;
	k = fold(k, f, sizeof(*f));
	FOLD(k, row);
	FOLD(k, s->cols);
	if (!region_changed(s, SR_FOOTER, k))
		return;
	clear_rows(row, f->n);
	if (f->prompt) {
		mvhline(row, 0, ' ' | A_REVERSE, s->cols);
		int w = scr_text(s, row, 0, s->cols, A_REVERSE, 0, f->line[0]);
		scr_cell(s, row, w, '_', A_REVERSE | A_BLINK, 0);
		return;
	}
	for (int i = 0; i < f->n; i++)
		scr_text(s, row + i, 0, s->cols, f->a, f->pair, f->line[i]);
}

/* ---- Pages -------------------------------------------------------------- */

/* The moment the run table shows, as a key: the frame and the events at or
 * before t (a table changes only when t crosses one). */
static uint64_t table_time_key(const struct model *m, uint64_t t_us)
{
	uint64_t k = FOLD0;
	long fi = model_frame_index(m, t_us), ei = model_event_near(m, t_us + 1, -1);
	FOLD(k, fi);
	FOLD(k, ei);
	return k;
}

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
	/* The graphs change with the data, the moment, the window, the
	 * graphs chosen and the selection; in a replay showing the whole
	 * trace, the moment counts only when it crosses a frame or event. */
	uint64_t tk = v->mode == UI_REPLAY && v->window_s <= 0 ? table_time_key(m, v->t_us) : v->t_us;
	uint64_t gk = FOLD0;
	FOLD(gk, m->gen);
	FOLD(gk, tk);
	FOLD(gk, v->window_s);
	FOLD(gk, v->graph_first);
	FOLD(gk, v->sel);
	FOLD(gk, row);
	FOLD(gk, graphs_h);
	FOLD(gk, s->cols);
	if (graphs_h && region_changed(s, SR_GRAPHS, gk)) {
		clear_rows(row, graphs_h);
		scr_graphs(s, m, v, row, 0, graphs_h - 1, s->cols, v->graph_first, 0);
	}
	uint64_t tab = FOLD0;
	FOLD(tab, m->gen);
	uint64_t ttk = table_time_key(m, v->t_us);
	FOLD(tab, ttk);
	FOLD(tab, v->sel);
	FOLD(tab, row);
	FOLD(tab, graphs_h);
	FOLD(tab, table_h);
	FOLD(tab, s->cols);
	if (region_changed(s, SR_TABLE, tab)) {
		clear_rows(row + graphs_h, table_h);
		scr_table(s, m, v, row + graphs_h, table_h);
	}
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
	scr_line(&l, A_DIM, 0, " CPU %%: 100%% = one core. Marks on the top row: a phase began. A dashed line:");
	scr_line(&l, A_DIM, 0, " the runs' CPU quota or memory limit, when the data comes near it.");
	s->max_scroll = l.count > h ? l.count - h : 0;
}

static void too_small(struct screen *s)
{
	char msg[160];
	snprintf(msg, sizeof msg, "Terminal too small (%dx%d): benchtop needs at least %dx%d. Enlarge it, or press q to quit.",
		 s->cols, s->rows, MIN_COLS, MIN_ROWS);
	char out[8][256];
	int w = s->cols > 2 ? s->cols - 2 : 1;
	int lines = scr_wrap_lines(msg, w, out, 8);
	int top = (s->rows - lines) / 2;
	for (int i = 0; i < lines; i++)
		scr_text(s, top + i, 1, w, A_BOLD, 0, out[i]);
}

void screen_draw(struct screen *s, const struct model *m, const struct ui_view *v)
{
	set_term(s->term);
	getmaxyx(stdscr, s->rows, s->cols);
	s->drawn = 0;
	bool small = s->rows < MIN_ROWS || s->cols < MIN_COLS;
	bool resized = s->rows != s->drawn_rows || s->cols != s->drawn_cols;
	if (resized || (int)v->page != s->drawn_page || small) {
		/* A new size or page: everything again. After a resize the
		 * terminal's own content may have moved (a shrinking terminal
		 * scrolls to keep its cursor), so curses repaints it whole
		 * instead of trusting what it sent before. */
		werase(stdscr);
		if (resized)
			clearok(curscr, TRUE);
		s->key_valid = 0;
		s->drawn = ~0u;
		s->drawn_rows = s->rows;
		s->drawn_cols = s->cols;
		s->drawn_page = (int)v->page;
	}
	if (small) {
		s->max_scroll = 0;
		too_small(s);
		s->drawn_page = -1; /* the next normal frame starts from a clean screen */
	} else {
		char line[640];
		scr_header_facts(s, m, v, line, sizeof line);
		if (region_changed(s, SR_FACTS, fold(FOLD0, line, strlen(line)) ^ (uint64_t)s->cols)) {
			clear_rows(0, 1);
			mvhline(0, 0, ' ' | A_REVERSE, s->cols);
			scr_text(s, 0, 0, s->cols, A_REVERSE, 0, line);
		}
		scr_header_state(m, v, line, sizeof line);
		if (region_changed(s, SR_STATE, fold(FOLD0, line, strlen(line)) ^ (uint64_t)s->cols)) {
			clear_rows(1, 1);
			scr_text(s, 1, 0, s->cols, A_BOLD, 0, line);
		}
		struct scr_footer f;
		scr_footer_of(s, v, &f);
		int body = s->rows - 2 - f.n;
		switch (v->page) {
		case UI_PAGE_MAIN:
			s->max_scroll = 0;
			main_page(s, m, v, 2, body);
			break;
		case UI_PAGE_DETAIL: {
			uint64_t k = FOLD0;
			FOLD(k, m->gen);
			FOLD(k, v->t_us);
			FOLD(k, v->sel);
			FOLD(k, v->scroll);
			FOLD(k, v->window_s);
			FOLD(k, v->graph_first);
			FOLD(k, v->dcur);
			uint64_t dt = v->dcur ? v->dcur->t_us : 0;
			FOLD(k, dt);
			FOLD(k, body);
			FOLD(k, s->cols);
			if (region_changed(s, SR_BODY, k)) {
				clear_rows(2, body);
				scr_detail(s, m, v, 2, body);
			}
			break;
		}
		case UI_PAGE_HELP: {
			uint64_t k = FOLD0;
			FOLD(k, v->scroll);
			FOLD(k, v->nhelp);
			FOLD(k, body);
			FOLD(k, s->cols);
			if (region_changed(s, SR_BODY, k)) {
				clear_rows(2, body);
				help_page(s, v, 2, body);
			}
			break;
		}
		}
		draw_footer(s, &f);
	}
	if (!s->drawn)
		return; /* nothing changed: not even curses' diff */
	wnoutrefresh(stdscr);
	doupdate();
}

unsigned screen_drawn(const struct screen *s)
{
	return s->drawn;
}
