/* graph — pure functions that turn time series into a grid of character
 * cells: axis ranges with nice ticks and short unit labels, and plotting in
 * Unicode braille (2x4 dots per cell) or ASCII (one column, three levels per
 * cell). No curses here: screen.c copies a grid to the terminal, and the
 * unit tests read grids directly.
 *
 * Coordinates: a grid is w cells wide and h high, cell (row 0, col 0) at the
 * top left. Values map linearly onto the axis range [lo, hi]; times onto
 * [t0, t1]. Nothing here allocates except graph_grid_resize. */
#ifndef BT_UI_GRAPH_H
#define BT_UI_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum graph_unit {
	GRAPH_PERCENT, /* labels "50%" */
	GRAPH_BYTES,   /* ticks nice in KiB/MiB/GiB, labels "64M" */
	GRAPH_COUNT,   /* labels "12", "1.5k" */
	GRAPH_SECONDS, /* ticks on 1, 2, 5, 10, 15, 30 s, minutes, hours; labels "30s", "1:30" */
};

enum graph_style { GRAPH_BRAILLE, GRAPH_ASCII };

#define GRAPH_MAX_TICKS 16

struct graph_axis {
	enum graph_unit unit;
	double lo, hi; /* the range shown; both are ticks */
	double step;   /* between ticks, in the unit's base (bytes, seconds...) */
	double scale;  /* bytes: 1, 1024, 1024^2...: what labels divide by */
	unsigned nticks;
	double tick[GRAPH_MAX_TICKS];
};

/* The smallest range holding [lo, hi] whose ticks fall on nice steps, with
 * at most max_ticks ticks (2..GRAPH_MAX_TICKS; clamped). A range with
 * hi <= lo (one value, or nothing yet) is widened to a step above lo.
 * Non-finite input gives the range [0, 1]. */
void graph_axis_nice(double lo, double hi, unsigned max_ticks, enum graph_unit unit, struct graph_axis *ax);

/* A short label (at most 6 characters for values the axis was made for)
 * of v in the axis's unit. Returns buf. */
const char *graph_label(const struct graph_axis *ax, double v, char *buf, size_t size);

/* The grid row (0 = top) where value v sits on a graph h rows high, for
 * axis labels; values outside the range are clamped. */
int graph_value_row(const struct graph_axis *ax, int h, double v);

/* The time axis under a graph: the labels of ax's ticks placed at their
 * columns in a string of exactly w characters (plus NUL; size > w), left
 * to right, dropping a label that would touch the one before. */
void graph_time_labels(const struct graph_axis *ax, double t0, double t1, int w, char *out, size_t size);

struct graph_cell {
	uint32_t ch;    /* Unicode code point; 0 = empty */
	int16_t series; /* id of the series that drew here last; -1 = none */
	uint8_t dots;   /* braille dot bits, or ASCII level bits */
};

struct graph_grid {
	int w, h;
	struct graph_cell *cell; /* w * h, row-major; owned */
	size_t cap;
};

/* Make g w x h (>= 1 each) and clear it; reuses memory. Frees with
 * graph_grid_free; a zeroed grid is a valid empty one. */
void graph_grid_resize(struct graph_grid *g, int w, int h);
void graph_grid_clear(struct graph_grid *g);
void graph_grid_free(struct graph_grid *g);
static inline const struct graph_cell *graph_at(const struct graph_grid *g, int row, int col)
{
	return &g->cell[(size_t)row * (size_t)g->w + (size_t)col];
}

/* A series: n samples in increasing time. at() gives sample i's time (s)
 * and value; it returns false when the value is unknown, which breaks the
 * line there (the time must still be set).
 *
 * Optionally, summaries of block_len consecutive samples: block j covers
 * samples [j*block_len, (j+1)*block_len), block() gives its first time and
 * the range of its known values (false when it has none). A window with a
 * block or more per dot column is drawn from them, so its cost stays
 * proportional to the width, however many samples it spans; a block's range
 * lands in the column of its first sample (a column off at most). */
struct graph_series {
	size_t n;
	const void *ctx;
	bool (*at)(const void *ctx, size_t i, double *t, double *v);
	int16_t id;
	size_t nblocks, block_len; /* 0: no blocks */
	bool (*block)(const void *ctx, size_t j, double *t, double *lo, double *hi);
};

/* Draw s as a connected line over the window [t0, t1] (t1 > t0) and the
 * axis range of y, merging its dots with what the grid holds; the cells it
 * touches take its id. Samples outside the window only continue the line
 * to the edge. Work is proportional to the samples (or blocks) in the
 * window plus the width. */
void graph_plot(struct graph_grid *g, enum graph_style style, double t0, double t1,
		const struct graph_axis *y, const struct graph_series *s);

/* Mark time t (a phase beginning) in the top row when that cell is empty:
 * a small triangle in braille style, 'v' in ASCII. */
void graph_mark(struct graph_grid *g, enum graph_style style, double t0, double t1, double t, int16_t id);

/* The id of the cells graph_hline draws. */
#define GRAPH_LINE_ID ((int16_t)-2)
/* A dashed horizontal line at value v (a limit), in the row
 * graph_value_row gives, through the empty cells only: the data stays on
 * top. Nothing when v is outside the axis range. */
void graph_hline(struct graph_grid *g, enum graph_style style, const struct graph_axis *y, double v);

#endif
