/* screen_graph — graph panes: a title with a legend, a y axis with nice
 * ticks, the plot (graph.c renders it into a cell grid; this file copies
 * the grid to curses in each run's colour) and time labels. The graph
 * kinds are one const table; a new kind is a new row. */
#include "screen_int.h"

#include <math.h>
#include <string.h>

struct graph_kind {
	const char *title;
	enum graph_unit unit;
	double min_hi; /* the axis reaches at least this */
	bool fixed;    /* the axis is [0, min_hi] whatever the data */
	enum model_series series;
};

static const struct graph_kind kinds[] = {
	{ "CPU % (100% = 1 core)", GRAPH_PERCENT, 100, false, MSER_CPU },
	{ "memory (cgroup)", GRAPH_BYTES, 1 << 20, false, MSER_CGMEM },
	{ "RSS (all processes)", GRAPH_BYTES, 1 << 20, false, MSER_RSS },
	{ "throttled % of periods", GRAPH_PERCENT, 100, true, MSER_THR },
	{ "threads", GRAPH_COUNT, 4, false, MSER_THREADS },
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

/* The time window the graphs show. */
static void time_window(const struct ui_view *v, double *t0, double *t1)
{
	double now = (double)v->t_us / 1e6;
	if (v->window_s > 0) {
		*t0 = now - v->window_s > 0 ? now - v->window_s : 0;
		*t1 = *t0 + v->window_s;
		return;
	}
	*t0 = 0;
	*t1 = (double)(v->mode == UI_REPLAY ? v->end_us : v->t_us) / 1e6;
	if (*t1 < 1)
		*t1 = 1;
}

static bool shows_run(const struct model_run *r, const struct ui_view *v, uint64_t only_run)
{
	if (only_run && r->id != only_run)
		return false;
	return model_run_visible(r, v->t_us) && model_run_state(r, v->t_us) != MS_QUEUED && r->ns > 0;
}

static double data_max(const struct model *m, const struct ui_view *v, const struct graph_kind *k, double t0,
		       uint64_t only_run)
{
	double hi = 0;
	uint64_t from = t0 > 0 ? (uint64_t)(t0 * 1e6) : 0;
	for (size_t i = 0; i < m->nruns; i++) {
		const struct model_run *r = &m->runs[i];
		if (!shows_run(r, v, only_run))
			continue;
		double x = model_series_max(r, k->series, from, v->t_us);
		if (isfinite(x) && x > hi)
			hi = x;
	}
	return hi;
}

static void legend(struct screen *s, const struct model *m, const struct ui_view *v, int row, int col, int w,
		   uint64_t only_run)
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
}

/* Copy the grid to the screen at (row, col), each cell in the colour of
 * the run that drew it, the selected run bold. */
static void blit(struct screen *s, const struct model *m, const struct ui_view *v, int row, int col)
{
	const struct graph_grid *g = &s->grid;
	for (int y = 0; y < g->h; y++)
		for (int x = 0; x < g->w; x++) {
			const struct graph_cell *c = graph_at(g, y, x);
			if (!c->ch)
				continue;
			const struct model_run *r = c->series >= 0 && (size_t)c->series < m->nruns ? &m->runs[c->series] : NULL;
			attr_t a = r && r->id == v->sel ? A_BOLD : A_NORMAL;
			scr_cell(s, row + y, col + x, c->ch, a, r ? scr_pair(s, r->color) : 0);
		}
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
	int tl = scr_text(s, row, col, w - 1, A_BOLD, 0, k->title);
	legend(s, m, v, row, col + tl + 2, w - tl - 3, only_run);

	double t0, t1;
	time_window(v, &t0, &t1);
	double hi = k->fixed ? k->min_hi : fmax(data_max(m, v, k, t0, only_run), k->min_hi);
	unsigned max_ticks = (unsigned)(plot_h / 2 + 1);
	struct graph_axis ax;
	graph_axis_nice(0, hi, max_ticks, k->unit, &ax);

	graph_grid_resize(&s->grid, plot_w, plot_h);
	plot_runs(s, m, v, k, t0, t1, &ax, only_run);
	blit(s, m, v, row + 1, col + lw + 1);

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
	/* time labels */
	struct graph_axis tx;
	graph_axis_nice(t0, t1, (unsigned)(plot_w / 8 + 1), GRAPH_SECONDS, &tx);
	char labels[512];
	graph_time_labels(&tx, t0, t1, plot_w < 511 ? plot_w : 511, labels, sizeof labels);
	scr_text(s, row + h - 1, col + lw + 1, plot_w, A_DIM, 0, labels);
}

void scr_graphs(struct screen *s, const struct model *m, const struct ui_view *v, int row, int col, int h, int w,
		unsigned first, unsigned max_panes, uint64_t only_run)
{
	unsigned nk = screen_graph_kinds();
	unsigned npanes = (unsigned)(w / 40);
	if (npanes < 1)
		npanes = 1;
	if (npanes > max_panes)
		npanes = max_panes;
	if (npanes > nk)
		npanes = nk;
	int pw = w / (int)npanes;
	for (unsigned i = 0; i < npanes; i++) {
		int pc = col + (int)i * pw;
		int this_w = i + 1 == npanes ? w - (int)i * pw : pw;
		pane(s, m, v, &kinds[(first + i) % nk], row, pc, h, this_w, only_run);
	}
}
