/* cgroup_run — a run's own cgroup: created with libcgroup beneath benchtop's
 * cgroup with limits set, counters read through kept-open fds, removed at the
 * end. Part of the cgroup module (contract in cgroup.h).
 *
 * Removal is done with rmdir rather than libcgroup's delete: libcgroup moves
 * leftover tasks into the parent, which would let a straggler escape its
 * limits into benchtop's own cgroup. We kill stragglers (they are the run's
 * own processes) and wait for the cgroup to empty instead.
 *
 * On cgroup v2 the run's cgroup is made by hand (mkdir and file writes):
 * libcgroup 2.0.2 enables controllers in the subtree_control of every
 * ancestor from the root down, which would change cgroups that are not
 * benchtop's. Here only benchtop's own cgroup's subtree_control is touched,
 * and only when the controllers a limit needs are not enabled yet.
 *
 * A build without libcgroup (configure --without-libcgroup) creates no v1
 * run cgroups: cg_run_create says so and the caller measures through /proc. */
#include "cgroup.h"
#include "cgroup_int.h"
#include "procfs.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#ifdef HAVE_LIBCGROUP
#include <libcgroup.h>
#endif
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum cg_file { F_PROCS, F_CPU_USAGE, F_CPUACCT_STAT, F_CPU_STAT, F_MEM_CUR, F_MEM_PEAK,
	       F_MEM_STAT, F_MEM_OOM, F_PSI_CPU, F_PSI_MEM, F_PSI_IO, F_N };

struct cg_part {
	char *dir;      /* full path of the run's cgroup in this hierarchy */
	unsigned ctls;  /* bit per enum cg_controller */
	struct cgroup *lcg;
};

struct cg_run {
	int version;
	char name[96];
	struct cg_part parts[CG_NCTL];
	size_t nparts;
	int fd[F_N];
	char warn[700]; /* cg_run_warning */
	char buf[8192];
};

#ifdef HAVE_LIBCGROUP
static int libcg_ready = -1;
#endif

static int libcg_init(char *err, size_t errlen)
{
#ifdef HAVE_LIBCGROUP
	if (libcg_ready < 0) {
		int rc = cgroup_init();
		libcg_ready = rc == 0;
		if (rc) {
			snprintf(err, errlen, "libcgroup could not initialise: %s", cgroup_strerror(rc));
			return -ENODEV;
		}
	}
	return libcg_ready ? 0 : -ENODEV;
#else
	/* v1 run cgroups are made with libcgroup: the caller measures through /proc. */
	snprintf(err, errlen, "%s", CG_NO_LIBCGROUP_V1);
	return -ENOTSUP;
#endif
}

static struct cg_part *part_for(struct cg_run *r, enum cg_controller c)
{
	for (size_t i = 0; i < r->nparts; i++)
		if (r->parts[i].ctls & (1u << c))
			return &r->parts[i];
	return NULL;
}

static int open_in(struct cg_run *r, enum cg_controller c, const char *file)
{
	struct cg_part *p = part_for(r, c);
	if (!p)
		return -1;
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/%s", p->dir, file) >= (int)sizeof path)
		return -1;
	return open(path, O_RDONLY | O_CLOEXEC);
}

int cg_write_value(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path)
		return -ENAMETOOLONG;
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, val, strlen(val));
	int e = n < 0 ? -errno : 0;
	close(fd);
	return e;
}

static void free_run(struct cg_run *r)
{
	for (int i = 0; i < F_N; i++)
		if (r->fd[i] >= 0)
			close(r->fd[i]);
	for (size_t i = 0; i < r->nparts; i++) {
		free(r->parts[i].dir);
#ifdef HAVE_LIBCGROUP
		if (r->parts[i].lcg)
			cgroup_free(&r->parts[i].lcg);
#endif
	}
	free(r);
}

/* Remove one directory, killing what is left in it, within about 2 s. */
static int remove_dir(const char *dir)
{
	char path[PATH_MAX], buf[8192];
	snprintf(path, sizeof path, "%s/cgroup.procs", dir);
	for (int attempt = 0; attempt < 200; attempt++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -errno;
		if (bt_read_file(path, buf, sizeof buf) > 0) {
			int32_t *pids = NULL;
			size_t n = 0, cap = 0;
			procfs_parse_pid_list(buf, &pids, &n, &cap);
			for (size_t i = 0; i < n; i++)
				kill(pids[i], SIGKILL);
			free(pids);
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return -EBUSY;
}

/* Create the v2 cgroup of part 0 (v2 has one hierarchy). */
static int create_v2(struct cg_ctx *ctx, struct cg_run *r, const struct cg_limits *lim, char *err,
		     size_t errlen)
{
	struct cg_part *p = &r->parts[0];
	/* Controllers the limits need, then those that only add counters. */
	struct {
		const char *name;
		bool needed;
	} want[] = { { "cpu", lim->cpus > 0 }, { "memory", lim->memory > 0 }, { "cpuset", lim->cpuset != NULL },
		     { "pids", false } };
	for (size_t i = 0; i < BT_ARRAY_LEN(want); i++) {
		char why[600];
		int e = cg_v2_enable(ctx, want[i].name, why, sizeof why);
		if (e && want[i].needed) {
			snprintf(err, errlen, "%s", why);
			return e;
		}
		/* Memory only adds counters here, but their absence needs a
		 * reason; pids' is no loss worth a sentence. */
		if (e && strcmp(want[i].name, "memory") == 0 && e != -ENOTSUP)
			snprintf(r->warn, sizeof r->warn, "no cgroup memory numbers for the run: %s", why);
	}
	if (mkdir(p->dir, 0755) < 0) {
		int e = -errno;
		snprintf(err, errlen, "could not create cgroup %s: %s", p->dir, strerror(-e));
		return e;
	}
	char val[64];
	int e = 0;
	if (!e && lim->cpus > 0) {
		snprintf(val, sizeof val, "%ld 100000", (long)(lim->cpus * 100000.0 + 0.5));
		e = cg_write_value(p->dir, "cpu.max", val);
	}
	if (!e && lim->memory) {
		snprintf(val, sizeof val, "%llu", (unsigned long long)lim->memory);
		e = cg_write_value(p->dir, "memory.max", val);
		if (!e)
			cg_write_value(p->dir, "memory.swap.max", "0"); /* absent without swap accounting */
	}
	if (!e && lim->cpuset)
		e = cg_write_value(p->dir, "cpuset.cpus", lim->cpuset);
	if (e) {
		snprintf(err, errlen, "could not set the limits of cgroup %s: %s", p->dir, strerror(-e));
		return e;
	}
	return 0;
}

/* Read a limit back: libcgroup and the kernel can accept a write that does
 * not bind (a missing controller, a clamped value). */
static int check_limits(struct cg_run *r, const struct cg_limits *lim, char *err, size_t errlen)
{
	char b[128], path[PATH_MAX];
	const char *q;
	uint64_t v, period;
	struct cg_part *m = part_for(r, CG_MEMORY), *c = part_for(r, CG_CPU);
	if (lim->memory) {
		if (!m) {
			snprintf(err, errlen, "--memory needs the memory controller, which is not available here");
			return -ENOTSUP;
		}
		snprintf(path, sizeof path, "%s/%s", m->dir, r->version == 2 ? "memory.max" : "memory.limit_in_bytes");
		q = b;
		if (bt_read_file(path, b, sizeof b) <= 0 || !bt_scan_u64(&q, &v) || v > lim->memory + 4096) {
			snprintf(err, errlen, "the memory limit did not take effect in %s", path);
			return -EIO;
		}
	}
	if (lim->cpus > 0) {
		if (!c) {
			snprintf(err, errlen, "--cpus needs the cpu controller, which is not available here");
			return -ENOTSUP;
		}
		long want = (long)(lim->cpus * 100000.0 + 0.5);
		bool ok = false;
		if (r->version == 2) {
			snprintf(path, sizeof path, "%s/cpu.max", c->dir);
			q = b;
			ok = bt_read_file(path, b, sizeof b) > 0 && bt_scan_u64(&q, &v) && bt_scan_u64(&q, &period) &&
			     period == 100000 && v == (uint64_t)want;
		} else {
			snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", c->dir);
			q = b;
			ok = bt_read_file(path, b, sizeof b) > 0 && bt_scan_u64(&q, &v) && v == (uint64_t)want;
		}
		if (!ok) {
			snprintf(err, errlen, "the CPU quota did not take effect in %s", path);
			return -EIO;
		}
	}
	return 0;
}

int cg_run_create(struct cg_ctx *ctx, const struct cg_limits *lim, unsigned run_index,
		  struct cg_run **out, char *err, size_t errlen)
{
	if (ctx->root[0]) {
		snprintf(err, errlen, "run cgroups can only be created on the live system, not under --root");
		return -EINVAL;
	}
	int rc = ctx->version == 1 ? libcg_init(err, errlen) : 0;
	if (rc)
		return rc;
	struct cg_run *r = xcalloc(1, sizeof(*r));
	for (int i = 0; i < F_N; i++)
		r->fd[i] = -1;
	r->version = ctx->version;
	snprintf(r->name, sizeof r->name, "benchtop.%d.%llu.%u", (int)getpid(),
		 (unsigned long long)cg_pid_start_ticks(getpid()), run_index);

	/* Which controllers this run uses; cpuset only when asked (a v1 cpuset
	 * cgroup needs cpus and mems before it can take a task). */
	unsigned want = (1u << CG_CPU) | (1u << CG_CPUACCT) | (1u << CG_MEMORY) | (1u << CG_PIDS);
	if (lim->cpuset)
		want |= 1u << CG_CPUSET;
	for (int c = 0; c < CG_NCTL; c++) {
		const struct cg_hier *h = &ctx->ctl[c];
		if (!(want & (1u << c)) || !h->present)
			continue;
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s/%s", h->own_dir, r->name);
		struct cg_part *p = NULL;
		for (size_t i = 0; i < r->nparts; i++)
			if (strcmp(r->parts[i].dir, dir) == 0)
				p = &r->parts[i];
		if (!p) {
			p = &r->parts[r->nparts++];
			p->dir = xstrdup(dir);
		}
		p->ctls |= 1u << c;
	}
	if (lim->cpuset && !part_for(r, CG_CPUSET)) {
		snprintf(err, errlen, "--cpuset needs the cpuset controller, which this system does not offer");
		free_run(r);
		return -ENOTSUP;
	}
	if (r->nparts == 0) {
		snprintf(err, errlen, "no cpu or memory cgroup controller is available");
		free_run(r);
		return -ENOENT;
	}

	if (r->version == 2) {
		rc = create_v2(ctx, r, lim, err, errlen);
		if (rc)
			goto fail;
	}
#ifdef HAVE_LIBCGROUP
	for (size_t i = 0; r->version == 1 && i < r->nparts; i++) {
		struct cg_part *p = &r->parts[i];
		/* libcgroup names a cgroup by its path below the mountpoint. */
		int any = -1;
		for (int c = 0; c < CG_NCTL; c++)
			if (p->ctls & (1u << c)) {
				any = c;
				break;
			}
		const struct cg_hier *h = &ctx->ctl[any];
		const char *rel = p->dir + strlen(h->mountpoint);
		while (*rel == '/')
			rel++;
		p->lcg = cgroup_new_cgroup(rel);
		if (!p->lcg) {
			snprintf(err, errlen, "libcgroup could not describe cgroup %s", p->dir);
			rc = -ENOMEM;
			goto fail;
		}
		char val[64];
		for (int c = 0; c < CG_NCTL; c++) {
			if (!(p->ctls & (1u << c)))
				continue;
			if (r->version == 2 && c == CG_CPUACCT)
				continue; /* v2 has no cpuacct: cpu.stat is always there */
			struct cgroup_controller *ctl = cgroup_add_controller(p->lcg, cg_controller_name((enum cg_controller)c));
			if (!ctl) {
				snprintf(err, errlen, "libcgroup could not add the %s controller", cg_controller_name((enum cg_controller)c));
				rc = -ENOMEM;
				goto fail;
			}
			if (c == CG_CPU && lim->cpus > 0) {
				long quota = (long)(lim->cpus * 100000.0 + 0.5);
				if (r->version == 2) {
					snprintf(val, sizeof val, "%ld 100000", quota);
					cgroup_add_value_string(ctl, "cpu.max", val);
				} else {
					cgroup_add_value_int64(ctl, "cpu.cfs_period_us", 100000);
					cgroup_add_value_int64(ctl, "cpu.cfs_quota_us", quota);
				}
			}
			if (c == CG_MEMORY && lim->memory) {
				snprintf(val, sizeof val, "%llu", (unsigned long long)lim->memory);
				cgroup_add_value_string(ctl, r->version == 2 ? "memory.max" : "memory.limit_in_bytes", val);
			}
			if (c == CG_CPUSET && lim->cpuset) {
				cgroup_add_value_string(ctl, "cpuset.cpus", lim->cpuset);
				if (r->version == 1) {
					/* A v1 cpuset cgroup takes no task until it has mems:
					 * inherit the parent's. */
					char mems[256] = "0";
					char mp[PATH_MAX];
					snprintf(mp, sizeof mp, "%s/cpuset.mems", ctx->ctl[CG_CPUSET].own_dir);
					if (bt_read_file(mp, mems, sizeof mems) > 0)
						mems[strcspn(mems, "\n")] = '\0';
					cgroup_add_value_string(ctl, "cpuset.mems", mems);
				}
			}
		}
		int lrc = cgroup_create_cgroup(p->lcg, 1);
		if (lrc) {
			snprintf(err, errlen, "could not create cgroup %s: %s", p->dir, cgroup_strerror(lrc));
			rc = (lrc == ECGROUPNOTALLOWED || lrc == ECGROUPNOTOWNER) ? -EPERM : -EIO;
			goto fail;
		}
		/* Without swap accounting limits, a memory limit could be met by
		 * swapping instead of an OOM kill; cap swap where the file exists. */
		if (lim->memory && (p->ctls & (1u << CG_MEMORY))) {
			snprintf(val, sizeof val, "%llu", (unsigned long long)lim->memory);
			if (r->version == 2)
				cg_write_value(p->dir, "memory.swap.max", "0");
			else
				cg_write_value(p->dir, "memory.memsw.limit_in_bytes", val);
		}
	}
#endif
	rc = check_limits(r, lim, err, errlen);
	if (rc)
		goto fail;

	bool v2 = r->version == 2;
	r->fd[F_PROCS] = open_in(r, part_for(r, CG_CPUACCT) ? CG_CPUACCT : CG_MEMORY, "cgroup.procs");
	if (v2) {
		r->fd[F_CPU_STAT] = open_in(r, CG_CPUACCT, "cpu.stat");
		r->fd[F_MEM_CUR] = open_in(r, CG_MEMORY, "memory.current");
		r->fd[F_MEM_PEAK] = open_in(r, CG_MEMORY, "memory.peak");
		r->fd[F_MEM_STAT] = open_in(r, CG_MEMORY, "memory.stat");
		r->fd[F_MEM_OOM] = open_in(r, CG_MEMORY, "memory.events");
		r->fd[F_PSI_CPU] = open_in(r, CG_CPUACCT, "cpu.pressure");
		r->fd[F_PSI_MEM] = open_in(r, CG_CPUACCT, "memory.pressure");
		r->fd[F_PSI_IO] = open_in(r, CG_CPUACCT, "io.pressure");
	} else {
		r->fd[F_CPU_USAGE] = open_in(r, CG_CPUACCT, "cpuacct.usage");
		r->fd[F_CPUACCT_STAT] = open_in(r, CG_CPUACCT, "cpuacct.stat");
		r->fd[F_CPU_STAT] = open_in(r, CG_CPU, "cpu.stat");
		r->fd[F_MEM_CUR] = open_in(r, CG_MEMORY, "memory.usage_in_bytes");
		r->fd[F_MEM_PEAK] = open_in(r, CG_MEMORY, "memory.max_usage_in_bytes");
		r->fd[F_MEM_STAT] = open_in(r, CG_MEMORY, "memory.stat");
		r->fd[F_MEM_OOM] = open_in(r, CG_MEMORY, "memory.oom_control");
		r->fd[F_PSI_CPU] = open_in(r, CG_CPU, "cpu.pressure");
		r->fd[F_PSI_MEM] = open_in(r, CG_MEMORY, "memory.pressure");
		r->fd[F_PSI_IO] = open_in(r, CG_CPUACCT, "io.pressure");
	}
	if (r->fd[F_PROCS] < 0) {
		snprintf(err, errlen, "cannot open cgroup.procs of the new cgroup: %s", strerror(errno));
		rc = -EIO;
		goto fail;
	}
	*out = r;
	return 0;
fail:
	for (size_t i = r->nparts; i-- > 0;)
		remove_dir(r->parts[i].dir);
	free_run(r);
	return rc;
}

int cg_run_attach(struct cg_run *r, pid_t pid)
{
	for (size_t i = 0; i < r->nparts; i++) {
		if (!r->parts[i].lcg) { /* v2: made by hand */
			char v[24];
			snprintf(v, sizeof v, "%d", (int)pid);
			int e = cg_write_value(r->parts[i].dir, "cgroup.procs", v);
			if (e)
				return e;
			continue;
		}
#ifdef HAVE_LIBCGROUP
		int lrc = cgroup_attach_task_pid(r->parts[i].lcg, pid);
		if (lrc)
			return lrc == ECGROUPNOTALLOWED ? -EPERM : -EIO;
#endif
	}
	return 0;
}

const char *cg_run_warning(const struct cg_run *r)
{
	return r->warn;
}

const char *cg_run_path(const struct cg_run *r)
{
	return r->nparts ? r->parts[0].dir : "";
}

static const char *read_fd(struct cg_run *r, enum cg_file f)
{
	if (r->fd[f] < 0)
		return NULL;
	return bt_pread_once(r->fd[f], r->buf, sizeof r->buf) > 0 ? r->buf : NULL;
}

static void set_key(struct bt_entity *e, unsigned field, const char *text, const char *key, uint64_t mul)
{
	uint64_t v;
	if (text && bt_find_key_u64(text, key, &v))
		ent_set(e, field, v * mul);
}

static void set_psi(struct cg_run *r, struct bt_entity *e, enum cg_file f, unsigned some, unsigned full)
{
	const char *t = read_fd(r, f);
	uint64_t s, fu;
	bool hf;
	if (t && procfs_parse_pressure(t, &s, &fu, &hf)) {
		ent_set(e, some, s);
		if (hf)
			ent_set(e, full, fu);
	}
}

void cg_run_read(struct cg_run *r, struct bt_entity *e, long clk_tck)
{
	const char *t;
	uint64_t v;
	if (clk_tck <= 0)
		clk_tck = 100;
	if (r->version == 2) {
		t = read_fd(r, F_CPU_STAT);
		set_key(e, RUN_CG_CPU_NS, t, "usage_usec", 1000);
		set_key(e, RUN_CG_USER_NS, t, "user_usec", 1000);
		set_key(e, RUN_CG_SYS_NS, t, "system_usec", 1000);
		set_key(e, RUN_CG_PERIODS, t, "nr_periods", 1);
		set_key(e, RUN_CG_THROTTLED, t, "nr_throttled", 1);
		set_key(e, RUN_CG_THROTTLED_NS, t, "throttled_usec", 1000);
		t = read_fd(r, F_MEM_STAT);
		set_key(e, RUN_CG_ANON, t, "anon", 1);
		set_key(e, RUN_CG_FILE, t, "file", 1);
		set_key(e, RUN_CG_OOM_KILLS, read_fd(r, F_MEM_OOM), "oom_kill", 1);
	} else {
		t = read_fd(r, F_CPU_USAGE);
		if (t && bt_scan_u64(&t, &v))
			ent_set(e, RUN_CG_CPU_NS, v);
		t = read_fd(r, F_CPUACCT_STAT);
		set_key(e, RUN_CG_USER_NS, t, "user", 1000000000ull / (uint64_t)clk_tck);
		set_key(e, RUN_CG_SYS_NS, t, "system", 1000000000ull / (uint64_t)clk_tck);
		t = read_fd(r, F_CPU_STAT);
		set_key(e, RUN_CG_PERIODS, t, "nr_periods", 1);
		set_key(e, RUN_CG_THROTTLED, t, "nr_throttled", 1);
		set_key(e, RUN_CG_THROTTLED_NS, t, "throttled_time", 1);
		t = read_fd(r, F_MEM_STAT);
		set_key(e, RUN_CG_ANON, t, "total_rss", 1);
		set_key(e, RUN_CG_FILE, t, "total_cache", 1);
		set_key(e, RUN_CG_OOM_KILLS, read_fd(r, F_MEM_OOM), "oom_kill", 1);
	}
	t = read_fd(r, F_MEM_CUR);
	if (t && bt_scan_u64(&t, &v))
		ent_set(e, RUN_CG_MEM, v);
	t = read_fd(r, F_MEM_PEAK);
	if (t && bt_scan_u64(&t, &v))
		ent_set(e, RUN_CG_MEM_PEAK, v);
	set_psi(r, e, F_PSI_CPU, RUN_CG_PSI_CPU_SOME, RUN_CG_PSI_CPU_FULL);
	set_psi(r, e, F_PSI_MEM, RUN_CG_PSI_MEM_SOME, RUN_CG_PSI_MEM_FULL);
	set_psi(r, e, F_PSI_IO, RUN_CG_PSI_IO_SOME, RUN_CG_PSI_IO_FULL);
}

long cg_run_oom_kills(struct cg_run *r)
{
	uint64_t v;
	const char *t = read_fd(r, F_MEM_OOM);
	if (t && bt_find_key_u64(t, "oom_kill", &v))
		return (long)v;
	return -1;
}

int cg_run_pids(struct cg_run *r, int32_t **pids, size_t *n, size_t *cap)
{
	/* v1 caches a cgroup.procs list per open file for as long as it keeps
	 * being read, so a kept-open fd would show a stale list: v1 reads the
	 * file anew. v2 restarts its iterator at offset 0, so its fd is kept;
	 * a list longer than the buffer is read whole. */
	if (r->version == 2) {
		ssize_t got = bt_pread_all(r->fd[F_PROCS], r->buf, sizeof r->buf);
		if (got < 0)
			return (int)got;
		if ((size_t)got < sizeof r->buf - 1)
			return procfs_parse_pid_list(r->buf, pids, n, cap) < 0 ? -EINVAL : 0;
	}
	char path[PATH_MAX], *all = NULL;
	struct cg_part *p = part_for(r, CG_CPUACCT) ? part_for(r, CG_CPUACCT) : part_for(r, CG_MEMORY);
	snprintf(path, sizeof path, "%s/cgroup.procs", p->dir);
	if (r->version == 1) { /* the usual case: it fits the buffer, no allocation */
		ssize_t got = bt_read_file(path, r->buf, sizeof r->buf);
		if (got < 0)
			return (int)got;
		if ((size_t)got < sizeof r->buf - 1)
			return procfs_parse_pid_list(r->buf, pids, n, cap) < 0 ? -EINVAL : 0;
	}
	ssize_t got = bt_read_file_alloc(path, &all, 64u << 20);
	if (got < 0)
		return (int)got;
	int k = procfs_parse_pid_list(all, pids, n, cap);
	free(all);
	return k < 0 ? -EINVAL : 0;
}

int cg_run_destroy(struct cg_run *r, char *err, size_t errlen)
{
	if (!r)
		return 0;
	int rc = 0;
	for (int i = 0; i < F_N; i++)
		if (r->fd[i] >= 0) {
			close(r->fd[i]);
			r->fd[i] = -1;
		}
	for (size_t i = 0; i < r->nparts; i++) {
		int e = remove_dir(r->parts[i].dir);
		if (e && !rc) {
			rc = e;
			snprintf(err, errlen, "could not remove cgroup %s: %s", r->parts[i].dir, strerror(-e));
		}
	}
	free_run(r);
	return rc;
}

/* "benchtop.<pid>.<start>.<n>" → pid and start; false for other names. */
static bool parse_run_name(const char *name, long *pid, unsigned long long *start)
{
	if (strncmp(name, "benchtop.", 9) != 0)
		return false;
	const char *p = name + 9;
	uint64_t a, b, c;
	if (!bt_scan_u64(&p, &a) || *p++ != '.' || !bt_scan_u64(&p, &b) || *p++ != '.' ||
	    !bt_scan_u64(&p, &c) || *p)
		return false;
	*pid = (long)a;
	*start = b;
	return true;
}

int cg_cleanup_leftovers(const struct cg_ctx *ctx, char *report, size_t len)
{
	int removed = 0;
	size_t used = 0;
	if (report && len)
		report[0] = '\0';
	const char *seen[CG_NCTL] = { 0 };
	for (int c = 0; c < CG_NCTL; c++) {
		const struct cg_hier *h = &ctx->ctl[c];
		if (!h->present)
			continue;
		bool dup = false;
		for (int j = 0; j < c; j++)
			if (seen[j] && strcmp(seen[j], h->own_dir) == 0)
				dup = true;
		seen[c] = h->own_dir;
		if (dup)
			continue;
		DIR *d = opendir(h->own_dir);
		if (!d)
			continue;
		struct dirent *de;
		while ((de = readdir(d))) {
			long pid;
			unsigned long long start;
			if (!parse_run_name(de->d_name, &pid, &start))
				continue;
			if (pid > 0 && start && cg_pid_start_ticks((pid_t)pid) == start)
				continue; /* its benchtop is alive */
			char dir[PATH_MAX];
			snprintf(dir, sizeof dir, "%s/%s", h->own_dir, de->d_name);
			if (remove_dir(dir) == 0) {
				removed++;
				if (report && used < len)
					used += (size_t)snprintf(report + used, len - used, "%s%s",
								 used ? ", " : "", dir);
			}
		}
		closedir(d);
	}
	return removed;
}
