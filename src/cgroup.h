/* cgroup — everything benchtop does with cgroups, v1 and v2 behind one
 * interface.
 *
 * Detection (cg_ctx_load) reads <root>/proc/self/mountinfo and
 * <root>/proc/self/cgroup once, so it works on fixture trees and on a
 * container's view from outside. Limits are read by walking from benchtop's
 * own cgroup up to the top of what is mounted, taking the tightest.
 *
 * Run cgroups (cg_run_*) are created with libcgroup beneath benchtop's own
 * cgroup in every hierarchy it uses (on v1 that path can differ per
 * controller), named "benchtop.<owner pid>.<owner start ticks>.<run>" so a
 * later benchtop can recognise leftovers whose owner died. Counters are read
 * from kept-open fds with pread.
 *
 * Errors are returned as negative errno with a sentence in the caller's
 * buffer; nothing here prints. */
#ifndef BT_CGROUP_H
#define BT_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "frame.h"

enum cg_controller { CG_CPU, CG_CPUACCT, CG_CPUSET, CG_MEMORY, CG_PIDS, CG_NCTL };

struct cg_hier {
	bool present;
	int version;      /* 1 or 2 */
	char *mountpoint; /* as in mountinfo, without the root prefix */
	char *own_path;   /* benchtop's cgroup path in this hierarchy */
	char *own_dir;    /* the directory of that cgroup, with the root prefix */
};

struct cg_ctx {
	char *root;        /* filesystem root prefix, "" for / */
	int version;       /* 2 when only cgroup2 is mounted, else 1 */
	bool hybrid;       /* v1 controllers plus a cgroup2 mount */
	char *unified_mnt; /* cgroup2 mountpoint or NULL */
	char *unified_own; /* own path in the cgroup2 hierarchy */
	struct cg_hier ctl[CG_NCTL];
	/* v2 delegation (cg_v2_enable), undone by cg_v2_release: */
	char *v2_leaf;        /* the leaf benchtop moved itself into, or NULL */
	char v2_enabled[64];  /* controllers it enabled beneath its cgroup */
};

struct cg_limits {
	double cpus;       /* CPU quota in CPUs, 0 = none */
	char *cpuset;      /* cpu list or NULL */
	uint64_t memory;   /* bytes, 0 = none */
};

struct cg_effective {
	int cpus_visible;          /* online CPUs */
	int cpuset_cpus;           /* CPUs in the effective cpuset, 0 = unknown */
	double quota_cpus;         /* tightest quota up the tree, 0 = none */
	double cpus_effective;     /* min of the above */
	uint64_t mem_total;        /* MemTotal */
	uint64_t mem_limit;        /* tightest limit up the tree, 0 = none */
	char quota_source[160];    /* which file set the quota */
	char mem_source[160];
};

const char *cg_controller_name(enum cg_controller c);

/* Load the cgroup layout seen by pid (0: the process reading it, i.e.
 * /proc/self) under root. Returns 0 or -errno with a sentence in err. */
int cg_ctx_load(struct cg_ctx *ctx, const char *root, char *err, size_t errlen);
/* Frees ctx; on the live system it first undoes cg_v2_enable. */
void cg_ctx_free(struct cg_ctx *ctx);

/* Effective CPUs and memory, as a process in benchtop's cgroup sees them. */
void cg_effective(const struct cg_ctx *ctx, struct cg_effective *out);

/* The reason cg_can_create gives in a build without libcgroup on a
 * cgroup v1 host. */
#define CG_NO_LIBCGROUP_V1 \
	"this benchtop was built without libcgroup, which it needs to create run cgroups on cgroup v1"
/* Whether benchtop may create cgroups beneath its own: 0 when yes, else
 * -errno with the reason in why. */
int cg_can_create(const struct cg_ctx *ctx, char *why, size_t whylen);

/* ---- Run cgroups (real system only: root must be "") -------------------- */
struct cg_run;

/* cgroup v2: enable controller ctl ("cpu", "memory", ...) for the cgroups
 * beneath benchtop's own. When its cgroup holds processes (v2 allows
 * controllers below a cgroup only while it holds none) and all of them are
 * benchtop and its descendants, they move into a leaf beneath it first
 * (benchtop.<pid>.<start>.0). 0, or -errno with a sentence in err: -EBUSY
 * when processes benchtop did not start share its cgroup, -ENOTSUP when
 * the controller is not delegated to it. */
int cg_v2_enable(struct cg_ctx *ctx, const char *ctl, char *err, size_t errlen);
/* Undo cg_v2_enable: disable what it enabled (only while no cgroup but
 * its leaf is beneath benchtop's), move the leaf's processes back, remove
 * the leaf. 0, or the first -errno with ctx->v2_leaf still naming the leaf
 * that stays (cg_ctx_free frees the name). */
int cg_v2_release(struct cg_ctx *ctx);

/* Create the run's cgroup(s) with limits applied (on v2 through
 * cg_v2_enable, so ctx may change). */
int cg_run_create(struct cg_ctx *ctx, const struct cg_limits *lim, unsigned run_index,
		  struct cg_run **out, char *err, size_t errlen);
/* Move a (single-threaded, not yet exec'd) process into the run's cgroups. */
int cg_run_attach(struct cg_run *run, pid_t pid);
/* Fill the RUN_CG_* fields of e that can be read. clk_tck converts v1 ticks. */
void cg_run_read(struct cg_run *run, struct bt_entity *e, long clk_tck);
/* The pids in the run's cgroup, appended to *pids. -errno on failure. */
int cg_run_pids(struct cg_run *run, int32_t **pids, size_t *n, size_t *cap);
/* What the run's cgroup lacks though it was made (a controller that only
 * adds counters could not be enabled), as a sentence; "" when nothing. */
const char *cg_run_warning(const struct cg_run *run);
/* The path shown to users (first hierarchy's dir). */
const char *cg_run_path(const struct cg_run *run);
/* How many OOM kills the cgroup has seen (-1 unknown). */
long cg_run_oom_kills(struct cg_run *run);
/* Remove the cgroup(s): kills anything left (SIGKILL, by pid), waits for
 * them to be gone, removes the directories, frees run. 0 or -errno. */
int cg_run_destroy(struct cg_run *run, char *err, size_t errlen);

/* Find cgroups left by benchtops that died (kill -9): end what runs in them
 * and remove them. Returns how many were removed (>= 0) or -errno. */
int cg_cleanup_leftovers(const struct cg_ctx *ctx, char *report, size_t len);

/* ---- benchtop's own cgroup (live system or under a root) ---------------- */
struct cg_own;

/* Open the counters of benchtop's own cgroup: CPU usage, throttling of the
 * nearest quota up the tree (where a container's limit sits), memory.
 * NULL when none of them can be opened. */
struct cg_own *cg_own_open(const struct cg_ctx *ctx);
/* Fill the SYS_OWN_* fields of e that can be read. */
void cg_own_read(struct cg_own *own, struct bt_entity *e);
void cg_own_free(struct cg_own *own);

/* Start time of a pid in clock ticks since boot (0 when gone). */
uint64_t cg_pid_start_ticks(pid_t pid);

#endif
