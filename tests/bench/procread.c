/* procread — where a sampling tick's time goes: the cost of reading each
 * per-thread /proc file of a process, three ways, measured in CPU time of
 * this thread (CLOCK_THREAD_CPUTIME_ID), per file read:
 *   loop   pread on a kept-open fd until it returns 0, as bt_pread_all in
 *          src/util.c does (two preads per file: the data, then the EOF);
 *   once   one pread on a kept-open fd (a /proc seq file hands over all of a
 *          small file in one read);
 *   open   open + read + close each time (what top does).
 * Also the cost of listing /proc/PID/task (opendir/readdir/closedir), and
 * of any further FILEs given (system-wide and cgroup files), the same three
 * ways, one file at a time.
 *
 * Usage: procread PID [ROUNDS [FILE...]]   (tests/bench/diagnose.sh runs it) */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXT 4096
static char buf[8192];

static double cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int ntid, tids[MAXT];

/* CPU us per read of one file: loop, once, open. */
static void one_file(const char *path, int rounds, double out[3])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	out[0] = out[1] = out[2] = -1;
	if (fd < 0)
		return;
	for (int way = 0; way < 3; way++) {
		double c0 = cpu_ns();
		for (int r = 0; r < rounds; r++) {
			if (way == 0) {
				size_t got = 0;
				ssize_t k;
				while ((k = pread(fd, buf + got, sizeof buf - 1 - got, (off_t)got)) > 0)
					got += (size_t)k;
			} else if (way == 1) {
				(void)!pread(fd, buf, sizeof buf - 1, 0);
			} else {
				int x = open(path, O_RDONLY | O_CLOEXEC);
				if (x >= 0) {
					(void)!read(x, buf, sizeof buf - 1);
					close(x);
				}
			}
		}
		out[way] = (cpu_ns() - c0) / 1e3 / rounds;
	}
	close(fd);
}
static int pid;

static void list(void)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/task", pid);
	DIR *d = opendir(p);
	if (!d) {
		perror(p);
		exit(1);
	}
	struct dirent *de;
	ntid = 0;
	while ((de = readdir(d)) && ntid < MAXT)
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9')
			tids[ntid++] = atoi(de->d_name);
	closedir(d);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: procread PID [ROUNDS]\n");
		return 2;
	}
	pid = atoi(argv[1]);
	int rounds = argc > 2 ? atoi(argv[2]) : 200;
	static const char *const files[] = { "stat", "schedstat", "status" };
	list();
	printf("pid %d: %d threads, %d rounds; CPU time per file read, in us\n", pid, ntid, rounds);
	printf("  %-10s %8s %8s %8s\n", "file", "loop", "once", "open");
	for (size_t f = 0; f < 3; f++) {
		int *fd = calloc((size_t)ntid, sizeof(int));
		char p[128];
		for (int i = 0; i < ntid; i++) {
			snprintf(p, sizeof p, "/proc/%d/task/%d/%s", pid, tids[i], files[f]);
			fd[i] = open(p, O_RDONLY | O_CLOEXEC);
		}
		double t[3] = { 0, 0, 0 };
		long n[3] = { 0, 0, 0 };
		for (int r = 0; r < rounds; r++) {
			for (int way = 0; way < 3; way++) {
				double c0 = cpu_ns();
				for (int i = 0; i < ntid; i++) {
					if (fd[i] < 0)
						continue;
					if (way == 0) {
						size_t got = 0;
						ssize_t k;
						while ((k = pread(fd[i], buf + got, sizeof buf - 1 - got, (off_t)got)) > 0)
							got += (size_t)k;
					} else if (way == 1) {
						(void)!pread(fd[i], buf, sizeof buf - 1, 0);
					} else {
						snprintf(p, sizeof p, "/proc/%d/task/%d/%s", pid, tids[i], files[f]);
						int x = open(p, O_RDONLY | O_CLOEXEC);
						if (x >= 0) {
							(void)!read(x, buf, sizeof buf - 1);
							close(x);
						}
					}
					n[way]++;
				}
				t[way] += cpu_ns() - c0;
			}
		}
		printf("  %-10s %8.2f %8.2f %8.2f\n", files[f], t[0] / 1e3 / (double)n[0], t[1] / 1e3 / (double)n[1],
		       t[2] / 1e3 / (double)n[2]);
		for (int i = 0; i < ntid; i++)
			if (fd[i] >= 0)
				close(fd[i]);
		free(fd);
	}
	double c0 = cpu_ns();
	for (int r = 0; r < rounds; r++)
		list();
	printf("  %-10s %8.2f us per listing of %d threads\n", "task/ dir", (cpu_ns() - c0) / 1e3 / rounds, ntid);
	for (int i = 3; i < argc; i++) {
		double t[3];
		one_file(argv[i], rounds, t);
		if (t[0] < 0)
			printf("  %-48s (cannot open)\n", argv[i]);
		else
			printf("  %8.2f %8.2f %8.2f  %s\n", t[0], t[1], t[2], argv[i]);
	}
	return 0;
}
