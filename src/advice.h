/* advice — findings computed from frames: what a person should know about a
 * run and, where there is one, what to change. A sibling of summary: the
 * same records in the same order, live or from a trace, give the same
 * findings.
 *
 * Each finding has a kind (with a stable name for JSON and tests), a
 * severity, one sentence that names the numbers it rests on, and a fix when
 * one is known. A finding never rests on unknown data: a field whose mask
 * bit is off counts as absent, never as zero, and too short a run gives no
 * finding at all. The rules and their thresholds are in advice.c, each
 * threshold with the reason for its value.
 *
 * Call order: advice_init, advice_add (every record, in order), then any
 * number of advice_findings / advice_print_* (also between two adds, for a
 * live view), advice_free. One advice per trace: run ids are per trace. */
#ifndef BT_ADVICE_H
#define BT_ADVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "trace.h"

enum advice_kind {
	ADV_OVERSUBSCRIBED,    /* more runnable threads than CPUs, and it cost */
	ADV_VISIBLE_CPUS,      /* the run sees more CPUs than it may use */
	ADV_CONTENDED,         /* other work took the CPUs it should have had */
	ADV_CPU_BOUND,         /* its threads were on (or waiting for) a CPU */
	ADV_IO_BOUND,          /* its threads were blocked, mostly in D state */
	ADV_WAIT_BOUND,        /* its threads were blocked, mostly sleeping */
	ADV_MIXED,             /* neither clearly */
	ADV_MEMORY_NEAR_LIMIT, /* peak memory close to the limit */
	ADV_OOM_KILL,          /* the kernel's OOM killer ended a process */
	ADV_MAJOR_FAULTS,      /* heavy major page faulting */
	ADV_BLAS_KERNELS,      /* OpenBLAS runs older kernels than the CPU allows */
	ADV_NKINDS
};

enum advice_severity { ADV_INFO, ADV_WARNING };

/* A number a finding rests on, for JSON (name stable, value in SI units:
 * seconds, bytes, shares 0..1, counts, per second). */
struct advice_number {
	const char *name;
	double value;
};
#define ADVICE_MAX_NUMBERS 8

struct finding {
	enum advice_kind kind;
	enum advice_severity severity;
	char *text; /* one sentence with the numbers */
	char *fix;  /* what to change; NULL when there is nothing to set */
	struct advice_number num[ADVICE_MAX_NUMBERS];
	size_t nnum;
};

struct adv_run; /* per-run accumulators, private to advice.c */

struct advice {
	struct adv_run *runs;
	size_t nruns, cap;
	/* from META */
	long clk_tck;
	int cpus_visible;      /* 0 when unknown */
	double cpus_effective; /* benchtop's own (its cgroup's); 0 when unknown */
	uint64_t mem_limit;    /* benchtop's own memory limit; 0 when none */
	int cgroup_version;    /* 0 when unknown */
	char *cpu_flags;       /* the CPU's flags (/proc/cpuinfo); NULL when unknown */
	uint64_t frame_seq;    /* frames seen, to tell a thread's previous sighting */
};

void advice_init(struct advice *a);
void advice_add(struct advice *a, const struct bt_record *rec);
void advice_free(struct advice *a);

/* The runs seen so far (in RUN_START order). */
size_t advice_nruns(const struct advice *a);
uint64_t advice_run_id(const struct advice *a, size_t i);

/* The findings of a run from what was added so far, warnings first. *out
 * points into a and stays valid until the next advice_add, advice_findings
 * or advice_free. Returns 0 (with *out NULL) for an unknown run. */
size_t advice_findings(struct advice *a, uint64_t run_id, const struct finding **out);

const char *advice_kind_name(enum advice_kind kind);
const char *advice_severity_name(enum advice_severity sev);

/* Text: per run a heading and one line per finding (plus its fix);
 * runs without findings are left out; "no findings" when none has any. */
void advice_print_text(FILE *out, struct advice *a);
/* One run's findings as lines starting with indent (for summaries, the
 * TUI's detail view). Prints nothing when there are none. */
void advice_print_run_text(FILE *out, struct advice *a, uint64_t run_id, const char *indent);
/* JSON: {"runs":[{"run":ID,"findings":[...]}...]}; and one run's array
 * [{"kind","severity","text","fix","numbers":{...}}...] to embed. */
void advice_print_json(FILE *out, struct advice *a);
void advice_print_run_json(FILE *out, struct advice *a, uint64_t run_id);

/* ---- Helpers, public for tests and for sysinfo ------------------------- */

/* The "flags" line of /proc/cpuinfo text (of its first CPU) into out, as
 * blank-separated words. False when there is none or it does not fit. */
bool advice_cpuinfo_flags(const char *cpuinfo, char *out, size_t size);

/* The best OpenBLAS core for a CPU with these flags (x86-64), and the ISA
 * level it stands for ("AVX-512"): NULL when no known level applies. */
const char *advice_blas_core_for_flags(const char *flags, const char **isa);

/* The ISA level of an OpenBLAS core name (as openblas_get_corename()
 * reports it, any case): 0 when the name is not known; higher is newer. */
int advice_blas_core_level(const char *core);

#endif
