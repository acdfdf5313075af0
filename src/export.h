/* export — trace to CSV or JSON: one row per run per tick (docs/export.md),
 * or one per run with --summary. Reads with the trace reader, so a cut
 * trace exports what it has. */
#ifndef BT_EXPORT_H
#define BT_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

enum export_format { EXPORT_CSV, EXPORT_JSON };

/* Returns 0, or 1 with a sentence in err when the trace cannot be read.
 * A trace that was cut still exports; *note gets the reader's sentence. */
int export_trace(const char *path, enum export_format fmt, bool summary, FILE *out, char *err,
		 size_t errlen, char *note, size_t notelen);

#endif
