/* graph — see graph.h. */
#include "graph.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Time steps a person reads at a glance: seconds, minutes, hours, days. */
static const double time_steps[] = {
	0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
	3600, 7200, 10800, 21600, 43200, 86400,
};

/* The i-th nice linear step at or above base (1, 2, 5 x 10^k). */
static double linear_step(double base, unsigned i)
{
	static const double m[] = { 1, 2, 5 };
	return base * m[i % 3] * pow(10, (double)(i / 3));
}

/* The i-th nice time step at or above 0.1 s; past a day, days x 1, 2, 5... */
static double time_step(unsigned i)
{
	if (i < BT_ARRAY_LEN(time_steps))
		return time_steps[i];
	return linear_step(86400 * 2, i - (unsigned)BT_ARRAY_LEN(time_steps));
}

static unsigned ticks_for(double lo, double hi, double step)
{
	double n = ceil(hi / step - 1e-9) - floor(lo / step + 1e-9) + 1;
	return n > 1e6 ? 1000000u : (unsigned)n;
}

void graph_axis_nice(double lo, double hi, unsigned max_ticks, enum graph_unit unit, struct graph_axis *ax)
{
	memset(ax, 0, sizeof(*ax));
	ax->unit = unit;
	ax->scale = 1;
	if (max_ticks < 2)
		max_ticks = 2;
	if (max_ticks > GRAPH_MAX_TICKS)
		max_ticks = GRAPH_MAX_TICKS;
	if (!isfinite(lo) || !isfinite(hi)) {
		lo = 0;
		hi = 1;
	}
	if (hi <= lo)
		hi = lo + (lo != 0 ? fabs(lo) : 1);
	if (unit == GRAPH_BYTES) {
		double top = fmax(fabs(lo), fabs(hi));
		while (top / ax->scale >= 1024 && ax->scale < 1125899906842624.0) /* up to PiB */
			ax->scale *= 1024;
	}
	/* Start a decade below the step that max_ticks would need and walk up
	 * the nice steps until the ticks fit; bounded by the table walk. */
	double want = (hi - lo) / (double)(max_ticks - 1);
	double base = pow(10, floor(log10(want / ax->scale))) / 10 * ax->scale;
	double step = 0;
	for (unsigned i = 0; i < 64; i++) {
		step = unit == GRAPH_SECONDS ? time_step(i) : linear_step(base, i);
		if (unit == GRAPH_COUNT && step < 1)
			continue;
		if (unit == GRAPH_BYTES && ax->scale == 1 && step < 1)
			continue;
		if (ticks_for(lo, hi, step) <= max_ticks)
			break;
	}
	ax->step = step;
	ax->lo = floor(lo / step + 1e-9) * step;
	ax->hi = ceil(hi / step - 1e-9) * step;
	if (ax->hi <= ax->lo)
		ax->hi = ax->lo + step;
	for (double v = ax->lo; v <= ax->hi + step * 1e-6 && ax->nticks < GRAPH_MAX_TICKS; v += step)
		ax->tick[ax->nticks++] = fabs(v) < step * 1e-9 ? 0 : v;
}

static const char *label_seconds(double v, double step, char *buf, size_t size)
{
	double a = fabs(v);
	const char *sign = v < 0 ? "-" : "";
	if (a < 60 && step < 60) {
		snprintf(buf, size, step < 1 ? "%s%.1fs" : "%s%.0fs", sign, a);
	} else if (a < 3600) {
		long s = lround(a);
		snprintf(buf, size, "%s%ld:%02ld", sign, s / 60, s % 60);
	} else if (a < 86400 * 10) {
		long m = lround(a / 60);
		snprintf(buf, size, "%s%ldh%02ld", sign, m / 60, m % 60);
	} else {
		snprintf(buf, size, "%s%.0fd", sign, a / 86400);
	}
	return buf;
}

/* A plain number in at most 5 characters: below 10000 as is (with one
 * decimal when the step is fractional), above with k, M, G, T, P. */
static void compact(double v, double step, const char *suffix, char *buf, size_t size)
{
	static const char *const big[] = { "", "k", "M", "G", "T", "P" };
	size_t u = 0;
	double s = 1;
	while (fabs(v) / s >= 10000 && u + 1 < BT_ARRAY_LEN(big)) {
		s *= 1000;
		u++;
	}
	snprintf(buf, size, step / s < 1 ? "%.1f%s%s" : "%.0f%s%s", v / s, big[u], suffix);
}

const char *graph_label(const struct graph_axis *ax, double v, char *buf, size_t size)
{
	static const char *const units[] = { "", "K", "M", "G", "T", "P" };
	switch (ax->unit) {
	case GRAPH_PERCENT:
		compact(v, ax->step, "%", buf, size);
		break;
	case GRAPH_BYTES: {
		unsigned u = 0;
		for (double s = ax->scale; s >= 1024 && u + 1 < BT_ARRAY_LEN(units); s /= 1024)
			u++;
		double x = v / ax->scale;
		if (x == 0)
			snprintf(buf, size, "0");
		else
			snprintf(buf, size, ax->step / ax->scale < 1 ? "%.1f%s" : "%.0f%s", x, units[u]);
		break;
	}
	case GRAPH_COUNT:
		compact(v, ax->step, "", buf, size);
		break;
	case GRAPH_SECONDS:
		return label_seconds(v, ax->step, buf, size);
	}
	return buf;
}

int graph_value_row(const struct graph_axis *ax, int h, double v)
{
	if (h <= 1)
		return 0;
	double f = (v - ax->lo) / (ax->hi - ax->lo);
	if (!(f > 0))
		f = 0;
	if (f > 1)
		f = 1;
	return (h - 1) - (int)lround(f * (h - 1));
}

void graph_time_labels(const struct graph_axis *ax, double t0, double t1, int w, char *out, size_t size)
{
	if (size == 0)
		return;
	if (w < 0 || (size_t)w >= size)
		w = (int)size - 1;
	memset(out, ' ', (size_t)w);
	out[w] = '\0';
	if (!(t1 > t0))
		return;
	int free_col = 0;
	for (unsigned i = 0; i < ax->nticks; i++) {
		double t = ax->tick[i];
		if (t < t0 - 1e-9 || t > t1 + 1e-9)
			continue;
		char lab[32];
		graph_label(ax, t, lab, sizeof lab);
		int len = (int)strlen(lab);
		int col = (int)floor((t - t0) / (t1 - t0) * w);
		if (col + len > w)
			col = w - len; /* the last label ends at the edge */
		if (col < free_col || col < 0)
			continue;
		memcpy(out + col, lab, (size_t)len);
		free_col = col + len + 1;
	}
}

void graph_grid_clear(struct graph_grid *g)
{
	for (size_t i = 0; i < (size_t)g->w * (size_t)g->h; i++)
		g->cell[i] = (struct graph_cell){ 0, -1, 0 };
}

void graph_grid_resize(struct graph_grid *g, int w, int h)
{
	if (w < 1)
		w = 1;
	if (h < 1)
		h = 1;
	size_t need = (size_t)w * (size_t)h;
	if (need > g->cap) {
		g->cell = xreallocarray(g->cell, need, sizeof(*g->cell));
		g->cap = need;
	}
	g->w = w;
	g->h = h;
	graph_grid_clear(g);
}

void graph_grid_free(struct graph_grid *g)
{
	free(g->cell);
	memset(g, 0, sizeof(*g));
}

/* ---- Plotting ----------------------------------------------------------- */

struct plotter {
	struct graph_grid *g;
	bool braille;
	int xs, ys; /* dots per cell across and down */
	int W, H;   /* dots across and down */
	int16_t id;
};

/* ASCII: one mark per cell from the levels hit (bit 0 bottom .. 2 top). */
static uint32_t ascii_mark(uint8_t levels)
{
	switch (levels) {
	case 1: return '_';
	case 2: return '-';
	case 4: return '\'';
	default: return '|';
	}
}

/* The bit of dot (sx across, k up from the bottom) within its cell. */
static uint8_t dot_bit(const struct plotter *p, int sx, int k)
{
	if (!p->braille)
		return (uint8_t)(1u << k);
	/* Braille numbers its dots down the left column (1-3, then 7) and
	 * down the right one (4-6, then 8). */
	int r = 3 - k;
	return (uint8_t)(1u << (sx == 0 ? (r < 3 ? r : 6) : (r < 3 ? 3 + r : 7)));
}

/* Dots (x, y0..y1) of one dot column, y = 0 at the bottom: one update per
 * cell crossed, not per dot. */
static void span(const struct plotter *p, int x, int y0, int y1)
{
	if (x < 0 || x >= p->W)
		return;
	if (y0 > y1) {
		int t = y0;
		y0 = y1;
		y1 = t;
	}
	int col = x / p->xs, sx = x % p->xs;
	for (int cy = y0 / p->ys; cy <= y1 / p->ys; cy++) {
		int base = cy * p->ys;
		int a = (y0 > base ? y0 : base) - base, b = (y1 < base + p->ys - 1 ? y1 : base + p->ys - 1) - base;
		uint8_t bits = 0;
		for (int k = a; k <= b; k++)
			bits |= dot_bit(p, sx, k);
		struct graph_cell *c = &p->g->cell[(size_t)(p->g->h - 1 - cy) * (size_t)p->g->w + (size_t)col];
		if (c->dots == 0)
			c->ch = 0; /* a mark from graph_mark gives way to data */
		c->dots |= bits;
		c->ch = p->braille ? 0x2800u + c->dots : ascii_mark(c->dots);
		c->series = p->id;
	}
}

/* Join (x0, y0) to (x1, y1), x0 < x1, column by column: each column gets
 * the vertical run from the previous column's height to its own, so a
 * line never has holes. Only the visible columns are walked. */
static void segment(const struct plotter *p, int x0, int y0, int x1, int y1)
{
	if (x1 == x0) {
		span(p, x1, y0, y1);
		return;
	}
	int from = x0 + 1 > 0 ? x0 + 1 : 0, to = x1 < p->W - 1 ? x1 : p->W - 1;
	for (int c = from; c <= to; c++) {
		double fprev = y0 + (double)(y1 - y0) * (c - 1 - x0) / (x1 - x0);
		double fcur = y0 + (double)(y1 - y0) * (c - x0) / (x1 - x0);
		span(p, c, (int)lround(fprev), (int)lround(fcur));
	}
}

static int dot_y(const struct plotter *p, const struct graph_axis *ax, double v)
{
	double f = (v - ax->lo) / (ax->hi - ax->lo);
	if (!(f > 0))
		f = 0;
	if (f > 1)
		f = 1;
	return (int)lround(f * (p->H - 1));
}

/* First sample at or after t (n when none). */
static size_t first_at(const struct graph_series *s, double t)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		double ts, v;
		s->at(s->ctx, mid, &ts, &v);
		if (ts < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The line being drawn: samples that fall in one dot column are gathered
 * into their range (min..max) and drawn once, so a long window costs a span
 * per column, not one per sample. */
struct liner {
	const struct plotter *p;
	const struct graph_axis *y;
	double t0, t1;
	bool have, open, done;
	int px, py, cx, cmin, cmax;
};

static void flush(struct liner *l)
{
	if (l->open)
		span(l->p, l->cx, l->cmin, l->cmax);
	l->open = false;
}

/* One point of the line (known false: a gap). */
static void point(struct liner *l, double t, double v, bool known)
{
	const struct plotter *p = l->p;
	if (t > l->t1)
		l->done = true;
	if (!known || !isfinite(v)) {
		flush(l);
		l->have = false;
		return;
	}
	double fx = (t - l->t0) / (l->t1 - l->t0) * p->W;
	int x = fx < 0 ? -1 : t > l->t1 ? p->W : fx >= p->W ? p->W - 1 : (int)fx;
	int y = dot_y(p, l->y, v);
	if (l->have && x == l->px) {
		if (l->open) {
			l->cmin = y < l->cmin ? y : l->cmin;
			l->cmax = y > l->cmax ? y : l->cmax;
		}
	} else {
		flush(l);
		if (l->have)
			segment(p, l->px, l->py, x, y);
		if (x >= 0 && x < p->W) {
			l->open = true;
			l->cx = x;
			l->cmin = l->cmax = y;
		}
	}
	l->have = true;
	l->px = x;
	l->py = y;
}

void graph_plot(struct graph_grid *g, enum graph_style style, double t0, double t1,
		const struct graph_axis *y, const struct graph_series *s)
{
	if (!g->cell || !(t1 > t0) || !(y->hi > y->lo) || s->n == 0)
		return;
	struct plotter p = { .g = g, .braille = style == GRAPH_BRAILLE, .id = s->id };
	p.xs = p.braille ? 2 : 1;
	p.ys = p.braille ? 4 : 3;
	p.W = g->w * p.xs;
	p.H = g->h * p.ys;
	/* From the sample before the window to the one after it, so the
	 * line runs in from the edges. */
	size_t i = first_at(s, t0), end = first_at(s, t1);
	i = i > 0 ? i - 1 : 0;
	end = end < s->n ? end + 1 : s->n;
	size_t B = s->block_len;
	/* Block summaries once a dot column would hold a block or more: count
	 * the columns the samples span in the window. A block lands whole in
	 * the column of its first sample, so a peak moves by a column at most
	 * (half a braille cell), and is never lost. */
	bool blocks = false;
	if (B > 0 && s->block && end - i >= 2 * B) {
		double ta, tb, v;
		s->at(s->ctx, i, &ta, &v);
		s->at(s->ctx, end - 1, &tb, &v);
		double cols = (fmin(tb, t1) - fmax(ta, t0)) / (t1 - t0) * p.W + 1;
		blocks = (double)(end - i) >= (double)B * (cols > 1 ? cols : 1);
	}
	struct liner l = { .p = &p, .y = y, .t0 = t0, .t1 = t1 };
	while (i < end && !l.done) {
		double t, v, lo, hi;
		if (blocks && i % B == 0 && i + B <= end && i / B < s->nblocks) {
			bool known = s->block(s->ctx, i / B, &t, &lo, &hi);
			point(&l, t, lo, known);
			point(&l, t, hi, known);
			i += B;
		} else {
			bool known = s->at(s->ctx, i, &t, &v);
			point(&l, t, v, known);
			i++;
		}
	}
	flush(&l);
}

void graph_mark(struct graph_grid *g, enum graph_style style, double t0, double t1, double t, int16_t id)
{
	if (!g->cell || !(t1 > t0) || t < t0 || t > t1)
		return;
	int col = (int)((t - t0) / (t1 - t0) * g->w);
	if (col >= g->w)
		col = g->w - 1;
	struct graph_cell *c = &g->cell[col];
	if (c->ch)
		return;
	c->ch = style == GRAPH_BRAILLE ? 0x25BEu : 'v';
	c->series = id;
}

void graph_hline(struct graph_grid *g, enum graph_style style, const struct graph_axis *y, double v)
{
	if (!g->cell || !isfinite(v) || v < y->lo || v > y->hi || !(y->hi > y->lo))
		return;
	int row = graph_value_row(y, g->h, v);
	/* dashes, so it reads as a limit, not as data: in ASCII every other
	 * cell, as '-' is also what a low sample looks like */
	for (int x = 0; x < g->w; x += style == GRAPH_BRAILLE ? 1 : 2) {
		struct graph_cell *c = &g->cell[(size_t)row * (size_t)g->w + (size_t)x];
		if (c->ch)
			continue;
		c->ch = style == GRAPH_BRAILLE ? 0x2504u : '-';
		c->series = GRAPH_LINE_ID;
	}
}
