/* launch — see launch.h. Spawning follows tmux: block signals, fork, reset
 * handlers and mask in the child, exec, _exit. */
#include "launch.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void child(const struct launch_spec *spec, int sync_rd, int err_wr)
{
	sigset_t none;
	sigemptyset(&none);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	if (isatty(STDIN_FILENO)) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			if (fd != STDIN_FILENO)
				close(fd);
		}
	}
	if (spec->output_fd >= 0) {
		dup2(spec->output_fd, STDOUT_FILENO);
		dup2(spec->output_fd, STDERR_FILENO);
	}
	char go;
	ssize_t n;
	do
		n = read(sync_rd, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(127); /* the parent could not place us in the cgroup */
	for (size_t i = 0; i < spec->nenv; i++)
		putenv(spec->env[i]);
	/* benchtop raised its own fd limit to watch many threads; the command
	 * must run with the limit it was given. */
	if (spec->nofile)
		setrlimit(RLIMIT_NOFILE, spec->nofile);
	if (spec->keep_fd >= 0) {
		/* Shells such as dash redirect only to fds 0-9: give the command
		 * the lowest fd from 3 that it would not inherit anyway (closed,
		 * or one of benchtop's close-on-exec fds), but never the pipe that
		 * reports an exec failure. */
		int target = spec->keep_fd;
		for (int fd = 3; fd < 10; fd++) {
			int fl = fcntl(fd, F_GETFD);
			if (fd != err_wr && (fl < 0 || (fl & FD_CLOEXEC))) {
				target = fd;
				break;
			}
		}
		if (target != spec->keep_fd)
			dup2(spec->keep_fd, target); /* the copy is not close-on-exec */
		else
			fcntl(target, F_SETFD, 0);
		char v[16];
		snprintf(v, sizeof v, "%d", target);
		setenv(spec->keep_fd_env, v, 1);
	}
	execvp(spec->argv[0], spec->argv);
	int e = errno;
	ssize_t w = write(err_wr, &e, sizeof e);
	(void)w;
	_exit(e == ENOENT ? 127 : 126);
}

int launch_start(const struct launch_spec *spec, struct cg_run *cg, pid_t *pid_out, char *err, size_t errlen)
{
	int sync[2], errp[2];
	if (pipe2(sync, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		int e = -errno;
		close(sync[0]);
		close(sync[1]);
		return e;
	}
	pid_t pid = fork();
	if (pid < 0) {
		int e = -errno;
		snprintf(err, errlen, "cannot fork: %s", strerror(-e));
		close(sync[0]);
		close(sync[1]);
		close(errp[0]);
		close(errp[1]);
		return e;
	}
	if (pid == 0) {
		close(sync[1]);
		close(errp[0]);
		child(spec, sync[0], errp[1]);
	}
	close(sync[0]);
	close(errp[1]);
	/* Also set the group from this side, so that it holds before any
	 * signal benchtop may send to the group. */
	setpgid(pid, pid);
	int rc = 0;
	if (cg) {
		rc = cg_run_attach(cg, pid);
		if (rc)
			snprintf(err, errlen, "cannot move the command into its cgroup %s: %s", cg_run_path(cg),
				 strerror(-rc));
	}
	if (rc == 0) {
		char go = 1;
		if (write(sync[1], &go, 1) != 1)
			rc = -EPIPE;
	}
	close(sync[1]);
	int child_errno = 0;
	ssize_t n;
	do
		n = read(errp[0], &child_errno, sizeof child_errno);
	while (n < 0 && errno == EINTR);
	close(errp[0]);
	if (rc == 0 && n == (ssize_t)sizeof child_errno) {
		snprintf(err, errlen, "cannot run '%s': %s", spec->argv[0], strerror(child_errno));
		rc = -child_errno;
	}
	if (rc) {
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		return rc;
	}
	*pid_out = pid;
	return 0;
}
