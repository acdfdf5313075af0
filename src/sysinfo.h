/* sysinfo — what a person must know before trusting a measurement: host,
 * kernel, libc, cgroup layout, visible against effective CPUs, memory
 * against its limit, BLAS/OpenMP thread settings, PSI and perf counters.
 * Everything is read under a root prefix (`benchtop info --root DIR`). The
 * same facts go into every trace's META record. */
#ifndef BT_SYSINFO_H
#define BT_SYSINFO_H

#include <stdbool.h>
#include <stdio.h>

#include "cgroup.h"
#include "trace.h"

struct bt_sysinfo {
	char root[256];
	char host[256], kernel[256], kernel_version[256], arch[80];
	char libc_name[32], libc_version[64];
	struct cg_ctx cg;
	bool cg_ok;
	char cg_error[256];
	struct cg_effective eff;
	bool can_create;
	char cannot_create_why[256];
	bool psi;
	char perf[160];       /* "available" or why not */
	char blas_env[256];   /* the thread variables that are set */
	int blas_threads;     /* what OpenBLAS would start */
	char blas_threads_why[160];
	char openblas_core[64], openblas_config[160];
	char cpu_model[128];
	char cpu_flags[4096]; /* /proc/cpuinfo's flags of the first CPU */
};

/* Fill info from the system under root ("" = live). Never fails: facts that
 * cannot be read are left empty and said so. Free with sysinfo_done. */
void sysinfo_collect(struct bt_sysinfo *info, const char *root);
void sysinfo_done(struct bt_sysinfo *info);

void sysinfo_print_text(FILE *out, const struct bt_sysinfo *info);
void sysinfo_print_json(FILE *out, const struct bt_sysinfo *info);

/* The META record's key/value pairs. Strings live in *store (free it). */
size_t sysinfo_meta(const struct bt_sysinfo *info, struct bt_kv *kv, size_t max, char **store);

#endif
