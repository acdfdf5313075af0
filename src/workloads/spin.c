/* bt-spin — the built-in demo and test workload: N threads that spin on the
 * CPU for a given time, optional child processes doing the same, and an
 * optional amount of memory touched (to see RSS and to provoke an OOM kill
 * under --memory). Deterministic and dependency-free, so tests can predict
 * what benchtop should measure. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds = 2;
static volatile unsigned long sink;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *spin(void *arg)
{
	(void)arg;
	double end = now() + seconds;
	unsigned long x = 0;
	while (now() < end)
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i * 2654435761u;
	sink += x;
	return NULL;
}

static int usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: bt-spin [--threads N] [--procs N] [--seconds S] [--memory SIZE] [--sleep S]\n"
		"Spins N threads in each of N processes for S seconds; touches SIZE of memory.\n");
	return rc;
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	double mul = 1;
	if (*end == 'K' || *end == 'k') mul = 1024, end++;
	else if (*end == 'M' || *end == 'm') mul = 1048576, end++;
	else if (*end == 'G' || *end == 'g') mul = 1073741824, end++;
	if (*end)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "threads", required_argument, NULL, 't' }, { "procs", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 's' }, { "memory", required_argument, NULL, 'm' },
		{ "sleep", required_argument, NULL, 'S' }, { "help", no_argument, NULL, 'h' },
		{ "describe", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	int threads = 1, procs = 1, c;
	size_t mem = 0;
	double sleep_s = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 't': threads = atoi(optarg); break;
		case 'p': procs = atoi(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'S': sleep_s = atof(optarg); break;
		case 'm':
			if (parse_size(optarg, &mem)) {
				fprintf(stderr, "bt-spin: --memory takes a size such as 64M, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': return usage(0);
		case 'D':
			/* For `benchtop workloads` (see src/workloads/wl.h). */
			puts("workload spin\nabout threads and processes spinning on the CPU, with memory touched\n"
			     "param threads 1 threads per process\nparam procs 1 processes\n"
			     "param seconds 2 how long each thread spins\nparam memory 0 memory each process touches (64M)\n"
			     "param sleep 0 seconds to sleep before spinning");
			return 0;
		default: return usage(2);
		}
	}
	if (threads < 0 || threads > 4096 || procs < 1 || procs > 256 || seconds < 0 || seconds > 86400) {
		fprintf(stderr, "bt-spin: --threads 0..4096, --procs 1..256, --seconds 0..86400\n");
		return 2;
	}
	for (int p = 1; p < procs; p++) {
		pid_t pid = fork();
		if (pid == 0)
			break; /* children run the same body once */
		if (pid < 0) {
			perror("bt-spin: fork");
			return 1;
		}
	}
	/* Children broke out of the loop; the parent finished it: both spin. */
	char *block = NULL;
	if (mem) {
		block = malloc(mem);
		if (!block) {
			fprintf(stderr, "bt-spin: cannot allocate %zu bytes\n", mem);
			return 1;
		}
		for (size_t i = 0; i < mem; i += 4096)
			block[i] = (char)i;
	}
	if (sleep_s > 0) {
		struct timespec ts = { (time_t)sleep_s, (long)((sleep_s - (double)(time_t)sleep_s) * 1e9) };
		nanosleep(&ts, NULL);
	}
	pthread_t *tid = calloc((size_t)threads + 1, sizeof(*tid));
	for (int i = 0; i < threads; i++)
		if (pthread_create(&tid[i], NULL, spin, NULL) != 0) {
			fprintf(stderr, "bt-spin: cannot create thread %d: %s\n", i, strerror(errno));
			return 1;
		}
	for (int i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	free(tid);
	free(block);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}
