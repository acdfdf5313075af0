/* workloads_cmd — see workloads_cmd.h. */
#include "workloads_cmd.h"
#include "catalog.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct listing {
	const char *name;
	struct catalog_desc desc;
	bool have_desc;
	char desc_err[512];
	struct catalog_bin *bins; /* one per variant */
};

static void collect(const char *dir, char **variants, size_t nv, struct listing *l)
{
	l->bins = xcalloc(nv ? nv : 1, sizeof(*l->bins));
	const char *describe_from = NULL;
	for (size_t v = 0; v < nv; v++) {
		char err[512];
		if (catalog_resolve(dir, l->name, variants[v], &l->bins[v], err, sizeof err) == 0 && !describe_from)
			describe_from = l->bins[v].path;
	}
	if (describe_from)
		l->have_desc = catalog_describe(describe_from, &l->desc, l->desc_err, sizeof l->desc_err) == 0;
	else
		snprintf(l->desc_err, sizeof l->desc_err, "no variant of it was built");
}

static void print_text(const char *dir, char **variants, size_t nv, struct listing *ls, size_t n)
{
	printf("Built-in workloads (binaries in %s)\n", dir);
	for (size_t i = 0; i < n; i++) {
		struct listing *l = &ls[i];
		printf("\n%s%s%s\n", l->name, l->have_desc ? " - " : "", l->have_desc ? l->desc.about : "");
		if (!l->have_desc)
			printf("  (parameters unknown: %s)\n", l->desc_err);
		for (size_t p = 0; l->have_desc && p < l->desc.nparams; p++) {
			char opt[64];
			snprintf(opt, sizeof opt, "--%s %s", l->desc.params[p].name, l->desc.params[p].def);
			printf("  %-26s %s\n", opt, l->desc.params[p].help);
		}
		printf("  variants:\n");
		for (size_t v = 0; v < nv; v++) {
			const struct catalog_bin *b = &l->bins[v];
			if (b->present)
				printf("    %-24s %s\n    %-24s   %s\n", variants[v], b->libc, "", b->path);
			else if (strcmp(variants[v], "glibc") == 0 || strcmp(variants[v], "musl") == 0)
				printf("    %-24s (not built)\n", variants[v]); /* the others are per workload */
		}
	}
	printf("\nRun one: benchtop record -o FILE [--variant V]... NAME [--PARAM VALUE]...\n");
}

static void print_json(const char *dir, char **variants, size_t nv, struct listing *ls, size_t n)
{
	fputs("{\"dir\":", stdout);
	bt_json_string(stdout, dir);
	fputs(",\"binaries\":[", stdout);
	bool first = true;
	for (size_t i = 0; i < n; i++)
		for (size_t v = 0; v < nv; v++) {
			const struct catalog_bin *b = &ls[i].bins[v];
			if (!b->present)
				continue;
			fputs(first ? "\n{\"name\":" : ",\n{\"name\":", stdout);
			first = false;
			bt_json_string(stdout, ls[i].name);
			fputs(",\"variant\":", stdout);
			bt_json_string(stdout, variants[v]);
			fputs(",\"path\":", stdout);
			bt_json_string(stdout, b->path);
			fputs(",\"libc\":", stdout);
			bt_json_string(stdout, b->libc);
			fputs(",\"preload\":", stdout);
			bt_json_string(stdout, b->preload);
			fputc('}', stdout);
		}
	fputs("],\n\"workloads\":[", stdout);
	for (size_t i = 0; i < n; i++) {
		const struct listing *l = &ls[i];
		fputs(i ? ",\n{\"name\":" : "\n{\"name\":", stdout);
		bt_json_string(stdout, l->name);
		fputs(",\"about\":", stdout);
		bt_json_string(stdout, l->have_desc ? l->desc.about : "");
		fputs(",\"params\":[", stdout);
		for (size_t p = 0; l->have_desc && p < l->desc.nparams; p++) {
			fputs(p ? ",{\"name\":" : "{\"name\":", stdout);
			bt_json_string(stdout, l->desc.params[p].name);
			fputs(",\"default\":", stdout);
			bt_json_string(stdout, l->desc.params[p].def);
			fputs(",\"help\":", stdout);
			bt_json_string(stdout, l->desc.params[p].help);
			fputc('}', stdout);
		}
		fputs("],\"variants\":[", stdout);
		bool f2 = true;
		for (size_t v = 0; v < nv; v++)
			if (l->bins[v].present) {
				fputs(f2 ? "" : ",", stdout);
				f2 = false;
				bt_json_string(stdout, variants[v]);
			}
		fputs("]}", stdout);
	}
	fputs("]}\n", stdout);
}

int workloads_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *format = "text";
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'h':
			puts("usage: benchtop workloads [--format text|json]\n\n"
			     "Lists the built-in workloads, their parameters and defaults, and per\n"
			     "variant (glibc, musl, allocators...) the binary and the libc it is\n"
			     "linked with, read from the file itself.");
			return 0;
		default:
			fprintf(stderr, "benchtop workloads: option '%s' is unknown or lacks its value; see 'benchtop workloads --help'.\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "benchtop workloads: unexpected argument '%s'; see 'benchtop workloads --help'.\n", argv[optind]);
		return 2;
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		fprintf(stderr, "benchtop workloads: --format takes text or json, not '%s'.\n", format);
		return 2;
	}
	char dir[4096], err[1024];
	if (!catalog_dir(dir, sizeof dir, err, sizeof err)) {
		fprintf(stderr, "benchtop workloads: %s.\n", err);
		return 1;
	}
	char **variants;
	size_t nv = catalog_variants(dir, &variants);
	const char *const *names;
	size_t n = catalog_builtins(&names);
	struct listing *ls = xcalloc(n, sizeof(*ls));
	for (size_t i = 0; i < n; i++) {
		ls[i].name = names[i];
		collect(dir, variants, nv, &ls[i]);
	}
	if (strcmp(format, "json") == 0)
		print_json(dir, variants, nv, ls, n);
	else
		print_text(dir, variants, nv, ls, n);
	for (size_t i = 0; i < n; i++) {
		catalog_desc_free(&ls[i].desc);
		free(ls[i].bins);
	}
	free(ls);
	catalog_free_names(variants, nv);
	return 0;
}
