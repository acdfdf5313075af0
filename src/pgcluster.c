/* pgcluster — see pgcluster.h. The children are spawned the tmux way: a
 * close-on-exec pipe tells the parent whether exec (or the privilege drop
 * before it) failed, and why; everything else is waited for by pid with a
 * deadline, polling, so that a caller's cancel flag is honoured within
 * 50 ms. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* setgroups, pipe2, nftw */
#endif
#include "pgcluster.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#define PG_PORT 5432
#define PG_DBNAME "benchtop"
#define PG_SUPERUSER "postgres"
#define INITDB_TIMEOUT 120 /* initdb takes ~1 s; a loaded machine gets slack */
#define SINGLE_TIMEOUT 60

struct pgcluster {
	char dir[PATH_MAX];
	char bindir[PATH_MAX];
	char conninfo[PATH_MAX + 128];
	pid_t pid; /* the postmaster, 0 when none runs */
	bool drop_privileges;
	uid_t uid;
	gid_t gid;
	char user[64];          /* who runs the server (for messages) */
	char env_home[PATH_MAX + 8];
	char env_path[PATH_MAX + 32];
	char *envp[6];
};

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL); /* a signal may cut it short: the callers poll */
}

static bool cancelled(const volatile sig_atomic_t *cancel)
{
	return cancel && *cancel;
}

/* ---- Where things are ---------------------------------------------------- */

static bool is_executable(const char *dir, const char *name)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof p, "%s/%s", dir, name) >= (int)sizeof p)
		return false;
	return access(p, X_OK) == 0;
}

/* The highest /usr/lib/postgresql/N/bin holding initdb. */
static bool find_debian_bindir(char *out, size_t n)
{
	DIR *d = opendir("/usr/lib/postgresql");
	if (!d)
		return false;
	long best = -1;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long v = strtol(e->d_name, &end, 10);
		char bin[PATH_MAX];
		if (end == e->d_name || *end || v <= best)
			continue;
		snprintf(bin, sizeof bin, "/usr/lib/postgresql/%s/bin", e->d_name);
		if (is_executable(bin, "initdb")) {
			best = v;
			snprintf(out, n, "%s", bin);
		}
	}
	closedir(d);
	return best >= 0;
}

static bool find_on_path(const char *name, char *out, size_t n)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		char dir[PATH_MAX];
		if (len > 0 && len < sizeof dir) {
			memcpy(dir, path, len);
			dir[len] = '\0';
			if (is_executable(dir, name)) {
				snprintf(out, n, "%s", dir);
				return true;
			}
		}
		path += len + (path[len] == ':');
	}
	return false;
}

static int find_bindir(struct pgcluster *c, char *err, size_t errlen)
{
	const char *env = getenv("BENCHTOP_PG_BINDIR");
	if (env && *env) {
		if (strlen(env) >= sizeof c->bindir || !is_executable(env, "initdb") ||
		    !is_executable(env, "postgres")) {
			set_err(err, errlen, "BENCHTOP_PG_BINDIR (%s) does not hold the initdb and postgres programs", env);
			return -1;
		}
		snprintf(c->bindir, sizeof c->bindir, "%s", env);
		return 0;
	}
	if (!find_debian_bindir(c->bindir, sizeof c->bindir) &&
	    !find_on_path("initdb", c->bindir, sizeof c->bindir)) {
		set_err(err, errlen, "initdb was not found: install postgresql-15 or set BENCHTOP_PG_BINDIR");
		return -1;
	}
	if (!is_executable(c->bindir, "postgres")) {
		set_err(err, errlen, "there is no postgres program beside %s/initdb: install the PostgreSQL server or set BENCHTOP_PG_BINDIR",
			c->bindir);
		return -1;
	}
	return 0;
}

/* ---- Who runs it ---------------------------------------------------------- */

static int pick_user(struct pgcluster *c, char *err, size_t errlen)
{
	if (geteuid() != 0) {
		c->drop_privileges = false;
		snprintf(c->user, sizeof c->user, "uid %ld", (long)geteuid());
		return 0;
	}
	const char *names[] = { "postgres", "nobody" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		struct passwd *pw = getpwnam(names[i]);
		if (pw && pw->pw_uid != 0) {
			c->drop_privileges = true;
			c->uid = pw->pw_uid;
			c->gid = pw->pw_gid;
			snprintf(c->user, sizeof c->user, "%s", names[i]);
			return 0;
		}
	}
	set_err(err, errlen, "PostgreSQL will not run as root and there is neither a postgres nor a nobody user to run it as");
	return -1;
}

/* ---- The directory --------------------------------------------------------- */

static bool safe_path_chars(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("/._+-", *s))
			return false;
	return true;
}

/* Where the directory goes: $TMPDIR when it suits, else /tmp. The socket
 * path DIR/.s.PGSQL.5432 must fit in sun_path; quoting in
 * unix_socket_directories and conninfo is avoided by plain characters. */
static void temp_base(char *out, size_t n)
{
	const size_t room = sizeof(((struct sockaddr_un *)0)->sun_path) - sizeof "/.s.PGSQL.65535.lock";
	const char *base = getenv("TMPDIR");
	if (!base || !*base || base[0] != '/' || !safe_path_chars(base) || strlen(base) + 14 > room)
		base = "/tmp";
	size_t blen = strlen(base);
	while (blen > 1 && base[blen - 1] == '/')
		blen--;
	snprintf(out, n, "%.*s", (int)blen, base);
}

static long read_pid_file(const char *path)
{
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t got = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (got <= 0)
		return -1;
	buf[got] = '\0';
	char *end;
	long pid = strtol(buf, &end, 10);
	return end != buf && pid > 0 ? pid : -1;
}

static bool process_exists(long pid)
{
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

static int remove_tree(const char *dir, char *err, size_t errlen);

/* Removes what runs killed by SIGKILL left behind in base (their servers
 * stop by themselves, see the header): bt-pg.* directories whose "owner"
 * file names a process that is gone and whose postmaster.pid, if any,
 * names none either. A directory without an owner file is being made. */
static void sweep_stale(const char *base)
{
	DIR *d = opendir(base);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "bt-pg.", 6) != 0 || strlen(e->d_name) != 12)
			continue;
		char path[PATH_MAX];
		if (snprintf(path, sizeof path, "%s/%s/owner", base, e->d_name) >= (int)sizeof path)
			continue;
		long owner = read_pid_file(path);
		if (owner < 0 || process_exists(owner))
			continue;
		snprintf(path, sizeof path, "%s/%s/data/postmaster.pid", base, e->d_name);
		long pm = read_pid_file(path);
		if (pm > 0 && process_exists(pm))
			continue;
		snprintf(path, sizeof path, "%s/%s", base, e->d_name);
		remove_tree(path, NULL, 0);
	}
	closedir(d);
}

/* Creates the directory with its "owner" file (our pid, for sweep_stale). */
static int make_dir(struct pgcluster *c, const char *base, char *err, size_t errlen)
{
	snprintf(c->dir, sizeof c->dir, "%s/bt-pg.XXXXXX", base);
	if (!mkdtemp(c->dir)) {
		set_err(err, errlen, "could not create a temporary directory in %s (%s)", base, strerror(errno));
		c->dir[0] = '\0';
		return -1;
	}
	char owner[PATH_MAX + 8], pid[24];
	snprintf(owner, sizeof owner, "%s/owner", c->dir);
	int fd = open(owner, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (fd < 0 || write(fd, pid, (size_t)len) != len) {
		set_err(err, errlen, "could not write %s (%s)", owner, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (c->drop_privileges && chown(c->dir, c->uid, c->gid) != 0) {
		set_err(err, errlen, "could not give %s to user %s (%s)", c->dir, c->user, strerror(errno));
		return -1;
	}
	snprintf(c->conninfo, sizeof c->conninfo, "host=%s port=%d dbname=%s user=%s", c->dir, PG_PORT,
		 PG_DBNAME, PG_SUPERUSER);
	/* A fixed, small environment: no PG* variable of the caller leaks in,
	 * messages in C, log times in UTC. */
	snprintf(c->env_home, sizeof c->env_home, "HOME=%s", c->dir);
	snprintf(c->env_path, sizeof c->env_path, "PATH=%s:/usr/bin:/bin", c->bindir);
	c->envp[0] = c->env_home;
	c->envp[1] = c->env_path;
	c->envp[2] = "LC_ALL=C";
	c->envp[3] = "LANG=C";
	c->envp[4] = "TZ=UTC";
	c->envp[5] = NULL;
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	int rc = (type == FTW_DP) ? rmdir(path) : unlink(path);
	return rc == 0 || errno == ENOENT ? 0 : errno;
}

/* rm -rf DIR, never crossing into another filesystem or following links. */
static int remove_tree(const char *dir, char *err, size_t errlen)
{
	int rc = nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	if (rc == 0 || (rc == -1 && errno == ENOENT))
		return 0;
	set_err(err, errlen, "could not remove %s (%s)", dir, strerror(rc > 0 ? rc : errno));
	return -1;
}

/* ---- Logs ------------------------------------------------------------------ */

/* The most telling line of a log: the last FATAL/PANIC/ERROR/error line, else
 * the last non-empty one; PostgreSQL's "TIME TZ [PID] " prefix is cut. */
static void log_reason(const char *path, char *out, size_t n)
{
	snprintf(out, n, "nothing");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	char buf[16384];
	off_t size = lseek(fd, 0, SEEK_END);
	off_t from = size > (off_t)sizeof buf - 1 ? size - (off_t)sizeof buf + 1 : 0;
	ssize_t got = pread(fd, buf, sizeof buf - 1, from);
	close(fd);
	if (got <= 0)
		return;
	buf[got] = '\0';
	const char *best = NULL, *last = NULL;
	size_t best_len = 0, last_len = 0;
	for (char *line = buf; *line;) {
		size_t len = strcspn(line, "\n");
		size_t trimmed = len;
		while (trimmed && isspace((unsigned char)line[trimmed - 1]))
			trimmed--;
		if (trimmed) {
			last = line, last_len = trimmed;
			char save = line[len];
			line[len] = '\0';
			if (strstr(line, "FATAL:") || strstr(line, "PANIC:") || strstr(line, "ERROR:") ||
			    strstr(line, "error:"))
				best = line, best_len = trimmed;
			line[len] = save;
		}
		line += len + (line[len] == '\n');
	}
	if (!best)
		best = last, best_len = last_len;
	if (!best)
		return;
	/* "2026-01-02 03:04:05.678 UTC [123] FATAL: ..." -> "FATAL: ..." */
	if (isdigit((unsigned char)best[0])) {
		const char *b = memchr(best, ']', best_len);
		if (b && b + 2 <= best + best_len && b[1] == ' ') {
			best_len -= (size_t)(b + 2 - best);
			best = b + 2;
		}
	}
	snprintf(out, n, "%.*s", (int)best_len, best);
}

/* ---- Children -------------------------------------------------------------- */

struct spawn_fail {
	int stage; /* index into spawn_stage */
	int err;
};
static const char *const spawn_stage[] = { "setsid", "dup2", "chdir", "setgroups", "setgid", "setuid", "exec" };

static void child_report(int fd, int stage)
{
	struct spawn_fail f = { stage, errno };
	ssize_t w = write(fd, &f, sizeof f);
	(void)w;
	_exit(127);
}

/* Closes every fd from 3 up except keep. The caller's fds (benchtop's result
 * pipe among them) must not live on in the server, or a reader would wait
 * for their end. */
static void close_other_fds(int keep)
{
#if defined(__linux__) && defined(SYS_close_range)
	if ((keep == 3 || syscall(SYS_close_range, 3u, (unsigned)keep - 1, 0u) == 0) &&
	    syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u) == 0)
		return;
#endif
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

/* In the child: own session, default signals, fds, directory, user, exec.
 * Only async-signal-safe calls: the caller may have threads. */
static void child_exec(const struct pgcluster *c, char *const argv[], int in_fd, int out_fd, int report,
		       pid_t parent, int deathsig)
{
	/* Any of the three may be 0-2 when the caller closed its stdio: lift
	 * them above before placing them. */
	report = fcntl(report, F_DUPFD_CLOEXEC, 3);
	in_fd = fcntl(in_fd, F_DUPFD_CLOEXEC, 3);
	out_fd = fcntl(out_fd, F_DUPFD_CLOEXEC, 3);
	if (report < 0)
		_exit(127);
	if (in_fd < 0 || out_fd < 0 || dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		child_report(report, 1);
	close_other_fds(report);
	if (setsid() < 0)
		child_report(report, 0);
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL); /* SIGKILL, SIGSTOP and libc's own fail harmlessly */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (chdir(c->dir) < 0)
		child_report(report, 2);
	if (c->drop_privileges) {
		if (setgroups(1, &c->gid) < 0)
			child_report(report, 3);
		if (setgid(c->gid) < 0)
			child_report(report, 4);
		if (setuid(c->uid) < 0)
			child_report(report, 5);
	}
#ifdef __linux__
	/* After setuid, which clears it. */
	prctl(PR_SET_PDEATHSIG, deathsig);
	if (getppid() != parent)
		_exit(1);
#else
	(void)parent;
	(void)deathsig;
#endif
	execve(argv[0], argv, c->envp);
	child_report(report, 6);
}

/* Starts argv (argv[0] a full path) with stdin from in_fd and stdout and
 * stderr to out_fd. Returns the pid, or -1 with a sentence. */
static pid_t spawn(const struct pgcluster *c, char *const argv[], int in_fd, int out_fd, int deathsig, char *err,
		   size_t errlen)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		set_err(err, errlen, "could not create a pipe (%s)", strerror(errno));
		return -1;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		set_err(err, errlen, "could not fork to run %s (%s)", argv[0], strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0)
		child_exec(c, argv, in_fd, out_fd, p[1], parent, deathsig);
	close(p[1]);
	struct spawn_fail f;
	ssize_t got;
	do
		got = read(p[0], &f, sizeof f);
	while (got < 0 && errno == EINTR);
	close(p[0]);
	if (got == (ssize_t)sizeof f) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		const char *stage = f.stage >= 0 && f.stage < (int)(sizeof spawn_stage / sizeof *spawn_stage)
					    ? spawn_stage[f.stage]
					    : "?";
		set_err(err, errlen, "could not run %s as %s%s (%s failed: %s)", argv[0],
			c->drop_privileges ? "user " : "", c->user, stage, strerror(f.err));
		return -1;
	}
	return pid;
}

enum wait_result { WAIT_EXITED, WAIT_TIMEOUT, WAIT_CANCELLED, WAIT_LOST };

/* Waits for our child pid until it exits, the deadline passes or *cancel is
 * set. WAIT_LOST: it is gone but someone else reaped it. */
static enum wait_result wait_child(pid_t pid, double seconds, const volatile sig_atomic_t *cancel, int *status)
{
	double deadline = now_s() + seconds;
	long nap = 5;
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return WAIT_EXITED;
		if (r < 0 && errno == ECHILD)
			return WAIT_LOST;
		if (cancelled(cancel))
			return WAIT_CANCELLED;
		if (now_s() >= deadline)
			return WAIT_TIMEOUT;
		nap_ms(nap);
		if (nap < 50)
			nap *= 2;
	}
}

/* Kills a child that will not be needed, with what it started in its
 * session's process group (initdb's sh and bootstrap backend), and reaps it. */
static void kill_child(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	int st;
	wait_child(pid, 5, NULL, &st);
}

/* Runs a short program to its end: 0 when it exited with status 0. */
static int run_step(struct pgcluster *c, char *const argv[], int in_fd, const char *what, double seconds,
		    const volatile sig_atomic_t *cancel, char *err, size_t errlen)
{
	char log[PATH_MAX + 16];
	snprintf(log, sizeof log, "%s/initdb.log", c->dir);
	int out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (out < 0) {
		set_err(err, errlen, "could not create %s (%s)", log, strerror(errno));
		return -1;
	}
	pid_t pid = spawn(c, argv, in_fd, out, SIGKILL, err, errlen);
	close(out);
	if (pid < 0)
		return -1;
	int st = 0;
	enum wait_result w = wait_child(pid, seconds, cancel, &st);
	if (w == WAIT_CANCELLED || w == WAIT_TIMEOUT) {
		kill_child(pid);
		if (w == WAIT_CANCELLED)
			set_err(err, errlen, "interrupted");
		else
			set_err(err, errlen, "%s did not finish within %.0f s", what, seconds);
		return -1;
	}
	if (w == WAIT_EXITED && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	char why[512];
	log_reason(log, why, sizeof why);
	if (w == WAIT_EXITED && WIFSIGNALED(st))
		set_err(err, errlen, "%s was killed by signal %d; its output says: %s", what, WTERMSIG(st), why);
	else if (c->drop_privileges)
		set_err(err, errlen, "%s failed (run as user %s, who must be able to reach %s); its output says: %s",
			what, c->user, c->dir, why);
	else
		set_err(err, errlen, "%s failed; its output says: %s", what, why);
	return -1;
}

/* ---- The steps -------------------------------------------------------------- */

static int run_initdb(struct pgcluster *c, const volatile sig_atomic_t *cancel, char *err, size_t errlen)
{
	char prog[PATH_MAX + 16], data[PATH_MAX + 16];
	snprintf(prog, sizeof prog, "%s/initdb", c->bindir);
	snprintf(data, sizeof data, "%s/data", c->dir);
	char *argv[] = { prog, "-D", data, "-A", "trust", "-U", PG_SUPERUSER, "-E", "UTF8", "--locale=C",
			 "--no-sync", NULL };
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		set_err(err, errlen, "could not open /dev/null (%s)", strerror(errno));
		return -1;
	}
	int rc = run_step(c, argv, in, "initdb", INITDB_TIMEOUT, cancel, err, errlen);
	close(in);
	return rc;
}

/* CREATE DATABASE through a single-user backend, so that this module needs
 * no client library; exit_on_error makes a failed statement a failed exit. */
static int create_database(struct pgcluster *c, const volatile sig_atomic_t *cancel, char *err, size_t errlen)
{
	char prog[PATH_MAX + 16], data[PATH_MAX + 16];
	snprintf(prog, sizeof prog, "%s/postgres", c->bindir);
	snprintf(data, sizeof data, "%s/data", c->dir);
	char *argv[] = { prog, "--single", "-D", data, "-c", "exit_on_error=on", "-c", "fsync=off", "postgres", NULL };
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		set_err(err, errlen, "could not create a pipe (%s)", strerror(errno));
		return -1;
	}
	static const char sql[] = "CREATE DATABASE " PG_DBNAME ";\n";
	/* Far below a pipe's capacity: the write cannot block. */
	ssize_t w = write(p[1], sql, sizeof sql - 1);
	close(p[1]);
	if (w != (ssize_t)(sizeof sql - 1)) {
		close(p[0]);
		set_err(err, errlen, "could not write to a pipe (%s)", strerror(errno));
		return -1;
	}
	int rc = run_step(c, argv, p[0], "creating the database", SINGLE_TIMEOUT, cancel, err, errlen);
	close(p[0]);
	return rc;
}

static int start_server(struct pgcluster *c, char *err, size_t errlen)
{
	char prog[PATH_MAX + 16], data[PATH_MAX + 16], sockdir[PATH_MAX + 32], port[16], log[PATH_MAX + 16];
	snprintf(prog, sizeof prog, "%s/postgres", c->bindir);
	snprintf(data, sizeof data, "%s/data", c->dir);
	snprintf(sockdir, sizeof sockdir, "unix_socket_directories=%s", c->dir);
	snprintf(port, sizeof port, "%d", PG_PORT);
	snprintf(log, sizeof log, "%s/server.log", c->dir);
	char *argv[] = { prog, "-D", data, "-p", port, "-c", "listen_addresses=", "-c", sockdir,
			 "-c", "fsync=off", "-c", "shared_buffers=128MB", "-c", "logging_collector=off", NULL };
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (in < 0 || out < 0) {
		set_err(err, errlen, "could not open %s (%s)", in < 0 ? "/dev/null" : log, strerror(errno));
		if (in >= 0)
			close(in);
		if (out >= 0)
			close(out);
		return -1;
	}
	/* If we die without stopping it: a fast shutdown of its own. */
	pid_t pid = spawn(c, argv, in, out, SIGINT, err, errlen);
	close(in);
	close(out);
	if (pid < 0)
		return -1;
	c->pid = pid;
	return 0;
}

/* True once DATA/postmaster.pid names our postmaster and says "ready"
 * (line 8, PM_STATUS, as pg_ctl reads it). */
static bool server_ready(const struct pgcluster *c)
{
	char path[PATH_MAX + 32], buf[2048];
	snprintf(path, sizeof path, "%s/data/postmaster.pid", c->dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t got = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (got <= 0)
		return false;
	buf[got] = '\0';
	char *line = buf;
	for (int i = 1; i <= 8 && line; i++) {
		if (i == 1 && strtol(line, NULL, 10) != (long)c->pid)
			return false;
		if (i == 8)
			return strncmp(line, "ready", 5) == 0;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return false;
}

static int wait_ready(struct pgcluster *c, const volatile sig_atomic_t *cancel, char *err, size_t errlen)
{
	char log[PATH_MAX + 16], why[512];
	snprintf(log, sizeof log, "%s/server.log", c->dir);
	double deadline = now_s() + PGCLUSTER_START_TIMEOUT;
	long nap = 5;
	for (;;) {
		if (server_ready(c))
			return 0;
		int st;
		pid_t r = waitpid(c->pid, &st, WNOHANG);
		if (r == c->pid || (r < 0 && errno == ECHILD)) {
			c->pid = 0;
			log_reason(log, why, sizeof why);
			set_err(err, errlen, "the server stopped while starting; its log says: %s", why);
			return -1;
		}
		if (cancelled(cancel)) {
			set_err(err, errlen, "interrupted");
			return -1;
		}
		if (now_s() >= deadline) {
			log_reason(log, why, sizeof why);
			set_err(err, errlen, "the server did not accept connections within %d s; its log says: %s",
				PGCLUSTER_START_TIMEOUT, why);
			return -1;
		}
		nap_ms(nap);
		if (nap < 50)
			nap *= 2;
	}
}

/* ---- Stopping ---------------------------------------------------------------- */

/* SIGKILL to the children of pid (read from /proc): the postmaster's own
 * children are in sessions of their own, so only their parent links them. */
static void kill_children_of(pid_t pid)
{
	DIR *d = opendir("/proc");
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long child = strtol(e->d_name, &end, 10);
		if (end == e->d_name || *end || child <= 1)
			continue;
		char path[64], buf[512];
		snprintf(path, sizeof path, "/proc/%ld/stat", child);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t got = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (got <= 0)
			continue;
		buf[got] = '\0';
		/* "PID (COMM) STATE PPID ...": COMM may hold ')', take the last. */
		char *rp = strrchr(buf, ')');
		if (!rp || rp[1] != ' ' || !rp[2] || rp[3] != ' ')
			continue;
		if (strtol(rp + 4, NULL, 10) == (long)pid)
			kill((pid_t)child, SIGKILL);
	}
	closedir(d);
}

static int stop_server(struct pgcluster *c, char *err, size_t errlen)
{
	int st;
	/* Signal it only while it is our unreaped child: a server that died
	 * and was reaped by the caller's wait(-1) may have had its pid reused. */
	pid_t r = waitpid(c->pid, &st, WNOHANG);
	if (r == c->pid || (r < 0 && errno == ECHILD)) {
		c->pid = 0;
		return 0;
	}
	kill(c->pid, SIGINT); /* fast shutdown: sessions end, a checkpoint, exit */
	enum wait_result w = wait_child(c->pid, PGCLUSTER_STOP_TIMEOUT, NULL, &st);
	int rc = 0;
	if (w == WAIT_TIMEOUT) {
		kill_children_of(c->pid);
		kill(c->pid, SIGKILL);
		wait_child(c->pid, 5, NULL, &st);
		set_err(err, errlen, "the server did not stop within %d s of a fast-shutdown request, so it was killed",
			PGCLUSTER_STOP_TIMEOUT);
		rc = -1;
	}
	c->pid = 0;
	return rc;
}

/* ---- The API ----------------------------------------------------------------- */

int pgcluster_start(struct pgcluster **out, const volatile sig_atomic_t *cancel, char *err, size_t errlen)
{
	*out = NULL;
	struct pgcluster *c = calloc(1, sizeof *c);
	if (!c) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	char base[128]; /* temp_base keeps it under ~90 characters */
	temp_base(base, sizeof base);
	sweep_stale(base);
	if (find_bindir(c, err, errlen) < 0 || pick_user(c, err, errlen) < 0 || make_dir(c, base, err, errlen) < 0 ||
	    run_initdb(c, cancel, err, errlen) < 0 || create_database(c, cancel, err, errlen) < 0 ||
	    start_server(c, err, errlen) < 0 || wait_ready(c, cancel, err, errlen) < 0) {
		if (c->pid > 0)
			stop_server(c, NULL, 0);
		if (c->dir[0])
			remove_tree(c->dir, NULL, 0);
		free(c);
		return -1;
	}
	*out = c;
	return 0;
}

const char *pgcluster_conninfo(const struct pgcluster *c)
{
	return c->conninfo;
}

const char *pgcluster_dir(const struct pgcluster *c)
{
	return c->dir;
}

pid_t pgcluster_pid(const struct pgcluster *c)
{
	return c->pid;
}

int pgcluster_stop(struct pgcluster *c, char *err, size_t errlen)
{
	if (!c)
		return 0;
	int rc = 0;
	if (c->pid > 0)
		rc = stop_server(c, err, errlen);
	/* The first error is the one reported. */
	if (rc == 0)
		rc = remove_tree(c->dir, err, errlen);
	else
		remove_tree(c->dir, NULL, 0);
	free(c);
	return rc;
}
