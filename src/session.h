/* session — runs a plan of runs one after another, each in its own cgroup
 * with its own limits, sampled on a fixed schedule, every record going to one
 * trace file and to the session's sinks (the summary, the TUI).
 *
 * One poll loop per run: a timerfd on absolute deadlines for ticks, a
 * signalfd for SIGCHLD, SIGINT, SIGTERM, SIGHUP and SIGQUIT, the result
 * protocol's pipe, and an optional input fd of the caller (the TUI's
 * keyboard). A signal or session_stop() stops the current run (SIGTERM, then
 * SIGKILL after the grace period) and skips the runs not yet started; the
 * trace is finished either way.
 *
 * `record` and `run` build the plan; the session owns nothing of it. */
#ifndef BT_SESSION_H
#define BT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "summary.h"
#include "trace.h"

/* One run to make. Strings and arrays are owned by the plan. */
struct run_spec {
	char **argv;      /* NULL-terminated */
	char *workload;   /* a built-in's name, or the command's base name */
	char *variant;    /* "default" when the user named none */
	char *params;     /* a built-in's parameters as "name=value ..." ("" for a command) */
	char *binary_libc; /* what the binary is linked with, e.g. "musl 1.2.3 static" ("" unknown) */
	unsigned rep;     /* 1-based; 0 for a warm-up run */
	char **env;       /* "K=V" added to the run's environment */
	size_t nenv;
	char *label;
	double cpus;      /* 0: no quota */
	char *cpuset;     /* NULL: none */
	uint64_t memory;  /* 0: no limit */
	int blas_threads; /* OPENBLAS_NUM_THREADS and OMP_NUM_THREADS: 0 unset, -1 the run's effective CPUs */
};

struct plan {
	struct run_spec *runs;
	size_t n, cap;
};

/* Appends a zeroed run (rep 1) and returns it; the plan owns what is put in. */
struct run_spec *plan_add(struct plan *p);
/* Adds "K=V" to a run's environment (copied). */
void run_spec_setenv(struct run_spec *r, const char *kv);
void plan_free(struct plan *p);

struct session_opts {
	const char *out;  /* the trace file; NULL: no trace (run --no-record) */
	bool force;       /* overwrite it */
	bool quiet;       /* no messages but errors, no progress line */
	bool progress;    /* a progress line on stderr when it is a terminal */
	bool no_cgroup;
	unsigned interval_ms;
	double timeout_s; /* per run; 0: none */
	double grace_s;
	int output_fd;    /* the commands' stdout and stderr (the TUI's log file), or -1: inherited */
};

struct session;

/* Optional hooks of the caller (the TUI). All may be NULL / -1. */
struct session_hooks {
	void *ctx;
	/* Every record, right after it went to the trace. */
	void (*record)(void *ctx, const struct bt_record *rec);
	/* A run of the plan is about to start (index into the plan, run id). */
	void (*run_begins)(void *ctx, size_t index, uint64_t run_id);
	/* An fd polled with the run's own ones, and what to do when readable. */
	int input_fd;
	void (*input)(void *ctx, struct session *s);
	/* After each tick, and at least once a second. */
	void (*tick)(void *ctx, struct session *s, uint64_t now_ns);
};

struct session_result {
	int status;           /* exit status: see session_run */
	size_t runs_done;     /* runs started and finished */
	bool interrupted;     /* stopped by a signal or session_stop() */
	bool write_failed;    /* the trace is incomplete */
	int write_errno;
	uint64_t trace_bytes, frame_bytes, ticks;
};

/* Runs the plan. sum (initialised by the caller) receives every record.
 * Exit status: for a one-run plan the command's own (128+N when killed by
 * signal N; 126/127 when it could not be executed); for more runs 0 when
 * every run exited 0, else the first failing run's; 130 when interrupted;
 * 125 when benchtop itself failed (the trace could not be created or
 * written). */
int session_run(const struct session_opts *o, const struct plan *p, const struct session_hooks *hooks,
		struct summary *sum, struct session_result *res);

/* Stop the current run cleanly and start no more (from a hook). A second
 * call kills what is left at once. */
void session_stop(struct session *s, const char *reason);
/* True while a run is being measured. */
bool session_busy(const struct session *s);

#endif
