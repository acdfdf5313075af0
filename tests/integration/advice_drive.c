/* advice_drive — drives src/advice for test_advice.sh until a benchtop
 * command shows findings: reads a trace and prints every run's findings.
 *
 *   advice_drive [--json] [--cpuinfo FILE] TRACE
 *
 * --cpuinfo FILE gives the CPU's flags from a /proc/cpuinfo text for traces
 * whose META has no cpu_flags key (written before benchtop recorded it);
 * a cpu_flags key in the trace wins. Exit 0, or 1 with one sentence when
 * the trace cannot be read, 2 for bad usage. */
#include "advice.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
	fprintf(stderr, "usage: advice_drive [--json] [--cpuinfo FILE] TRACE\n");
	return 2;
}

/* A META record of our own with the flags of a cpuinfo file. */
static bool feed_cpuinfo(struct advice *a, const char *path)
{
	char *text = NULL;
	if (bt_read_file_alloc(path, &text, 16 << 20) <= 0) {
		fprintf(stderr, "advice_drive: cannot read %s.\n", path);
		free(text);
		return false;
	}
	static char flags[8192];
	bool ok = advice_cpuinfo_flags(text, flags, sizeof flags);
	free(text);
	if (!ok) {
		fprintf(stderr, "advice_drive: %s has no flags line.\n", path);
		return false;
	}
	struct bt_kv kv[] = { { "cpu_flags", flags } };
	struct bt_record rec = { .type = TR_META, .nkv = 1, .kv = kv };
	advice_add(a, &rec);
	return true;
}

int main(int argc, char **argv)
{
	bool json = false;
	const char *cpuinfo = NULL, *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--cpuinfo") == 0 && i + 1 < argc)
			cpuinfo = argv[++i];
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else
			return usage();
	}
	if (!path)
		return usage();
	struct advice a;
	advice_init(&a);
	if (cpuinfo && !feed_cpuinfo(&a, cpuinfo)) {
		advice_free(&a);
		return 1;
	}
	char err[256];
	struct bt_trace_reader *rd = trace_reader_open(path, err, sizeof err);
	if (!rd) {
		fprintf(stderr, "advice_drive: %s\n", err);
		advice_free(&a);
		return 1;
	}
	struct bt_record rec;
	while (trace_reader_next(rd, &rec) == 1)
		advice_add(&a, &rec);
	if (json)
		advice_print_json(stdout, &a);
	else
		advice_print_text(stdout, &a);
	const char *problem = trace_reader_problem(rd);
	if (problem)
		fprintf(stderr, "advice_drive: note: %s\n", problem);
	trace_reader_free(rd);
	advice_free(&a);
	return 0;
}
