/* Unit tests for cgroup detection and limits (src/cgroup.c) on the fixture
 * root trees in tests/fixtures (see the README there) and on the live
 * system. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgroup.h"
#include "procfs.h"
#include "util.h"

#ifndef FIXTURES
#error "FIXTURES must be defined to the tests/fixtures directory"
#endif

#define GIB (UINT64_C(1) << 30)

/* cmocka 1.1's assert_float_equal works in float: compare doubles here. */
#define assert_dbl(a, b)                                                              \
	do {                                                                          \
		double a_ = (a), b_ = (b);                                            \
		if (!(fabs(a_ - b_) <= 1e-9 * (fabs(b_) > 1 ? fabs(b_) : 1)))         \
			fail_msg("%s = %.17g, expected %.17g", #a, a_, b_);           \
	} while (0)

static void load_fixture(struct cg_ctx *ctx, const char *name)
{
	char root[PATH_MAX], err[256] = "";
	snprintf(root, sizeof root, "%s/%s", FIXTURES, name);
	int rc = cg_ctx_load(ctx, root, err, sizeof err);
	if (rc != 0)
		fail_msg("cg_ctx_load(%s) = %d: %s", root, rc, err);
	assert_string_equal(ctx->root, root);
}

/* The directory FIXTURES/<name><rel>. */
static const char *fx(char *buf, size_t size, const char *name, const char *rel)
{
	snprintf(buf, size, "%s/%s%s", FIXTURES, name, rel);
	return buf;
}

static void assert_own_dir(const struct cg_ctx *ctx, enum cg_controller c, const char *name, const char *rel)
{
	char want[PATH_MAX];
	const struct cg_hier *h = &ctx->ctl[c];
	if (!h->present)
		fail_msg("controller %s is not present", cg_controller_name(c));
	assert_non_null(h->own_dir);
	assert_string_equal(h->own_dir, fx(want, sizeof want, name, rel));
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* cg_can_create on a fixture: the fixture directories are ordinary
 * directories of the source tree, so the answer must agree with access(2)
 * on the directory benchtop would create in (cpuacct's, else memory's). */
static void assert_can_create_agrees(const struct cg_ctx *ctx)
{
	char why[512] = "";
	const struct cg_hier *h = ctx->ctl[CG_CPUACCT].present ? &ctx->ctl[CG_CPUACCT] : &ctx->ctl[CG_MEMORY];
	assert_true(h->present);
	struct stat st;
	if (stat(h->own_dir, &st) != 0 || !S_ISDIR(st.st_mode))
		fail_msg("own_dir %s is not a directory of the fixture", h->own_dir);
	int rc = cg_can_create(ctx, why, sizeof why);
	if (access(h->own_dir, W_OK) == 0) {
		if (rc != 0)
			fail_msg("cg_can_create = %d (%s) on writable %s", rc, why, h->own_dir);
	} else {
		assert_true(rc < 0);
		assert_non_null(strstr(why, h->own_dir));
	}
}

/* ---- a: cgroup v2, docker with a cgroup namespace ------------------------ */
static void test_v2_docker(void **state)
{
	(void)state;
	struct cg_ctx ctx;
	struct cg_effective eff;
	load_fixture(&ctx, "v2-docker");
	assert_int_equal(ctx.version, 2);
	assert_false(ctx.hybrid);
	assert_non_null(ctx.unified_mnt);
	assert_string_equal(ctx.unified_mnt, "/sys/fs/cgroup");
	assert_string_equal(ctx.unified_own, "/");
	for (int c = 0; c < CG_NCTL; c++) {
		assert_true(ctx.ctl[c].present);
		assert_int_equal(ctx.ctl[c].version, 2);
		assert_string_equal(ctx.ctl[c].mountpoint, "/sys/fs/cgroup");
		assert_string_equal(ctx.ctl[c].own_path, "/");
		assert_own_dir(&ctx, (enum cg_controller)c, "v2-docker", "/sys/fs/cgroup");
	}
	cg_effective(&ctx, &eff);
	assert_int_equal(eff.cpus_visible, 48);
	assert_int_equal(eff.cpuset_cpus, 6);
	assert_dbl(eff.quota_cpus, 4.0);
	assert_dbl(eff.cpus_effective, 4.0);
	assert_int_equal(eff.mem_total, 64 * GIB);
	assert_int_equal(eff.mem_limit, 8 * GIB);
	assert_true(ends_with(eff.quota_source, "/v2-docker/sys/fs/cgroup/cpu.max"));
	assert_true(ends_with(eff.mem_source, "/v2-docker/sys/fs/cgroup/memory.max"));
	assert_can_create_agrees(&ctx);
	cg_ctx_free(&ctx);
	assert_null(ctx.root);
}

/* A root given with a trailing slash yields the same directories. */
static void test_v2_docker_root_trailing_slash(void **state)
{
	(void)state;
	struct cg_ctx ctx;
	char root[PATH_MAX], err[256] = "", want[PATH_MAX];
	snprintf(root, sizeof root, "%s/v2-docker/", FIXTURES);
	assert_int_equal(cg_ctx_load(&ctx, root, err, sizeof err), 0);
	assert_string_equal(ctx.ctl[CG_MEMORY].own_dir, fx(want, sizeof want, "v2-docker", "/sys/fs/cgroup"));
	struct cg_effective eff;
	cg_effective(&ctx, &eff);
	assert_int_equal(eff.mem_limit, 8 * GIB);
	assert_dbl(eff.cpus_effective, 4.0);
	cg_ctx_free(&ctx);
}

/* ---- b: cgroup v1 container without a cgroup namespace ------------------- */
static void test_v1_docker_no_cgroupns(void **state)
{
	(void)state;
	struct cg_ctx ctx;
	struct cg_effective eff;
	load_fixture(&ctx, "v1-docker");
	assert_int_equal(ctx.version, 1);
	assert_false(ctx.hybrid);
	assert_null(ctx.unified_mnt);
	/* The mount root /docker/abc123 is stripped from the path: the own
	 * cgroup is the mountpoint itself. */
	assert_own_dir(&ctx, CG_CPU, "v1-docker", "/sys/fs/cgroup/cpu,cpuacct");
	assert_own_dir(&ctx, CG_CPUACCT, "v1-docker", "/sys/fs/cgroup/cpu,cpuacct");
	assert_own_dir(&ctx, CG_CPUSET, "v1-docker", "/sys/fs/cgroup/cpuset");
	assert_own_dir(&ctx, CG_MEMORY, "v1-docker", "/sys/fs/cgroup/memory");
	assert_own_dir(&ctx, CG_PIDS, "v1-docker", "/sys/fs/cgroup/pids");
	for (int c = 0; c < CG_NCTL; c++) {
		assert_int_equal(ctx.ctl[c].version, 1);
		assert_string_equal(ctx.ctl[c].own_path, "/docker/abc123");
	}
	assert_string_equal(ctx.ctl[CG_CPU].mountpoint, "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(ctx.ctl[CG_MEMORY].mountpoint, "/sys/fs/cgroup/memory");
	cg_effective(&ctx, &eff);
	assert_int_equal(eff.cpus_visible, 4);
	assert_int_equal(eff.cpuset_cpus, 4);
	assert_dbl(eff.quota_cpus, 1.5);
	assert_dbl(eff.cpus_effective, 1.5);
	assert_int_equal(eff.mem_total, UINT64_C(16303412) * 1024);
	assert_int_equal(eff.mem_limit, UINT64_C(536870912));
	assert_true(ends_with(eff.quota_source, "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us"));
	assert_true(ends_with(eff.mem_source, "/sys/fs/cgroup/memory/memory.limit_in_bytes"));
	assert_can_create_agrees(&ctx);
	cg_ctx_free(&ctx);
}

/* ---- c: hybrid host, nested memory path, quota on the parent only -------- */
static void test_hybrid_host(void **state)
{
	(void)state;
	struct cg_ctx ctx;
	struct cg_effective eff;
	load_fixture(&ctx, "hybrid-host");
	assert_int_equal(ctx.version, 1);
	assert_true(ctx.hybrid);
	assert_non_null(ctx.unified_mnt);
	assert_string_equal(ctx.unified_mnt, "/sys/fs/cgroup/unified");
	assert_string_equal(ctx.unified_own, "/");
	assert_own_dir(&ctx, CG_CPU, "hybrid-host", "/sys/fs/cgroup/cpu/batch/job1");
	assert_own_dir(&ctx, CG_CPUACCT, "hybrid-host", "/sys/fs/cgroup/cpuacct");
	assert_own_dir(&ctx, CG_CPUSET, "hybrid-host", "/sys/fs/cgroup/cpuset");
	assert_own_dir(&ctx, CG_MEMORY, "hybrid-host",
		       "/sys/fs/cgroup/memory/process_api/579ac8ee7da40e40c9aafc92f7032f01");
	assert_own_dir(&ctx, CG_PIDS, "hybrid-host", "/sys/fs/cgroup/pids");
	assert_string_equal(ctx.ctl[CG_MEMORY].own_path, "/process_api/579ac8ee7da40e40c9aafc92f7032f01");
	assert_string_equal(ctx.ctl[CG_MEMORY].mountpoint, "/sys/fs/cgroup/memory");
	for (int c = 0; c < CG_NCTL; c++)
		assert_int_equal(ctx.ctl[c].version, 1);
	cg_effective(&ctx, &eff);
	assert_int_equal(eff.cpus_visible, 8);
	assert_int_equal(eff.cpuset_cpus, 8);
	/* job1 says -1; the 2.5 CPUs of its parent /batch bind it. */
	assert_dbl(eff.quota_cpus, 2.5);
	assert_dbl(eff.cpus_effective, 2.5);
	assert_true(ends_with(eff.quota_source, "/sys/fs/cgroup/cpu/batch/cpu.cfs_quota_us"));
	/* 9223372036854771712 (own cgroup, root) is v1's "no limit"; the 32 GiB
	 * on /process_api is above the RAM and does not bind either. */
	assert_int_equal(eff.mem_limit, 0);
	assert_int_equal(eff.mem_total, UINT64_C(24731712) * 1024);
	assert_can_create_agrees(&ctx);
	cg_ctx_free(&ctx);
}

/* ---- d: a mountpoint with a space (\040 in mountinfo) -------------------- */
static void test_v2_space_in_mountpoint(void **state)
{
	(void)state;
	struct cg_ctx ctx;
	struct cg_effective eff;
	load_fixture(&ctx, "v2-space");
	assert_int_equal(ctx.version, 2);
	assert_false(ctx.hybrid);
	assert_string_equal(ctx.unified_mnt, "/mnt/cg root");
	assert_string_equal(ctx.unified_own, "/bench");
	assert_own_dir(&ctx, CG_MEMORY, "v2-space", "/mnt/cg root/bench");
	assert_own_dir(&ctx, CG_CPUACCT, "v2-space", "/mnt/cg root/bench");
	assert_own_dir(&ctx, CG_CPUSET, "v2-space", "/mnt/cg root/bench");
	assert_own_dir(&ctx, CG_PIDS, "v2-space", "/mnt/cg root/bench");
	assert_string_equal(ctx.ctl[CG_MEMORY].mountpoint, "/mnt/cg root");
	/* cgroup.controllers is "cpuset memory pids": "cpuset" is not "cpu". */
	assert_false(ctx.ctl[CG_CPU].present);
	assert_true(ctx.ctl[CG_CPUACCT].present); /* cpu.stat is always there */
	cg_effective(&ctx, &eff);
	/* No sys/devices/system/cpu/online: counted from proc/stat. */
	assert_int_equal(eff.cpus_visible, 2);
	assert_int_equal(eff.cpuset_cpus, 1);
	assert_dbl(eff.quota_cpus, 0.0); /* cpu controller absent */
	assert_dbl(eff.cpus_effective, 1.0);
	assert_int_equal(eff.mem_total, 2 * GIB);
	assert_int_equal(eff.mem_limit, 1 * GIB);
	assert_true(ends_with(eff.mem_source, "/mnt/cg root/bench/memory.max"));
	assert_can_create_agrees(&ctx);
	cg_ctx_free(&ctx);
}

/* ---- e: v2 without a namespace, limits at several levels ----------------- */
static void test_v2_nested_tightest_wins(void **state)
{
	(void)state;
	struct cg_ctx ctx;
	struct cg_effective eff;
	load_fixture(&ctx, "v2-nested");
	assert_int_equal(ctx.version, 2);
	assert_false(ctx.hybrid);
	assert_string_equal(ctx.unified_own, "/user.slice/bench.scope/job");
	/* cgroup.controllers has "cpu" but no "cpuset": "cpu" is not "cpuset". */
	assert_false(ctx.ctl[CG_CPUSET].present);
	static const enum cg_controller have[] = { CG_CPU, CG_CPUACCT, CG_MEMORY, CG_PIDS };
	for (size_t i = 0; i < BT_ARRAY_LEN(have); i++)
		assert_own_dir(&ctx, have[i], "v2-nested", "/sys/fs/cgroup/user.slice/bench.scope/job");
	cg_effective(&ctx, &eff);
	assert_int_equal(eff.cpus_visible, 16);
	assert_int_equal(eff.cpuset_cpus, 0); /* the job's cpuset file is not read */
	/* 1.5 on bench.scope beats 3 on user.slice; the 0.1 decoy above the
	 * mountpoint must not be reached. */
	assert_dbl(eff.quota_cpus, 1.5);
	assert_dbl(eff.cpus_effective, 1.5);
	assert_true(ends_with(eff.quota_source, "/cgroup/user.slice/bench.scope/cpu.max"));
	/* 2 GiB on user.slice beats 4 GiB on job; the 1 MiB decoy is not read. */
	assert_int_equal(eff.mem_limit, 2 * GIB);
	assert_true(ends_with(eff.mem_source, "/cgroup/user.slice/memory.max"));
	assert_int_equal(eff.mem_total, 32 * GIB);
	cg_ctx_free(&ctx);
}

/* ---- errors -------------------------------------------------------------- */
static void test_missing_root(void **state)
{
	(void)state;
	struct cg_ctx ctx;
	char err[256] = "";
	int rc = cg_ctx_load(&ctx, FIXTURES "/does-not-exist", err, sizeof err);
	assert_int_not_equal(rc, 0);
	assert_int_equal(rc, -ENOENT);
	assert_true(strlen(err) > 0);
	assert_non_null(strstr(err, "does-not-exist/proc/self/mountinfo"));
	assert_null(strchr(err, '\n'));
	cg_ctx_free(&ctx);
}

static char tmp_root[64];

static int tmp_root_setup(void **state)
{
	(void)state;
	char p[PATH_MAX];
	snprintf(tmp_root, sizeof tmp_root, "/tmp/bt-cg-test.XXXXXX");
	if (!mkdtemp(tmp_root))
		return -1;
	snprintf(p, sizeof p, "%s/proc", tmp_root);
	if (mkdir(p, 0755) != 0)
		return -1;
	snprintf(p, sizeof p, "%s/proc/self", tmp_root);
	return mkdir(p, 0755);
}

static int tmp_root_teardown(void **state)
{
	(void)state;
	static const char *const files[] = { "proc/self/mountinfo", "proc/self/cgroup" };
	static const char *const dirs[] = { "proc/self", "proc", "" };
	char p[PATH_MAX];
	for (size_t i = 0; i < BT_ARRAY_LEN(files); i++) {
		snprintf(p, sizeof p, "%s/%s", tmp_root, files[i]);
		unlink(p);
	}
	for (size_t i = 0; i < BT_ARRAY_LEN(dirs); i++) {
		snprintf(p, sizeof p, "%s/%s", tmp_root, dirs[i]);
		if (rmdir(p) != 0)
			return -1;
	}
	return 0;
}

static void put(const char *rel, const char *text)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/%s", tmp_root, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* A root with mountinfo but no proc/self/cgroup, then with one but no
 * cgroup filesystem mounted. */
static void test_no_cgroup_mounted(void **state)
{
	(void)state;
	struct cg_ctx ctx;
	char err[256] = "";
	put("proc/self/mountinfo", "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
				   "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
				   "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n");
	int rc = cg_ctx_load(&ctx, tmp_root, err, sizeof err);
	assert_int_equal(rc, -ENOENT);
	assert_non_null(strstr(err, "proc/self/cgroup"));
	cg_ctx_free(&ctx);

	put("proc/self/cgroup", "0::/\n");
	err[0] = '\0';
	rc = cg_ctx_load(&ctx, tmp_root, err, sizeof err);
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(err, "no cgroup filesystem"));
	cg_ctx_free(&ctx);
}

static void test_can_create_without_controllers(void **state)
{
	(void)state;
	struct cg_ctx ctx;
	char why[256] = "";
	memset(&ctx, 0, sizeof ctx);
	assert_int_equal(cg_can_create(&ctx, why, sizeof why), -ENOENT);
	assert_non_null(strstr(why, "controller"));
}

static void test_controller_names(void **state)
{
	(void)state;
	assert_string_equal(cg_controller_name(CG_CPU), "cpu");
	assert_string_equal(cg_controller_name(CG_CPUACCT), "cpuacct");
	assert_string_equal(cg_controller_name(CG_CPUSET), "cpuset");
	assert_string_equal(cg_controller_name(CG_MEMORY), "memory");
	assert_string_equal(cg_controller_name(CG_PIDS), "pids");
	assert_string_equal(cg_controller_name(CG_NCTL), "?");
}

/* ---- the live system ----------------------------------------------------- */
static void test_live_system(void **state)
{
	(void)state;
	struct cg_ctx ctx;
	struct cg_effective eff;
	char err[256] = "";
	int rc = cg_ctx_load(&ctx, "", err, sizeof err);
	if (rc != 0)
		fail_msg("cg_ctx_load on the live system: %d %s", rc, err);
	assert_true(ctx.version == 1 || ctx.version == 2);
	const struct cg_hier *h = ctx.ctl[CG_CPUACCT].present ? &ctx.ctl[CG_CPUACCT] : &ctx.ctl[CG_MEMORY];
	assert_true(h->present);
	struct stat st;
	if (stat(h->own_dir, &st) != 0 || !S_ISDIR(st.st_mode))
		fail_msg("own_dir %s is not a directory", h->own_dir);
	cg_effective(&ctx, &eff);
	assert_true(eff.cpus_visible >= 1);
	assert_int_equal(eff.cpus_visible, (int)sysconf(_SC_NPROCESSORS_ONLN));
	assert_true(eff.cpus_effective > 0 && eff.cpus_effective <= eff.cpus_visible);
	assert_true(eff.mem_total > 0);
	assert_true(eff.mem_limit == 0 || eff.mem_limit <= eff.mem_total);
	cg_ctx_free(&ctx);
}

static void test_pid_start_ticks(void **state)
{
	(void)state;
	char buf[1024];
	struct procfs_stat st;
	assert_true(bt_read_file("/proc/self/stat", buf, sizeof buf) > 0);
	assert_true(procfs_parse_stat(buf, &st));
	uint64_t t = cg_pid_start_ticks(getpid());
	assert_true(t > 0);
	assert_int_equal(t, st.starttime);
	/* A reaped child is gone: 0 (retry in the unlikely case of reuse). */
	for (int attempt = 0; attempt < 5; attempt++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			_exit(0);
		assert_int_equal(waitpid(pid, NULL, 0), pid);
		if (cg_pid_start_ticks(pid) == 0)
			return;
	}
	fail_msg("cg_pid_start_ticks of a reaped child was never 0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_docker),
		cmocka_unit_test(test_v2_docker_root_trailing_slash),
		cmocka_unit_test(test_v1_docker_no_cgroupns),
		cmocka_unit_test(test_hybrid_host),
		cmocka_unit_test(test_v2_space_in_mountpoint),
		cmocka_unit_test(test_v2_nested_tightest_wins),
		cmocka_unit_test(test_missing_root),
		cmocka_unit_test_setup_teardown(test_no_cgroup_mounted, tmp_root_setup, tmp_root_teardown),
		cmocka_unit_test(test_can_create_without_controllers),
		cmocka_unit_test(test_controller_names),
		cmocka_unit_test(test_live_system),
		cmocka_unit_test(test_pid_start_ticks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
