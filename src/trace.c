/* trace — see trace.h and docs/trace-format.md for the byte layout. */
#include "trace.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const char file_magic[8] = { 'B', 'T', 'T', 'R', 'A', 'C', 'E', '\n' };
static const char trailer_magic[8] = { 'B', 'T', 'I', 'N', 'D', 'E', 'X', '\n' };
#define REC_SYNC 0xB7
#define REC_HDR 8
#define REC_CRC 4
#define FILE_HDR 16
#define TRAILER 16
#define FLAG_KEYFRAME 1u

/* ---- Byte buffers and varints ----------------------------------------- */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void buf_need(struct buf *b, size_t more)
{
	bt_grow((void **)&b->p, &b->cap, b->n + more, 1);
}

static void put_le(struct buf *b, uint64_t v, int bytes)
{
	buf_need(b, (size_t)bytes);
	for (int i = 0; i < bytes; i++)
		b->p[b->n++] = (uint8_t)(v >> (8 * i));
}

static void put_varint(struct buf *b, uint64_t v)
{
	buf_need(b, 10);
	while (v >= 0x80) {
		b->p[b->n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b->p[b->n++] = (uint8_t)v;
}

static void put_str(struct buf *b, const char *s)
{
	size_t l = strlen(s ? s : "");
	put_varint(b, l);
	buf_need(b, l);
	memcpy(b->p + b->n, s ? s : "", l);
	b->n += l;
}

static uint64_t zigzag(uint64_t delta)
{
	int64_t d = (int64_t)delta;
	return ((uint64_t)d << 1) ^ (uint64_t)(d >> 63);
}

static uint64_t unzigzag(uint64_t z)
{
	return (z >> 1) ^ (0 - (z & 1));
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* A cursor over untrusted bytes: every read checks what remains. */
struct cur {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t get_varint(struct cur *c)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (c->p >= c->end) {
			c->bad = true;
			return 0;
		}
		uint8_t byte = *c->p++;
		if (shift == 63 && byte > 1) {
			c->bad = true;
			return 0;
		}
		v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80))
			return v;
	}
	c->bad = true;
	return 0;
}

/* ---- Frame codec ------------------------------------------------------- */

/* Encode f as deltas against prev (NULL for a keyframe). Returns false when
 * f breaks the format's rules: within a kind keys strictly increase, a key
 * delta fits in 63 bits (the head's low bit is the mask flag), and a frame
 * has at most TRACE_MAX_ENTITIES entities. */
static bool encode_frame(struct buf *b, const struct bt_frame *f, const struct bt_frame *prev)
{
	put_varint(b, f->tick);
	put_varint(b, f->t_us);
	put_varint(b, f->late_us);
	put_varint(b, f->missed);
	put_varint(b, f->cost_ns);
	size_t total = 0;
	for (int k = 0; k < BT_NKINDS; k++) {
		const struct bt_entity_list *l = &f->k[k];
		const struct bt_entity_list *pl = prev ? &prev->k[k] : NULL;
		total += l->n;
		if (total > TRACE_MAX_ENTITIES)
			return false;
		size_t pi = 0;
		uint64_t last_key = 0;
		unsigned nf = frame_nfields((enum bt_kind)k);
		put_varint(b, l->n);
		for (size_t i = 0; i < l->n; i++) {
			const struct bt_entity *e = &l->items[i];
			const struct bt_entity *p = NULL;
			while (pl && pi < pl->n && pl->items[pi].key < e->key)
				pi++;
			if (pl && pi < pl->n && pl->items[pi].key == e->key)
				p = &pl->items[pi];
			uint32_t pmask = p ? p->mask : 0;
			uint32_t mask = e->mask & ((nf >= 32) ? 0xffffffffu : ((1u << nf) - 1));
			uint64_t kd = e->key - last_key;
			if ((i > 0 && e->key <= last_key) || kd > (UINT64_MAX >> 1))
				return false;
			last_key = e->key;
			put_varint(b, (kd << 1) | (mask != pmask));
			if (mask != pmask)
				put_varint(b, mask);
			/* Only fields whose value differs from the base are written,
			 * announced by a bitmap: idle threads cost two bytes. */
			uint64_t base[BT_MAXF];
			uint32_t changed = 0;
			for (unsigned fi = 0; fi < nf; fi++) {
				base[fi] = (p && (pmask >> fi & 1)) ? p->v[fi] : 0;
				if ((mask >> fi & 1) && e->v[fi] != base[fi])
					changed |= 1u << fi;
			}
			put_varint(b, changed);
			for (unsigned fi = 0; fi < nf; fi++)
				if (changed >> fi & 1)
					put_varint(b, zigzag(e->v[fi] - base[fi]));
		}
	}
	return true;
}

/* Decode into out against prev (empty frame for a keyframe). Returns false
 * when the payload is malformed. */
static bool decode_frame(struct cur *c, struct bt_frame *out, const struct bt_frame *prev)
{
	size_t total = 0;
	frame_reset(out);
	out->tick = get_varint(c);
	out->t_us = get_varint(c);
	out->late_us = get_varint(c);
	out->missed = get_varint(c);
	out->cost_ns = get_varint(c);
	if (c->bad)
		return false;
	for (int k = 0; k < BT_NKINDS; k++) {
		const struct bt_entity_list *pl = &prev->k[k];
		size_t pi = 0;
		uint64_t key = 0;
		unsigned nf = frame_nfields((enum bt_kind)k);
		uint32_t allowed = (nf >= 32) ? 0xffffffffu : ((1u << nf) - 1);
		uint64_t n = get_varint(c);
		/* Each entity takes at least two bytes (head, changed): a count
		 * beyond what remains is a lie. A decoded entity is 272 bytes, so
		 * the total is capped too: a 16 MiB record must not make the
		 * reader allocate gigabytes. */
		if (c->bad || n > (uint64_t)(c->end - c->p) / 2 || n > TRACE_MAX_ENTITIES - total)
			return false;
		total += (size_t)n;
		for (uint64_t i = 0; i < n; i++) {
			uint64_t head = get_varint(c);
			if (c->bad)
				return false;
			uint64_t kd = head >> 1;
			if (i > 0 && kd == 0)
				return false; /* keys strictly increase */
			if (kd > UINT64_MAX - key)
				return false;
			key += kd;
			while (pi < pl->n && pl->items[pi].key < key)
				pi++;
			const struct bt_entity *p =
				(pi < pl->n && pl->items[pi].key == key) ? &pl->items[pi] : NULL;
			uint32_t mask = p ? p->mask : 0;
			if (head & 1) {
				uint64_t m = get_varint(c);
				if (c->bad || (m & ~(uint64_t)allowed))
					return false;
				mask = (uint32_t)m;
			}
			uint64_t changed = get_varint(c);
			if (c->bad || (changed & ~(uint64_t)mask))
				return false;
			struct bt_entity *e = frame_add(out, (enum bt_kind)k, key);
			e->mask = mask;
			for (unsigned fi = 0; fi < nf; fi++) {
				if (!(mask >> fi & 1)) {
					e->v[fi] = 0;
					continue;
				}
				uint64_t base = (p && (p->mask >> fi & 1)) ? p->v[fi] : 0;
				e->v[fi] = (changed >> fi & 1) ? base + unzigzag(get_varint(c)) : base;
			}
			if (c->bad)
				return false;
		}
	}
	return c->p == c->end;
}

/* ---- Writer ------------------------------------------------------------ */

struct idx_entry {
	uint64_t tick, t_us, offset;
};

struct bt_trace_writer {
	int fd;
	uint64_t off;       /* bytes written */
	uint64_t frame_bytes;
	uint64_t frames;
	uint64_t last_sync_ns;
	int error;          /* first write error, sticky */
	struct buf rec;     /* reused record buffer */
	struct bt_frame prev;
	bool have_prev;
	struct idx_entry *idx;
	size_t nidx, idxcap;
};

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

struct bt_trace_writer *trace_writer_open(const char *path, bool overwrite, int *err)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL);
	int fd = open(path, flags, 0644);
	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	uint8_t hdr[FILE_HDR];
	memcpy(hdr, file_magic, 8);
	hdr[8] = TRACE_VERSION_MAJOR & 0xff;
	hdr[9] = TRACE_VERSION_MAJOR >> 8;
	hdr[10] = TRACE_VERSION_MINOR & 0xff;
	hdr[11] = TRACE_VERSION_MINOR >> 8;
	uint32_t crc = (uint32_t)crc32(0L, hdr, 12);
	for (int i = 0; i < 4; i++)
		hdr[12 + i] = (uint8_t)(crc >> (8 * i));
	int e = write_all(fd, hdr, sizeof hdr);
	if (e) {
		close(fd);
		*err = e;
		return NULL;
	}
	struct bt_trace_writer *w = xcalloc(1, sizeof(*w));
	w->fd = fd;
	w->off = FILE_HDR;
	w->last_sync_ns = bt_now_ns();
	frame_init(&w->prev);
	return w;
}

/* Frame the payload in w->rec (which starts with REC_HDR reserved bytes)
 * and write it in one call, so a tick's record is in the file at once. */
static int emit(struct bt_trace_writer *w, enum trace_rec_type type, unsigned flags)
{
	if (w->error)
		return w->error;
	size_t plen = w->rec.n - REC_HDR;
	if (plen > TRACE_MAX_RECORD)
		return -EFBIG; /* a reader would refuse it */
	uint8_t *h = w->rec.p;
	h[0] = REC_SYNC;
	h[1] = (uint8_t)type;
	h[2] = (uint8_t)flags;
	h[3] = (uint8_t)(flags >> 8);
	for (int i = 0; i < 4; i++)
		h[4 + i] = (uint8_t)(plen >> (8 * i));
	uint32_t crc = (uint32_t)crc32(0L, w->rec.p, (uInt)w->rec.n);
	put_le(&w->rec, crc, 4);
	int e = write_all(w->fd, w->rec.p, w->rec.n);
	if (e) {
		w->error = e;
		return e;
	}
	w->off += w->rec.n;
	return 0;
}

static void rec_begin(struct bt_trace_writer *w)
{
	w->rec.n = 0;
	buf_need(&w->rec, REC_HDR);
	w->rec.n = REC_HDR;
}

int trace_write_kv(struct bt_trace_writer *w, enum trace_rec_type type, uint64_t run,
		   uint64_t t_us, const struct bt_kv *kv, size_t n)
{
	rec_begin(w);
	put_varint(&w->rec, run);
	put_varint(&w->rec, t_us);
	put_varint(&w->rec, n);
	for (size_t i = 0; i < n; i++) {
		put_str(&w->rec, kv[i].key);
		put_str(&w->rec, kv[i].val);
	}
	return emit(w, type, 0);
}

int trace_write_frame(struct bt_trace_writer *w, const struct bt_frame *f)
{
	bool key = !w->have_prev || w->frames % TRACE_KEY_EVERY == 0;
	uint64_t at = w->off;
	rec_begin(w);
	if (!encode_frame(&w->rec, f, key ? NULL : &w->prev))
		return -EINVAL;
	size_t plen = w->rec.n - REC_HDR;
	int e = emit(w, TR_FRAME, key ? FLAG_KEYFRAME : 0);
	if (e)
		return e;
	w->frame_bytes += plen + REC_HDR + REC_CRC;
	if (key) {
		bt_grow((void **)&w->idx, &w->idxcap, w->nidx + 1, sizeof(*w->idx));
		w->idx[w->nidx++] = (struct idx_entry){ f->tick, f->t_us, at };
	}
	frame_copy(&w->prev, f);
	w->have_prev = true;
	w->frames++;
	return 0;
}

uint64_t trace_writer_bytes(const struct bt_trace_writer *w)
{
	return w->off;
}

uint64_t trace_writer_frame_bytes(const struct bt_trace_writer *w)
{
	return w->frame_bytes;
}

void trace_writer_maybe_sync(struct bt_trace_writer *w, uint64_t now_ns, uint64_t interval_ns)
{
	if (now_ns - w->last_sync_ns >= interval_ns) {
		fdatasync(w->fd);
		w->last_sync_ns = now_ns;
	}
}

static void writer_free(struct bt_trace_writer *w)
{
	frame_free(&w->prev);
	free(w->rec.p);
	free(w->idx);
	free(w);
}

int trace_writer_close(struct bt_trace_writer *w)
{
	if (!w)
		return 0;
	int e = w->error;
	if (!e) {
		uint64_t at = w->off;
		rec_begin(w);
		put_varint(&w->rec, w->nidx);
		for (size_t i = 0; i < w->nidx; i++) {
			put_varint(&w->rec, w->idx[i].tick);
			put_varint(&w->rec, w->idx[i].t_us);
			put_varint(&w->rec, w->idx[i].offset);
		}
		e = emit(w, TR_INDEX, 0);
		if (!e) {
			uint8_t tr[TRAILER];
			memcpy(tr, trailer_magic, 8);
			for (int i = 0; i < 8; i++)
				tr[8 + i] = (uint8_t)(at >> (8 * i));
			e = write_all(w->fd, tr, sizeof tr);
		}
	}
	if (fsync(w->fd) < 0 && !e)
		e = -errno;
	if (close(w->fd) < 0 && !e)
		e = -errno;
	writer_free(w);
	return e;
}

void trace_writer_abandon(struct bt_trace_writer *w)
{
	if (!w)
		return;
	close(w->fd);
	writer_free(w);
}

/* ---- Reader ------------------------------------------------------------ */

struct bt_trace_reader {
	const uint8_t *data; /* whole file (mapped copy) or caller's buffer */
	uint8_t *owned;
	size_t len, pos;
	unsigned major, minor;
	bool done, clean, cut;
	char problem[256];
	uint64_t last_tick;
	bool have_frame;
	struct bt_frame cur, prev;
	bool need_key; /* after a seek: until a keyframe, deltas have no base */
	/* kv storage for the current record */
	char *strs;
	size_t strcap;
	struct bt_kv *kv;
	size_t kvcap;
	/* index */
	uint64_t *idx_ticks, *idx_offs;
	size_t nidx;
};

static struct bt_trace_reader *reader_init(const uint8_t *data, size_t len, char *err, size_t errlen)
{
	if (len < FILE_HDR || memcmp(data, file_magic, 8) != 0) {
		snprintf(err, errlen, "not a benchtop trace (no trace header at the start of the file)");
		return NULL;
	}
	uint32_t crc = (uint32_t)crc32(0L, data, 12);
	if (crc != (uint32_t)get_le(data + 12, 4)) {
		snprintf(err, errlen, "the trace header is damaged (checksum mismatch in the first 16 bytes)");
		return NULL;
	}
	unsigned major = (unsigned)get_le(data + 8, 2), minor = (unsigned)get_le(data + 10, 2);
	if (major != TRACE_VERSION_MAJOR) {
		snprintf(err, errlen,
			 "trace format version %u.%u is not supported by this benchtop (it reads %u.x); use a matching benchtop",
			 major, minor, TRACE_VERSION_MAJOR);
		return NULL;
	}
	struct bt_trace_reader *r = xcalloc(1, sizeof(*r));
	r->data = data;
	r->len = len;
	r->pos = FILE_HDR;
	r->major = major;
	r->minor = minor;
	frame_init(&r->cur);
	frame_init(&r->prev);
	return r;
}

struct bt_trace_reader *trace_reader_open_mem(const void *data, size_t len, char *err, size_t errlen)
{
	return reader_init(data, len, err, errlen);
}

struct bt_trace_reader *trace_reader_open(const char *path, char *err, size_t errlen)
{
	char *data = NULL;
	/* Traces are read whole: an hour at 100 ms is tens of MiB. */
	ssize_t n = bt_read_file_alloc(path, &data, (size_t)4 << 30);
	if (n < 0) {
		snprintf(err, errlen, "cannot read trace %s: %s", path, strerror((int)-n));
		return NULL;
	}
	struct bt_trace_reader *r = reader_init((const uint8_t *)data, (size_t)n, err, errlen);
	if (!r) {
		free(data);
		return NULL;
	}
	r->owned = (uint8_t *)data;
	return r;
}

static void stop(struct bt_trace_reader *r, bool cut, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void stop(struct bt_trace_reader *r, bool cut, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->problem, sizeof r->problem, fmt, ap);
	va_end(ap);
	r->done = true;
	r->cut = cut;
}

static bool decode_kv(struct bt_trace_reader *r, struct cur *c, struct bt_record *rec)
{
	rec->run = get_varint(c);
	rec->t_us = get_varint(c);
	uint64_t n = get_varint(c);
	/* Each pair takes at least two bytes. */
	if (c->bad || n > (uint64_t)(c->end - c->p) / 2)
		return false;
	/* Strings are copied NUL-terminated into one buffer no larger than the
	 * payload plus a terminator per string. */
	size_t need = (size_t)(c->end - c->p) + 2 * (size_t)n + 1;
	bt_grow((void **)&r->strs, &r->strcap, need, 1);
	bt_grow((void **)&r->kv, &r->kvcap, (size_t)n + 1, sizeof(*r->kv));
	size_t used = 0;
	const char **slots[2];
	for (uint64_t i = 0; i < n; i++) {
		slots[0] = &r->kv[i].key;
		slots[1] = &r->kv[i].val;
		for (int s = 0; s < 2; s++) {
			uint64_t l = get_varint(c);
			if (c->bad || l > (uint64_t)(c->end - c->p))
				return false;
			memcpy(r->strs + used, c->p, (size_t)l);
			/* Embedded NULs would make keys ambiguous: reject. */
			if (memchr(r->strs + used, '\0', (size_t)l))
				return false;
			r->strs[used + l] = '\0';
			*slots[s] = r->strs + used;
			used += (size_t)l + 1;
			c->p += l;
		}
	}
	rec->nkv = (size_t)n;
	rec->kv = r->kv;
	return c->p == c->end;
}

static bool load_index_payload(struct bt_trace_reader *r, struct cur *c)
{
	uint64_t n = get_varint(c);
	if (c->bad || n > (uint64_t)(c->end - c->p) / 3)
		return false;
	free(r->idx_ticks);
	free(r->idx_offs);
	r->idx_ticks = xcalloc((size_t)n + 1, sizeof(uint64_t));
	r->idx_offs = xcalloc((size_t)n + 1, sizeof(uint64_t));
	for (uint64_t i = 0; i < n; i++) {
		r->idx_ticks[i] = get_varint(c);
		(void)get_varint(c);
		r->idx_offs[i] = get_varint(c);
		if (c->bad || r->idx_offs[i] < FILE_HDR || r->idx_offs[i] >= r->len)
			return false;
	}
	r->nidx = (size_t)n;
	return true;
}

int trace_reader_next(struct bt_trace_reader *r, struct bt_record *rec)
{
	for (;;) {
		if (r->done)
			return 0;
		size_t left = r->len - r->pos;
		if (left == 0) {
			stop(r, true, "the trace was cut at byte %zu (after tick %llu): it has no closing index, so benchtop or the machine stopped while recording",
			     r->pos, (unsigned long long)r->last_tick);
			return 0;
		}
		const uint8_t *h = r->data + r->pos;
		if (left == TRAILER && memcmp(h, trailer_magic, 8) == 0) {
			r->done = true;
			r->clean = true;
			return 0;
		}
		if (left < TRAILER && memcmp(h, trailer_magic, left < 8 ? left : 8) == 0) {
			stop(r, true, "the trace was cut at byte %zu, inside its closing trailer (all %llu ticks were read; only the index is lost)",
			     r->pos, (unsigned long long)r->last_tick + (r->have_frame ? 1 : 0));
			return 0;
		}
		if (h[0] != REC_SYNC) {
			stop(r, false, "the trace is damaged at byte %zu (no record starts there); read up to tick %llu",
			     r->pos, (unsigned long long)r->last_tick);
			return 0;
		}
		if (left < REC_HDR + REC_CRC) {
			stop(r, true, "the trace was cut at byte %zu, inside a record header (after tick %llu)",
			     r->pos, (unsigned long long)r->last_tick);
			return 0;
		}
		uint64_t plen = get_le(h + 4, 4);
		if (plen > TRACE_MAX_RECORD) {
			stop(r, false, "the trace is damaged at byte %zu (a record claims %llu bytes); read up to tick %llu",
			     r->pos, (unsigned long long)plen, (unsigned long long)r->last_tick);
			return 0;
		}
		if (plen + REC_HDR + REC_CRC > left) {
			stop(r, true, "the trace was cut at byte %zu, inside a record (after tick %llu)",
			     r->pos, (unsigned long long)r->last_tick);
			return 0;
		}
		size_t total = (size_t)plen + REC_HDR;
		uint32_t crc = (uint32_t)crc32(0L, h, (uInt)total);
		if (crc != (uint32_t)get_le(h + total, 4)) {
			stop(r, false, "the trace is damaged at byte %zu (checksum mismatch); read up to tick %llu",
			     r->pos, (unsigned long long)r->last_tick);
			return 0;
		}
		unsigned type = h[1];
		unsigned flags = (unsigned)get_le(h + 2, 2);
		struct cur c = { h + REC_HDR, h + total, false };
		memset(rec, 0, sizeof(*rec));
		rec->offset = r->pos;
		rec->type = (enum trace_rec_type)type;
		size_t at = r->pos;
		r->pos += total + REC_CRC;
		switch (type) {
		case TR_FRAME: {
			bool key = flags & FLAG_KEYFRAME;
			if (!key && r->need_key)
				continue; /* no base to apply deltas to yet */
			if (key)
				frame_reset(&r->prev);
			if (!decode_frame(&c, &r->cur, &r->prev)) {
				stop(r, false, "the trace is damaged at byte %zu (a frame does not decode); read up to tick %llu",
				     at, (unsigned long long)r->last_tick);
				return 0;
			}
			if (r->have_frame && r->cur.tick <= r->last_tick && !key) {
				stop(r, false, "the trace is damaged at byte %zu (ticks go backwards)", at);
				return 0;
			}
			r->need_key = false;
			r->have_frame = true;
			r->last_tick = r->cur.tick;
			frame_copy(&r->prev, &r->cur);
			rec->frame = &r->cur;
			rec->t_us = r->cur.t_us;
			return 1;
		}
		case TR_META: case TR_RUN_START: case TR_EVENT: case TR_RUN_END: case TR_NAME:
			if (!decode_kv(r, &c, rec)) {
				stop(r, false, "the trace is damaged at byte %zu (a %s record does not decode)",
				     at, trace_rec_type_name((enum trace_rec_type)type));
				return 0;
			}
			return 1;
		case TR_INDEX:
			/* Loaded once: the arrays trace_reader_index handed out
			 * stay valid until trace_reader_free. */
			if (!r->nidx && !load_index_payload(r, &c))
				r->nidx = 0; /* a bad index only costs speed */
			continue;
		default:
			/* Unknown record types from a newer minor version are skipped. */
			continue;
		}
	}
}

const char *trace_reader_problem(const struct bt_trace_reader *r)
{
	return r->clean || !r->done ? NULL : r->problem;
}

bool trace_reader_was_cut(const struct bt_trace_reader *r)
{
	return r->cut;
}

void trace_reader_version(const struct bt_trace_reader *r, unsigned *major, unsigned *minor)
{
	*major = r->major;
	*minor = r->minor;
}

size_t trace_reader_index(struct bt_trace_reader *r, const uint64_t **ticks, const uint64_t **offsets)
{
	if (!r->nidx && r->len >= FILE_HDR + TRAILER &&
	    memcmp(r->data + r->len - TRAILER, trailer_magic, 8) == 0) {
		uint64_t at = get_le(r->data + r->len - 8, 8);
		if (at >= FILE_HDR && at <= r->len - TRAILER &&
		    r->len - TRAILER - at >= REC_HDR + REC_CRC) {
			const uint8_t *h = r->data + at;
			uint64_t plen = get_le(h + 4, 4);
			if (h[0] == REC_SYNC && h[1] == TR_INDEX &&
			    plen + REC_HDR + REC_CRC == r->len - TRAILER - at &&
			    (uint32_t)crc32(0L, h, (uInt)(plen + REC_HDR)) ==
				    (uint32_t)get_le(h + REC_HDR + plen, 4)) {
				struct cur c = { h + REC_HDR, h + REC_HDR + plen, false };
				if (!load_index_payload(r, &c))
					r->nidx = 0;
			}
		}
	}
	*ticks = r->idx_ticks;
	*offsets = r->idx_offs;
	return r->nidx;
}

int trace_reader_seek(struct bt_trace_reader *r, uint64_t offset)
{
	if (offset < FILE_HDR || offset >= r->len)
		return -1;
	r->pos = (size_t)offset;
	r->done = r->clean = r->cut = false;
	r->need_key = true;
	r->have_frame = false;
	frame_reset(&r->prev);
	return 0;
}

void trace_reader_free(struct bt_trace_reader *r)
{
	if (!r)
		return;
	frame_free(&r->cur);
	frame_free(&r->prev);
	free(r->strs);
	free(r->kv);
	free(r->idx_ticks);
	free(r->idx_offs);
	free(r->owned);
	free(r);
}

const char *trace_kv_get(const struct bt_record *rec, const char *key)
{
	for (size_t i = 0; i < rec->nkv; i++)
		if (strcmp(rec->kv[i].key, key) == 0)
			return rec->kv[i].val;
	return NULL;
}

const char *trace_rec_type_name(enum trace_rec_type t)
{
	switch (t) {
	case TR_META: return "meta";
	case TR_RUN_START: return "run-start";
	case TR_FRAME: return "frame";
	case TR_EVENT: return "event";
	case TR_RUN_END: return "run-end";
	case TR_NAME: return "name";
	case TR_INDEX: return "index";
	}
	return "unknown";
}
