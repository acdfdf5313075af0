/* fuzz_trace — the trace reader's fuzz target.
 *
 * LLVMFuzzerTestOneInput opens the input with trace_reader_open_mem, reads
 * every record (touching every kv string and every field of every frame
 * entity, and checking what the reader promises: keys increase, masks name
 * only the kind's fields, a problem is a sentence), then loads the index and
 * seeks to each entry and reads a few records. Everything is freed, so a
 * leak is a finding too.
 *
 * Two builds use it:
 *  - tests/fuzz/trace_corpus_check (make check): with corpus_main.c, which
 *    replays the seed corpus and a fixed set of mutations of it;
 *  - tests/fuzz/run-fuzz.sh: with libFuzzer (clang -fsanitize=fuzzer and
 *    -DBT_LIBFUZZER), which adds a custom mutator that repairs the record
 *    CRCs after libFuzzer's mutations, so that most mutants get past the
 *    checksum and reach the decoders.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "frame.h"
#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t fuzz_trace_fix_crcs(uint8_t *data, size_t size);

#define FILE_HDR 16
#define TRAILER 16

static volatile uint64_t sink;

/* The reader promised something it did not keep: a finding. */
static void broken(const char *what)
{
	fprintf(stderr, "fuzz_trace: reader broke a promise: %s\n", what);
	abort();
}

static void touch_frame(const struct bt_frame *f)
{
	uint64_t acc = f->tick ^ f->t_us ^ f->late_us ^ f->missed ^ f->cost_ns;
	for (int k = 0; k < BT_NKINDS; k++) {
		const struct bt_entity_list *l = &f->k[k];
		unsigned nf = frame_nfields((enum bt_kind)k);
		uint32_t allowed = nf >= 32 ? 0xffffffffu : (1u << nf) - 1;
		for (size_t i = 0; i < l->n; i++) {
			const struct bt_entity *e = &l->items[i];
			if (i > 0 && e->key <= l->items[i - 1].key)
				broken("entity keys do not increase");
			if (e->mask & ~allowed)
				broken("a mask names fields the kind does not have");
			if (frame_find(f, (enum bt_kind)k, e->key) != e)
				broken("frame_find does not find an entity");
			acc += e->key + e->mask;
			for (unsigned fi = 0; fi < nf; fi++)
				if (ent_has(e, fi))
					acc ^= e->v[fi] + fi;
		}
	}
	sink += acc;
}

static void touch_kv(const struct bt_record *rec)
{
	uint64_t acc = rec->run ^ rec->t_us;
	if (rec->nkv && !rec->kv)
		broken("kv pairs without an array");
	for (size_t i = 0; i < rec->nkv; i++) {
		acc += strlen(rec->kv[i].key) + strlen(rec->kv[i].val);
		/* The first pair with a key is the one trace_kv_get returns. */
		const char *v = trace_kv_get(rec, rec->kv[i].key);
		if (!v)
			broken("trace_kv_get misses a key of the record");
		acc += (uint8_t)v[0];
	}
	sink += acc;
}

/* Read up to max records. */
static void read_some(struct bt_trace_reader *r, size_t max, size_t size)
{
	struct bt_record rec;
	uint64_t last = 0;
	for (size_t n = 0; n < max; n++) {
		int got = trace_reader_next(r, &rec);
		if (got == 0)
			break;
		if (got != 1)
			broken("trace_reader_next returned neither 0 nor 1");
		if (rec.offset < FILE_HDR || rec.offset >= size || (n > 0 && rec.offset <= last))
			broken("record offsets out of order or outside the input");
		last = rec.offset;
		sink += (uint64_t)strlen(trace_rec_type_name(rec.type));
		if (rec.type == TR_FRAME) {
			if (!rec.frame || rec.t_us != rec.frame->t_us)
				broken("a frame record without its frame");
			touch_frame(rec.frame);
		} else {
			if (rec.frame)
				broken("a kv record with a frame");
			touch_kv(&rec);
		}
	}
	/* After the end, the end is sticky and says why. */
	if (max == SIZE_MAX) {
		if (trace_reader_next(r, &rec) != 0)
			broken("a record after the end");
		const char *p = trace_reader_problem(r);
		if (p && !*p)
			broken("an empty problem sentence");
		if (!p && trace_reader_was_cut(r))
			broken("cut, yet no problem");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	struct bt_trace_reader *r = trace_reader_open_mem(data, size, err, sizeof err);
	if (!r) {
		if (!err[0])
			broken("open failed without a reason");
		return 0;
	}
	unsigned major, minor;
	trace_reader_version(r, &major, &minor);
	if (major != TRACE_VERSION_MAJOR)
		broken("opened a trace of another major version");

	read_some(r, SIZE_MAX, size);

	const uint64_t *ticks = NULL, *offs = NULL;
	size_t n = 0;
	n = trace_reader_index(r, &ticks, &offs);
	/* The arrays stay valid while reading on through the index record. */
	size_t use = n < 64 ? n : 64;
	for (size_t i = 0; i < use; i++) {
		sink += ticks[i];
		if (offs[i] >= size)
			broken("an index entry outside the input");
		if (trace_reader_seek(r, offs[i]) != 0)
			broken("cannot seek to an index entry");
		read_some(r, 4, size);
	}
	if (trace_reader_seek(r, size) != -1 || trace_reader_seek(r, 0) != -1)
		broken("seek accepts an offset outside the records");
	trace_reader_free(r);
	return 0;
}

/* Recompute the CRC of every record that the length fields chain together
 * from the header on, and of the header. Returns the number of records. */
size_t fuzz_trace_fix_crcs(uint8_t *data, size_t size)
{
	if (size >= FILE_HDR && memcmp(data, "BTTRACE\n", 8) == 0) {
		uint32_t c = (uint32_t)crc32(0L, data, 12);
		for (int i = 0; i < 4; i++)
			data[12 + i] = (uint8_t)(c >> (8 * i));
	}
	size_t pos = FILE_HDR, n = 0;
	while (size >= 12 && pos <= size - 12 && data[pos] == 0xB7) {
		uint64_t plen = (uint64_t)data[pos + 4] | (uint64_t)data[pos + 5] << 8 |
				(uint64_t)data[pos + 6] << 16 | (uint64_t)data[pos + 7] << 24;
		if (plen > size - pos - 12)
			break;
		uint32_t c = (uint32_t)crc32(0L, data + pos, (uInt)(8 + plen));
		for (int i = 0; i < 4; i++)
			data[pos + 8 + plen + i] = (uint8_t)(c >> (8 * i));
		pos += 12 + plen;
		n++;
	}
	return n;
}

#ifdef BT_LIBFUZZER
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

/* libFuzzer's mutations, then (three times in four) repaired checksums:
 * without that nearly every mutant stops at the first CRC. */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	size = LLVMFuzzerMutate(data, size, max_size);
	if (seed % 4 != 0)
		fuzz_trace_fix_crcs(data, size);
	return size;
}
#endif
