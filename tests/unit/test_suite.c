/* test_suite — the suite file parser (src/suite.c): good files turn into the
 * right planner requests (sweeps, overrides, env, defaults, placeholders),
 * each kind of bad file gives its exact "FILE:LINE: ..." sentence, limits are
 * clamped to the machine with a note, errors of the planner are placed on
 * the right line, and the suites shipped in suites/ parse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suite.h"

#define SUITES FIXTURES "/suites/"
#define SHIPPED FIXTURES "/../../suites/"
#define GiB (UINT64_C(1) << 30)

static void load_ok(const char *path, struct suite *s)
{
	char err[512] = "";
	if (suite_load(path, s, err, sizeof err) != 0)
		fail_msg("%s did not load: %s", path, err);
}

static void mem_ok(const char *text, struct suite *s)
{
	char err[512] = "";
	if (suite_load_mem("t.suite", text, strlen(text), s, err, sizeof err) != 0)
		fail_msg("did not load: %s\n---\n%s", err, text);
}

/* The sentence for bytes that must not load. */
static const char *mem_err(const char *text, size_t len, char *err, size_t errlen)
{
	struct suite s;
	err[0] = '\0';
	if (suite_load_mem("t.suite", text, len, &s, err, errlen) == 0) {
		suite_free(&s);
		fail_msg("loaded, yet should not:\n%s", text);
	}
	assert_int_equal(s.nsections, 0); /* zeroed on failure */
	assert_null(s.path);
	return err;
}

/* A string literal's bytes, NULs and all. */
#define MEM_ERR(lit) mem_err(lit, sizeof(lit) - 1, err, sizeof err)

static void assert_list(char *const *got, size_t n, const char *const *want, size_t nwant)
{
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(got[i], want[i]);
}

#define LIST(got, n, ...)                                                                          \
	do {                                                                                        \
		static const char *const w_[] = { __VA_ARGS__ };                                   \
		assert_list((char *const *)(got), (n), w_, sizeof w_ / sizeof w_[0]);              \
	} while (0)

static size_t argc_of(char **argv)
{
	size_t n = 0;
	while (argv[n])
		n++;
	return n;
}

static void assert_notes(const struct suite_plan *p, const char *const *want, size_t n)
{
	for (size_t i = 0; i < p->nnotes; i++)
		print_message("note: %s\n", p->notes[i]);
	assert_list(p->notes, p->nnotes, want, n);
}

/* ---- Good files ------------------------------------------------------------------ */

static void full_file(void **state)
{
	(void)state;
	struct suite s;
	struct suite_plan p;
	load_ok(SUITES "good-full.suite", &s);
	assert_int_equal(s.nsections, 5);
	assert_int_equal(s.suite_line, 2);
	/* A machine with 1.5 effective CPUs of 4 visible, and 4 GiB. */
	const struct suite_machine m = { 1.5, 4, 4 * GiB };
	assert_int_equal(suite_requests(&s, &m, &p), 5);
	assert_int_equal(p.interval_ms, 250);
	assert_true(p.timeout_s == 600);

	/* [kmeans]: everything from [suite], sweeps with their blanks gone. */
	const struct suite_request *r = &p.items[0];
	assert_string_equal(r->what, "[kmeans]");
	assert_int_equal(r->line, 16);
	assert_string_equal(r->rq.workload, "kmeans");
	LIST(r->rq.variants, r->rq.nvariants, "glibc", "musl");
	assert_int_equal(r->variants_line, 3);
	assert_int_equal(r->rq.reps, 3);
	assert_int_equal(r->rq.warmup, 1);
	assert_true(r->rq.blocked);
	assert_true(r->rq.cpus == 1.5);
	assert_int_equal(r->rq.memory, 4 * GiB);
	assert_string_equal(r->rq.cpuset, "0-1");
	assert_string_equal(r->rq.label, "full");
	LIST(r->rq.env, r->rq.nenv, "OMP_NUM_THREADS=1", "SHARED=yes", "MSG=two words");
	LIST(r->rq.wargs, r->rq.nwargs, "--samples", "100000,500000", "--features", "128", "--clusters", "5,7",
	     "--n-init", "10", "--threads", "4,2");
	assert_int_equal(r->nparams, 5);
	assert_string_equal(r->params[4].name, "threads");
	assert_int_equal(r->params[4].line, 21);
	assert_null(r->rq.argv);

	/* [forest small]: every setting overridden; --reps is a parameter. */
	r = &p.items[1];
	assert_string_equal(r->what, "[forest small]");
	LIST(r->rq.variants, r->rq.nvariants, "musl");
	assert_int_equal(r->variants_line, 24);
	assert_int_equal(r->rq.reps, 2);
	assert_int_equal(r->rq.warmup, 0);
	assert_false(r->rq.blocked);
	assert_true(r->rq.cpus == 1.5);
	assert_int_equal(r->rq.memory, 0);
	assert_null(r->rq.cpuset);
	assert_string_equal(r->rq.label, "forest with a label");
	LIST(r->rq.env, r->rq.nenv, "OMP_NUM_THREADS=1", "MSG=two words", "SHARED=no", "EXTRA=1");
	LIST(r->rq.wargs, r->rq.nwargs, "--trees", "1,10,100", "--reps", "7");

	/* [command blas-default]: no [suite] variants; quoting and a joined line. */
	r = &p.items[2];
	assert_null(r->rq.workload);
	assert_int_equal(r->rq.nvariants, 0);
	assert_int_equal(r->variants_line, 0);
	assert_string_equal(r->rq.label, "blas-default");
	LIST(r->rq.argv, argc_of(r->rq.argv), "python3", "-c", "import sys; print(sys.argv[1:])",
	     "single quoted;kept", "back slash", "2");
	LIST(r->rq.env, r->rq.nenv, "OMP_NUM_THREADS=1", "SHARED=yes", "MSG=two words", "OPENBLAS_NUM_THREADS=2");
	assert_int_equal(r->rq.reps, 3);

	r = &p.items[3];
	LIST(r->rq.variants, r->rq.nvariants, "mine");
	LIST(r->rq.argv, argc_of(r->rq.argv), "/bin/true");

	/* [pgio]: a section with no keys at all. */
	r = &p.items[4];
	assert_string_equal(r->rq.workload, "pgio");
	assert_int_equal(r->rq.nwargs, 0);
	assert_string_equal(r->rq.label, "full");
	assert_int_equal(r->line, 44);

	static const char *const notes[] = {
		SUITES "good-full.suite:7: cpus 6 clamped to 1.5 (this machine's effective CPUs)",
		SUITES "good-full.suite:8: memory 8G clamped to 4.0 GiB (this machine's memory)",
		SUITES "good-full.suite:21: threads = {visible-cpus},{cpus} becomes threads = 4,2 on this machine",
		SUITES "good-full.suite:39: env OPENBLAS_NUM_THREADS={cpus} becomes env OPENBLAS_NUM_THREADS=2 on this machine",
		SUITES "good-full.suite:37: run: {cpus} becomes 2 on this machine",
	};
	assert_notes(&p, notes, sizeof notes / sizeof notes[0]);
	suite_plan_free(&p);
	suite_free(&s);
}

static void defaults(void **state)
{
	(void)state;
	struct suite s;
	struct suite_plan p;
	load_ok(SUITES "good-minimal.suite", &s);
	const struct suite_machine m = { 2, 2, 24 * GiB };
	assert_int_equal(suite_requests(&s, &m, &p), 1);
	const struct plan_request *rq = &p.items[0].rq;
	assert_string_equal(rq->workload, "kmeans");
	assert_int_equal(rq->nvariants, 0);
	assert_int_equal(rq->reps, 1);
	assert_int_equal(rq->warmup, 0);
	assert_false(rq->blocked);
	assert_true(rq->cpus == 0);
	assert_int_equal(rq->memory, 0);
	assert_null(rq->cpuset);
	assert_null(rq->label);
	assert_int_equal(rq->nenv, 0);
	assert_int_equal(rq->nwargs, 0);
	assert_int_equal(p.interval_ms, 0);
	assert_true(p.timeout_s == 0);
	assert_int_equal(p.nnotes, 0);
	suite_plan_free(&p);
	suite_free(&s);
}

/* ---- Bad files: the exact sentence ---------------------------------------------- */

static const struct {
	const char *file;
	const char *msg; /* after "PATH:" */
} bad_files[] = {
	{ "bad-no-equals", "2: expected 'key = value' or a [section] header, not 'reps 5'" },
	{ "bad-reps", "3: 'reps' takes a count from 1 to 1000, not 'x'" },
	{ "bad-unknown-section",
	  "4: 'kmean' is not a kind of section; use [suite], [command NAME] or a built-in workload: kmeans, forest, pgio, micro, spin" },
	{ "bad-suite-key",
	  "2: 'threads' is not a [suite] key; [suite] takes variants, reps, warmup, order, cpus, memory, cpuset, env, label, blas-threads, interval, timeout" },
	{ "bad-memory", "2: 'memory' takes a size of at least 1M such as 512M or 8G, or none, not '8Q'" },
	{ "bad-empty-item", "2: 'samples' has an empty item in '1000, , 2000'; a comma list is values separated by commas" },
	{ "bad-variants-twice", "2: 'variants' names glibc twice" },
	{ "bad-command-no-run", "1: [command blas] has no 'run = ...' line; say what to run, as in run = my-bench --fast" },
	{ "bad-command-variants",
	  "3: a command is run as given, so 'variants' can name it only once, not 2 times; give each build its own [command NAME] section" },
	{ "bad-header", "2: a section header ends with ']', as in [kmeans], not '[kmeans'" },
	{ "bad-before-section", "2: 'reps' comes before any section; put it under [suite] or a workload's section" },
	{ "bad-key-twice", "4: 'reps' is set again; line 2 of this section set it already" },
	{ "bad-param-twice",
	  "4: 'clusters' is set again; line 2 set it already (for several values give a comma list: clusters = 5, 7)" },
	{ "bad-env", "2: 'env' takes KEY=VALUE words such as OPENBLAS_NUM_THREADS=2, not '1X=2'" },
	{ "bad-env-twice", "3: 'env' sets A again; line 2 of this section set it already" },
	{ "bad-quote",
	  "2: 'run' has a \" quote that is not closed; it takes a program and its arguments, split at blanks, quoted as in a shell" },
	{ "bad-interval-in-section", "4: 'interval' belongs in [suite]: one interval holds for the whole suite" },
	{ "bad-control", "2: holds the control byte 0x01 at column 13; a suite file is plain text" },
	{ "bad-utf8", "2: is not UTF-8 text (byte 0xe9 at column 12); save the file as UTF-8" },
	{ "bad-continuation-eof", "2: ends with '\\', which joins a next line, but the file ends here" },
	{ "bad-cpus", "2: 'cpus' takes a number of CPUs such as 1 or 1.5, or none, not '0'" },
	{ "bad-cpuset", "2: 'cpuset' takes a CPU list such as 0-1 or 0,2, or none, not '0-x'" },
	{ "bad-order", "2: 'order' takes interleaved or blocked, not 'random'" },
	{ "bad-nothing", "3: the suite names nothing to run; add a workload's section such as [kmeans] or a [command NAME]" },
	{ "bad-second-suite", "4: a second [suite]; the first is at line 1: keep one" },
	{ "bad-name-taken", "3: the name big is taken by the section at line 1; give each its own" },
	{ "bad-command-key",
	  "3: 'threads' is not a key of a command section, which takes run, variants, reps, warmup, cpus, memory, cpuset, env, label, blas-threads (the command's own options go in its run line)" },
	{ "bad-run-in-builtin", "2: 'run' belongs in a [command NAME] section; [kmeans] takes its parameters as keys of their own" },
	{ "bad-order-in-command", "3: 'order' means nothing for a command, which has one variant" },
	{ "bad-command-no-name", "1: [command] needs a name, as in [command blas-default]" },
	{ "bad-key-name", "2: 'n init' is not a key: keys are one word of letters, digits and - _ . that begins with a letter or digit, as in n-init" },
	{ "bad-no-value", "2: 'samples' has no value after '='" },
	{ "bad-blas-threads",
	  "2: 'blas-threads' takes auto (the CPUs each run may use), a count from 1 to 4096, or none, not '0'" },
	{ "bad-dashed-in-suite", "2: '--reps': only a built-in workload's section takes --NAME keys (its parameters)" },
};

static void bad_file_sentences(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_files / sizeof bad_files[0]; i++) {
		char path[512], want[1024], err[1024] = "";
		snprintf(path, sizeof path, SUITES "%s.suite", bad_files[i].file);
		snprintf(want, sizeof want, "%s:%s", path, bad_files[i].msg);
		struct suite s;
		if (suite_load(path, &s, err, sizeof err) == 0) {
			suite_free(&s);
			fail_msg("%s loaded, yet should not", path);
		}
		if (strcmp(err, want) != 0)
			fail_msg("%s:\n  got  %s\n  want %s", bad_files[i].file, err, want);
	}
}

/* Every bad-*.suite in the fixtures is in the table above. */
static void every_bad_fixture_checked(void **state)
{
	(void)state;
	FILE *ls = popen("ls " SUITES, "r");
	assert_non_null(ls);
	char name[256];
	size_t bad = 0;
	while (fgets(name, sizeof name, ls)) {
		if (strncmp(name, "bad-", 4) != 0)
			continue;
		bad++;
		bool found = false;
		for (size_t i = 0; i < sizeof bad_files / sizeof bad_files[0]; i++)
			if (strncmp(name, bad_files[i].file, strlen(bad_files[i].file)) == 0 &&
			    strcmp(name + strlen(bad_files[i].file), ".suite\n") == 0)
				found = true;
		if (!found)
			fail_msg("%s is not checked by bad_file_sentences", name);
	}
	pclose(ls);
	assert_int_equal(bad, sizeof bad_files / sizeof bad_files[0]);
}

/* ---- Text rules, from memory -------------------------------------------------- */

static void text_rules(void **state)
{
	(void)state;
	struct suite s;
	char err[512];

	/* CRLF lines and a byte-order mark. */
	mem_ok("\xEF\xBB\xBF[suite]\r\nreps = 2\r\n[kmeans]\r\nsamples = 5\r\n", &s);
	assert_int_equal(s.set.reps, 2);
	assert_string_equal(s.sections[0].params[0].value, "5");
	suite_free(&s);

	/* # and ; start a comment only at a line's start or after a blank. */
	mem_ok("[command x]\nrun = echo a#b c;d # a comment\n  ; another\n\t# and another\nlabel = x;y ;z\n", &s);
	assert_int_equal(s.sections[0].argc, 3);
	assert_string_equal(s.sections[0].argv[1], "a#b");
	assert_string_equal(s.sections[0].argv[2], "c;d");
	assert_string_equal(s.sections[0].set.label, "x;y");
	suite_free(&s);

	/* Quoting in run: '...' literal, "..." with \" and \\, backslash outside. */
	mem_ok("[command q]\nrun = a \"b \\\"c\\\" \\\\d \\e\" 'f\\g' h\\ i \"\" j\"k\"'l'\n", &s);
	LIST(s.sections[0].argv, s.sections[0].argc, "a", "b \"c\" \\d \\e", "f\\g", "h i", "", "jkl");
	assert_null(s.sections[0].argv[6]);
	suite_free(&s);

	/* A joined value: errors name its first line; blank continuation ends it. */
	assert_string_equal(MEM_ERR("[kmeans]\nsamples = 1, \\\n   , 2\n"),
			    "t.suite:2: 'samples' has an empty item in '1, , 2'; a comma list is values separated by commas");
	mem_ok("[kmeans]\nsamples = 1, \\\n  2 \\\n\n[forest]\n", &s);
	assert_string_equal(s.sections[0].params[0].value, "1,2");
	assert_int_equal(s.sections[1].line, 5);
	suite_free(&s);

	/* UTF-8 is fine in values; C1 controls, overlong forms and NUL are not. */
	mem_ok("[kmeans]\nlabel = caf\xC3\xA9 \xE2\x98\x95\n", &s);
	assert_string_equal(s.sections[0].set.label, "caf\xC3\xA9 \xE2\x98\x95");
	suite_free(&s);
	assert_string_equal(MEM_ERR("[kmeans]\nlabel = a\xC2\x9B" "31m\n"),
			    "t.suite:2: is not UTF-8 text (byte 0xc2 at column 10); save the file as UTF-8");
	assert_string_equal(MEM_ERR("[kmeans]\nlabel = \xC0\xAF\n"),
			    "t.suite:2: is not UTF-8 text (byte 0xc0 at column 9); save the file as UTF-8");
	assert_string_equal(MEM_ERR("[kmeans]\nseed = 1\0\n"),
			    "t.suite:2: holds the control byte 0x00 at column 9; a suite file is plain text");

	/* Empty input, a lone '=', an empty header, names. */
	assert_string_equal(MEM_ERR(""),
			    "t.suite:1: the suite names nothing to run; add a workload's section such as [kmeans] or a [command NAME]");
	assert_string_equal(MEM_ERR("[kmeans]\n= 5\n"), "t.suite:2: a key is missing before '='");
	assert_string_equal(MEM_ERR("[kmeans]\n-- = 5\n"),
			    "t.suite:2: '--' is not a key: keys are one word of letters, digits and - _ . that begins with a letter or digit, as in n-init");
	assert_string_equal(MEM_ERR("[kmeans]\n---x = 5\n"),
			    "t.suite:2: '---x' is not a key: keys are one word of letters, digits and - _ . that begins with a letter or digit, as in n-init");
	assert_string_equal(MEM_ERR("[ ]\n"),
			    "t.suite:1: an empty section header; use [suite], [command NAME] or a built-in workload: kmeans, forest, pgio, micro, spin");
	assert_string_equal(MEM_ERR("[suite x]\n"), "t.suite:1: [suite] takes no name, not 'x'");
	assert_string_equal(MEM_ERR("[kmeans a b]\n"),
			    "t.suite:1: 'a b' is not a section name: one word of letters, digits and - _ . +, at most 64");
	mem_ok("[kmeans big-1.5_x+y]\n[  forest\tsmall  ]\n", &s);
	assert_string_equal(s.sections[1].kind, "forest");
	assert_string_equal(s.sections[1].name, "small");
	suite_free(&s);

	/* Values: none, strict numbers, the CLI's ranges. */
	mem_ok("[suite]\ncpus = none\nmemory = none\ncpuset = none\nwarmup = 0\nreps = 1000\n[kmeans]\n", &s);
	assert_int_equal(s.set.line[SF_CPUS], 2);
	assert_true(s.set.cpus == 0);
	suite_free(&s);
	assert_string_equal(MEM_ERR("[kmeans]\nreps = 1001\n"),
			    "t.suite:2: 'reps' takes a count from 1 to 1000, not '1001'");
	assert_string_equal(MEM_ERR("[kmeans]\nreps = +5\n"),
			    "t.suite:2: 'reps' takes a count from 1 to 1000, not '+5'");
	assert_string_equal(MEM_ERR("[kmeans]\nwarmup = 101\n"),
			    "t.suite:2: 'warmup' takes a count from 0 to 100, not '101'");
	assert_string_equal(MEM_ERR("[kmeans]\ncpus = nan\n"),
			    "t.suite:2: 'cpus' takes a number of CPUs such as 1 or 1.5, or none, not 'nan'");
	assert_string_equal(MEM_ERR("[kmeans]\nmemory = 512K\n"),
			    "t.suite:2: 'memory' takes a size of at least 1M such as 512M or 8G, or none, not '512K'");
	assert_string_equal(MEM_ERR("[suite]\ninterval = 5\n[kmeans]\n"),
			    "t.suite:2: 'interval' takes milliseconds from 10 to 10000, not '5'");
	assert_string_equal(MEM_ERR("[suite]\ntimeout = 0\n[kmeans]\n"),
			    "t.suite:2: 'timeout' takes seconds per run, more than 0 and at most 10000000, not '0'");
	assert_string_equal(MEM_ERR("[suite]\ninterval = 100\ninterval = 200\n[kmeans]\n"),
			    "t.suite:3: 'interval' is set again in this section");
	assert_string_equal(MEM_ERR("[kmeans]\nvariants = glibc, mu sl\n"),
			    "t.suite:2: 'mu sl' is not a variant name: names have no blanks, quotes or slashes, such as glibc+jemalloc");
	assert_string_equal(MEM_ERR("[command x]\nrun = \"\" b\n"),
			    "t.suite:2: 'run' begins with an empty word; it takes a program and its arguments");
	assert_string_equal(MEM_ERR("[command x]\nrun = a\nrun = b\n"),
			    "t.suite:3: 'run' is set again in this section");
	assert_string_equal(MEM_ERR("[command x]\nenv = A=\"1\n"),
			    "t.suite:2: 'env' has a \" quote that is not closed; it takes KEY=VALUE words such as OPENBLAS_NUM_THREADS=2");
	assert_string_equal(MEM_ERR("[command x]\nrun = a\\\\ b\\\n"),
			    "t.suite:2: ends with '\\', which joins a next line, but the file ends here");
	assert_string_equal(MEM_ERR("[command x]\nrun = a\\ \\\n\n"),
			    "t.suite:2: 'run' has a lone backslash at its end; it takes a program and its arguments, split at blanks, quoted as in a shell");
	assert_string_equal(MEM_ERR("[kmeans]\nenv = A='1\n"),
			    "t.suite:2: 'env' has a ' quote that is not closed; it takes KEY=VALUE words such as OPENBLAS_NUM_THREADS=2");
	assert_string_equal(MEM_ERR("[kmeans]\nenv = A-B=1\n"),
			    "t.suite:2: 'env' takes KEY=VALUE words such as OPENBLAS_NUM_THREADS=2, not 'A-B=1'");
	assert_string_equal(MEM_ERR("[kmeans]\nenv = =1\n"),
			    "t.suite:2: 'env' takes KEY=VALUE words such as OPENBLAS_NUM_THREADS=2, not '=1'");
	assert_string_equal(MEM_ERR("[kmeans]\nenv = PATH\n"),
			    "t.suite:2: 'env' takes KEY=VALUE words such as OPENBLAS_NUM_THREADS=2, not 'PATH'");
	assert_string_equal(MEM_ERR("[kmeans]\nvariants = glibc,\n"),
			    "t.suite:2: 'variants' has an empty item in 'glibc,'; give names separated by commas, such as glibc, musl");
	assert_string_equal(MEM_ERR("[kmeans]\nvariants = a/b\n"),
			    "t.suite:2: 'a/b' is not a variant name: names have no blanks, quotes or slashes, such as glibc+jemalloc");
	mem_ok("[kmeans]\nenv = _A=1 b2= C==x\nvariants = glibc+jemalloc\nlabel = \xF0\x9F\x98\x80\n", &s);
	LIST(s.sections[0].set.env, s.sections[0].set.nenv, "_A=1", "b2=", "C==x");
	suite_free(&s);

	/* A long value is cut in the message, at a character boundary. */
	assert_string_equal(
		MEM_ERR("[kmeans]\norder = \xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
			"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
			"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\n"),
		"t.suite:2: 'order' takes interleaved or blocked, not '\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
		"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
		"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9...'");
}

/* ---- Bounds ----------------------------------------------------------------------- */

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t len = strlen(head) + n * strlen(unit) + strlen(tail) + 1;
	char *s = malloc(len), *q = s;
	assert_non_null(s);
	q += sprintf(q, "%s", head);
	for (size_t i = 0; i < n; i++)
		q += sprintf(q, "%s", unit);
	sprintf(q, "%s", tail);
	return s;
}

static void bounds(void **state)
{
	(void)state;
	struct suite s;
	char err[512];
	char *t;

	/* A line of exactly SUITE_MAX_LINE bytes is fine, one more is not. */
	t = repeat("[kmeans]\nseed = ", "7", SUITE_MAX_LINE - 7, "\n");
	mem_ok(t, &s);
	assert_int_equal(strlen(s.sections[0].params[0].value), SUITE_MAX_LINE - 7);
	suite_free(&s);
	free(t);
	t = repeat("[kmeans]\nseed = ", "7", SUITE_MAX_LINE - 6, "\n");
	assert_string_equal(mem_err(t, strlen(t), err, sizeof err), "t.suite:2: the line is longer than 4096 bytes");
	free(t);

	/* Joined lines are bounded alike. */
	t = repeat("[kmeans]\n", "seed = 11111111111111111111111111111111111111111111111111 \\\n", 80, "1\n");
	assert_string_equal(mem_err(t, strlen(t), err, sizeof err),
			    "t.suite:2: the value joined from line 2 on is longer than 4096 bytes");
	free(t);

	/* Sections, keys, list items, run words. */
	t = repeat("", "[kmeans]\n", SUITE_MAX_SECTIONS, "");
	mem_ok(t, &s);
	assert_int_equal(s.nsections, SUITE_MAX_SECTIONS);
	suite_free(&s);
	free(t);
	t = repeat("", "[kmeans]\n", SUITE_MAX_SECTIONS + 1, "");
	assert_string_equal(mem_err(t, strlen(t), err, sizeof err),
			    "t.suite:257: more than 256 sections; split the suite into several files");
	free(t);

	t = repeat("[kmeans]\nsamples = 1", ",1", SUITE_MAX_ITEMS - 1, "\n");
	mem_ok(t, &s);
	suite_free(&s);
	free(t);
	t = repeat("[kmeans]\nsamples = 1", ",1", SUITE_MAX_ITEMS, "\n");
	assert_string_equal(mem_err(t, strlen(t), err, sizeof err), "t.suite:2: 'samples' sweeps more than 100 values");
	free(t);
	t = repeat("[suite]\nvariants = v", ",v", SUITE_MAX_ITEMS, "\n[kmeans]\n");
	assert_string_equal(mem_err(t, strlen(t), err, sizeof err), "t.suite:2: 'variants' names more than 100 variants");
	free(t);

	char *keys = malloc(SUITE_MAX_KEYS * 16 + 64), *q = keys;
	assert_non_null(keys);
	q += sprintf(q, "[kmeans]\n");
	for (int i = 0; i <= SUITE_MAX_KEYS; i++)
		q += sprintf(q, "k%d = 1\n", i);
	assert_string_equal(mem_err(keys, strlen(keys), err, sizeof err), "t.suite:130: more than 128 keys in [kmeans]");
	free(keys);

	t = repeat("[command x]\nrun = a", " b", SUITE_MAX_WORDS, "\n");
	assert_string_equal(mem_err(t, strlen(t), err, sizeof err), "t.suite:2: 'run' has more than 256 words");
	free(t);
	t = repeat("[kmeans]\nenv = A=1", " A=1", SUITE_MAX_WORDS, "\n");
	assert_string_equal(mem_err(t, strlen(t), err, sizeof err), "t.suite:2: 'env' sets more than 256 variables in this section");
	free(t);
	keys = malloc(SUITE_MAX_WORDS * 16 + 64);
	assert_non_null(keys);
	q = keys + sprintf(keys, "[kmeans]\n");
	for (int i = 0; i <= SUITE_MAX_WORDS; i++)
		q += sprintf(q, "%s V%d=1", i % 64 ? "" : "\nenv =", i);
	sprintf(q, "\n");
	assert_string_equal(mem_err(keys, strlen(keys), err, sizeof err),
			    "t.suite:7: 'env' sets more than 256 variables in this section");
	free(keys);
	t = repeat("[kmeans]\nlabel = ", "x", 257, "\n");
	assert_string_equal(mem_err(t, strlen(t), err, sizeof err), "t.suite:2: 'label' is longer than 256 bytes");
	free(t);

	/* The whole file: at most SUITE_MAX_BYTES. */
	size_t big = SUITE_MAX_BYTES + 1;
	char *b = malloc(big);
	assert_non_null(b);
	memset(b, '\n', big);
	memcpy(b, "[kmeans]", 8);
	assert_string_equal(mem_err(b, big, err, sizeof err),
			    "t.suite: the file is larger than 1024 KiB, the most a suite may be");
	mem_ok("[kmeans]", &s); /* no newline at the end */
	suite_free(&s);
	assert_int_equal(suite_load_mem("t.suite", b, big - 1, &s, err, sizeof err), 0);
	suite_free(&s);

	/* And from a file. */
	char dir[] = "/tmp/test_suite.XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/big.suite", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, big, f), big);
	fclose(f);
	char want[256];
	snprintf(want, sizeof want, "%s: the file is larger than 1024 KiB, the most a suite may be", path);
	assert_int_not_equal(suite_load(path, &s, err, sizeof err), 0);
	assert_string_equal(err, want);
	unlink(path);
	snprintf(want, sizeof want, "%s: cannot read the suite file (No such file or directory); give the path of a suite file (docs/suites.md)", path);
	assert_int_not_equal(suite_load(path, &s, err, sizeof err), 0);
	assert_string_equal(err, want);
	snprintf(want, sizeof want, "%s: cannot read the suite file (Is a directory); give the path of a suite file (docs/suites.md)", dir);
	assert_int_not_equal(suite_load(dir, &s, err, sizeof err), 0);
	assert_string_equal(err, want);
	rmdir(dir);
	free(b);

	/* A message buffer too small is cut, not overrun. */
	char tiny[12];
	memset(tiny, 'x', sizeof tiny);
	assert_int_not_equal(suite_load_mem("t.suite", "reps\n", 5, &s, tiny, sizeof tiny), 0);
	assert_string_equal(tiny, "t.suite:1: ");
}

/* ---- Clamping and placeholders ---------------------------------------------------- */

static void clamping(void **state)
{
	(void)state;
	struct suite s;
	struct suite_plan p;
	mem_ok("[suite]\ncpus = 4\nmemory = 64G\n"
	       "[kmeans a]\n"
	       "[kmeans b]\ncpuset = 0\ncpus = 2\n"
	       "[kmeans c]\ncpus = 0.5\nmemory = 1G\n"
	       "[kmeans d]\ncpus = none\ncpuset = 1-2\nthreads = {cpus}\n"
	       "[kmeans e]\ncpus = none\nthreads = {cpus}, {visible-cpus}, {cpu}\n",
	       &s);
	const struct suite_machine m = { 3, 8, 16 * GiB };
	assert_int_equal(suite_requests(&s, &m, &p), 5);
	assert_true(p.items[0].rq.cpus == 3);
	assert_int_equal(p.items[0].rq.memory, 16 * GiB);
	assert_true(p.items[1].rq.cpus == 1); /* the cpuset holds one CPU */
	assert_true(p.items[2].rq.cpus == 0.5);
	assert_int_equal(p.items[2].rq.memory, GiB);
	assert_true(p.items[3].rq.cpus == 0);
	assert_string_equal(p.items[3].rq.cpuset, "1-2");
	LIST(p.items[3].rq.wargs, p.items[3].rq.nwargs, "--threads", "2"); /* the cpuset's CPUs */
	/* No limit: the machine's effective CPUs; an unknown {name} stays. */
	LIST(p.items[4].rq.wargs, p.items[4].rq.nwargs, "--threads", "3,8,{cpu}");
	static const char *const notes[] = {
		"t.suite:2: cpus 4 clamped to 3 (this machine's effective CPUs)",
		"t.suite:3: memory 64G clamped to 16.0 GiB (this machine's memory)",
		"t.suite:7: cpus 2 clamped to 1 (the CPUs of cpuset 0)",
		"t.suite:14: threads = {cpus} becomes threads = 2 on this machine",
		"t.suite:17: threads = {cpus},{visible-cpus},{cpu} becomes threads = 3,8,{cpu} on this machine",
	};
	assert_notes(&p, notes, sizeof notes / sizeof notes[0]);
	suite_plan_free(&p);

	/* A machine whose numbers are unknown (0): nothing is clamped. */
	const struct suite_machine unknown = { 0, 0, 0 };
	suite_requests(&s, &unknown, &p);
	assert_true(p.items[0].rq.cpus == 4);
	assert_int_equal(p.items[0].rq.memory, 64 * GiB);
	LIST(p.items[4].rq.wargs, p.items[4].rq.nwargs, "--threads", "1,0,{cpu}");
	suite_plan_free(&p);

	/* {cpus} of a fractional quota rounds up. */
	const struct suite_machine frac = { 1.5, 2, 16 * GiB };
	suite_requests(&s, &frac, &p);
	LIST(p.items[4].rq.wargs, p.items[4].rq.nwargs, "--threads", "2,2,{cpu}");
	suite_plan_free(&p);
	suite_free(&s);
}

/* ---- Errors of the planner, placed on their line ---------------------------------- */

static void locate(void **state)
{
	(void)state;
	struct suite s;
	struct suite_plan p;
	char out[512];
	load_ok(SUITES "good-full.suite", &s);
	const struct suite_machine m = { 2, 2, 24 * GiB };
	suite_requests(&s, &m, &p);
	suite_free(&s); /* the plan stands alone */
	suite_locate(&p, 0, "kmeans has no parameter --threads; it takes --samples --features", out, sizeof out);
	assert_string_equal(out, SUITES "good-full.suite:21: kmeans has no parameter --threads; it takes --samples --features");
	suite_locate(&p, 0, "the musl variant of kmeans was not built (x is missing)", out, sizeof out);
	assert_string_equal(out, SUITES "good-full.suite:3: the musl variant of kmeans was not built (x is missing)");
	suite_locate(&p, 1, "there is no variant 'musl' here (see 'benchtop workloads')", out, sizeof out);
	assert_string_equal(out, SUITES "good-full.suite:24: there is no variant 'musl' here (see 'benchtop workloads')");
	suite_locate(&p, 1, "--reps of forest lacks its value", out, sizeof out);
	assert_string_equal(out, SUITES "good-full.suite:34: --reps of forest lacks its value");
	suite_locate(&p, 0, "that makes more than 10000 runs; sweep fewer values or make fewer repetitions", out, sizeof out);
	assert_string_equal(out, SUITES "good-full.suite:16: that makes more than 10000 runs; sweep fewer values or make fewer repetitions");
	suite_locate(&p, 2, "--nope -- --", out, sizeof out);
	assert_string_equal(out, SUITES "good-full.suite:36: --nope -- --");
	suite_plan_free(&p);
}

/* ---- The shipped suites ------------------------------------------------------------- */

static void shipped(void **state)
{
	(void)state;
	struct suite s;
	struct suite_plan p;
	const struct suite_machine m = { 2, 2, 24 * GiB };

	load_ok(SHIPPED "seed.suite", &s);
	assert_int_equal(suite_requests(&s, &m, &p), 3);
	const struct plan_request *rq = &p.items[0].rq;
	assert_string_equal(rq->workload, "kmeans");
	LIST(rq->variants, rq->nvariants, "glibc", "musl");
	assert_true(rq->cpus == 2);
	assert_int_equal(rq->memory, 8 * GiB);
	assert_int_equal(rq->reps, 5);
	assert_false(rq->blocked);
	LIST(rq->wargs, rq->nwargs, "--samples", "100000,500000", "--features", "128", "--clusters", "5,7", "--n-init",
	     "10", "--max-iter", "300", "--seed", "42");
	assert_string_equal(p.items[1].rq.workload, "forest");
	assert_string_equal(p.items[1].params[2].value, "1,10,100");
	assert_string_equal(p.items[2].rq.workload, "pgio");
	LIST(p.items[2].rq.wargs, p.items[2].rq.nwargs, "--users", "100000", "--batch", "1000");
	assert_int_equal(p.interval_ms, 100);
	assert_int_equal(p.nnotes, 1);
	assert_non_null(strstr(p.notes[0], "seed.suite:24: cpus 6 clamped to 2 (this machine's effective CPUs)"));
	suite_plan_free(&p);
	suite_free(&s);

	load_ok(SHIPPED "libc-micro.suite", &s);
	assert_int_equal(suite_requests(&s, &m, &p), 1);
	rq = &p.items[0].rq;
	assert_string_equal(rq->workload, "micro");
	LIST(rq->variants, rq->nvariants, "glibc", "musl", "glibc+jemalloc", "glibc+mimalloc");
	assert_string_equal(rq->wargs[0], "--case");
	assert_string_equal(rq->wargs[1], "malloc1,memcpy,memset,strlen,qsort,math,snprintf,malloc,thread");
	suite_plan_free(&p);
	suite_free(&s);

	load_ok(SHIPPED "oversubscription.suite", &s);
	assert_int_equal(suite_requests(&s, &m, &p), 3);
	rq = &p.items[0].rq;
	assert_true(rq->cpus == 1);
	assert_string_equal(rq->wargs[rq->nwargs - 2], "--threads");
	assert_string_equal(rq->wargs[rq->nwargs - 1], "2,1"); /* visible against the quota */
	assert_null(p.items[1].rq.workload);
	assert_int_equal(p.items[1].rq.nenv, 0);
	LIST(p.items[1].rq.variants, p.items[1].rq.nvariants, "blas-default");
	assert_int_equal(p.items[1].rq.blas_threads, 0);  /* OpenBLAS's own choice */
	assert_int_equal(p.items[2].rq.blas_threads, -1); /* the run's CPUs */
	assert_int_equal(p.items[2].rq.nenv, 0);
	LIST(p.items[2].rq.variants, p.items[2].rq.nvariants, "blas-at-limit");
	assert_string_equal(p.items[1].rq.argv[2], p.items[2].rq.argv[2]); /* the same work */
	suite_plan_free(&p);
	suite_free(&s);
}

/* blas-threads: [suite]'s for every section, a section's own, or none. */
static void blas_threads(void **state)
{
	(void)state;
	struct suite s;
	struct suite_plan p;
	const struct suite_machine m = { 2, 2, 24 * GiB };
	mem_ok("[suite]\nblas-threads = auto\n[command a]\nrun = true\n[command b]\nblas-threads = 3\nrun = true\n"
	       "[command c]\nblas-threads = none\nrun = true\n[kmeans]\n", &s);
	assert_int_equal(suite_requests(&s, &m, &p), 4);
	assert_int_equal(p.items[0].rq.blas_threads, -1);
	assert_int_equal(p.items[1].rq.blas_threads, 3);
	assert_int_equal(p.items[2].rq.blas_threads, 0);
	assert_int_equal(p.items[3].rq.blas_threads, -1);
	assert_int_equal(p.items[3].nparams, 0); /* a setting, not a parameter of kmeans */
	suite_plan_free(&p);
	suite_free(&s);
	char err[256];
	assert_string_equal(MEM_ERR("[kmeans]\nblas-threads = 4097\n"),
			    "t.suite:2: 'blas-threads' takes auto (the CPUs each run may use), a count from 1 to 4096, or none, not '4097'");
	assert_string_equal(MEM_ERR("[kmeans]\nblas-threads = +2\n"),
			    "t.suite:2: 'blas-threads' takes auto (the CPUs each run may use), a count from 1 to 4096, or none, not '+2'");
}

static void free_zeroed(void **state)
{
	(void)state;
	struct suite s;
	struct suite_plan p;
	memset(&s, 0, sizeof s);
	memset(&p, 0, sizeof p);
	suite_free(&s);
	suite_free(NULL);
	suite_plan_free(&p);
	suite_plan_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_file),
		cmocka_unit_test(defaults),
		cmocka_unit_test(bad_file_sentences),
		cmocka_unit_test(every_bad_fixture_checked),
		cmocka_unit_test(text_rules),
		cmocka_unit_test(bounds),
		cmocka_unit_test(clamping),
		cmocka_unit_test(locate),
		cmocka_unit_test(shipped),
		cmocka_unit_test(blas_threads),
		cmocka_unit_test(free_zeroed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
