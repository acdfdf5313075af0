/* Unit tests for ui/graph.c: nice axis ranges and labels in every unit,
 * and rendering series into braille and ASCII cell grids (dots, lines
 * without holes, gaps for unknown values, clipping to the window,
 * colours by series, phase marks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "graph.h"

#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)

static void assert_ticks(const struct graph_axis *ax, double lo, double hi, double step, unsigned n)
{
	assert_true(fabs(ax->lo - lo) < 1e-9 * fmax(1, fabs(lo)));
	assert_true(fabs(ax->hi - hi) < 1e-9 * fmax(1, fabs(hi)));
	assert_true(fabs(ax->step - step) < 1e-9 * fmax(1, step));
	assert_int_equal(ax->nticks, n);
}

static void axis_percent(void **state)
{
	(void)state;
	struct graph_axis ax;
	graph_axis_nice(0, 100, 6, GRAPH_PERCENT, &ax);
	assert_ticks(&ax, 0, 100, 20, 6);
	for (unsigned i = 0; i < ax.nticks; i++)
		assert_true(fabs(ax.tick[i] - 20.0 * i) < 1e-9);
	/* 137 % with at most 5 ticks: 0, 50, 100, 150 */
	graph_axis_nice(0, 137, 5, GRAPH_PERCENT, &ax);
	assert_ticks(&ax, 0, 150, 50, 4);
	char b[32];
	assert_string_equal(graph_label(&ax, 150, b, sizeof b), "150%");
	/* a small range gets decimals in its labels */
	graph_axis_nice(0, 1.2, 4, GRAPH_PERCENT, &ax);
	assert_ticks(&ax, 0, 1.5, 0.5, 4);
	assert_string_equal(graph_label(&ax, 0.5, b, sizeof b), "0.5%");
}

static void axis_bytes(void **state)
{
	(void)state;
	struct graph_axis ax;
	char b[32];
	graph_axis_nice(0, 64 * MIB, 5, GRAPH_BYTES, &ax);
	assert_true(ax.scale == MIB);
	assert_ticks(&ax, 0, 80 * MIB, 20 * MIB, 5);
	assert_string_equal(graph_label(&ax, 20 * MIB, b, sizeof b), "20M");
	assert_string_equal(graph_label(&ax, 0, b, sizeof b), "0");

	graph_axis_nice(0, 1.5 * GIB, 4, GRAPH_BYTES, &ax);
	assert_true(ax.scale == GIB);
	assert_ticks(&ax, 0, 1.5 * GIB, 0.5 * GIB, 4);
	assert_string_equal(graph_label(&ax, 1.5 * GIB, b, sizeof b), "1.5G");

	/* bytes below a KiB: whole bytes, never fractions of one */
	graph_axis_nice(0, 3, 16, GRAPH_BYTES, &ax);
	assert_true(ax.scale == 1);
	assert_true(ax.step >= 1);
	assert_string_equal(graph_label(&ax, 2, b, sizeof b), "2");
}

static void axis_seconds(void **state)
{
	(void)state;
	struct graph_axis ax;
	char b[32];
	/* 95 s, at most 6 ticks: 10 and 15 s steps need too many; 30 s */
	graph_axis_nice(0, 95, 6, GRAPH_SECONDS, &ax);
	assert_ticks(&ax, 0, 120, 30, 5);
	assert_string_equal(graph_label(&ax, 30, b, sizeof b), "30s");
	assert_string_equal(graph_label(&ax, 90, b, sizeof b), "1:30");
	graph_axis_nice(0, 2, 5, GRAPH_SECONDS, &ax);
	assert_true(fabs(ax.step - 0.5) < 1e-12);
	assert_string_equal(graph_label(&ax, 1.5, b, sizeof b), "1.5s");
	graph_axis_nice(0, 7200, 4, GRAPH_SECONDS, &ax);
	assert_true(ax.step == 3600);
	assert_string_equal(graph_label(&ax, 5400, b, sizeof b), "1h30");
}

static void axis_count_and_odd_input(void **state)
{
	(void)state;
	struct graph_axis ax;
	char b[32];
	graph_axis_nice(0, 3, 16, GRAPH_COUNT, &ax);
	assert_true(ax.step == 1); /* no half threads */
	assert_ticks(&ax, 0, 3, 1, 4);
	graph_axis_nice(0, 25000, 3, GRAPH_COUNT, &ax);
	assert_string_equal(graph_label(&ax, 20000, b, sizeof b), "20k");
	/* one value, nothing, NaN, infinities: a usable range anyway */
	graph_axis_nice(5, 5, 4, GRAPH_PERCENT, &ax);
	assert_true(ax.lo <= 5 && ax.hi > 5 && ax.nticks >= 2 && ax.nticks <= 4);
	graph_axis_nice(0, 0, 4, GRAPH_PERCENT, &ax);
	assert_true(ax.lo == 0 && ax.hi >= 1);
	graph_axis_nice(NAN, 3, 4, GRAPH_PERCENT, &ax);
	assert_true(ax.lo == 0 && ax.hi == 1);
	graph_axis_nice(0, INFINITY, 4, GRAPH_BYTES, &ax);
	assert_true(ax.lo == 0 && ax.hi == 1);
	/* max_ticks outside 2..16 is clamped */
	graph_axis_nice(0, 100, 0, GRAPH_PERCENT, &ax);
	assert_true(ax.nticks == 2);
	graph_axis_nice(0, 100, 1000, GRAPH_PERCENT, &ax);
	assert_true(ax.nticks <= GRAPH_MAX_TICKS);
}

/* For many ranges: the ticks cover the data, are evenly spaced, and are
 * no more than asked for. */
static void axis_properties(void **state)
{
	(void)state;
	static const double his[] = { 0.3, 1, 7, 99.9, 100, 101, 250, 1023, 1025, 4e6, 3.3e9, 7.7e12 };
	static const enum graph_unit units[] = { GRAPH_PERCENT, GRAPH_BYTES, GRAPH_COUNT, GRAPH_SECONDS };
	for (size_t u = 0; u < 4; u++)
		for (size_t i = 0; i < sizeof his / sizeof his[0]; i++)
			for (unsigned mt = 2; mt <= GRAPH_MAX_TICKS; mt++) {
				struct graph_axis ax;
				double lo = his[i] / 7;
				graph_axis_nice(lo, his[i], mt, units[u], &ax);
				assert_true(ax.lo <= lo + 1e-9);
				assert_true(ax.hi >= his[i] - 1e-9 * his[i]);
				assert_true(ax.step > 0);
				assert_true(ax.nticks >= 2 && ax.nticks <= mt);
				for (unsigned k = 1; k < ax.nticks; k++)
					assert_true(fabs(ax.tick[k] - ax.tick[k - 1] - ax.step) < 1e-6 * ax.step);
				char b[32];
				if (units[u] == GRAPH_SECONDS && his[i] > 1e7)
					continue; /* labels of centuries may be long */
				for (unsigned k = 0; k < ax.nticks; k++)
					assert_true(strlen(graph_label(&ax, ax.tick[k], b, sizeof b)) <= 6);
			}
}

static void value_rows_and_time_labels(void **state)
{
	(void)state;
	struct graph_axis ax;
	graph_axis_nice(0, 100, 6, GRAPH_PERCENT, &ax);
	assert_int_equal(graph_value_row(&ax, 5, 0), 4);
	assert_int_equal(graph_value_row(&ax, 5, 100), 0);
	assert_int_equal(graph_value_row(&ax, 5, 50), 2);
	assert_int_equal(graph_value_row(&ax, 5, -5), 4);
	assert_int_equal(graph_value_row(&ax, 5, 1e9), 0);
	assert_int_equal(graph_value_row(&ax, 5, NAN), 4);

	struct graph_axis tx;
	char line[64];
	graph_axis_nice(0, 10, 5, GRAPH_SECONDS, &tx);
	graph_time_labels(&tx, 0, 10, 40, line, sizeof line);
	assert_int_equal(strlen(line), 40);
	assert_memory_equal(line, "0s", 2);
	assert_string_equal(line + 37, "10s"); /* the last one ends at the edge */
	assert_non_null(strstr(line, "5s"));
	/* labels never touch: a narrow line drops some */
	graph_time_labels(&tx, 0, 10, 8, line, sizeof line);
	assert_int_equal(strlen(line), 8);
	assert_null(strstr(line, "2s4s"));
	/* a buffer smaller than w: cut to the buffer */
	char small[6];
	graph_time_labels(&tx, 0, 10, 40, small, sizeof small);
	assert_int_equal(strlen(small), 5);
}

/* A series over arrays; NaN = unknown. */
struct arr {
	const double *t, *v;
};

static bool arr_at(const void *ctx, size_t i, double *t, double *v)
{
	const struct arr *a = ctx;
	*t = a->t[i];
	*v = a->v[i];
	return isfinite(*v);
}

static void plot(struct graph_grid *g, enum graph_style st, double t0, double t1, const struct graph_axis *ax,
		 const double *t, const double *v, size_t n, int16_t id)
{
	struct arr a = { t, v };
	struct graph_series s = { .n = n, .ctx = &a, .at = arr_at, .id = id };
	graph_plot(g, st, t0, t1, ax, &s);
}

static void braille_dots(void **state)
{
	(void)state;
	struct graph_grid g = { 0 };
	struct graph_axis ax = { .unit = GRAPH_PERCENT, .lo = 0, .hi = 100, .step = 50, .nticks = 3 };
	/* Flat at the top over two cells (4 x 4 dots): dots 1 and 4 of each
	 * cell, U+2809. */
	graph_grid_resize(&g, 2, 1);
	double t[] = { 0, 1 }, top[] = { 100, 100 }, bottom[] = { 0, 0 };
	plot(&g, GRAPH_BRAILLE, 0, 1, &ax, t, top, 2, 3);
	assert_int_equal(graph_at(&g, 0, 0)->ch, 0x2809);
	assert_int_equal(graph_at(&g, 0, 1)->ch, 0x2809);
	assert_int_equal(graph_at(&g, 0, 0)->series, 3);
	/* Flat at the bottom: dots 7 and 8, merged with what is there. */
	plot(&g, GRAPH_BRAILLE, 0, 1, &ax, t, bottom, 2, 4);
	assert_int_equal(graph_at(&g, 0, 0)->ch, 0x2809 | 0xC0);
	assert_int_equal(graph_at(&g, 0, 0)->series, 4); /* the last series drawn owns the cell */
	/* One point at the bottom left: dot 7 only. */
	graph_grid_clear(&g);
	double one_t[] = { 0 }, one_v[] = { 0 };
	plot(&g, GRAPH_BRAILLE, 0, 1, &ax, one_t, one_v, 1, 0);
	assert_int_equal(graph_at(&g, 0, 0)->ch, 0x2840);
	assert_int_equal(graph_at(&g, 0, 1)->ch, 0);
	assert_int_equal(graph_at(&g, 0, 1)->series, -1);
	graph_grid_free(&g);
}

static void braille_line_has_no_holes(void **state)
{
	(void)state;
	struct graph_grid g = { 0 };
	struct graph_axis ax = { .unit = GRAPH_PERCENT, .lo = 0, .hi = 100, .step = 50, .nticks = 3 };
	graph_grid_resize(&g, 10, 3); /* 20 x 12 dots */
	/* From the bottom to the top in one step: every row of the plot is
	 * crossed somewhere, so no cell row is empty. */
	double t[] = { 0, 0.5, 1 }, v[] = { 0, 100, 100 };
	plot(&g, GRAPH_BRAILLE, 0, 1, &ax, t, v, 3, 1);
	for (int row = 0; row < 3; row++) {
		bool any = false;
		for (int col = 0; col < 10; col++)
			any |= graph_at(&g, row, col)->ch != 0;
		assert_true(any);
	}
	/* Every column has a dot (the line is continuous across). */
	for (int col = 0; col < 10; col++) {
		bool any = false;
		for (int row = 0; row < 3; row++)
			any |= graph_at(&g, row, col)->ch != 0;
		assert_true(any);
	}
	graph_grid_free(&g);
}

static void ascii_levels(void **state)
{
	(void)state;
	struct graph_grid g = { 0 };
	struct graph_axis ax = { .unit = GRAPH_COUNT, .lo = 0, .hi = 2, .step = 1, .nticks = 3 };
	graph_grid_resize(&g, 3, 1); /* 3 x 3 dots: one column, three levels per cell */
	/* Points in the middle of each column; NaN between them breaks the
	 * line so each cell shows one level. */
	double t[] = { 0.5, 1, 1.5, 2, 2.5 }, v[] = { 0, NAN, 1, NAN, 2 };
	plot(&g, GRAPH_ASCII, 0, 3, &ax, t, v, 5, 0);
	assert_int_equal(graph_at(&g, 0, 0)->ch, '_');
	assert_int_equal(graph_at(&g, 0, 1)->ch, '-');
	assert_int_equal(graph_at(&g, 0, 2)->ch, '\'');
	/* Joined, a climb through a cell shows as '|'. */
	graph_grid_clear(&g);
	double t2[] = { 0.5, 1.5 }, v2[] = { 0, 2 };
	plot(&g, GRAPH_ASCII, 0, 3, &ax, t2, v2, 2, 0);
	assert_int_equal(graph_at(&g, 0, 1)->ch, '|');
	/* every character is plain ASCII */
	for (int c = 0; c < 3; c++)
		assert_true(graph_at(&g, 0, c)->ch < 0x80);
	graph_grid_free(&g);
}

static void gaps_and_clipping(void **state)
{
	(void)state;
	struct graph_grid g = { 0 };
	struct graph_axis ax = { .unit = GRAPH_PERCENT, .lo = 0, .hi = 100, .step = 50, .nticks = 3 };
	graph_grid_resize(&g, 10, 2);
	/* Known, unknown for a while, known: the middle stays empty. */
	double t[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9.9 };
	double v[] = { 50, 50, NAN, NAN, NAN, NAN, NAN, NAN, 50, 50 };
	plot(&g, GRAPH_BRAILLE, 0, 10, &ax, t, v, 10, 0);
	for (int col = 3; col <= 6; col++)
		for (int row = 0; row < 2; row++)
			assert_int_equal(graph_at(&g, row, col)->ch, 0);
	assert_int_not_equal(graph_at(&g, 1, 0)->ch | graph_at(&g, 0, 0)->ch, 0);
	/* A window in the middle of the data: the line comes in from the
	 * left edge and leaves at the right one; nothing is written
	 * outside the grid (ASan would see it). */
	graph_grid_clear(&g);
	double t2[] = { -100, 100 }, v2[] = { 0, 100 };
	plot(&g, GRAPH_BRAILLE, 0, 10, &ax, t2, v2, 2, 0);
	bool left = false, right = false;
	for (int row = 0; row < 2; row++) {
		left |= graph_at(&g, row, 0)->ch != 0;
		right |= graph_at(&g, row, 9)->ch != 0;
	}
	assert_true(left && right);
	/* Data entirely before or after the window draws nothing. */
	graph_grid_clear(&g);
	double t3[] = { -5, -4 }, v3[] = { 10, 20 };
	plot(&g, GRAPH_BRAILLE, 0, 10, &ax, t3, v3, 2, 0);
	double t4[] = { 11, 12 };
	plot(&g, GRAPH_BRAILLE, 0, 10, &ax, t4, v3, 2, 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(g.cell[i].ch, 0);
	/* Values beyond the axis are clamped to its edges. */
	double t5[] = { 0, 10 }, v5[] = { 1e9, 1e9 };
	plot(&g, GRAPH_BRAILLE, 0, 10, &ax, t5, v5, 2, 0);
	assert_int_not_equal(graph_at(&g, 0, 5)->ch, 0);
	assert_int_equal(graph_at(&g, 1, 5)->ch, 0);
	graph_grid_free(&g);
}

static void marks(void **state)
{
	(void)state;
	struct graph_grid g = { 0 };
	struct graph_axis ax = { .unit = GRAPH_PERCENT, .lo = 0, .hi = 100, .step = 50, .nticks = 3 };
	graph_grid_resize(&g, 10, 2);
	graph_mark(&g, GRAPH_ASCII, 0, 10, 5, 7);
	assert_int_equal(graph_at(&g, 0, 5)->ch, 'v');
	assert_int_equal(graph_at(&g, 0, 5)->series, 7);
	graph_mark(&g, GRAPH_BRAILLE, 0, 10, 2, 1);
	assert_int_equal(graph_at(&g, 0, 2)->ch, 0x25BE);
	/* outside the window: nothing */
	graph_mark(&g, GRAPH_ASCII, 0, 10, 11, 1);
	assert_int_equal(graph_at(&g, 0, 9)->ch, 0);
	/* data drawn later replaces a mark; a mark never hides data */
	double t[] = { 0, 10 }, v[] = { 100, 100 };
	plot(&g, GRAPH_ASCII, 0, 10, &ax, t, v, 2, 3);
	assert_int_equal(graph_at(&g, 0, 5)->ch, '\'');
	graph_mark(&g, GRAPH_ASCII, 0, 10, 6, 1);
	assert_int_equal(graph_at(&g, 0, 6)->ch, '\'');
	graph_grid_free(&g);
}


/* A limit line: dashes on the value's row through empty cells only (data
 * stays on top), every cell in braille and every other one in ASCII;
 * nothing outside the axis. */
static void limit_lines(void **state)
{
	(void)state;
	struct graph_grid g = { 0 };
	struct graph_axis ax;
	graph_axis_nice(0, 100, 3, GRAPH_PERCENT, &ax); /* 0, 50, 100 */
	graph_grid_resize(&g, 10, 5);
	double t[] = { 0, 10 }, v[] = { 50, 50 };
	plot(&g, GRAPH_BRAILLE, 0, 10, &ax, t, v, 2, 3);
	int row = graph_value_row(&ax, 5, 50);
	assert_int_equal(row, 2);
	graph_hline(&g, GRAPH_BRAILLE, &ax, 50);
	for (int x = 0; x < 10; x++) {
		assert_int_equal(graph_at(&g, row, x)->series, 3); /* the data, not the line */
		assert_true(graph_at(&g, row, x)->ch >= 0x2800 && graph_at(&g, row, x)->ch <= 0x28FF);
	}
	graph_hline(&g, GRAPH_BRAILLE, &ax, 100);
	for (int x = 0; x < 10; x++) {
		assert_int_equal(graph_at(&g, 0, x)->ch, 0x2504);
		assert_int_equal(graph_at(&g, 0, x)->series, GRAPH_LINE_ID);
	}
	graph_grid_clear(&g);
	graph_hline(&g, GRAPH_ASCII, &ax, 0);
	for (int x = 0; x < 10; x++)
		assert_int_equal(graph_at(&g, 4, x)->ch, x % 2 ? 0u : (uint32_t)'-');
	graph_grid_clear(&g);
	graph_hline(&g, GRAPH_ASCII, &ax, 150); /* above the axis */
	graph_hline(&g, GRAPH_ASCII, &ax, NAN);
	for (int y = 0; y < 5; y++)
		for (int x = 0; x < 10; x++)
			assert_int_equal(graph_at(&g, y, x)->ch, 0);
	graph_grid_free(&g);
}

/* A long series drawn from block summaries: a one-sample spike stays
 * visible, and the result matches drawing every sample. */
struct big {
	size_t n;
	double *v;
	size_t B;
};

static bool big_at(const void *ctx, size_t i, double *t, double *v)
{
	const struct big *b = ctx;
	*t = (double)i;
	*v = b->v[i];
	return isfinite(*v);
}

static bool big_block(const void *ctx, size_t j, double *t, double *lo, double *hi)
{
	const struct big *b = ctx;
	*t = (double)(j * b->B);
	*lo = *hi = NAN;
	for (size_t i = j * b->B; i < (j + 1) * b->B; i++) {
		if (!isfinite(b->v[i]))
			continue;
		*lo = isnan(*lo) || b->v[i] < *lo ? b->v[i] : *lo;
		*hi = isnan(*hi) || b->v[i] > *hi ? b->v[i] : *hi;
	}
	return isfinite(*lo);
}

static void blocks_keep_peaks(void **state)
{
	(void)state;
	struct big b = { .n = 100000, .B = 16 };
	b.v = calloc(b.n, sizeof(double));
	for (size_t i = 0; i < b.n; i++)
		b.v[i] = 20 + (double)(i % 7);
	b.v[54321] = 100; /* one sample in a hundred thousand */
	struct graph_axis ax = { .unit = GRAPH_PERCENT, .lo = 0, .hi = 100, .step = 50, .nticks = 3 };
	struct graph_grid with = { 0 }, without = { 0 };
	graph_grid_resize(&with, 20, 4);
	graph_grid_resize(&without, 20, 4);
	struct graph_series s = { .n = b.n, .ctx = &b, .at = big_at, .id = 1, .nblocks = b.n / b.B, .block_len = b.B,
				  .block = big_block };
	graph_plot(&with, GRAPH_BRAILLE, 0, (double)b.n, &ax, &s);
	s.nblocks = 0;
	s.block_len = 0;
	graph_plot(&without, GRAPH_BRAILLE, 0, (double)b.n, &ax, &s);
	int spike_col = (int)(54321.0 / (double)b.n * 20);
	assert_int_not_equal(graph_at(&with, 0, spike_col)->ch, 0);
	for (int row = 0; row < 4; row++)
		for (int col = 0; col < 20; col++)
			assert_int_equal(graph_at(&with, row, col)->ch, graph_at(&without, row, col)->ch);
	graph_grid_free(&with);
	graph_grid_free(&without);
	free(b.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(axis_percent),
		cmocka_unit_test(axis_bytes),
		cmocka_unit_test(axis_seconds),
		cmocka_unit_test(axis_count_and_odd_input),
		cmocka_unit_test(axis_properties),
		cmocka_unit_test(value_rows_and_time_labels),
		cmocka_unit_test(braille_dots),
		cmocka_unit_test(braille_line_has_no_holes),
		cmocka_unit_test(ascii_levels),
		cmocka_unit_test(gaps_and_clipping),
		cmocka_unit_test(marks),
		cmocka_unit_test(limit_lines),
		cmocka_unit_test(blocks_keep_peaks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
