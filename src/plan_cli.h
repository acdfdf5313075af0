/* plan_cli — the options `record` and `run` share: the trace, limits,
 * variants, repetitions, order, environment, and what to run (a built-in
 * workload with its parameters, a command after --, or the built-in default),
 * turned into a plan. Errors are one sentence on stderr naming the command. */
#ifndef BT_PLAN_CLI_H
#define BT_PLAN_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "planner.h"
#include "session.h"

struct plan_cli {
	const char *cmd; /* "record" or "run", for messages */
	struct session_opts s;
	struct plan_request rq;
	bool no_record; /* run: no trace */
	const char *suite; /* --suite FILE: the plan comes from it */
	bool interval_given;
	bool dry_run; /* --dry-run: print the plan, run nothing */
	const char **variants;
	size_t nvariants, varcap;
	char **env;
	size_t nenv, envcap;
};

/* Parses argv (argv[0] is the command's name). run: -o is optional and
 * --no-record is allowed. Returns 0; -1 when --help was printed (with
 * usage); 2 after one sentence on stderr. Free with plan_cli_free. */
int plan_cli_parse(struct plan_cli *o, const char *cmd, bool run, int argc, char **argv, void (*usage)(FILE *));
/* The plan the options (or the suite) describe, appended to plan; a suite's
 * interval and timeout are taken when the command line gave none, and its
 * clamping notes go to stderr. 0, or -1 with one sentence in err ("FILE:LINE:
 * ..." for a suite). */
int plan_cli_build(struct plan_cli *o, struct plan *plan, char *err, size_t errlen);
/* parse + build + --dry-run, as record and run both begin: true when the
 * plan is ready to run; false with *status the exit status (0 after --help
 * or --dry-run, 2 after one sentence on stderr), the plan and options freed. */
bool plan_cli_prepare(struct plan_cli *o, const char *cmd, bool run, int argc, char **argv, void (*usage)(FILE *),
		      struct plan *plan, int *status);
/* The plan, one run per entry (what --dry-run prints). */
void plan_cli_print(const struct plan *plan, FILE *out);
void plan_cli_free(struct plan_cli *o);

#endif
