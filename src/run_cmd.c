/* run_cmd — see run_cmd.h. */
#include "run_cmd.h"
#include "pgplan.h"
#include "plan_cli.h"
#include "session.h"
#include "summary.h"
#include "ui/model.h"
#include "ui/ui.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define EXIT_FAIL 125

static void usage(FILE *f)
{
	fputs("usage: benchtop run [options] WORKLOAD [--PARAM VALUE]...\n"
	      "       benchtop run [options] -- CMD [ARGS...]\n"
	      "       benchtop                      (a short demo: k-means on glibc against musl)\n"
	      "\n"
	      "Like 'benchtop record', but shows the runs live on an interactive screen\n"
	      "(press ? for the keys). Every session is also recorded, to -o FILE or to a\n"
	      "new file in $XDG_STATE_HOME/benchtop (~/.local/state/benchtop), so it can be\n"
	      "replayed with 'benchtop replay'. The runs' own output goes to FILE.log.\n"
	      "\n"
	      "  -o, --output FILE     trace file to write (default: in the state directory)\n"
	      "      --no-record       keep no trace\n"
	      "      --force           overwrite FILE if it exists\n"
	      "  -i, --interval MS     sampling interval in ms, 10..10000 (default 100)\n"
	      "      --cpus N          CPU quota in CPUs, fractional\n"
	      "      --cpuset LIST     CPUs the runs may use, e.g. 0-1\n"
	      "      --memory SIZE     memory limit, e.g. 512M, 8G\n"
	      "  -e, --env K=V         an environment variable for the runs (repeatable)\n"
	      "  -l, --label TEXT      a label for the runs\n"
	      "      --variant NAME    a built-in's variant (repeatable: one run each)\n"
	      "      --reps N          repetitions of each run (default 1)\n"
	      "      --warmup N        warm-up runs first (default 0)\n"
	      "      --order ORDER     interleaved (default) or blocked\n"
	      "      --dry-run         print the planned runs and their commands, run nothing\n"
	      "      --suite FILE      runs described by a suite file (docs/suites.md); limits are\n"
	      "                        clamped to this machine, with a note\n"
	      "      --blas-threads N  set OPENBLAS_NUM_THREADS and OMP_NUM_THREADS for the runs;\n"
	      "                        auto: the CPUs each run may use (its quota and cpuset)\n"
	      "      --timeout SEC     stop a run after SEC seconds\n"
	      "      --grace SEC       after SIGTERM, wait SEC before SIGKILL (default 3)\n"
	      "      --no-cgroup       do not create cgroups: measure through /proc only\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "q quits (asking first while runs are going, then stopping them cleanly).\n",
	      f);
}

/* $XDG_STATE_HOME/benchtop/run-YYYYmmdd-HHMMSS.bt, directories made. */
static int default_trace_path(char *buf, size_t size, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	if (xdg && xdg[0] == '/')
		snprintf(dir, sizeof dir, "%s/benchtop", xdg);
	else if (home && home[0] == '/')
		snprintf(dir, sizeof dir, "%s/.local/state/benchtop", home);
	else {
		snprintf(err, errlen, "there is no state directory (HOME and XDG_STATE_HOME are unset): give -o FILE or --no-record");
		return -1;
	}
	/* mkdir -p, one component at a time. */
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %.900s: %s; give -o FILE or --no-record", dir, strerror(errno));
		return -1;
	}
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	char stamp[32];
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	if (snprintf(buf, size, "%s/run-%s-%d.bt", dir, stamp, (int)getpid()) >= (int)size) {
		snprintf(err, errlen, "the state directory's path is too long: give -o FILE");
		return -1;
	}
	return 0;
}

/* ---- benchtop's own messages while the screen is up ---------------------
 * A sentence written to the terminal under curses would be drawn over at
 * once. While the screen is up, stderr goes to an unlinked temporary file:
 * its last line is shown in the screen's footer, and everything is written
 * to the real stderr once the terminal is restored. */

struct errcap {
	int saved; /* the real stderr, -1 when not captured */
	int fd;
	off_t shown;
};

static void errcap_begin(struct errcap *c)
{
	c->saved = c->fd = -1;
	c->shown = 0;
	const char *dir = getenv("TMPDIR");
	if (!dir || dir[0] != '/')
		dir = "/tmp";
	c->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (c->fd < 0) {
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/benchtop-err-XXXXXX", dir);
		c->fd = mkostemp(path, O_CLOEXEC);
		if (c->fd >= 0)
			unlink(path);
	}
	if (c->fd < 0)
		return; /* messages then tear the screen, but still reach the user */
	fflush(stderr);
	c->saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (c->saved < 0 || dup2(c->fd, STDERR_FILENO) < 0) {
		if (c->saved >= 0)
			close(c->saved);
		close(c->fd);
		c->saved = c->fd = -1;
	}
}

/* The last whole line written since the last call, shown as the screen's
 * lasting notice. */
static void errcap_show(struct errcap *c, struct ui *u)
{
	if (c->fd < 0)
		return;
	fflush(stderr);
	struct stat st;
	if (fstat(c->fd, &st) != 0 || st.st_size <= c->shown)
		return;
	char buf[1024];
	off_t from = st.st_size - (off_t)sizeof buf + 1 > c->shown ? st.st_size - (off_t)sizeof buf + 1 : c->shown;
	ssize_t n = pread(c->fd, buf, (size_t)(st.st_size - from), from);
	if (n <= 0)
		return;
	buf[n] = '\0';
	/* the last complete line */
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	char *line = strrchr(buf, '\n');
	line = line ? line + 1 : buf;
	if (line[0]) {
		/* a progress line's carriage return and erase sequence */
		char *cr = strrchr(line, '\r');
		ui_set_problem(u, cr ? cr + 1 : line);
	}
	c->shown = st.st_size;
}

/* The real stderr back, with everything that was written meanwhile. */
static void errcap_end(struct errcap *c)
{
	if (c->saved < 0)
		return;
	fflush(stderr);
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	char buf[4096];
	ssize_t n;
	off_t off = 0;
	/* bounded by the file's size */
	while ((n = pread(c->fd, buf, sizeof buf, off)) > 0) {
		if (write(STDERR_FILENO, buf, (size_t)n) < 0)
			break;
		off += n;
	}
	close(c->fd);
	c->saved = c->fd = -1;
}

struct live {
	struct ui *ui;
	struct errcap err;
	bool quit; /* leave as soon as the runs are stopped */
};

static void on_record(void *ctx, const struct bt_record *rec)
{
	struct live *l = ctx;
	ui_feed(l->ui, rec);
}

static void on_input(void *ctx, struct session *s)
{
	struct live *l = ctx;
	enum ui_action a = ui_handle_input(l->ui);
	if (a == UI_STOP_RUNS || a == UI_QUIT) {
		l->quit = true;
		session_stop(s, "stopped from the screen");
	}
	ui_draw(l->ui, bt_now_ns());
}

static void on_tick(void *ctx, struct session *s, uint64_t now)
{
	struct live *l = ctx;
	errcap_show(&l->err, l->ui);
	ui_set_live(l->ui, session_busy(s));
	ui_draw(l->ui, now);
}

/* After the last run: the screen stays until the user quits. Returns the
 * signal that ended it (SIGINT, SIGTERM, SIGHUP, SIGQUIT), or 0. */
static int linger(struct live *l)
{
	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, &old);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK), sig = 0;
	ui_session_over(l->ui);
	errcap_show(&l->err, l->ui);
	ui_draw(l->ui, bt_now_ns());
	/* Bounded by the user: one wake-up a second (a resize whose signal
	 * went elsewhere), no end otherwise: an interactive screen waits for
	 * its user. */
	for (;;) {
		struct pollfd p[2] = { { ui_input_fd(l->ui), POLLIN, 0 }, { sfd, POLLIN, 0 } };
		int r = poll(p, sfd >= 0 ? 2 : 1, 1000);
		if (r < 0 && errno != EINTR)
			break;
		if (sfd >= 0 && (p[1].revents & POLLIN)) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
				sig = (int)si.ssi_signo;
			break;
		}
		if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			sig = SIGHUP; /* the terminal went away */
			break;
		}
		if (p[0].revents & POLLIN) {
			enum ui_action a = ui_handle_input(l->ui);
			if (a != UI_NONE)
				break;
		}
		ui_draw(l->ui, bt_now_ns());
	}
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return sig;
}

static int run_plan(struct plan_cli *o, struct plan *plan)
{
	char err[1024], path[PATH_MAX], logpath[PATH_MAX + 8];
	/* Everything that can be refused is refused before anything is
	 * created or started: no terminal, a trace that exists. */
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "benchtop run: standard %s is not a terminal, and the screen needs one; 'benchtop record' measures without a screen.\n",
			isatty(STDIN_FILENO) ? "output" : "input");
		return EXIT_USAGE;
	}
	if (o->s.out && !o->s.force && access(o->s.out, F_OK) == 0) {
		fprintf(stderr, "benchtop run: %s already exists; choose another file or pass --force to overwrite it.\n",
			o->s.out);
		return EXIT_USAGE;
	}
	if (!o->s.out && !o->no_record) {
		if (default_trace_path(path, sizeof path, err, sizeof err) != 0) {
			fprintf(stderr, "benchtop run: %s.\n", err);
			return EXIT_FAIL;
		}
		o->s.out = path;
	}
	struct ui_config cfg = { .mode = UI_LIVE, .title = o->s.out ? o->s.out : "(not recorded)" };
	struct live l = { 0 };
	l.ui = ui_open(&cfg, err, sizeof err);
	if (!l.ui) {
		fprintf(stderr, "benchtop run: %s; 'benchtop record' measures without a screen.\n", err);
		return EXIT_USAGE;
	}
	errcap_begin(&l.err);
	for (size_t i = 0; i < plan->n; i++)
		ui_plan_run(l.ui, i + 1, plan->runs[i].workload, plan->runs[i].variant, plan->runs[i].rep);
	ui_draw(l.ui, bt_now_ns());
	/* The runs' output would tear the screen: it goes to a log file. */
	if (o->s.out)
		snprintf(logpath, sizeof logpath, "%s.log", o->s.out);
	else
		snprintf(logpath, sizeof logpath, "/dev/null");
	int logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct pgcluster *pg = NULL;
	int rc = EXIT_FAIL, sig = 0;
	struct summary sum;
	summary_init(&sum);
	struct session_result res;
	memset(&res, 0, sizeof res);
	if (logfd < 0) {
		fprintf(stderr, "benchtop run: cannot create %s: %s; give -o FILE in a directory you may write.\n", logpath,
			strerror(errno));
	} else if (pgplan_prepare(plan, &pg, err, sizeof err) != 0) {
		fprintf(stderr, "benchtop run: %s.\n", err);
	} else {
		o->s.output_fd = logfd;
		o->s.progress = false;
		o->s.quiet = true; /* the screen says it all; errors are kept for after */
		struct session_hooks hooks = { .ctx = &l, .record = on_record, .input_fd = ui_input_fd(l.ui),
					       .input = on_input, .tick = on_tick };
		rc = session_run(&o->s, plan, &hooks, &sum, &res);
		/* The screen stays for the user to look at, unless the user or a
		 * signal asked to go, or nothing could start (the trace could not
		 * be created: the sentence says why, after the screen). */
		if (!l.quit && !res.interrupted && !(o->s.out && res.trace_bytes == 0))
			sig = linger(&l);
	}
	ui_close(l.ui);
	errcap_end(&l.err);
	pgplan_finish(pg);
	if (logfd >= 0)
		close(logfd);
	if (o->s.out && res.trace_bytes > 0 && !res.write_failed)
		printf("benchtop: %zu run%s recorded in %s (replay: benchtop replay %s; the runs' output: %s)\n",
		       sum.nruns, sum.nruns == 1 ? "" : "s", o->s.out, o->s.out, logpath);
	summary_free(&sum);
	return sig ? 128 + sig : rc;
}

int run_main(int argc, char **argv)
{
	struct plan_cli o;
	struct plan plan;
	int rc;
	if (!plan_cli_prepare(&o, "run", true, argc, argv, usage, &plan, &rc))
		return rc;
	rc = run_plan(&o, &plan);
	plan_free(&plan);
	plan_cli_free(&o);
	return rc;
}
