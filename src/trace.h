/* trace — the benchtop trace file: writer and reader (docs/trace-format.md).
 *
 * A trace is a 16-byte file header followed by framed records, each with its
 * own length and CRC-32, appended as they happen; a clean close adds an index
 * of keyframes and a 16-byte trailer. Frames are delta-encoded against the
 * previous frame; every TRACE_KEY_EVERY frames (and the first) is a keyframe
 * that decodes on its own, which is where seeking lands.
 *
 * The reader treats the file as hostile: every length and count is checked
 * against what remains, allocation is bounded by the record size limit, and a
 * cut or corrupt file reads back up to its last whole record with a note
 * saying where and why it stopped. */
#ifndef BT_TRACE_H
#define BT_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

#define TRACE_VERSION_MAJOR 1
#define TRACE_VERSION_MINOR 0
#define TRACE_MAX_RECORD (16u << 20) /* largest payload a reader accepts */
#define TRACE_KEY_EVERY 128
#define TRACE_MAX_ENTITIES (1u << 18) /* per frame, all kinds (~70 MiB decoded) */

enum trace_rec_type {
	TR_META = 1,      /* kv: about the host and benchtop */
	TR_RUN_START = 2, /* kv: one run's command, labels and limits */
	TR_FRAME = 3,     /* one tick */
	TR_EVENT = 4,     /* kv: phase, metric, note, oom... */
	TR_RUN_END = 5,   /* kv: exit status and rusage */
	TR_NAME = 6,      /* kv: the command name of a process or thread */
	TR_INDEX = 7,     /* keyframe offsets, written at close */
};

struct bt_kv {
	const char *key;
	const char *val;
};

/* ---- Writer ------------------------------------------------------------ */
struct bt_trace_writer;

/* Create path (fails with -EEXIST if it exists and !overwrite). Writes the
 * file header. Returns NULL and sets *err to -errno on failure. */
struct bt_trace_writer *trace_writer_open(const char *path, bool overwrite, int *err);
/* Append a kv record (META, RUN_START, EVENT, RUN_END, NAME). 0 or -errno. */
int trace_write_kv(struct bt_trace_writer *w, enum trace_rec_type type, uint64_t run,
		   uint64_t t_us, const struct bt_kv *kv, size_t n);
/* Append one frame (entities sorted by key within each kind). 0 or -errno. */
int trace_write_frame(struct bt_trace_writer *w, const struct bt_frame *f);
/* Bytes written so far, and frame payload bytes (for the size benchmark). */
uint64_t trace_writer_bytes(const struct bt_trace_writer *w);
uint64_t trace_writer_frame_bytes(const struct bt_trace_writer *w);
/* Flush to disk when more than interval_ns passed since the last fsync. */
void trace_writer_maybe_sync(struct bt_trace_writer *w, uint64_t now_ns, uint64_t interval_ns);
/* Write the index and trailer, fsync, close, free. Returns 0 or -errno (the
 * writer is freed either way). NULL is a no-op. */
int trace_writer_close(struct bt_trace_writer *w);
/* Close without index or trailer (tests: simulates a crash). */
void trace_writer_abandon(struct bt_trace_writer *w);

/* ---- Reader ------------------------------------------------------------ */
struct bt_trace_reader;

struct bt_record {
	enum trace_rec_type type;
	uint64_t offset; /* where the record starts in the file */
	/* TR_FRAME: the decoded frame (absolute values), owned by the reader. */
	const struct bt_frame *frame;
	/* kv types: owned by the reader, valid until the next call. */
	uint64_t run, t_us;
	size_t nkv;
	const struct bt_kv *kv;
};

/* Open and check the file header. NULL with a one-sentence reason in err. */
struct bt_trace_reader *trace_reader_open(const char *path, char *err, size_t errlen);
/* Same, over a memory buffer the caller keeps alive (fuzzing, tests). */
struct bt_trace_reader *trace_reader_open_mem(const void *data, size_t len, char *err, size_t errlen);
/* Next record: 1 when rec is filled, 0 at the end (clean or not). */
int trace_reader_next(struct bt_trace_reader *r, struct bt_record *rec);
/* After the end: NULL when the trace ended cleanly (trailer present), else a
 * sentence saying where and why reading stopped. */
const char *trace_reader_problem(const struct bt_trace_reader *r);
bool trace_reader_was_cut(const struct bt_trace_reader *r);
/* The trace's format version. */
void trace_reader_version(const struct bt_trace_reader *r, unsigned *major, unsigned *minor);
/* Load the keyframe index from the trailer (clean traces only). Returns the
 * number of entries (0 when none); arrays are owned by the reader. */
size_t trace_reader_index(struct bt_trace_reader *r, const uint64_t **ticks, const uint64_t **offsets);
/* Continue reading at a keyframe offset taken from the index. 0 or -1. */
int trace_reader_seek(struct bt_trace_reader *r, uint64_t offset);
void trace_reader_free(struct bt_trace_reader *r);

/* Look up a key in a kv record; NULL when absent. */
const char *trace_kv_get(const struct bt_record *rec, const char *key);
const char *trace_rec_type_name(enum trace_rec_type t);

#endif
