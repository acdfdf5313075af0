/* sleepspin — a benchmark workload for tests/bench: N threads that each loop
 * "spin SPIN_US microseconds, sleep SLEEP_MS milliseconds" until SECONDS
 * have passed since start, then exit. Unlike bt-spin --threads 64 (which
 * keeps every thread runnable and saturates the machine), this keeps many
 * live threads while using only a fraction of the CPUs, so the cost of the
 * observer is measured on a machine that is not saturated.
 *
 * CPU use is about threads * spin_us / (sleep_ms*1000 + spin_us) cores:
 * 64 threads, 50 ms sleep, 500 us spin = ~0.63 of one core.
 *
 * Build: cc -O2 -pthread -o sleepspin sleepspin.c   (the scripts do this)
 * Usage: sleepspin THREADS SECONDS [SLEEP_MS [SPIN_US]]                   */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double end_at, sleep_ms = 50, spin_us = 500;
static volatile unsigned long sink;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *body(void *arg)
{
	(void)arg;
	unsigned long x = 0;
	struct timespec nap = { (time_t)(sleep_ms / 1000), (long)((sleep_ms - (double)(long)(sleep_ms / 1000) * 1000) * 1e6) };
	for (;;) {
		double t = now();
		if (t >= end_at)
			break;
		double stop = t + spin_us / 1e6;
		while (now() < stop)
			for (int i = 0; i < 1000; i++)
				x += (unsigned long)i * 2654435761u;
		double left = end_at - now();
		if (left <= 0)
			break;
		if (left < sleep_ms / 1000) {
			struct timespec last = { (time_t)left, (long)((left - (double)(time_t)left) * 1e9) };
			nanosleep(&last, NULL);
			break;
		}
		nanosleep(&nap, NULL);
	}
	sink += x;
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: sleepspin THREADS SECONDS [SLEEP_MS [SPIN_US]]\n");
		return 2;
	}
	int n = atoi(argv[1]);
	double secs = atof(argv[2]);
	if (argc > 3)
		sleep_ms = atof(argv[3]);
	if (argc > 4)
		spin_us = atof(argv[4]);
	if (n < 1 || n > 4096 || secs <= 0 || sleep_ms < 0 || spin_us < 0) {
		fprintf(stderr, "sleepspin: THREADS 1..4096, SECONDS > 0, SLEEP_MS >= 0, SPIN_US >= 0\n");
		return 2;
	}
	end_at = now() + secs;
	pthread_t *t = calloc((size_t)n, sizeof(*t));
	if (!t)
		return 1;
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, body, NULL) != 0) {
			perror("sleepspin: pthread_create");
			return 1;
		}
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
	return 0;
}
