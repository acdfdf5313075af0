/* frame — see frame.h. Field names here are part of the export format. */
#include "frame.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const char *const sys_names[SYS_NF] = {
	"mem_total", "mem_available", "mem_free", "procs_running", "ctxt",
	"psi_cpu_some_us", "psi_mem_some_us", "psi_mem_full_us",
	"psi_io_some_us", "psi_io_full_us", "own_cg_cpu_ns", "own_cg_periods",
	"own_cg_throttled", "own_cg_throttled_ns", "own_cg_memory",
};
static const char *const cpu_names[CPU_NF] = {
	"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
};
static const char *const run_names[RUN_NF] = {
	"cg_cpu_ns", "cg_user_ns", "cg_sys_ns", "cg_periods", "cg_throttled",
	"cg_throttled_ns", "cg_memory", "cg_memory_peak", "cg_anon", "cg_file",
	"cg_psi_cpu_some_us", "cg_psi_cpu_full_us", "cg_psi_mem_some_us",
	"cg_psi_mem_full_us", "cg_psi_io_some_us", "cg_psi_io_full_us",
	"cg_oom_kills", "tree_user_ticks", "tree_sys_ticks", "rss", "nprocs",
	"nthreads", "nrunning", "cs_voluntary", "cs_involuntary", "read_bytes",
	"write_bytes", "minflt", "majflt",
};
static const char *const proc_names[PROC_NF] = {
	"run", "ppid", "state", "utime", "stime", "cutime", "cstime", "rss",
	"rss_peak", "vsize", "nthreads", "minflt", "majflt", "read_bytes",
	"write_bytes", "start_ticks",
};
static const char *const thr_names[THR_NF] = {
	"pid", "state", "cpu", "utime", "stime", "minflt", "majflt", "run_us",
	"wait_us", "slices", "cs_voluntary", "cs_involuntary",
};

static const struct {
	const char *name;
	unsigned nf;
	const char *const *fields;
} kinds[BT_NKINDS] = {
	[BT_K_SYS] = { "system", SYS_NF, sys_names },
	[BT_K_CPU] = { "cpu", CPU_NF, cpu_names },
	[BT_K_RUN] = { "run", RUN_NF, run_names },
	[BT_K_PROC] = { "process", PROC_NF, proc_names },
	[BT_K_THREAD] = { "thread", THR_NF, thr_names },
};

unsigned frame_nfields(enum bt_kind kind)
{
	return (unsigned)kind < BT_NKINDS ? kinds[kind].nf : 0;
}

const char *frame_field_name(enum bt_kind kind, unsigned field)
{
	if ((unsigned)kind >= BT_NKINDS || field >= kinds[kind].nf)
		return "?";
	return kinds[kind].fields[field];
}

const char *frame_kind_name(enum bt_kind kind)
{
	return (unsigned)kind < BT_NKINDS ? kinds[kind].name : "?";
}

void frame_init(struct bt_frame *f)
{
	memset(f, 0, sizeof(*f));
}

void frame_reset(struct bt_frame *f)
{
	f->tick = f->t_us = f->late_us = f->missed = f->cost_ns = 0;
	for (int k = 0; k < BT_NKINDS; k++)
		f->k[k].n = 0;
}

void frame_free(struct bt_frame *f)
{
	for (int k = 0; k < BT_NKINDS; k++)
		free(f->k[k].items);
	frame_init(f);
}

void frame_copy(struct bt_frame *dst, const struct bt_frame *src)
{
	frame_reset(dst);
	dst->tick = src->tick;
	dst->t_us = src->t_us;
	dst->late_us = src->late_us;
	dst->missed = src->missed;
	dst->cost_ns = src->cost_ns;
	for (int k = 0; k < BT_NKINDS; k++) {
		struct bt_entity_list *d = &dst->k[k];
		bt_grow((void **)&d->items, &d->cap, src->k[k].n, sizeof(struct bt_entity));
		if (src->k[k].n)
			memcpy(d->items, src->k[k].items, src->k[k].n * sizeof(struct bt_entity));
		d->n = src->k[k].n;
	}
}

struct bt_entity *frame_add(struct bt_frame *f, enum bt_kind kind, uint64_t key)
{
	struct bt_entity_list *l = &f->k[kind];
	bt_grow((void **)&l->items, &l->cap, l->n + 1, sizeof(struct bt_entity));
	struct bt_entity *e = &l->items[l->n++];
	memset(e, 0, sizeof(*e));
	e->key = key;
	return e;
}

static int cmp_key(const void *a, const void *b)
{
	uint64_t x = ((const struct bt_entity *)a)->key, y = ((const struct bt_entity *)b)->key;
	return x < y ? -1 : x > y;
}

void frame_sort(struct bt_frame *f, enum bt_kind kind)
{
	struct bt_entity_list *l = &f->k[kind];
	for (size_t i = 1; i < l->n; i++)
		if (l->items[i - 1].key > l->items[i].key) {
			qsort(l->items, l->n, sizeof(*l->items), cmp_key);
			return;
		}
}

const struct bt_entity *frame_find(const struct bt_frame *f, enum bt_kind kind, uint64_t key)
{
	const struct bt_entity_list *l = &f->k[kind];
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->items[mid].key < key)
			lo = mid + 1;
		else if (l->items[mid].key > key)
			hi = mid;
		else
			return &l->items[mid];
	}
	return NULL;
}
