/* sysinfo — see sysinfo.h. */
#include "sysinfo.h"
#include "advice.h"
#include "util.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif

static void read_line(const char *root, const char *file, char *out, size_t size)
{
	char path[PATH_MAX];
	out[0] = '\0';
	if (!bt_path(path, sizeof path, root, "%s", file) || bt_read_file(path, out, size) <= 0)
		return;
	out[strcspn(out, "\n")] = '\0';
}

/* The libc of a root filesystem: the musl loader, or glibc's version string
 * inside libc.so.6. */
static void libc_of_root(const char *root, char *name, size_t nl, char *ver, size_t vl)
{
	static const char *const glibc_paths[] = { "/lib/x86_64-linux-gnu/libc.so.6",
						   "/lib/aarch64-linux-gnu/libc.so.6", "/lib64/libc.so.6",
						   "/usr/lib/libc.so.6", "/lib/libc.so.6" };
	char path[PATH_MAX];
	snprintf(name, nl, "unknown");
	snprintf(ver, vl, "unknown");
	static const char *const musl_paths[] = { "/lib/ld-musl-x86_64.so.1", "/lib/ld-musl-aarch64.so.1" };
	for (size_t i = 0; i < BT_ARRAY_LEN(musl_paths); i++) {
		bt_path(path, sizeof path, root, "%s", musl_paths[i]);
		if (access(path, R_OK) == 0) {
			snprintf(name, nl, "musl");
			return;
		}
	}
	for (size_t i = 0; i < BT_ARRAY_LEN(glibc_paths); i++) {
		char *data = NULL;
		bt_path(path, sizeof path, root, "%s", glibc_paths[i]);
		ssize_t n = bt_read_file_alloc(path, &data, 64 << 20);
		if (n <= 0)
			continue;
		snprintf(name, nl, "glibc");
		const char *needle = "release version ";
		char *hit = memmem(data, (size_t)n, needle, strlen(needle));
		if (hit) {
			hit += strlen(needle);
			size_t l = 0;
			while (hit + l < data + n && l < vl - 1 && ((hit[l] >= '0' && hit[l] <= '9') || hit[l] == '.'))
				l++;
			if (l && hit[l - 1] == '.')
				l--;
			snprintf(ver, vl, "%.*s", (int)l, hit);
		}
		free(data);
		return;
	}
}

static void perf_check(char *out, size_t size)
{
	struct perf_event_attr attr;
	memset(&attr, 0, sizeof attr);
	attr.type = PERF_TYPE_HARDWARE;
	attr.size = sizeof attr;
	attr.config = PERF_COUNT_HW_INSTRUCTIONS;
	attr.disabled = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (fd >= 0) {
		close((int)fd);
		snprintf(out, size, "available");
	} else {
		snprintf(out, size, "not available (%s)", strerror(errno));
	}
}

/* What OpenBLAS would start: its variables first, else one thread per CPU
 * in the affinity mask. It does not look at a CPU quota (document 004). */
static void blas_prediction(struct bt_sysinfo *in)
{
	static const char *const vars[] = { "OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS",
					    "MKL_NUM_THREADS", "OPENBLAS_CORETYPE" };
	size_t used = 0;
	in->blas_env[0] = '\0';
	for (size_t i = 0; i < BT_ARRAY_LEN(vars); i++) {
		const char *v = getenv(vars[i]);
		if (v && used < sizeof in->blas_env)
			used += (size_t)snprintf(in->blas_env + used, sizeof in->blas_env - used, "%s%s=%s",
						 used ? " " : "", vars[i], v);
	}
	for (size_t i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);
		long long n;
		if (v && bt_parse_ll(v, &n) && n > 0) {
			in->blas_threads = (int)n;
			snprintf(in->blas_threads_why, sizeof in->blas_threads_why, "from %s", vars[i]);
			return;
		}
	}
	cpu_set_t set;
	if (!in->root[0] && sched_getaffinity(0, sizeof set, &set) == 0) {
		in->blas_threads = CPU_COUNT(&set);
		snprintf(in->blas_threads_why, sizeof in->blas_threads_why, "one per CPU in the affinity mask");
	} else {
		in->blas_threads = in->eff.cpus_visible;
		snprintf(in->blas_threads_why, sizeof in->blas_threads_why, "one per visible CPU");
	}
}

/* Ask the installed OpenBLAS which kernels it picked (Debian's 0.3.21 falls
 * back to old kernels on AVX-512 CPUs it does not know). dlopen keeps OpenBLAS's
 * thread pool out of benchtop except in `info`. */
static void openblas_probe(struct bt_sysinfo *in)
{
	void *h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return;
	char *(*corename)(void) = (char *(*)(void))dlsym(h, "openblas_get_corename");
	char *(*config)(void) = (char *(*)(void))dlsym(h, "openblas_get_config");
	if (corename)
		snprintf(in->openblas_core, sizeof in->openblas_core, "%s", corename());
	if (config)
		snprintf(in->openblas_config, sizeof in->openblas_config, "%s", config());
	/* Not dlclose'd: OpenBLAS's threads may still be running. */
}

/* The CPU's model and flags: what a BLAS could use here (advice.c). */
static void read_cpu(struct bt_sysinfo *in)
{
	char path[4096], *text = NULL;
	if (!bt_path(path, sizeof path, in->root, "/proc/cpuinfo") || bt_read_file_alloc(path, &text, 4u << 20) < 0)
		return;
	advice_cpuinfo_flags(text, in->cpu_flags, sizeof in->cpu_flags);
	const char *m = strstr(text, "model name");
	if (m && (m = strchr(m, ':'))) {
		m++;
		while (*m == ' ' || *m == '\t')
			m++;
		size_t l = strcspn(m, "\n");
		snprintf(in->cpu_model, sizeof in->cpu_model, "%.*s", (int)(l < sizeof in->cpu_model ? l : sizeof in->cpu_model - 1), m);
	}
	free(text);
}

void sysinfo_collect(struct bt_sysinfo *in, const char *root)
{
	memset(in, 0, sizeof(*in));
	snprintf(in->root, sizeof in->root, "%s", root ? root : "");
	read_line(in->root, "/proc/sys/kernel/hostname", in->host, sizeof in->host);
	read_line(in->root, "/proc/sys/kernel/osrelease", in->kernel, sizeof in->kernel);
	read_line(in->root, "/proc/sys/kernel/version", in->kernel_version, sizeof in->kernel_version);
	read_cpu(in);
	struct utsname u;
	if (uname(&u) == 0) {
		snprintf(in->arch, sizeof in->arch, "%s", u.machine);
		if (!in->root[0] && !in->host[0])
			snprintf(in->host, sizeof in->host, "%s", u.nodename);
		if (!in->root[0] && !in->kernel[0])
			snprintf(in->kernel, sizeof in->kernel, "%s", u.release);
	}
	if (in->root[0]) {
		libc_of_root(in->root, in->libc_name, sizeof in->libc_name, in->libc_version,
			     sizeof in->libc_version);
	} else {
#ifdef __GLIBC__
		snprintf(in->libc_name, sizeof in->libc_name, "glibc");
		snprintf(in->libc_version, sizeof in->libc_version, "%s", gnu_get_libc_version());
#else
		/* musl has no version function: the one built against, where
		 * configure knew it (a static benchtop carries exactly that one). */
		snprintf(in->libc_name, sizeof in->libc_name, "musl");
#ifdef BT_LIBC_MUSL_VERSION
		snprintf(in->libc_version, sizeof in->libc_version, "%s", BT_LIBC_MUSL_VERSION);
#else
		snprintf(in->libc_version, sizeof in->libc_version, "unknown");
#endif
#endif
	}
	in->cg_ok = cg_ctx_load(&in->cg, in->root, in->cg_error, sizeof in->cg_error) == 0;
	cg_effective(&in->cg, &in->eff);
	if (in->root[0])
		snprintf(in->cannot_create_why, sizeof in->cannot_create_why,
			 "not checked under --root (it depends on the live system's permissions)");
	else if (in->cg_ok)
		in->can_create = cg_can_create(&in->cg, in->cannot_create_why, sizeof in->cannot_create_why) == 0;
	else
		snprintf(in->cannot_create_why, sizeof in->cannot_create_why, "%s", in->cg_error);
	char path[PATH_MAX], buf[256];
	bt_path(path, sizeof path, in->root, "/proc/pressure/cpu");
	in->psi = bt_read_file(path, buf, sizeof buf) > 0;
	if (in->root[0])
		snprintf(in->perf, sizeof in->perf, "unknown (not checked under --root)");
	else
		perf_check(in->perf, sizeof in->perf);
	blas_prediction(in);
}

void sysinfo_done(struct bt_sysinfo *in)
{
	cg_ctx_free(&in->cg);
}

static const char *cg_mode(const struct bt_sysinfo *in)
{
	if (!in->cg_ok)
		return "none";
	return in->cg.version == 2 ? "unified (v2)" : in->cg.hybrid ? "hybrid (v1 controllers, v2 mounted)" : "legacy (v1)";
}

void sysinfo_print_text(FILE *out, const struct bt_sysinfo *in)
{
	char a[64], b[64];
	if (!in->root[0])
		openblas_probe((struct bt_sysinfo *)in);
	fprintf(out, "host            %s (%s)\n", in->host[0] ? in->host : "-", in->arch);
	fprintf(out, "kernel          %s\n", in->kernel[0] ? in->kernel : "-");
	fprintf(out, "libc            %s %s\n", in->libc_name, in->libc_version);
	if (in->root[0])
		fprintf(out, "root            %s\n", in->root);
	fprintf(out, "cgroup          %s\n", cg_mode(in));
	if (!in->cg_ok)
		fprintf(out, "                %s\n", in->cg_error);
	for (int c = 0; c < CG_NCTL; c++) {
		const struct cg_hier *h = &in->cg.ctl[c];
		if (h->present)
			fprintf(out, "  %-13s %s\n", cg_controller_name((enum cg_controller)c), h->own_dir);
	}
	fprintf(out, "run cgroups     %s\n", in->can_create ? "can be created beneath benchtop's own cgroup"
							 : in->cannot_create_why);
	fprintf(out, "CPUs            %.2f effective of %d visible", in->eff.cpus_effective, in->eff.cpus_visible);
	if (in->eff.cpuset_cpus)
		fprintf(out, "; cpuset %d", in->eff.cpuset_cpus);
	if (in->eff.quota_cpus > 0)
		fprintf(out, "; quota %.2f (%s)", in->eff.quota_cpus, in->eff.quota_source);
	fputc('\n', out);
	fprintf(out, "memory          %s total, limit %s", bt_fmt_bytes(a, sizeof a, (double)in->eff.mem_total),
		in->eff.mem_limit ? bt_fmt_bytes(b, sizeof b, (double)in->eff.mem_limit) : "none");
	if (in->eff.mem_limit)
		fprintf(out, " (%s)", in->eff.mem_source);
	fputc('\n', out);
	fprintf(out, "BLAS threads    OpenBLAS would start %d (%s)\n", in->blas_threads, in->blas_threads_why);
	if (in->blas_env[0])
		fprintf(out, "                %s\n", in->blas_env);
	if (in->eff.cpus_effective + 0.5 < in->blas_threads)
		fprintf(out, "                more threads than effective CPUs: set OPENBLAS_NUM_THREADS=%d (and OMP_NUM_THREADS)\n",
			(int)(in->eff.cpus_effective + 0.5) > 0 ? (int)(in->eff.cpus_effective + 0.5) : 1);
	if (in->openblas_core[0])
		fprintf(out, "OpenBLAS        core %s; %s\n", in->openblas_core, in->openblas_config);
	fprintf(out, "pressure (PSI)  %s\n", in->psi ? "available" : "not available");
	fprintf(out, "perf counters   %s\n", in->perf);
}

static void json_str_field(FILE *out, const char *key, const char *val, bool comma)
{
	fprintf(out, "%s\"%s\":", comma ? "," : "", key);
	bt_json_string(out, val);
}

void sysinfo_print_json(FILE *out, const struct bt_sysinfo *in)
{
	if (!in->root[0])
		openblas_probe((struct bt_sysinfo *)in);
	fputc('{', out);
	json_str_field(out, "host", in->host, false);
	json_str_field(out, "arch", in->arch, true);
	json_str_field(out, "kernel", in->kernel, true);
	json_str_field(out, "root", in->root[0] ? in->root : "/", true);
	fputs(",\"libc\":{", out);
	json_str_field(out, "name", in->libc_name, false);
	json_str_field(out, "version", in->libc_version, true);
	fputs("},\"cgroup\":{", out);
	if (in->cg_ok)
		fprintf(out, "\"version\":%d,\"hybrid\":%s", in->cg.version, in->cg.hybrid ? "true" : "false");
	else
		fputs("\"version\":null,\"hybrid\":false", out);
	json_str_field(out, "mode", cg_mode(in), true);
	fputs(",\"own\":{", out);
	bool first = true;
	for (int c = 0; c < CG_NCTL; c++) {
		const struct cg_hier *h = &in->cg.ctl[c];
		if (!h->present)
			continue;
		json_str_field(out, cg_controller_name((enum cg_controller)c), h->own_dir, !first);
		first = false;
	}
	fprintf(out, "},\"can_create\":%s", in->can_create ? "true" : "false");
	if (!in->can_create)
		json_str_field(out, "cannot_create_reason", in->cannot_create_why, true);
	fprintf(out, "},\"cpus\":{\"visible\":%d,\"effective\":%.4g", in->eff.cpus_visible, in->eff.cpus_effective);
	if (in->eff.cpuset_cpus)
		fprintf(out, ",\"cpuset\":%d", in->eff.cpuset_cpus);
	else
		fputs(",\"cpuset\":null", out);
	if (in->eff.quota_cpus > 0)
		fprintf(out, ",\"quota\":%.4g", in->eff.quota_cpus);
	else
		fputs(",\"quota\":null", out);
	fprintf(out, "},\"memory\":{\"total_bytes\":%llu,", (unsigned long long)in->eff.mem_total);
	if (in->eff.mem_limit)
		fprintf(out, "\"limit_bytes\":%llu}", (unsigned long long)in->eff.mem_limit);
	else
		fputs("\"limit_bytes\":null}", out);
	fprintf(out, ",\"blas\":{\"openblas_threads\":%d", in->blas_threads);
	json_str_field(out, "reason", in->blas_threads_why, true);
	json_str_field(out, "env", in->blas_env, true);
	json_str_field(out, "openblas_core", in->openblas_core, true);
	fprintf(out, "},\"psi\":%s", in->psi ? "true" : "false");
	json_str_field(out, "perf", in->perf, true);
	fputs("}\n", out);
}

size_t sysinfo_meta(const struct bt_sysinfo *in, struct bt_kv *kv, size_t max, char **store)
{
	/* Numbers are formatted into one allocation, keys point into it. */
	char *buf = xmalloc(1024);
	size_t used = 0, n = 0;
#define NUM(k, fmt, v)                                                                   \
	do {                                                                               \
		if (n < max) {                                                             \
			kv[n].key = k;                                                     \
			kv[n].val = buf + used;                                            \
			used += (size_t)snprintf(buf + used, 1024 - used, fmt, v) + 1;     \
			n++;                                                               \
		}                                                                          \
	} while (0)
#define STR(k, v)                           \
	do {                                \
		if (n < max) {              \
			kv[n].key = k;      \
			kv[n].val = v;      \
			n++;                \
		}                           \
	} while (0)
	STR("benchtop_version", PACKAGE_VERSION);
	STR("host", in->host);
	STR("arch", in->arch);
	STR("kernel", in->kernel);
	STR("kernel_version", in->kernel_version);
	STR("libc", in->libc_name);
	STR("libc_version", in->libc_version);
	NUM("cgroup_version", "%d", in->cg_ok ? in->cg.version : 0);
	STR("cgroup_mode", cg_mode(in));
	NUM("cpus_visible", "%d", in->eff.cpus_visible);
	NUM("cpus_effective", "%.4g", in->eff.cpus_effective);
	NUM("mem_total", "%llu", (unsigned long long)in->eff.mem_total);
	NUM("mem_limit", "%llu", (unsigned long long)in->eff.mem_limit);
	NUM("clk_tck", "%ld", sysconf(_SC_CLK_TCK));
	NUM("page_size", "%ld", sysconf(_SC_PAGESIZE));
	STR("blas_env", in->blas_env);
	STR("cpu_model", in->cpu_model);
	STR("cpu_flags", in->cpu_flags);
#undef NUM
#undef STR
	*store = buf;
	return n;
}
