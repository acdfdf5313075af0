/* screen_table — the run table: one row per run, the columns one const
 * table. When the terminal is narrow, columns go by priority (highest
 * number first), the rest keep their order. The table scrolls to keep the
 * selected run in view. */
#include "screen_int.h"
#include "util.h"

#include <math.h>
#include <string.h>

struct cell_ctx {
	const struct model *m;
	const struct model_run *r;
	const struct ui_view *v;
	enum model_state state;
	struct model_stats st;
};

struct column {
	const char *title;
	int width;
	int prio;   /* 0: always shown; higher goes first when narrow */
	bool right; /* right-aligned */
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
	if (!c->st.valid)
		snprintf(b, n, "-");
	else /* now while it runs, its peak once it ended */
		snprintf(b, n, "%llu", (unsigned long long)(c->state == MS_RUNNING ? c->st.threads_now : c->st.threads_peak));
}

static void c_throttled(const struct cell_ctx *c, char *b, size_t n)
{
	if (!c->st.thr_valid)
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%.1f%%", c->st.thr_pct);
}

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
	{ "workload", 10, 0, false, c_workload },
	{ "variant", 8, 0, false, c_variant },
	{ "rep", 3, 2, true, c_rep },
	{ "state", 10, 0, false, c_state },
	{ "elapsed", 7, 2, true, c_elapsed },
	{ "CPU avg/pk", 10, 0, true, c_cpu },
	{ "mem avg/peak", 12, 0, true, c_mem },
	{ "threads", 7, 3, true, c_threads },
	{ "throttled", 9, 1, true, c_throttled },
	{ "vs base", 10, 1, false, c_ratio }, /* last: it takes the room left */
};
#define NCOLS (sizeof columns / sizeof columns[0])

/* Which columns fit in w: all of priority 0, then by priority while they
 * fit. */
static int fit_columns(int w, bool show[NCOLS])
{
	int used = 0;
	memset(show, 0, NCOLS * sizeof(bool));
	for (int prio = 0; prio <= 3; prio++)
		for (size_t i = 0; i < NCOLS; i++)
			if (columns[i].prio == prio && (prio == 0 || used + columns[i].width + 1 <= w)) {
				show[i] = true;
				used += columns[i].width + 1;
			}
	return used;
}

static void put_cell(struct screen *s, int row, int col, const struct column *c, int width, const char *text, attr_t a,
		     short pair)
{
	int len = (int)strlen(text);
	int at = c->right && len < width ? col + width - len : col;
	scr_text(s, row, at, width, a, pair, text);
}

int scr_table(struct screen *s, const struct model *m, const struct ui_view *v, int row, int h)
{
	bool show[NCOLS];
	int width[NCOLS];
	int spare = s->cols - 1 - fit_columns(s->cols - 1, show);
	for (size_t i = 0; i < NCOLS; i++)
		width[i] = columns[i].width;
	/* room left over goes to the ratio, for its confidence interval */
	if (show[NCOLS - 1])
		width[NCOLS - 1] += spare < 10 ? (spare > 0 ? spare : 0) : 10;
	int col = 1;
	for (size_t i = 0; i < NCOLS; i++) {
		if (!show[i])
			continue;
		put_cell(s, row, col, &columns[i], width[i], columns[i].title, A_BOLD | A_UNDERLINE, 0);
		col += width[i] + 1;
	}
	int rows = h - 1;
	s->table_rows = rows;
	size_t nvis = screen_visible_runs(m, v->t_us, NULL, 0);
	if (nvis == 0) {
		scr_text(s, row + 1, 1, s->cols - 2, A_DIM, 0,
			 v->mode == UI_LIVE ? "no runs yet" : "no runs at this point of the trace");
		return 2;
	}
	/* Scroll so the selected run is in view. */
	size_t sel_idx = 0, k = 0;
	for (size_t i = 0; i < m->nruns; i++)
		if (model_run_visible(&m->runs[i], v->t_us)) {
			if (m->runs[i].id == v->sel)
				sel_idx = k;
			k++;
		}
	size_t top = rows > 0 && sel_idx >= (size_t)rows ? sel_idx - (size_t)rows + 1 : 0;
	int y = 0;
	k = 0;
	for (size_t i = 0; i < m->nruns && y < rows; i++) {
		const struct model_run *r = &m->runs[i];
		if (!model_run_visible(r, v->t_us) || k++ < top)
			continue;
		struct cell_ctx c = { .m = m, .r = r, .v = v, .state = model_run_state(r, v->t_us) };
		model_run_stats(m, r, v->t_us, &c.st);
		bool sel = r->id == v->sel;
		attr_t base = sel ? A_REVERSE : A_NORMAL;
		if (sel)
			mvhline(row + 1 + y, 0, ' ' | A_REVERSE, s->cols);
		col = 1;
		for (size_t j = 0; j < NCOLS; j++) {
			if (!show[j])
				continue;
			char buf[64];
			columns[j].cell(&c, buf, sizeof buf);
			short pair = 0;
			attr_t a = base;
			if (columns[j].cell == c_variant) {
				pair = scr_pair(s, r->color);
				a |= A_BOLD;
			} else if (columns[j].cell == c_state && (c.state == MS_FAILED || c.state == MS_OOM)) {
				pair = s->color ? PAIR_PROBLEM : 0;
				a |= A_BOLD;
			}
			put_cell(s, row + 1 + y, col, &columns[j], width[j], buf, a, pair);
			col += width[j] + 1;
		}
		y++;
	}
	return 1 + y;
}
