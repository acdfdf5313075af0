/* result — the small protocol by which a run tells benchtop about itself:
 * text lines written to an inherited file descriptor whose number is in the
 * environment variable BENCHTOP_RESULT_FD (docs/protocol.md):
 *
 *   phase NAME
 *   metric NAME VALUE [UNIT]
 *   info NAME TEXT...
 *
 * Any command may speak it; none has to. The input is untrusted: lines are
 * bounded, names are restricted, values must be finite numbers. */
#ifndef BT_RESULT_H
#define BT_RESULT_H

#include <stdbool.h>
#include <stddef.h>

#define RESULT_ENV "BENCHTOP_RESULT_FD"
#define RESULT_MAX_LINE 1024

struct result_line {
	enum { RESULT_PHASE, RESULT_METRIC, RESULT_INFO } kind;
	char name[128];
	char value[192]; /* metric: the number as written; info: the text */
	char unit[32];  /* metric: may be empty */
};

/* Parse one line (without its newline). Returns false with a reason when it
 * is not a valid protocol line. */
bool result_parse_line(const char *line, struct result_line *out, const char **why);

/* A line splitter over a non-blocking fd: call result_reader_feed when the
 * fd is readable; it calls fn for each complete line (a line longer than
 * RESULT_MAX_LINE is passed truncated, with too_long set). Returns false at
 * end of file or on error. */
struct result_reader {
	int fd;
	char buf[RESULT_MAX_LINE + 1];
	size_t len;
	bool skipping; /* inside an over-long line */
};
typedef void (*result_line_fn)(void *ctx, const char *line, bool too_long);
void result_reader_init(struct result_reader *r, int fd);
bool result_reader_feed(struct result_reader *r, result_line_fn fn, void *ctx);

#endif
