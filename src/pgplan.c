/* pgplan — see pgplan.h. */
#include "pgplan.h"
#include "pgcluster.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t cancelled;

static void on_signal(int sig)
{
	(void)sig;
	cancelled = 1;
}

static bool needs_server(const struct run_spec *r)
{
	if (strcmp(r->workload, "pgio") != 0 || !r->params || !r->params[0])
		return false; /* a command named pgio is not ours */
	for (char **a = r->argv + 1; *a; a++)
		if (strcmp(*a, "--pg") == 0 || strncmp(*a, "--pg=", 5) == 0)
			return false;
	return true;
}

static void add_pg_arg(struct run_spec *r, const char *conninfo)
{
	size_t n = 0;
	while (r->argv[n])
		n++;
	r->argv = xreallocarray(r->argv, n + 3, sizeof(char *));
	r->argv[n] = xstrdup("--pg");
	r->argv[n + 1] = xstrdup(conninfo);
	r->argv[n + 2] = NULL;
}

int pgplan_prepare(struct plan *plan, struct pgcluster **out, char *err, size_t errlen)
{
	*out = NULL;
	bool need = false;
	for (size_t i = 0; i < plan->n && !need; i++)
		need = needs_server(&plan->runs[i]);
	if (!need)
		return 0;
	/* Ctrl-C while initdb runs must stop it and remove its directory. */
	struct sigaction sa, old_int, old_term;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	cancelled = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	fprintf(stderr, "benchtop: starting a throwaway PostgreSQL cluster for pgio (unix socket only)...\n");
	char e[512];
	int rc = pgcluster_start(out, &cancelled, e, sizeof e);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start a PostgreSQL server for pgio (%s); give one with --pg CONNINFO", e);
		*out = NULL;
		return -1;
	}
	for (size_t i = 0; i < plan->n; i++)
		if (needs_server(&plan->runs[i]))
			add_pg_arg(&plan->runs[i], pgcluster_conninfo(*out));
	return 0;
}

void pgplan_finish(struct pgcluster *c)
{
	if (!c)
		return;
	/* Signals wait until the server is stopped and its directory gone. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	char e[512];
	if (pgcluster_stop(c, e, sizeof e) != 0)
		fprintf(stderr, "benchtop: stopping the throwaway PostgreSQL cluster: %s.\n", e);
	sigprocmask(SIG_SETMASK, &old, NULL);
}
