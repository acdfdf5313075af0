/* fuzz_suite — the suite parser's fuzz target, and its corpus replayer.
 *
 * LLVMFuzzerTestOneInput hands the bytes to suite_load_mem. When they load,
 * it turns them into requests for a few machines and checks what suite.h
 * promises (one request per section, a built-in or a command, counts in
 * their ranges, limits no higher than the machine's, notes and located
 * errors naming the file and a line); when they do not, that the error is
 * one printable line naming the file, also when the buffer is too small.
 * Everything is freed, so a leak is a finding too.
 *
 * Two builds use it:
 *  - tests/fuzz/suite_corpus_check (make check): this file alone with the
 *    library; main() below replays tests/fuzz/suite_corpus and a fixed set of
 *    text mutations of it (FUZZ_MUTATIONS, default 20000, and FUZZ_SECONDS,
 *    default 3, bound them), saving an input that kills it to
 *    /tmp/suite_corpus_check-crash.suite first;
 *  - libFuzzer, with -DBT_LIBFUZZER (no main here):
 *      clang-14 -g -O1 -fsanitize=fuzzer,address,undefined \
 *        -fno-sanitize-recover=undefined -DBT_LIBFUZZER -include config.h \
 *        -Isrc tests/fuzz/fuzz_suite.c src/suite.c src/util.c src/procfs.c \
 *        src/catalog.c src/elfinfo.c -lm -o fuzz_suite
 *      ./fuzz_suite -max_len=8192 -dict=DICT CORPUS_COPY
 *    (DICT: the tokens of the dictionary below, one quoted per line).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "fuzz.suite"

static volatile size_t sink;

static void broken(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_suite: the parser broke a promise: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	abort();
}

/* "fuzz.suite:LINE: ..." with LINE at least 1, all printable. */
static void check_sentence(const char *s, bool needs_line, const char *what)
{
	size_t nl = strlen(NAME);
	if (strncmp(s, NAME, nl) != 0 || s[nl] != ':')
		broken(what, s);
	if (needs_line) {
		char *end;
		unsigned long line = strtoul(s + nl + 1, &end, 10);
		if (line < 1 || end[0] != ':' || end[1] != ' ' || !end[2])
			broken(what, s);
	}
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if ((*c < 0x20 && *c != '\t') || *c == 0x7f)
			broken("a message holds a control byte", s);
}

static void check_request(const struct suite *s, const struct suite_plan *p, size_t i,
			  const struct suite_machine *m)
{
	const struct suite_request *r = &p->items[i];
	const struct plan_request *rq = &r->rq;
	const struct suite_section *sec = &s->sections[i];
	if (!r->what || r->line != sec->line)
		broken("a request lost its section", NULL);
	if (rq->reps < 1 || rq->reps > 1000 || rq->warmup > 100)
		broken("a count outside its range", r->what);
	if (!rq->workload == !rq->argv)
		broken("a request is neither a built-in nor a command, or both", r->what);
	if (rq->argv) {
		if (!rq->argv[0] || !rq->argv[0][0] || rq->nvariants > 1)
			broken("a command without its program, or with variants", r->what);
		for (size_t k = 0; rq->argv[k]; k++)
			sink += strlen(rq->argv[k]);
	} else {
		if (rq->nwargs != 2 * r->nparams)
			broken("parameters and arguments disagree", r->what);
		for (size_t k = 0; k < rq->nwargs; k += 2)
			if (strncmp(rq->wargs[k], "--", 2) != 0 || !rq->wargs[k + 1][0])
				broken("a parameter argument is not --NAME VALUE", rq->wargs[k]);
	}
	if (rq->nvariants > SUITE_MAX_ITEMS)
		broken("too many variants", r->what);
	for (size_t k = 0; k < rq->nvariants; k++)
		if (!rq->variants[k][0])
			broken("an empty variant", r->what);
	for (size_t k = 0; k < rq->nenv; k++)
		if (!strchr(rq->env[k], '=') || rq->env[k][0] == '=')
			broken("an env entry is not KEY=VALUE", rq->env[k]);
	if (m->cpus > 0 && rq->cpus > m->cpus)
		broken("cpus above the machine's", r->what);
	if (m->memory && rq->memory > m->memory)
		broken("memory above the machine's", r->what);

	/* An error that names a parameter lands on its line. */
	char msg[128], out[256];
	if (r->nparams) {
		snprintf(msg, sizeof msg, "x has no parameter --%s; it takes --a", r->params[0].name);
		suite_locate(p, i, msg, out, sizeof out);
		char want[64];
		snprintf(want, sizeof want, NAME ":%u: ", r->params[0].line);
		if (strncmp(out, want, strlen(want)) != 0)
			broken("an error is not on its parameter's line", out);
	}
	suite_locate(p, i, "nothing in particular", out, sizeof out);
	check_sentence(out, true, "a located error is not FILE:LINE: ...");
	suite_locate(p, i, "a variant is missing", out, 12); /* cut, still a string */
	sink += strlen(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct suite s;
	char err[512];
	memset(err, 0x55, sizeof err);
	if (suite_load_mem(NAME, (const char *)data, size, &s, err, sizeof err) != 0) {
		if (memchr(err, '\0', sizeof err) == NULL || !err[0])
			broken("a failure without a sentence", NULL);
		check_sentence(err, size <= SUITE_MAX_BYTES, "an error is not FILE:LINE: ...");
		if (s.nsections || s.path)
			broken("a failed load left something behind", NULL);
		char tiny[8];
		if (suite_load_mem(NAME, (const char *)data, size, &s, tiny, sizeof tiny) == 0)
			broken("the same bytes loaded the second time", NULL);
		if (strlen(tiny) >= sizeof tiny)
			broken("a cut message overran its buffer", NULL);
		return 0;
	}
	if (s.nsections < 1 || s.nsections > SUITE_MAX_SECTIONS)
		broken("a loaded suite with no section or too many", NULL);
	static const struct suite_machine machines[] = {
		{ 2, 2, UINT64_C(24) << 30 }, { 0.5, 64, UINT64_C(1) << 30 }, { 0, 0, 0 } };
	for (size_t k = 0; k < sizeof machines / sizeof machines[0]; k++) {
		struct suite_plan p;
		if (suite_requests(&s, &machines[k], &p) != s.nsections)
			broken("not one request per section", NULL);
		for (size_t i = 0; i < p.n; i++)
			check_request(&s, &p, i, &machines[k]);
		for (size_t i = 0; i < p.nnotes; i++)
			check_sentence(p.notes[i], true, "a note is not FILE:LINE: ...");
		suite_plan_free(&p);
	}
	suite_free(&s);
	return 0;
}

#ifndef BT_LIBFUZZER
/* ---- The corpus replayer for make check ------------------------------------------ */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

#define MAXLEN 16384
static const char crash_path[] = "/tmp/suite_corpus_check-crash.suite";

struct seed {
	char *name;
	char *p;
	size_t n;
};
static struct seed *seeds;
static size_t nseeds;

static const char *cur_p;
static size_t cur_n;

/* Keep the input that is killing us (async-signal-safe calls only). */
static void save_current(void)
{
	if (!cur_p)
		return;
	int fd = open(crash_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		size_t off = 0;
		while (off < cur_n) {
			ssize_t w = write(fd, cur_p + off, cur_n - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		close(fd);
		static const char msg[] = "suite_corpus_check: the input is saved in /tmp/suite_corpus_check-crash.suite\n";
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

/* Each input in an exact-size heap buffer, so ASan sees reads past its end. */
static void run(const char *p, size_t n)
{
	char *d = malloc(n ? n : 1);
	if (!d)
		exit(1);
	memcpy(d, p, n);
	cur_p = d;
	cur_n = n;
	LLVMFuzzerTestOneInput((const uint8_t *)d, n);
	cur_p = NULL;
	free(d);
}

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
		snprintf(buf, size, "%s/tests/fuzz/suite_corpus", srcdir);
		if (is_dir(buf))
			return buf;
	}
	if (is_dir("tests/fuzz/suite_corpus"))
		return "tests/fuzz/suite_corpus";
	snprintf(buf, size, "%s", __FILE__);
	char *slash = strrchr(buf, '/');
	if (slash) {
		snprintf(slash + 1, size - (size_t)(slash + 1 - buf), "suite_corpus");
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
		fprintf(stderr, "suite_corpus_check: cannot open the corpus %s\n", dir);
		exit(1);
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		char path[4096];
		struct stat st;
		if (de->d_name[0] == '.' || snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path ||
		    stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAXLEN)
			continue;
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		char *p = malloc((size_t)st.st_size + 1);
		size_t n = p ? fread(p, 1, (size_t)st.st_size, f) : 0;
		fclose(f);
		struct seed *grown = realloc(seeds, (nseeds + 1) * sizeof(*seeds));
		if (!p || !grown)
			exit(1);
		seeds = grown;
		seeds[nseeds++] = (struct seed){ strdup(de->d_name), p, n };
	}
	closedir(d);
	qsort(seeds, nseeds, sizeof(*seeds), by_name);
}

/* ---- Text mutations ------------------------------------------------------------------ */

static uint64_t rs = 0x9E3779B97F4A7C15ull;

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
	char p[MAXLEN];
	size_t n;
};

/* The format's tokens, and bytes that have broken parsers before. */
static const char *const dict[] = {
	"[", "]", "=", ",", " , ", "\n", "\r\n", " \\\n", "\\", "\"", "'", " #", " ;", "#", ";", "\t", "--",
	"[suite]\n", "[kmeans]\n", "[forest x]\n", "[command c]\n", "[pgio]\n", "[micro m]\n", "[command]\n",
	"run = ", "env = ", "variants = ", "reps = ", "warmup = ", "order = ", "cpus = ", "memory = ",
	"cpuset = ", "interval = ", "timeout = ", "label = ", "blas-threads = ", "auto", "--reps = ", "samples = ", "threads = ",
	"{cpus}", "{visible-cpus}", "{cpu", "none", "blocked", "interleaved", "0", "1", "1000", "1001", "-1",
	"0.001", "4096.5", "1e308", "nan", "8G", "16777216T", "0-1", "0-65536", "A=1", "=1", "1X=2",
	"glibc, musl", "glibc+jemalloc", "a/b", "\xEF\xBB\xBF", "\xC3\xA9", "\xC2\x85", "\xC0\xAF", "\xED\xA0\x80",
	"\xF4\x90\x80\x80", "\xFF", "\x01", "\x7F",
};

static void m_insert(struct mbuf *m, size_t at, const char *src, size_t k)
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

/* The start of a random line, and its length with the newline. */
static size_t pick_line(const struct mbuf *m, size_t *len)
{
	size_t at = below(m->n);
	while (at > 0 && m->p[at - 1] != '\n')
		at--;
	const char *nl = memchr(m->p + at, '\n', m->n - at);
	*len = nl ? (size_t)(nl - (m->p + at)) + 1 : m->n - at;
	return at;
}

static void mutate(struct mbuf *m)
{
	size_t len, at;
	switch (below(9)) {
	case 0: /* a token somewhere */
	case 1: {
		const char *t = dict[below(sizeof dict / sizeof dict[0])];
		m_insert(m, below(m->n + 1), t, strlen(t));
		break;
	}
	case 2: /* a token in place of a value */
		at = pick_line(m, &len);
		if (len) {
			const char *eq = memchr(m->p + at, '=', len);
			const char *t = dict[below(sizeof dict / sizeof dict[0])];
			if (eq) {
				size_t v = (size_t)(eq - m->p) + 1;
				m_erase(m, v, at + len - 1 - v);
				m_insert(m, v, t, strlen(t));
			}
		}
		break;
	case 3: /* a byte flipped */
		if (m->n)
			m->p[below(m->n)] ^= (char)(1u << below(8));
		break;
	case 4: /* a line deleted */
		at = pick_line(m, &len);
		m_erase(m, at, len);
		break;
	case 5: { /* a line repeated, maybe many times */
		at = pick_line(m, &len);
		char line[512];
		if (len && len <= sizeof line) {
			memcpy(line, m->p + at, len);
			size_t times = rnd() % 8 == 0 ? 1 + below(300) : 1;
			for (size_t i = 0; i < times; i++)
				m_insert(m, at, line, len);
		}
		break;
	}
	case 6: /* cut short */
		m->n = below(m->n + 1);
		break;
	case 7: { /* a line of another seed */
		const struct seed *s = &seeds[below(nseeds)];
		if (!s->n)
			break;
		struct mbuf *o = malloc(sizeof *o);
		if (!o)
			break;
		memcpy(o->p, s->p, s->n);
		o->n = s->n;
		size_t oat = pick_line(o, &len);
		m_insert(m, pick_line(m, &(size_t){ 0 }), o->p + oat, len);
		free(o);
		break;
	}
	default: { /* a long run of one character */
		char run_[600];
		size_t k = 1 + below(sizeof run_);
		memset(run_, "a,= \\\"'[#"[below(10)], k);
		m_insert(m, below(m->n + 1), run_, k);
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
	char *end;
	unsigned long v = s && *s ? strtoul(s, &end, 10) : def;
	return s && *s && *end ? def : v;
}

int main(int argc, char **argv)
{
	char buf[4096];
	const char *dir = find_corpus(argc, argv, buf, sizeof buf);
	if (!dir) {
		fprintf(stderr, "suite_corpus_check: no corpus found (tried $FUZZ_CORPUS, $srcdir/tests/fuzz/suite_corpus, "
				"tests/fuzz/suite_corpus); give its directory as the argument\n");
		return 1;
	}
	load_corpus(dir);
	if (!nseeds) {
		fprintf(stderr, "suite_corpus_check: the corpus %s holds no files\n", dir);
		return 1;
	}
	signal(SIGSEGV, on_fatal_signal);
	signal(SIGBUS, on_fatal_signal);
	signal(SIGABRT, on_fatal_signal);
	signal(SIGFPE, on_fatal_signal);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(save_current);

	double t0 = now_s();
	for (size_t i = 0; i < nseeds; i++)
		run(seeds[i].p, seeds[i].n);
	/* Every prefix of the longest seed: each place a file can be cut. */
	size_t longest = 0;
	for (size_t i = 1; i < nseeds; i++)
		if (seeds[i].n > seeds[longest].n)
			longest = i;
	for (size_t n = 0; n < seeds[longest].n; n++)
		run(seeds[longest].p, n);

	unsigned long want = env_ul("FUZZ_MUTATIONS", 20000), done = 0;
	double budget = (double)env_ul("FUZZ_SECONDS", 3);
	struct mbuf *m = malloc(sizeof *m);
	if (!m)
		return 1;
	for (; done < want; done++) {
		if ((done & 63) == 0 && now_s() - t0 > budget)
			break;
		const struct seed *s = &seeds[below(nseeds)];
		memcpy(m->p, s->p, s->n);
		m->n = s->n;
		for (size_t ops = 1 + below(4); ops > 0; ops--)
			mutate(m);
		run(m->p, m->n);
	}
	free(m);
	printf("suite_corpus_check: %zu corpus files from %s, %lu of %lu mutations in %.2f s\n", nseeds, dir, done,
	       want, now_s() - t0);
	for (size_t i = 0; i < nseeds; i++) {
		free(seeds[i].name);
		free(seeds[i].p);
	}
	free(seeds);
	return 0;
}
#endif
