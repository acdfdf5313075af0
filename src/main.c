/* main — command dispatch. Each command lives in its own module; this file
 * only picks one and owns nothing else. */
#include "compare.h"
#include "export.h"
#include "record.h"
#include "replay.h"
#include "run_cmd.h"
#include "sysinfo.h"
#include "util.h"
#include "workloads_cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: benchtop [COMMAND [options]]\n"
	      "\n"
	      "  (no command)          the interactive screen on a short built-in comparison\n"
	      "  run [options] WORKLOAD [--PARAM VALUE]... | -- CMD [ARGS...]\n"
	      "                        like record, shown live on the interactive screen\n"
	      "  record -o FILE [options] WORKLOAD [--PARAM VALUE]... | -- CMD [ARGS...]\n"
	      "                        run a built-in workload's variants or CMD, each run in its\n"
	      "                        own cgroup, sample them, write a trace\n"
	      "  replay FILE           show a trace in the interactive screen, with time controls\n"
	      "  compare TRACE... [--baseline VARIANT] [--format table|markdown|json|csv]\n"
	      "                        variants against a baseline: medians, ratios with 95 % CIs,\n"
	      "                        Mann-Whitney p-values, verdicts, findings\n"
	      "  workloads [--format text|json]\n"
	      "                        the built-in workloads, their parameters and variants\n"
	      "  export FILE [--format csv|json] [--summary] [-o OUT]\n"
	      "                        a trace as rows per run per tick, or one row per run\n"
	      "  info [--format text|json] [--root DIR]\n"
	      "                        the limits and settings a measurement here runs under\n"
	      "\n"
	      "  benchtop COMMAND --help   options of a command\n"
	      "  benchtop --version\n",
	      f);
}

static int info_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' }, { "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *root = "", *format = "text";
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'r': root = optarg; break;
		case 'h':
			puts("usage: benchtop info [--format text|json] [--root DIR]\n\n"
			     "Shows kernel, libc, cgroup version and benchtop's own cgroup, visible and\n"
			     "effective CPUs, memory and its limit, BLAS thread settings, PSI and perf.\n"
			     "--root DIR reads /proc and /sys under DIR (a container's root, a fixture).");
			return 0;
		default:
			fprintf(stderr, "benchtop info: option '%s' is unknown or lacks its value; see 'benchtop info --help'.\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "benchtop info: unexpected argument '%s'; see 'benchtop info --help'.\n", argv[optind]);
		return 2;
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		fprintf(stderr, "benchtop info: --format takes text or json, not '%s'.\n", format);
		return 2;
	}
	if (root[0]) {
		char p[4096];
		FILE *t = fopen(bt_path(p, sizeof p, root, "/proc/self/cgroup") ? p : "", "r");
		if (!t) {
			fprintf(stderr, "benchtop info: %s has no proc/self/cgroup; --root takes a directory holding proc/ and sys/.\n", root);
			return 2;
		}
		fclose(t);
	}
	struct bt_sysinfo in;
	sysinfo_collect(&in, root);
	if (strcmp(format, "json") == 0)
		sysinfo_print_json(stdout, &in);
	else
		sysinfo_print_text(stdout, &in);
	sysinfo_done(&in);
	return 0;
}

static int export_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' }, { "output", required_argument, NULL, 'o' },
		{ "summary", no_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "csv", *outpath = NULL;
	bool summary = false;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:o:sh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'o': outpath = optarg; break;
		case 's': summary = true; break;
		case 'h':
			puts("usage: benchtop export FILE [--format csv|json] [--summary] [-o OUT]\n\n"
			     "Writes one row per run per tick (columns in docs/export.md), or with\n"
			     "--summary one row per run. A trace that was cut exports what it has.");
			return 0;
		default:
			fprintf(stderr, "benchtop export: option '%s' is unknown or lacks its value; see 'benchtop export --help'.\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "benchtop export: give exactly one trace file; see 'benchtop export --help'.\n");
		return 2;
	}
	enum export_format fmt;
	if (strcmp(format, "csv") == 0)
		fmt = EXPORT_CSV;
	else if (strcmp(format, "json") == 0)
		fmt = EXPORT_JSON;
	else {
		fprintf(stderr, "benchtop export: --format takes csv or json, not '%s'.\n", format);
		return 2;
	}
	FILE *out = stdout;
	if (outpath && !(out = fopen(outpath, "w"))) {
		fprintf(stderr, "benchtop export: cannot write %s: %m.\n", outpath);
		return 1;
	}
	char err[512], note[512];
	int rc = export_trace(argv[optind], fmt, summary, out, err, sizeof err, note, sizeof note);
	if (out != stdout && fclose(out) != 0 && !rc) {
		fprintf(stderr, "benchtop export: writing %s failed: %m.\n", outpath);
		rc = 1;
	}
	if (rc) {
		fprintf(stderr, "benchtop export: %s.\n", err);
		if (outpath)
			remove(outpath);
		return 1;
	}
	if (note[0])
		fprintf(stderr, "benchtop export: note: %s.\n", note);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		/* No command: the screen, on a short built-in comparison. */
		char *demo[] = { "run", NULL };
		return run_main(1, demo);
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("benchtop %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "record") == 0)
		return record_main(argc - 1, argv + 1);
	if (strcmp(cmd, "replay") == 0)
		return replay_main(argc - 1, argv + 1);
	if (strcmp(cmd, "run") == 0)
		return run_main(argc - 1, argv + 1);
	if (strcmp(cmd, "export") == 0)
		return export_main(argc - 1, argv + 1);
	if (strcmp(cmd, "info") == 0)
		return info_main(argc - 1, argv + 1);
	if (strcmp(cmd, "workloads") == 0)
		return workloads_main(argc - 1, argv + 1);
	if (strcmp(cmd, "compare") == 0)
		return compare_main(argc - 1, argv + 1);
	fprintf(stderr, "benchtop: '%s' is not a benchtop command; see 'benchtop --help'.\n", cmd);
	return 2;
}
