/* tickprobe — the machine's own timer lateness, as a floor for benchtop's:
 * a process that does nothing but wake on an absolute 100 ms timerfd
 * schedule (the way benchtop record does) and print, per tick, how late it
 * woke, in ms. jitter.sh runs it next to benchtop, offset by half an
 * interval so the two never wake together.
 *
 * Usage: tickprobe TICKS [INTERVAL_MS [OFFSET_MS]]                      */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: tickprobe TICKS [INTERVAL_MS [OFFSET_MS]]\n");
		return 2;
	}
	long n = atol(argv[1]);
	uint64_t iv = (uint64_t)(argc > 2 ? atof(argv[2]) * 1e6 : 100e6);
	uint64_t off = (uint64_t)(argc > 3 ? atof(argv[3]) * 1e6 : 0);
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (fd < 0 || n < 1 || iv < 1000000) {
		perror("tickprobe");
		return 1;
	}
	uint64_t t0 = now_ns() + off;
	struct itimerspec its = { { (time_t)(iv / 1000000000ull), (long)(iv % 1000000000ull) },
				  { (time_t)(t0 / 1000000000ull), (long)(t0 % 1000000000ull) } };
	if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		perror("tickprobe: timerfd_settime");
		return 1;
	}
	uint64_t k = 0, missed = 0;
	for (long i = 0; i < n;) {
		uint64_t e;
		if (read(fd, &e, sizeof e) != (ssize_t)sizeof e || e == 0)
			continue;
		k += e;
		missed += e - 1;
		uint64_t t = now_ns(), slot = t0 + (k - 1) * iv;
		printf("%.3f\n", t > slot ? (double)(t - slot) / 1e6 : 0.0);
		i++;
	}
	fprintf(stderr, "tickprobe: %llu missed\n", (unsigned long long)missed);
	return 0;
}
