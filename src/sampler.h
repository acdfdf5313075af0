/* sampler — turns one tick into a frame: system-wide counters, and for each
 * run its cgroup counters, every process of its tree and every thread.
 *
 * Files of the tasks being watched stay open between ticks and are re-read
 * with pread; a task's files are closed the tick after it disappears. A run's
 * processes come from its cgroup when it has one, else from the children
 * files of its tree plus the orphans benchtop (a child subreaper) adopted.
 * In steady state a tick allocates nothing.
 *
 * Call order: sampler_new, sampler_add_run (per run), then sampler_tick per
 * tick, sampler_note_reaped when benchtop reaps a run's process, and
 * sampler_free. The sampler does not own cg_run or cg_own objects. */
#ifndef BT_SAMPLER_H
#define BT_SAMPLER_H

#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "cgroup.h"
#include "frame.h"

struct sampler;

struct sampler_name {
	enum bt_kind kind; /* BT_K_PROC or BT_K_THREAD */
	uint64_t key;
	char comm[64];
};

/* root: "" for the live system. status_every: read per-thread context
 * switches every N ticks (per-thread status is the dearest file). */
struct sampler *sampler_new(const char *root, unsigned status_every);
void sampler_free(struct sampler *s);

void sampler_add_run(struct sampler *s, uint64_t run_id, pid_t root_pid, struct cg_run *cg);
/* Also read benchtop's own cgroup every tick (SYS_OWN_*). Not owned. */
void sampler_set_own_cgroup(struct sampler *s, struct cg_own *own);
/* Account the CPU time of a process of run_id that benchtop itself reaped
 * (the run's root or an adopted orphan). */
void sampler_note_reaped(struct sampler *s, uint64_t run_id, pid_t pid, const struct rusage *ru);

/* Fill f (reset first) with what is there now. Names of tasks that appeared
 * or were renamed since the last tick are returned through *names (owned by
 * the sampler, valid until the next tick). */
void sampler_tick(struct sampler *s, struct bt_frame *f, const struct sampler_name **names,
		  size_t *nnames);

/* How many processes the last tick listed for the run (its cgroup.procs, or
 * its tree and benchtop's adopted orphans): 0 or -1 when the list could not
 * be read (then the run's end is unknown, not reached). */
int sampler_run_listed(struct sampler *s, uint64_t run_id, size_t *n);

#endif
