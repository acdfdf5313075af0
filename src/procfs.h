/* procfs — parsers for the /proc files benchtop reads. They take text the
 * caller already read (usually with pread on a kept-open fd), so they are
 * testable on fixture strings and never do I/O themselves. No sscanf: these
 * run every tick for every thread. All return false on malformed input and
 * leave *out untouched then. */
#ifndef BT_PROCFS_H
#define BT_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct procfs_stat {
	int32_t pid, ppid, processor;
	char comm[64]; /* as the kernel shows it, may contain spaces and ')' */
	char state;
	uint64_t minflt, majflt, utime, stime; /* clock ticks */
	int64_t cutime, cstime;
	int64_t num_threads;
	uint64_t starttime, vsize, rss_pages;
};

struct procfs_status {
	uint64_t vm_rss_kb, vm_hwm_kb, cs_vol, cs_invol;
	bool has_rss, has_hwm, has_cs;
};

/* /proc/PID/stat or /proc/PID/task/TID/stat. */
bool procfs_parse_stat(const char *text, struct procfs_stat *out);
/* /proc/PID/status: VmRSS, VmHWM, (non)voluntary_ctxt_switches. */
bool procfs_parse_status(const char *text, struct procfs_status *out);
/* /proc/PID/task/TID/schedstat: run ns, wait ns, timeslices. */
bool procfs_parse_schedstat(const char *text, uint64_t *run_ns, uint64_t *wait_ns, uint64_t *slices);
/* /proc/PID/io: read_bytes and write_bytes (storage-level). */
bool procfs_parse_io(const char *text, uint64_t *read_bytes, uint64_t *write_bytes);
/* A PSI file (/proc/pressure/X or a cgroup's X.pressure): the "total="
 * microseconds of the some and full lines. full is absent for cpu on older
 * kernels: *has_full says. */
bool procfs_parse_pressure(const char *text, uint64_t *some_us, uint64_t *full_us, bool *has_full);
/* /proc/meminfo in bytes. */
bool procfs_parse_meminfo(const char *text, uint64_t *total, uint64_t *avail, uint64_t *mfree);

/* /proc/stat: per-CPU lines ("cpuN ..."), in clock ticks. Calls fn for each
 * CPU with 8 values (user nice system idle iowait irq softirq steal); also
 * returns ctxt and procs_running. Returns the number of CPUs seen. */
typedef void (*procfs_cpu_fn)(void *ctx, unsigned cpu, const uint64_t v[8]);
int procfs_parse_proc_stat(const char *text, procfs_cpu_fn fn, void *ctx, uint64_t *ctxt,
			   uint64_t *procs_running);

/* A whitespace-separated list of pids (children files, cgroup.procs).
 * Appends to *pids (grown with bt_grow). Returns how many were added, or -1
 * on a malformed entry. */
int procfs_parse_pid_list(const char *text, int32_t **pids, size_t *n, size_t *cap);

/* A CPU list such as "0-3,8,10-11": count of CPUs, or -1 when malformed. */
int procfs_count_cpu_list(const char *text);
/* The same, calling fn (when not NULL) with each range's first and last CPU
 * as it is read; on -1 the ranges before the fault were already given. */
int procfs_each_cpu_range(const char *text, void (*fn)(void *ctx, uint64_t first, uint64_t last), void *ctx);

#endif
