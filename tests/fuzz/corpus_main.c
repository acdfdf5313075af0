/* corpus_main — runs the trace reader's fuzz target without libFuzzer, as a
 * test for make check (tests/fuzz/trace_corpus_check).
 *
 * It feeds LLVMFuzzerTestOneInput (fuzz_trace.c) every file of the seed
 * corpus, then a deterministic mutation pass over the seeds: a fixed-seed
 * xorshift picks bit flips, truncations, insertions and deletions, length
 * fields and trailer offsets set to edge values, payload edits with the CRC
 * repaired (so the decoders see them), record type and flag changes, records
 * spliced in from other seeds, duplicated records and overlong varints.
 * Each input is handed over in an exact-size heap buffer, so a sanitizer
 * build catches reads past its end. Exit status 0 means no finding: a
 * finding aborts (the target's checks, ASan, UBSan), and the input that did
 * it is saved first to /tmp/trace_corpus_check-crash.bin.
 *
 * Usage: trace_corpus_check [CORPUS_DIR]
 * The corpus is, in order: the argument, $FUZZ_CORPUS,
 * $srcdir/tests/fuzz/corpus (make check sets srcdir), tests/fuzz/corpus
 * under the current directory, or next to this source file.
 * FUZZ_MUTATIONS (default 50000) and FUZZ_SECONDS (default 3) bound the
 * mutation pass. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t fuzz_trace_fix_crcs(uint8_t *data, size_t size);
/* Present in sanitizer builds only. */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

#define FILE_HDR 16
#define TRAILER 16
#define MAXLEN 65536
#define MAXREC 4096

struct seed {
	char *name;
	uint8_t *p;
	size_t n;
};

static struct seed *seeds;
static size_t nseeds;

/* ---- The input under test, saved when something kills us ----------------- */

static const uint8_t *cur_p;
static size_t cur_n;
static const char crash_path[] = "/tmp/trace_corpus_check-crash.bin";

static void save_current(void)
{
	static const char msg[] = "trace_corpus_check: the failing input is in /tmp/trace_corpus_check-crash.bin\n";
	if (!cur_p)
		return;
	int fd = open(crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		size_t off = 0;
		while (off < cur_n) {
			ssize_t w = write(fd, cur_p + off, cur_n - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		close(fd);
		if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0)
			return;
	}
	cur_p = NULL;
}

static void on_fatal_signal(int sig)
{
	save_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void run(const uint8_t *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);
	if (!d) {
		perror("trace_corpus_check: malloc");
		exit(1);
	}
	if (n)
		memcpy(d, p, n);
	cur_p = d;
	cur_n = n;
	LLVMFuzzerTestOneInput(d, n);
	cur_p = NULL;
	free(d);
}

/* ---- The corpus ------------------------------------------------------------ */

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *find_corpus(int argc, char **argv, char *buf, size_t size)
{
	if (argc > 1)
		return argv[1];
	const char *env = getenv("FUZZ_CORPUS");
	if (env && *env)
		return env;
	const char *srcdir = getenv("srcdir");
	if (srcdir && *srcdir) {
		snprintf(buf, size, "%s/tests/fuzz/corpus", srcdir);
		if (is_dir(buf))
			return buf;
	}
	if (is_dir("tests/fuzz/corpus"))
		return "tests/fuzz/corpus";
	/* Next to this file, as the compiler saw it (absolute, or relative
	 * to the build directory). */
	snprintf(buf, size, "%s", __FILE__);
	char *slash = strrchr(buf, '/');
	if (slash) {
		snprintf(slash + 1, size - (size_t)(slash + 1 - buf), "corpus");
		if (is_dir(buf))
			return buf;
	}
	return NULL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct seed *)a)->name, ((const struct seed *)b)->name);
}

static void load_corpus(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "trace_corpus_check: cannot open corpus %s: %s\n", dir, strerror(errno));
		exit(1);
	}
	struct dirent *de;
	size_t cap = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[4096];
		int pl = snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (pl < 0 || (size_t)pl >= sizeof path)
			continue;
		struct stat st;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAXLEN)
			continue;
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		uint8_t *p = malloc((size_t)st.st_size + 1);
		size_t n = p ? fread(p, 1, (size_t)st.st_size, f) : 0;
		fclose(f);
		if (!p)
			exit(1);
		if (nseeds == cap) {
			cap = cap ? 2 * cap : 16;
			seeds = realloc(seeds, cap * sizeof(*seeds));
			if (!seeds)
				exit(1);
		}
		seeds[nseeds++] = (struct seed){ strdup(de->d_name), p, n };
	}
	closedir(d);
	qsort(seeds, nseeds, sizeof(*seeds), by_name);
}

/* ---- Mutations -------------------------------------------------------------- */

static uint64_t rs = 0x2545F4914F6CDD1Dull;

static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static size_t below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

struct mbuf {
	uint8_t p[MAXLEN];
	size_t n;
};

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void m_insert(struct mbuf *m, size_t at, const uint8_t *src, size_t k)
{
	if (at > m->n || k > MAXLEN - m->n)
		return;
	memmove(m->p + at + k, m->p + at, m->n - at);
	memcpy(m->p + at, src, k);
	m->n += k;
}

static void m_erase(struct mbuf *m, size_t at, size_t k)
{
	if (at >= m->n)
		return;
	if (k > m->n - at)
		k = m->n - at;
	memmove(m->p + at, m->p + at + k, m->n - at - k);
	m->n -= k;
}

/* Records chained by their length fields from the header on. */
static size_t m_records(const struct mbuf *m, size_t *offs, size_t max)
{
	size_t pos = FILE_HDR, n = 0;
	while (n < max && m->n >= 12 && pos <= m->n - 12 && m->p[pos] == 0xB7) {
		uint64_t plen = get_le(m->p + pos + 4, 4);
		if (plen > m->n - pos - 12)
			break;
		offs[n++] = pos;
		pos += 12 + (size_t)plen;
	}
	return n;
}

/* Recompute the CRC of the record at off, when its length fits. */
static void m_fix(struct mbuf *m, size_t off)
{
	if (m->n < 12 || off > m->n - 12)
		return;
	uint64_t plen = get_le(m->p + off + 4, 4);
	if (plen > m->n - off - 12)
		return;
	put_le(m->p + off + 8 + plen, (uint32_t)crc32(0L, m->p + off, (uInt)(8 + plen)), 4);
}

static const uint8_t edge_bytes[] = { 0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0xB7 };

static uint64_t edge_u32(uint64_t plen, size_t left)
{
	const uint64_t v[] = { 0, 1, plen - 1, plen + 1, plen * 2, 0x7fffffffu, 0x80000000u,
			       0xFFFFFFF0u, 0xFFFFFFFFu, TRACE_MAX_RECORD, TRACE_MAX_RECORD + 1,
			       left >= 12 ? left - 12 : 0, left >= 11 ? left - 11 : 0,
			       rnd() & 0xffff };
	return v[below(sizeof v / sizeof v[0])] & 0xFFFFFFFFu;
}

enum { OP_FLIP, OP_TRUNC, OP_INSERT, OP_DELETE, OP_LEN, OP_PAYLOAD, OP_TRAILER, OP_VERSION,
       OP_SPLICE, OP_DUP, OP_TYPE, OP_VARINT, NOPS };

static void mutate(struct mbuf *m)
{
	size_t offs[MAXREC];
	size_t nrec = m_records(m, offs, MAXREC);
	size_t r = nrec ? offs[below(nrec)] : 0;
	uint64_t plen = nrec ? get_le(m->p + r + 4, 4) : 0;
	uint8_t tmp[16];

	switch (below(NOPS)) {
	case OP_FLIP:
		if (m->n)
			m->p[below(m->n)] ^= (uint8_t)(1u << below(8));
		break;
	case OP_TRUNC:
		m->n = below(m->n + 1);
		break;
	case OP_INSERT: {
		size_t k = 1 + below(8);
		for (size_t i = 0; i < k; i++)
			tmp[i] = rnd() & 1 ? edge_bytes[below(sizeof edge_bytes)] : (uint8_t)rnd();
		m_insert(m, below(m->n + 1), tmp, k);
		break;
	}
	case OP_DELETE:
		if (m->n)
			m_erase(m, below(m->n), 1 + below(16));
		break;
	case OP_LEN: /* a record's length field */
		if (!nrec)
			break;
		put_le(m->p + r + 4, edge_u32(plen, m->n - r), 4);
		if (rnd() & 1)
			m_fix(m, r);
		break;
	case OP_PAYLOAD: { /* edit inside a payload, keep the record valid */
		if (!nrec || !plen)
			break;
		size_t at = r + 8 + below((size_t)plen);
		switch (below(4)) {
		case 0:
			m->p[at] ^= (uint8_t)(1u << below(8));
			break;
		case 1:
			m->p[at] = edge_bytes[below(sizeof edge_bytes)];
			break;
		case 2: {
			size_t k = 1 + below(4);
			for (size_t i = 0; i < k; i++)
				tmp[i] = edge_bytes[below(sizeof edge_bytes)];
			size_t before = m->n;
			m_insert(m, at, tmp, k);
			if (m->n != before)
				put_le(m->p + r + 4, plen + k, 4);
			break;
		}
		default:
			m_erase(m, at, 1);
			put_le(m->p + r + 4, plen - 1, 4);
			break;
		}
		m_fix(m, r);
		break;
	}
	case OP_TRAILER: { /* the trailer's offset */
		if (m->n < FILE_HDR + TRAILER || memcmp(m->p + m->n - TRAILER, "BTINDEX\n", 8) != 0) {
			if (m->n > MAXLEN - TRAILER)
				break;
			memcpy(m->p + m->n, "BTINDEX\n", 8);
			put_le(m->p + m->n + 8, nrec ? offs[nrec - 1] : FILE_HDR, 8);
			m->n += TRAILER;
		}
		const uint64_t v[] = { 0, 15, 16, 17, r, m->n - TRAILER, m->n - TRAILER - 12,
				       m->n - TRAILER - 11, m->n, (uint64_t)1 << 32, (uint64_t)1 << 63,
				       UINT64_MAX, UINT64_MAX - 7, UINT64_MAX - 11, UINT64_MAX - 12,
				       UINT64_MAX - (m->n - TRAILER) };
		put_le(m->p + m->n - 8, v[below(sizeof v / sizeof v[0])], 8);
		break;
	}
	case OP_VERSION:
		if (m->n < FILE_HDR)
			break;
		put_le(m->p + 8, below(8) ? TRACE_VERSION_MAJOR : below(3), 2);
		put_le(m->p + 10, below(4) ? below(3) : 0xffff, 2);
		put_le(m->p + 12, (uint32_t)crc32(0L, m->p, 12), 4);
		break;
	case OP_SPLICE: { /* a record of another seed, at a record boundary */
		const struct seed *s = &seeds[below(nseeds)];
		struct mbuf *o = malloc(sizeof *o);
		if (!o || s->n > MAXLEN) {
			free(o);
			break;
		}
		memcpy(o->p, s->p, s->n);
		o->n = s->n;
		size_t ooffs[MAXREC];
		size_t on = m_records(o, ooffs, MAXREC);
		if (on) {
			size_t src = ooffs[below(on)];
			size_t len = 12 + (size_t)get_le(o->p + src + 4, 4);
			size_t at = nrec ? (rnd() & 1 ? offs[below(nrec)] : r + 12 + (size_t)plen) : FILE_HDR;
			m_insert(m, at, o->p + src, len);
		}
		free(o);
		break;
	}
	case OP_DUP: { /* a record of this trace again, elsewhere */
		if (!nrec)
			break;
		size_t len = 12 + (size_t)plen;
		uint8_t *copy = malloc(len);
		if (!copy)
			break;
		memcpy(copy, m->p + r, len);
		m_insert(m, offs[below(nrec)], copy, len);
		free(copy);
		break;
	}
	case OP_TYPE: /* another type, or the keyframe flag toggled */
		if (!nrec)
			break;
		if (rnd() & 1)
			m->p[r + 1] = (uint8_t)below(10);
		else
			m->p[r + 2] ^= 1;
		if (rnd() % 4)
			m_fix(m, r);
		break;
	default: { /* an overlong or huge varint inside a payload */
		if (!nrec || !plen)
			break;
		size_t at = r + 8 + below((size_t)plen), k;
		switch (below(3)) {
		case 0: /* 9 continuation bytes then 0x02: over 64 bits */
			memset(tmp, 0x80, 9);
			tmp[9] = 0x02;
			k = 10;
			break;
		case 1: /* 2^63 .. 2^64-1 */
			memset(tmp, 0xff, 9);
			tmp[9] = 0x01;
			k = 10;
			break;
		default: /* a big count: 2^35 */
			memcpy(tmp, "\x80\x80\x80\x80\x80\x01", 6);
			k = 6;
			break;
		}
		size_t before = m->n;
		m_insert(m, at, tmp, k);
		if (m->n != before)
			put_le(m->p + r + 4, plen + k, 4);
		m_fix(m, r);
		break;
	}
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *s = getenv(name);
	if (!s || !*s)
		return def;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	return *end ? def : v;
}

int main(int argc, char **argv)
{
	char buf[4096];
	const char *dir = find_corpus(argc, argv, buf, sizeof buf);
	if (!dir) {
		fprintf(stderr, "trace_corpus_check: no corpus found (tried $FUZZ_CORPUS, "
				"$srcdir/tests/fuzz/corpus, tests/fuzz/corpus); give its directory as "
				"the argument\n");
		return 1;
	}
	load_corpus(dir);
	if (!nseeds) {
		fprintf(stderr, "trace_corpus_check: the corpus %s holds no files\n", dir);
		return 1;
	}
	signal(SIGSEGV, on_fatal_signal);
	signal(SIGBUS, on_fatal_signal);
	signal(SIGABRT, on_fatal_signal);
	signal(SIGFPE, on_fatal_signal);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(save_current);

	double t0 = now_s();
	/* The seeds, and a few inputs no corpus holds. */
	for (size_t i = 0; i < nseeds; i++)
		run(seeds[i].p, seeds[i].n);
	static const uint8_t hdr_only[FILE_HDR] = "BTTRACE\n\x01\x00\x00\x00";
	for (size_t n = 0; n <= FILE_HDR; n++)
		run(hdr_only, n);

	unsigned long want = env_ul("FUZZ_MUTATIONS", 50000);
	double budget = (double)env_ul("FUZZ_SECONDS", 3);
	struct mbuf *m = malloc(sizeof *m);
	if (!m)
		return 1;
	unsigned long done = 0;
	for (; done < want; done++) {
		if ((done & 255) == 0 && now_s() - t0 > budget)
			break;
		const struct seed *s = &seeds[below(nseeds)];
		if (s->n > MAXLEN)
			continue;
		memcpy(m->p, s->p, s->n);
		m->n = s->n;
		size_t ops = 1 + below(3);
		for (size_t i = 0; i < ops; i++)
			mutate(m);
		if (rnd() % 4 == 0) /* repair every checksum, as the libFuzzer mutator does */
			fuzz_trace_fix_crcs(m->p, m->n);
		run(m->p, m->n);
	}
	free(m);
	printf("trace_corpus_check: %zu corpus files from %s, %lu of %lu mutations in %.2f s\n",
	       nseeds, dir, done, want, now_s() - t0);
	for (size_t i = 0; i < nseeds; i++) {
		free(seeds[i].name);
		free(seeds[i].p);
	}
	free(seeds);
	return 0;
}
