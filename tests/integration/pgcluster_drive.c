/* pgcluster_drive — drives src/pgcluster for test_pgcluster.sh: starts a
 * throwaway cluster, prints "dir DIR", "pid PID" and "conninfo ..." on
 * stdout, then holds it until stdin reaches its end or SIGINT/SIGTERM
 * arrives, stops it and prints "stopped". A signal is re-raised after the
 * cleanup, as a well-behaved program does. Exit 1 with the error sentence on
 * stderr when start or stop fails. */
#include "pgcluster.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal; /* no SA_RESTART: read() must return */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void reraise(void)
{
	if (!got_signal)
		return;
	signal(got_signal, SIG_DFL);
	raise(got_signal);
}

int main(void)
{
	char err[1024];
	struct pgcluster *c;
	catch_signals();
	if (pgcluster_start(&c, &got_signal, err, sizeof err) < 0) {
		fprintf(stderr, "pgcluster_drive: %s.\n", err);
		reraise();
		return 1;
	}
	printf("dir %s\npid %ld\nconninfo %s\n", pgcluster_dir(c), (long)pgcluster_pid(c), pgcluster_conninfo(c));
	fflush(stdout);
	char buf[256];
	while (!got_signal) {
		ssize_t n = read(0, buf, sizeof buf);
		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	int rc = pgcluster_stop(c, err, sizeof err);
	if (rc < 0)
		fprintf(stderr, "pgcluster_drive: %s.\n", err);
	printf("stopped\n");
	fflush(stdout);
	reraise();
	return rc < 0;
}
