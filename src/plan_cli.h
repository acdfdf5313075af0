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
	const char **variants;
	size_t nvariants, varcap;
	char **env;
	size_t nenv, envcap;
};

/* Parses argv (argv[0] is the command's name). run: -o is optional and
 * --no-record is allowed. Returns 0; -1 when --help was printed (with
 * usage); 2 after one sentence on stderr. Free with plan_cli_free. */
int plan_cli_parse(struct plan_cli *o, const char *cmd, bool run, int argc, char **argv, void (*usage)(FILE *));
/* The plan the options describe (appended to plan). 0, or -1 with err. */
int plan_cli_build(const struct plan_cli *o, struct plan *plan, char *err, size_t errlen);
void plan_cli_free(struct plan_cli *o);

#endif
