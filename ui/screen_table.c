/* screen_table — the run table: one row per run, the columns one const
 * table. Columns are as wide as their content (within bounds), a column
 * with nothing to say for any run (no throttling without a quota, no ratio
 * with one variant) is left out, and when the terminal is narrow the
 * columns go by priority (highest number first), names are shortened
 * before the time and the ratio go, and the ratio drops its interval
 * before it is cut. The table scrolls to keep the selected run in view. */
#include "screen_int.h"
#include "util.h"

#include <math.h>
#include <string.h>

#define CELL 48 /* bytes a cell's text may take */
#define MAX_PRIO 4
#define SHRINK_PRIO 2 /* names are shortened to make room for these */

struct cell_ctx {
	const struct model *m;
	const struct model_run *r;
	const struct ui_view *v;
	enum model_state state;
	struct model_stats st;
};

struct column {
	const char *title;
	int minw, maxw; /* minw: when names must make room (else the title's width) */
	int prio;       /* 0: always shown; higher goes first when narrow */
	bool right;     /* right-aligned */
	bool optional;  /* left out when no run has anything in it */
	void (*cell)(const struct cell_ctx *c, char *buf, size_t size);
};

static void c_workload(const struct cell_ctx *c, char *b, size_t n) { snprintf(b, n, "%s", c->r->workload); }
static void c_variant(const struct cell_ctx *c, char *b, size_t n) { snprintf(b, n, "%s", c->r->variant); }
static void c_rep(const struct cell_ctx *c, char *b, size_t n)
{
	if (c->r->warmup)
		snprintf(b, n, "w"); /* a warm-up */
	else
		snprintf(b, n, "%u", c->r->rep);
}
static void c_state(const struct cell_ctx *c, char *b, size_t n) { snprintf(b, n, "%s", model_state_name(c->state)); }

static void c_elapsed(const struct cell_ctx *c, char *b, size_t n)
{
	if (!c->st.valid)
		snprintf(b, n, "-");
	else
		scr_secs(b, n, c->st.wall_s);
}

static void c_cpu(const struct cell_ctx *c, char *b, size_t n)
{
	if (!c->st.cpu_valid)
		snprintf(b, n, "-");
	else if (!c->st.peak_valid)
		snprintf(b, n, "%.0f/-%%", c->st.cpu_avg);
	else
		snprintf(b, n, "%.0f/%.0f%%", c->st.cpu_avg, c->st.cpu_peak);
}

static void c_mem(const struct cell_ctx *c, char *b, size_t n)
{
	char x[16], y[16];
	if (!c->st.mem_valid)
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%s/%s", scr_bytes(x, sizeof x, c->st.mem_avg), scr_bytes(y, sizeof y, c->st.mem_peak));
}

static void c_threads(const struct cell_ctx *c, char *b, size_t n)
{
	/* now while it runs, its peak once it ended */
	if (!c->st.valid || (c->state == MS_RUNNING && !c->st.threads_now_valid))
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%llu", (unsigned long long)(c->state == MS_RUNNING ? c->st.threads_now : c->st.threads_peak));
}

static void c_throttled(const struct cell_ctx *c, char *b, size_t n)
{
	if (!c->st.thr_valid)
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%.1f%%", c->st.thr_pct);
}

/* "1.12x [0.89,2.10]": the part before " [" is the short form. */
static void c_ratio(const struct cell_ctx *c, char *b, size_t n)
{
	const char *base = model_baseline(c->m, c->r->workload);
	struct model_ratio q;
	b[0] = '\0';
	if (base && strcmp(base, c->r->variant) == 0) {
		/* "base" only where there is something to compare with */
		for (size_t i = 0; i < c->m->nruns; i++)
			if (strcmp(c->m->runs[i].workload, c->r->workload) == 0 &&
			    strcmp(c->m->runs[i].variant, base) != 0) {
				snprintf(b, n, "base");
				break;
			}
	} else if (model_variant_ratio(c->m, c->r->workload, c->r->variant, c->v->t_us, &q)) {
		if (q.have_ci)
			snprintf(b, n, "%.2fx [%.2f,%.2f]", q.ratio, q.lo, q.hi);
		else
			snprintf(b, n, "%.2fx", q.ratio);
	} else {
		snprintf(b, n, "-");
	}
}

static const struct column columns[] = {
	{ "workload", 6, 20, 0, false, false, c_workload },
	{ "variant", 6, 24, 0, false, false, c_variant },
	{ "rep", 3, 4, 0, true, false, c_rep },
	{ "state", 5, 10, 0, false, false, c_state },
	{ "elapsed", 7, 8, 2, true, false, c_elapsed },
	{ "CPU avg/pk", 10, 12, 0, true, false, c_cpu },
	{ "mem avg/pk", 10, 13, 0, true, false, c_mem },
	{ "threads", 7, 7, 4, true, false, c_threads },
	{ "throttled", 9, 9, 3, true, true, c_throttled },
	{ "vs base", 7, 24, 1, false, true, c_ratio }, /* last: it takes the room left */
};
#define NCOLS (sizeof columns / sizeof columns[0])
#define COL_RATIO (NCOLS - 1)

static bool shrinkable(size_t i)
{
	return columns[i].cell == c_workload || columns[i].cell == c_variant;
}

/* Width of the ratio's short form (without its interval). */
static int short_len(const char *cell)
{
	const char *br = strstr(cell, " [");
	return br ? (int)(br - cell) : (int)strlen(cell);
}

struct fit {
	bool show[NCOLS];
	int width[NCOLS];
};

/* Take up to `need` columns from the names (workload, variant), down to
 * their minimum; returns what they gave. */
static int shrink_names(struct fit *f, int need)
{
	int got = 0;
	for (size_t i = 0; i < NCOLS && got < need; i++) {
		if (!shrinkable(i) || !f->show[i])
			continue;
		int give = f->width[i] - columns[i].minw;
		if (give > need - got)
			give = need - got;
		if (give > 0) {
			f->width[i] -= give;
			got += give;
		}
	}
	return got;
}

static int slack_of(const struct fit *f)
{
	int slack = 0;
	for (size_t i = 0; i < NCOLS; i++)
		if (shrinkable(i) && f->show[i])
			slack += f->width[i] - columns[i].minw;
	return slack;
}

/* Columns and widths for `avail` columns of screen, given the widest
 * content of each (natural) and of the ratio's short form. */
static void fit_columns(int avail, const int natural[NCOLS], const bool empty[NCOLS], int ratio_short, struct fit *f)
{
	int used = 0;
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < NCOLS; i++) {
		int tl = (int)strlen(columns[i].title);
		int w = natural[i] > tl ? natural[i] : tl;
		f->width[i] = w > columns[i].maxw ? columns[i].maxw : w;
		if (columns[i].prio == 0) {
			f->show[i] = true;
			used += f->width[i] + 1;
		}
	}
	if (used > avail)
		used -= shrink_names(f, used - avail);
	for (int prio = 1; prio <= MAX_PRIO; prio++)
		for (size_t i = 0; i < NCOLS; i++) {
			if (columns[i].prio != prio || (columns[i].optional && empty[i]))
				continue;
			int need = f->width[i] + 1;
			if (i == COL_RATIO && used + need > avail) {
				/* without the interval */
				int tl = (int)strlen(columns[i].title);
				int w = ratio_short > tl ? ratio_short : tl;
				if (used + w + 1 <= avail || (prio <= SHRINK_PRIO && used + w + 1 - slack_of(f) <= avail))
					f->width[i] = w;
				need = f->width[i] + 1;
			}
			if (used + need > avail && prio <= SHRINK_PRIO && used + need - slack_of(f) <= avail)
				used -= shrink_names(f, used + need - avail);
			if (used + need <= avail) {
				f->show[i] = true;
				used += need;
			}
		}
	/* Room left over goes to the ratio, for its interval. */
	if (f->show[COL_RATIO] && f->width[COL_RATIO] < natural[COL_RATIO] && used < avail) {
		int more = natural[COL_RATIO] - f->width[COL_RATIO];
		f->width[COL_RATIO] += more < avail - used ? more : avail - used;
	}
}

/* A cell in its column: cut to the width (a '~' says a name was cut), the
 * ratio without its interval when the interval does not fit. */
static void put_cell(struct screen *s, int row, int col, size_t ci, int width, const char *text, attr_t a, short pair)
{
	char buf[CELL + 2];
	int len = (int)strlen(text);
	if (ci == COL_RATIO && len > width)
		len = short_len(text);
	if (len > width) {
		snprintf(buf, sizeof buf, "%.*s~", width - 1 > 0 ? width - 1 : 0, text);
		len = width;
	} else {
		snprintf(buf, sizeof buf, "%.*s", len, text);
	}
	int at = columns[ci].right && len < width ? col + width - len : col;
	scr_text(s, row, at, width, a, pair, buf);
}

int scr_table(struct screen *s, const struct model *m, const struct ui_view *v, int row, int h)
{
	size_t nvis = screen_visible_runs(m, v->t_us, NULL, 0);
	/* Every visible run's cells, once: they size the columns. */
	bt_grow((void **)&s->cells, &s->cellcap, (nvis ? nvis : 1) * NCOLS * CELL, 1);
	int natural[NCOLS] = { 0 }, ratio_short = 0;
	bool empty[NCOLS];
	for (size_t j = 0; j < NCOLS; j++)
		empty[j] = true;
	size_t k = 0, sel_idx = 0;
	for (size_t i = 0; i < m->nruns; i++) {
		const struct model_run *r = &m->runs[i];
		if (!model_run_visible(r, v->t_us))
			continue;
		if (r->id == v->sel)
			sel_idx = k;
		struct cell_ctx c = { .m = m, .r = r, .v = v, .state = model_run_state(r, v->t_us) };
		model_run_stats(m, r, v->t_us, &c.st);
		for (size_t j = 0; j < NCOLS; j++) {
			char *cell = s->cells + (k * NCOLS + j) * CELL;
			columns[j].cell(&c, cell, CELL);
			int len = (int)strlen(cell);
			if (len > natural[j])
				natural[j] = len;
			if (cell[0] && strcmp(cell, "-") != 0)
				empty[j] = false;
			if (j == COL_RATIO && short_len(cell) > ratio_short)
				ratio_short = short_len(cell);
		}
		k++;
	}
	struct fit f;
	fit_columns(s->cols - 1, natural, empty, ratio_short, &f);
	int col = 1;
	for (size_t i = 0; i < NCOLS; i++) {
		if (!f.show[i])
			continue;
		put_cell(s, row, col, i, f.width[i], columns[i].title, A_BOLD | A_UNDERLINE, 0);
		col += f.width[i] + 1;
	}
	int rows = h - 1;
	s->table_rows = rows;
	if (nvis == 0) {
		scr_text(s, row + 1, 1, s->cols - 2, A_DIM, 0,
			 v->mode == UI_LIVE ? "no runs yet" : "no runs at this point of the trace");
		return 2;
	}
	/* Scroll so the selected run is in view. */
	size_t top = rows > 0 && sel_idx >= (size_t)rows ? sel_idx - (size_t)rows + 1 : 0;
	int y = 0;
	k = 0;
	for (size_t i = 0; i < m->nruns && y < rows; i++) {
		const struct model_run *r = &m->runs[i];
		if (!model_run_visible(r, v->t_us) || k++ < top)
			continue;
		enum model_state state = model_run_state(r, v->t_us);
		bool sel = r->id == v->sel;
		attr_t base = sel ? A_REVERSE : A_NORMAL;
		if (sel)
			mvhline(row + 1 + y, 0, ' ' | A_REVERSE, s->cols);
		col = 1;
		for (size_t j = 0; j < NCOLS; j++) {
			if (!f.show[j])
				continue;
			const char *cell = s->cells + ((k - 1) * NCOLS + j) * CELL;
			short pair = 0;
			attr_t a = base;
			if (columns[j].cell == c_variant) {
				pair = scr_pair(s, r->color);
				a |= A_BOLD;
			} else if (columns[j].cell == c_state && (state == MS_FAILED || state == MS_OOM)) {
				pair = s->color ? PAIR_PROBLEM : 0;
				a |= A_BOLD;
			} else if (columns[j].cell == c_state && state == MS_NOT_RUN) {
				a |= A_DIM;
			}
			put_cell(s, row + 1 + y, col, j, f.width[j], cell, a, pair);
			col += f.width[j] + 1;
		}
		y++;
	}
	return 1 + y;
}
