/* screen_graph — graph panes: a title with a legend, a y axis with nice
 * ticks, the plot (graph.c renders it into a cell grid; this file copies
 * the grid to curses in each run's colour), the runs' CPU quota or memory
 * limit as a dashed line when the data comes near it, time labels, and a
 * sentence in place of a plot that has nothing to show. Panes are laid out
 * in rows and columns as the room allows. The graph kinds are one const
 * table; a new kind is a new row. */
#include "screen_int.h"

#include <math.h>
#include <string.h>

/* A pane is at least this wide; below two rows of panes this high, the
 * panes stay in one row (a pane is shorter than MIN_STACKED_H only when it
 * is the only row). */
#define PANE_MIN_W 40
#define MIN_STACKED_H 10
/* Panes look best about this many columns per row (cells are tall). */
#define PANE_ASPECT 3.0
/* A limit line is drawn when it is within this factor of the data. */
#define LIMIT_REACH 2.5

enum limit_kind { LIM_NONE, LIM_CPU, LIM_MEM };

struct graph_kind {
	const char *title;
	enum graph_unit unit;
	double min_hi; /* the axis reaches at least this */
	bool fixed;    /* the axis is [0, min_hi] whatever the data */
	enum model_series series;
	enum limit_kind limit;
};

static const struct graph_kind kinds[] = {
	{ "CPU % (100% = 1 core)", GRAPH_PERCENT, 100, false, MSER_CPU, LIM_CPU },
	{ "memory (cgroup)", GRAPH_BYTES, 1 << 20, false, MSER_CGMEM, LIM_MEM },
	{ "RSS (all processes)", GRAPH_BYTES, 1 << 20, false, MSER_RSS, LIM_NONE },
	{ "throttled % of periods", GRAPH_PERCENT, 100, true, MSER_THR, LIM_NONE },
	{ "threads", GRAPH_COUNT, 4, false, MSER_THREADS, LIM_NONE },
};

unsigned screen_graph_kinds(void)
{
	return (unsigned)(sizeof kinds / sizeof kinds[0]);
}

/* A run's samples up to the moment shown, as a graph series. */
struct series_ctx {
	const struct model_run *r;
	const struct graph_kind *k;
};

static bool series_at(const void *ctx, size_t i, double *t, double *v)
{
	const struct series_ctx *c = ctx;
	*t = (double)c->r->s[i].t_us / 1e6;
	*v = model_value(&c->r->s[i], c->k->series);
	return isfinite(*v);
}

static bool series_block(const void *ctx, size_t j, double *t, double *lo, double *hi)
{
	const struct series_ctx *c = ctx;
	const struct model_block *b = &c->r->b[j];
	*t = (double)b->t_first / 1e6;
	*lo = b->lo[c->k->series];
	*hi = b->hi[c->k->series];
	return isfinite(*lo) && isfinite(*hi);
}

/* The time snapped up to a step worth a twentieth of it or less (0.5, 1,
 * 2, 5 x 10^k s): a growing window's right edge then moves now and then,
 * not on every tick, and the plot in between changes only where new data
 * lands. */
static double snap_up(double t)
{
	double q = 0.5;
	for (int i = 0; i < 64 && q * 20 < t; i++)
		q *= i % 3 == 1 ? 2.5 : 2; /* 0.5, 1, 2, 5, 10, 20, 50... */
	return ceil(t / q - 1e-9) * q;
}

/* The time window the graphs show, in seconds of the session, and the
 * time its labels count from. The main page: the whole session, or the
 * window ending at the moment shown (live, a window longer than what has
 * happened yet shows what there is, stretched); a run's detail: its own
 * span, or the window ending where it ends. A window that moves steps a
 * whole dot column at a time (dots: the plot's width in dots), so a tick
 * shifts the plot by a column or not at all instead of redrawing every
 * cell with its samples a fraction of a column further. */
static void time_window(const struct ui_view *v, const struct model_run *only, int dots, double *t0, double *t1,
			double *origin)
{
	double now = (double)v->t_us / 1e6, w = v->window_s;
	*origin = 0;
	if (only) {
		double start = (double)only->start_us / 1e6;
		double end = only->ended && only->end_us <= v->t_us ? (double)only->end_us / 1e6 : now;
		bool moving = !(only->ended && only->end_us <= v->t_us);
		*origin = start;
		if (w > 0 && end - w > start) {
			double col = w / (dots > 0 ? dots : 1);
			*t1 = moving ? ceil(end / col - 1e-9) * col : end;
			*t0 = *t1 - w;
		} else {
			*t0 = start;
			*t1 = start + (moving ? snap_up(end - start) : end - start);
		}
		if (*t1 - *t0 < 1)
			*t1 = *t0 + 1;
		return;
	}
	if (w > 0 && !(v->mode == UI_LIVE && now < w)) {
		double col = w / (dots > 0 ? dots : 1);
		*t1 = ceil(now / col - 1e-9) * col;
		*t0 = *t1 - w;
		if (*t0 < 0) {
			*t0 = 0;
			*t1 = w;
		}
		return;
	}
	*t0 = 0;
	*t1 = v->mode == UI_REPLAY && w <= 0 ? (double)v->end_us / 1e6 : snap_up(now);
	if (*t1 < 1)
		*t1 = 1;
}

static bool shows_run(const struct model_run *r, const struct ui_view *v, uint64_t only_run)
{
	if (only_run && r->id != only_run)
		return false;
	return model_run_visible(r, v->t_us) && model_run_state(r, v->t_us) != MS_QUEUED && r->ns > 0;
}

/* The largest value of the kind's series shown in [t0, t1]; NaN when there
 * is none. */
static double data_max(const struct model *m, const struct ui_view *v, const struct graph_kind *k, double t0,
		       double t1, uint64_t only_run)
{
	double hi = NAN;
	uint64_t from = t0 > 0 ? (uint64_t)(t0 * 1e6) : 0, to = (uint64_t)(t1 * 1e6);
	if (to > v->t_us)
		to = v->t_us;
	for (size_t i = 0; i < m->nruns; i++) {
		const struct model_run *r = &m->runs[i];
		if (!shows_run(r, v, only_run))
			continue;
		double x = model_series_max(r, k->series, from, to);
		if (isfinite(x) && !(x <= hi))
			hi = x;
	}
	return hi;
}

/* The limit every run shown shares for this kind (CPU quota as a %, the
 * memory limit in bytes); 0 when there is none or they differ. */
static double shared_limit(const struct model *m, const struct ui_view *v, const struct graph_kind *k,
			   uint64_t only_run)
{
	double lim = -1;
	for (size_t i = 0; i < m->nruns; i++) {
		const struct model_run *r = &m->runs[i];
		if (!shows_run(r, v, only_run))
			continue;
		double x = !r->limits_applied ? 0 : k->limit == LIM_CPU ? r->limit_cpus * 100 : (double)r->limit_mem;
		if (lim >= 0 && x != lim)
			return 0;
		lim = x;
	}
	return lim > 0 ? lim : 0;
}

/* Why a pane has nothing to plot, in a few words. */
static const char *empty_reason(const struct model *m, const struct ui_view *v, const struct graph_kind *k,
				uint64_t only_run)
{
	bool any = false, quota = false, cgroup = false;
	for (size_t i = 0; i < m->nruns; i++) {
		const struct model_run *r = &m->runs[i];
		if (!shows_run(r, v, only_run))
			continue;
		any = true;
		quota |= r->limit_cpus > 0 && r->limits_applied;
		cgroup |= r->cgroup[0] != '\0';
	}
	if (!any)
		return v->mode == UI_REPLAY ? "no run under way at this moment" : v->over ? "no run was started"
										: "no run has started yet";
	if (k->series == MSER_THR && !quota)
		return "nothing throttled: no CPU quota";
	if (k->series == MSER_CGMEM && !cgroup)
		return "no cgroup memory: the runs had no cgroup";
	return "no samples in this window";
}

static void legend(struct screen *s, const struct model *m, const struct ui_view *v, int row, int col, int w,
		   uint64_t only_run, const char *limit_text)
{
	for (size_t vi = 0; vi < m->nvariants && w > 4; vi++) {
		bool used = false;
		for (size_t i = 0; i < m->nruns && !used; i++)
			used = m->runs[i].color == (int)vi && shows_run(&m->runs[i], v, only_run);
		if (!used)
			continue;
		int len = (int)strlen(m->variants[vi]);
		if (len + 3 > w)
			break;
		scr_cell(s, row, col, scr_swatch(s), A_BOLD, scr_pair(s, (int)vi));
		scr_text(s, row, col + 2, len, 0, scr_pair(s, (int)vi), m->variants[vi]);
		col += len + 3;
		w -= len + 3;
	}
	int len = limit_text ? (int)strlen(limit_text) : 0;
	if (len && len + 2 < w) {
		scr_cell(s, row, col, s->braille ? 0x2504u : '-', A_DIM, 0);
		scr_text(s, row, col + 2, len, A_DIM, 0, limit_text);
	}
}

/* Copy the grid to the screen at (row, col), each cell in the colour of
 * the run that drew it, the selected run bold; a limit line dim. */
static void blit(struct screen *s, const struct model *m, const struct ui_view *v, int row, int col)
{
	const struct graph_grid *g = &s->grid;
	for (int y = 0; y < g->h; y++)
		for (int x = 0; x < g->w; x++) {
			const struct graph_cell *c = graph_at(g, y, x);
			if (!c->ch)
				continue;
			if (c->series == GRAPH_LINE_ID) {
				scr_cell(s, row + y, col + x, c->ch, A_DIM, 0);
				continue;
			}
			const struct model_run *r = c->series >= 0 && (size_t)c->series < m->nruns ? &m->runs[c->series] : NULL;
			attr_t a = r && r->id == v->sel ? A_BOLD : A_NORMAL;
			scr_cell(s, row + y, col + x, c->ch, a, r ? scr_pair(s, r->color) : 0);
		}
}

/* The limit's name at the right end of its line, where the line is bare
 * (the legend may have no room for it). */
static void line_label(struct screen *s, const struct graph_axis *ax, double lim, const char *text, int row, int col)
{
	const struct graph_grid *g = &s->grid;
	int len = (int)strlen(text), y = graph_value_row(ax, g->h, lim);
	if (len + 2 > g->w)
		return;
	int x0 = g->w - len - 1;
	for (int x = x0 - 1; x < g->w; x++) {
		const struct graph_cell *c = graph_at(g, y, x);
		if (c->ch && c->series != GRAPH_LINE_ID)
			return; /* data there: the line speaks for itself */
	}
	scr_text(s, row + y, col + x0 - 1, len + 2, A_DIM, 0, " ");
	scr_text(s, row + y, col + x0, len, A_DIM, 0, text);
}

static void plot_runs(struct screen *s, const struct model *m, const struct ui_view *v, const struct graph_kind *k,
		      double t0, double t1, const struct graph_axis *ax, uint64_t only_run)
{
	enum graph_style style = s->braille ? GRAPH_BRAILLE : GRAPH_ASCII;
	/* The selected run last, so it is on top. */
	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < m->nruns; i++) {
			const struct model_run *r = &m->runs[i];
			bool is_sel = r->id == v->sel;
			if (!shows_run(r, v, only_run) || (pass == 0) == is_sel)
				continue;
			struct series_ctx c = { r, k };
			size_t n = model_samples_until(r, v->t_us);
			struct graph_series gs = { .n = n, .ctx = &c, .at = series_at, .id = (int16_t)i,
						   .nblocks = n / MODEL_BLOCK < r->nb ? n / MODEL_BLOCK : r->nb,
						   .block_len = MODEL_BLOCK, .block = series_block };
			graph_plot(&s->grid, style, t0, t1, ax, &gs);
		}
	/* Phase marks of the runs shown. */
	for (size_t e = 0; e < m->nev && m->ev[e].t_us <= v->t_us; e++) {
		if (m->ev[e].kind != ME_PHASE)
			continue;
		const struct model_run *r = model_find_run(m, m->ev[e].run);
		if (r && shows_run(r, v, only_run))
			graph_mark(&s->grid, style, t0, t1, (double)m->ev[e].t_us / 1e6, (int16_t)(r - m->runs));
	}
}

static void pane(struct screen *s, const struct model *m, const struct ui_view *v, const struct graph_kind *k,
		 int row, int col, int h, int w, uint64_t only_run)
{
	const int lw = 6; /* y labels */
	int plot_h = h - 2, plot_w = w - lw - 2;
	if (plot_h < 2 || plot_w < 8)
		return;
	const struct model_run *only = only_run ? model_find_run(m, only_run) : NULL;
	double t0, t1, origin;
	time_window(v, only, plot_w * (s->braille ? 2 : 1), &t0, &t1, &origin);
	double top = data_max(m, v, k, t0, t1, only_run);
	bool empty = !isfinite(top);
	/* The limit line, when the data comes within reach of it. */
	double lim = k->limit != LIM_NONE ? shared_limit(m, v, k, only_run) : 0;
	if (lim > 0 && (empty || lim > LIMIT_REACH * fmax(top, k->min_hi)))
		lim = 0;
	char limit_text[48] = "", a[32];
	if (lim > 0 && k->limit == LIM_CPU)
		snprintf(limit_text, sizeof limit_text, "quota %.4g CPU%s", lim / 100, lim == 100 ? "" : "s");
	else if (lim > 0)
		snprintf(limit_text, sizeof limit_text, "limit %s", scr_bytes(a, sizeof a, lim));

	int tl = scr_text(s, row, col, w - 1, A_BOLD, 0, k->title);
	legend(s, m, v, row, col + tl + 2, w - tl - 3, only_run, limit_text[0] ? limit_text : NULL);

	double hi = k->fixed ? k->min_hi : fmax(fmax(empty ? 0 : top, k->min_hi), lim);
	unsigned max_ticks = (unsigned)(plot_h / 2 + 1);
	struct graph_axis ax;
	graph_axis_nice(0, hi, max_ticks, k->unit, &ax);

	graph_grid_resize(&s->grid, plot_w, plot_h);
	if (!empty) {
		plot_runs(s, m, v, k, t0, t1, &ax, only_run);
		if (lim > 0)
			graph_hline(&s->grid, s->braille ? GRAPH_BRAILLE : GRAPH_ASCII, &ax, lim);
	}
	blit(s, m, v, row + 1, col + lw + 1);
	if (lim > 0)
		line_label(s, &ax, lim, limit_text, row + 1, col + lw + 1);
	if (empty) {
		const char *why = empty_reason(m, v, k, only_run);
		int len = (int)strlen(why);
		int at = len < plot_w ? (plot_w - len) / 2 : 0;
		scr_text(s, row + 1 + plot_h / 2, col + lw + 1 + at, plot_w, A_DIM, 0, why);
	}

	/* y axis: a line with ticks, labels right-aligned beside them */
	bool uni = s->braille;
	for (int y = 0; y < plot_h; y++)
		scr_cell(s, row + 1 + y, col + lw, uni ? 0x2502u : '|', A_DIM, 0);
	int last_row = -1;
	for (unsigned i = 0; i < ax.nticks; i++) {
		int r = graph_value_row(&ax, plot_h, ax.tick[i]);
		if (r == last_row)
			continue;
		last_row = r;
		char lab[32];
		graph_label(&ax, ax.tick[i], lab, sizeof lab);
		int len = (int)strlen(lab);
		scr_text(s, row + 1 + r, col + (len < lw ? lw - len : 0), lw, A_DIM, 0, lab);
		scr_cell(s, row + 1 + r, col + lw, uni ? 0x2524u : '+', A_DIM, 0);
	}
	/* time labels: seconds of the session, or of the run in its detail */
	struct graph_axis tx;
	graph_axis_nice(t0 - origin, t1 - origin, (unsigned)(plot_w / 8 + 1), GRAPH_SECONDS, &tx);
	char labels[512];
	graph_time_labels(&tx, t0 - origin, t1 - origin, plot_w < 511 ? plot_w : 511, labels, sizeof labels);
	scr_text(s, row + h - 1, col + lw + 1, plot_w, A_DIM, 0, labels);
}

/* How many panes, in how many rows and columns: as many panes as fit (up
 * to every kind), arranged so each is about PANE_ASPECT times wider than
 * tall; fewer rows on a tie. */
static void layout(int h, int w, unsigned nk, unsigned *prow, unsigned *pcol, unsigned *pn)
{
	unsigned cmax = w >= PANE_MIN_W ? (unsigned)(w / PANE_MIN_W) : 1;
	unsigned rmax = h >= 2 * MIN_STACKED_H ? (unsigned)(h / MIN_STACKED_H) : 1;
	unsigned n = cmax * rmax < nk ? cmax * rmax : nk;
	unsigned best_r = 1, best_c = n;
	double best = INFINITY;
	for (unsigned r = 1; r <= rmax && r <= n; r++) {
		unsigned c = (n + r - 1) / r;
		if (c > cmax || (r - 1) * c >= n)
			continue;
		double aspect = ((double)w / c) / ((double)h / r);
		double score = fabs(log(aspect / PANE_ASPECT));
		if (score < best - 1e-9) {
			best = score;
			best_r = r;
			best_c = c;
		}
	}
	*prow = best_r;
	*pcol = best_c;
	*pn = n;
}

void scr_graphs(struct screen *s, const struct model *m, const struct ui_view *v, int row, int col, int h, int w,
		unsigned first, uint64_t only_run)
{
	unsigned nk = screen_graph_kinds(), nr, nc, n;
	layout(h, w, nk, &nr, &nc, &n);
	int ph = h / (int)nr;
	unsigned k = 0;
	for (unsigned r = 0; r < nr; r++) {
		unsigned in_row = r + 1 < nr ? nc : n - nc * (nr - 1);
		int pr = row + (int)r * ph, this_h = r + 1 < nr ? ph : h - (int)r * ph;
		int pw = w / (int)in_row;
		for (unsigned i = 0; i < in_row; i++, k++) {
			int pc = col + (int)i * pw;
			int this_w = i + 1 == in_row ? w - (int)i * pw : pw;
			pane(s, m, v, &kinds[(first + k) % nk], pr, pc, this_h, this_w, only_run);
		}
	}
}
