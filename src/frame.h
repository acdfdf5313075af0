/* frame — what one tick saw: the data model every source produces and every
 * sink consumes (trace writer, summary, export, TUI).
 *
 * A frame holds entities of five kinds (system, cpu, run, process, thread).
 * Each entity is a key plus a fixed vector of 64-bit fields; a bit in `mask`
 * says whether the field is known — unknown is never zero. Within a kind the
 * entities are sorted by key, which lets the trace encode each frame as
 * deltas against the previous one with a single merge pass.
 *
 * Ownership: a frame owns its entity arrays; frame_reset() keeps the memory
 * so steady-state sampling allocates nothing. */
#ifndef BT_FRAME_H
#define BT_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define BT_MAXF 32

enum bt_kind { BT_K_SYS, BT_K_CPU, BT_K_RUN, BT_K_PROC, BT_K_THREAD, BT_NKINDS };

/* System-wide fields (key 0), and benchtop's own cgroup (SYS_OWN_*: in a
 * container, the container's cgroup; it holds benchtop and the runs, and
 * anything else the container runs). */
enum { SYS_MEM_TOTAL, SYS_MEM_AVAIL, SYS_MEM_FREE, SYS_PROCS_RUNNING, SYS_CTXT,
       SYS_PSI_CPU_SOME, SYS_PSI_MEM_SOME, SYS_PSI_MEM_FULL, SYS_PSI_IO_SOME,
       SYS_PSI_IO_FULL, SYS_OWN_CPU_NS, SYS_OWN_PERIODS, SYS_OWN_THROTTLED,
       SYS_OWN_THROTTLED_NS, SYS_OWN_MEM, SYS_NF };
/* One CPU of /proc/stat (key = cpu index), in clock ticks. */
enum { CPU_USER, CPU_NICE, CPU_SYSTEM, CPU_IDLE, CPU_IOWAIT, CPU_IRQ,
       CPU_SOFTIRQ, CPU_STEAL, CPU_NF };
/* One run (key = run id): its cgroup counters and sums over its tree. */
enum { RUN_CG_CPU_NS, RUN_CG_USER_NS, RUN_CG_SYS_NS, RUN_CG_PERIODS,
       RUN_CG_THROTTLED, RUN_CG_THROTTLED_NS, RUN_CG_MEM, RUN_CG_MEM_PEAK,
       RUN_CG_ANON, RUN_CG_FILE, RUN_CG_PSI_CPU_SOME, RUN_CG_PSI_CPU_FULL,
       RUN_CG_PSI_MEM_SOME, RUN_CG_PSI_MEM_FULL, RUN_CG_PSI_IO_SOME,
       RUN_CG_PSI_IO_FULL, RUN_CG_OOM_KILLS, RUN_TREE_USER_TK, RUN_TREE_SYS_TK,
       RUN_RSS, RUN_NPROCS, RUN_NTHREADS, RUN_NRUNNING, RUN_CS_VOL, RUN_CS_INVOL,
       RUN_READ_BYTES, RUN_WRITE_BYTES, RUN_MINFLT, RUN_MAJFLT, RUN_NF };
/* One process (key = pid). Times in clock ticks, sizes in bytes. */
enum { PROC_RUN, PROC_PPID, PROC_STATE, PROC_UTIME, PROC_STIME, PROC_CUTIME,
       PROC_CSTIME, PROC_RSS, PROC_HWM, PROC_VSIZE, PROC_NTHREADS, PROC_MINFLT,
       PROC_MAJFLT, PROC_READ_BYTES, PROC_WRITE_BYTES, PROC_START, PROC_NF };
/* One thread (key = tid). Times in clock ticks; run/wait in microseconds. */
enum { THR_PID, THR_STATE, THR_CPU, THR_UTIME, THR_STIME, THR_MINFLT,
       THR_MAJFLT, THR_RUN_US, THR_WAIT_US, THR_SLICES, THR_CS_VOL,
       THR_CS_INVOL, THR_NF };

struct bt_entity {
	uint64_t key;
	uint32_t mask; /* bit i set: v[i] is known */
	uint64_t v[BT_MAXF];
};

struct bt_entity_list {
	struct bt_entity *items;
	size_t n, cap;
};

struct bt_frame {
	uint64_t tick;    /* index on the schedule, from 0 */
	uint64_t t_us;    /* when sampled, microseconds since the trace began */
	uint64_t late_us; /* how far behind its deadline this tick ran */
	uint64_t missed;  /* ticks skipped just before this one */
	uint64_t cost_ns; /* what sampling this frame cost benchtop (CPU time) */
	struct bt_entity_list k[BT_NKINDS];
};

/* Number of fields of a kind, and a field's stable name (for export, docs). */
unsigned frame_nfields(enum bt_kind kind);
const char *frame_field_name(enum bt_kind kind, unsigned field);
const char *frame_kind_name(enum bt_kind kind);

void frame_init(struct bt_frame *f);
void frame_reset(struct bt_frame *f);  /* empties, keeps memory */
void frame_free(struct bt_frame *f);   /* frees the arrays */
void frame_copy(struct bt_frame *dst, const struct bt_frame *src);

/* Append a zeroed entity of kind with key (mask 0) and return it. The pointer
 * is valid until the next append to that kind. */
struct bt_entity *frame_add(struct bt_frame *f, enum bt_kind kind, uint64_t key);
/* Sort a kind's entities by key (the sampler appends in scan order). */
void frame_sort(struct bt_frame *f, enum bt_kind kind);
/* Binary search; NULL when absent. Requires sorted order. */
const struct bt_entity *frame_find(const struct bt_frame *f, enum bt_kind kind, uint64_t key);

static inline void ent_set(struct bt_entity *e, unsigned i, uint64_t v)
{
	e->v[i] = v;
	e->mask |= 1u << i;
}
static inline int ent_has(const struct bt_entity *e, unsigned i)
{
	return (e->mask >> i) & 1u;
}

#endif
