/* screen_int — what the parts of the screen module share (screen.c,
 * screen_bars.c, screen_graph.c, screen_table.c, screen_detail.c): the
 * screen itself and small drawing helpers. Not for use outside the screen
 * module. */
#ifndef BT_UI_SCREEN_INT_H
#define BT_UI_SCREEN_INT_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#include "graph.h"
#include "screen.h"

#define SCREEN_PALETTE 6 /* variant colours, then they repeat */
#define PAIR_PROBLEM (SCREEN_PALETTE + 1)

struct screen {
	SCREEN *term;
	FILE *in, *out;
	bool color, braille;
	int rows, cols;
	struct graph_grid grid; /* reused by every graph pane */
	int max_scroll, table_rows;
	/* what was drawn last: size, page, and each region's key */
	int drawn_rows, drawn_cols, drawn_page;
	uint64_t key[SR_N];
	unsigned key_valid, drawn; /* bits of enum scr_region */
	/* the run table's cells, reused */
	char *cells;
	size_t cellcap;
};

/* Colour pair of a variant's colour index; 0 without colour. */
short scr_pair(const struct screen *s, int color);
/* Text at (row, col), cut to at most maxw columns, control characters
 * (and anything but ASCII outside a UTF-8 locale) shown as '?'. Returns
 * the columns written. */
int scr_text(struct screen *s, int row, int col, int maxw, attr_t a, short pair, const char *text);
int scr_printf(struct screen *s, int row, int col, int maxw, attr_t a, short pair, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* One character cell (a Unicode code point; ASCII outside UTF-8). */
void scr_cell(struct screen *s, int row, int col, uint32_t ch, attr_t a, short pair);
/* A glyph for a colour swatch in a legend. */
uint32_t scr_swatch(const struct screen *s);

/* A page of lines that scrolls: lines before `scroll` and past the page
 * are counted but not drawn, so the page knows how far it can scroll. */
struct scr_lines {
	struct screen *s;
	int row0, nrows, cols, scroll, count;
};
void scr_line(struct scr_lines *l, attr_t a, short pair, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* " LABEL     text..." word-wrapped to the page's width, the lines after
 * the first indented under the text. */
void scr_wrap(struct scr_lines *l, attr_t a, short pair, const char *label, const char *text);
/* The row to draw the next line on, or -1 when it is off the page (the
 * line still counts). For lines drawn piece by piece. */
int scr_line_row(struct scr_lines *l);

/* Human formatting that fits table cells: "64.0M", "1.2G", "-" for NaN. */
const char *scr_bytes(char *buf, size_t size, double bytes);
const char *scr_secs(char *buf, size_t size, double s);

/* The header's two lines as text (screen_bars.c). */
void scr_header_facts(struct screen *s, const struct model *m, const struct ui_view *v, char *line, size_t size);
void scr_header_state(const struct model *m, const struct ui_view *v, char *line, size_t size);
/* The footer's lines, bottom of the screen. */
struct scr_footer {
	int n; /* 1 or 2 */
	char line[2][256];
	attr_t a;
	short pair;
	bool prompt;
};
void scr_footer_of(const struct screen *s, const struct ui_view *v, struct scr_footer *f);
/* Split text into at most max lines of at most w (< 256) columns, at
 * spaces where it can; returns the count. */
int scr_wrap_lines(const char *text, int w, char out[][256], int max);

/* Graph panes in the rectangle (row, col, h, w), in rows and columns as
 * the room allows (a larger terminal shows more of them, each wider than
 * tall): kinds from `first` on (rotating), the runs visible at v->t_us
 * (only `only_run` when it is not 0, over that run's own time span). */
void scr_graphs(struct screen *s, const struct model *m, const struct ui_view *v, int row, int col, int h, int w,
		unsigned first, uint64_t only_run);
/* The run table in (row, h rows, full width); returns the rows used. */
int scr_table(struct screen *s, const struct model *m, const struct ui_view *v, int row, int h);
/* The detail page of the selected run in rows [row, row + h). */
void scr_detail(struct screen *s, const struct model *m, const struct ui_view *v, int row, int h);

#endif
