/* cgroup — see cgroup.h. */
#include "cgroup.h"
#include "procfs.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

static const char *const ctl_names[CG_NCTL] = { "cpu", "cpuacct", "cpuset", "memory", "pids" };

const char *cg_controller_name(enum cg_controller c)
{
	return (unsigned)c < CG_NCTL ? ctl_names[c] : "?";
}

/* ---- Detection ---------------------------------------------------------- */

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *w = s;
	for (char *r = s; *r;) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

static bool opt_has(const char *opts, const char *name)
{
	size_t l = strlen(name);
	for (const char *p = opts; p && *p;) {
		if (strncmp(p, name, l) == 0 && (p[l] == ',' || p[l] == '\0'))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

/* Join a mountpoint and a cgroup path seen from the mount's root. */
static char *own_dir_for(const char *root, const char *mnt, const char *mnt_root, const char *path)
{
	const char *rel = path;
	size_t rl = strlen(mnt_root);
	/* A container without a cgroup namespace mounts /docker/ID as its root
	 * while /proc/self/cgroup still says /docker/ID/...: strip the prefix. */
	if (strcmp(mnt_root, "/") != 0 && strncmp(path, mnt_root, rl) == 0 &&
	    (path[rl] == '/' || path[rl] == '\0'))
		rel = path + rl;
	char buf[PATH_MAX];
	if (!bt_path(buf, sizeof buf, root, "%s%s%s", mnt, (rel[0] == '/' || !rel[0]) ? "" : "/",
		     strcmp(rel, "/") == 0 ? "" : rel))
		return NULL;
	return xstrdup(buf);
}

struct mnt {
	char *point, *mroot, *opts;
	bool v2;
	unsigned long id, parent;
};

/* Every mount of mountinfo, by id: enough to tell which are hidden. */
struct mnt_id {
	unsigned long id, parent;
	char *point;
};

/* Whether mount id is visible: neither it nor a mount it hangs from is
 * covered by a mount on the same point (a container runtime mounting a
 * fresh cgroupfs over the host's, or a cgroup bind-mounted over a
 * hierarchy, leaves the covered mount in mountinfo). */
static bool mnt_visible(const struct mnt_id *all, size_t n, unsigned long id)
{
	unsigned long from = 0; /* the mount we came up from: it may cover its parent */
	bool have_from = false;
	for (int depth = 0; depth < 64; depth++) {
		const struct mnt_id *m = NULL;
		for (size_t i = 0; i < n && !m; i++)
			if (all[i].id == id)
				m = &all[i];
		if (!m)
			return true; /* the namespace's root hangs from nothing listed */
		for (size_t i = 0; i < n; i++)
			if (all[i].parent == m->id && all[i].id != m->id && !(have_from && all[i].id == from) &&
			    strcmp(all[i].point, m->point) == 0)
				return false;
		if (m->parent == m->id)
			return true;
		from = m->id;
		have_from = true;
		id = m->parent;
	}
	return true;
}

int cg_ctx_load(struct cg_ctx *ctx, const char *root, char *err, size_t errlen)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->root = xstrdup(root ? root : "");
	char path[PATH_MAX];
	char *mi = NULL, *pc = NULL;
	struct mnt *mnts = NULL;
	size_t nm = 0, cm = 0;
	struct mnt_id *ids = NULL;
	size_t nids = 0, cids = 0;
	int rc = 0;

	bt_path(path, sizeof path, root, "/proc/self/mountinfo");
	ssize_t n = bt_read_file_alloc(path, &mi, 16 << 20);
	if (n < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror((int)-n));
		rc = (int)n;
		goto out;
	}
	for (char *line = strtok(mi, "\n"); line; line = strtok(NULL, "\n")) {
		/* id parent maj:min root mountpoint opts [optional...] - fstype src superopts */
		char *f[6] = { 0 };
		char *save = NULL, *tok = strtok_r(line, " ", &save);
		int i = 0;
		for (; tok && i < 6; tok = strtok_r(NULL, " ", &save))
			f[i++] = tok;
		while (tok && strcmp(tok, "-") != 0)
			tok = strtok_r(NULL, " ", &save);
		if (!tok || i < 5)
			continue;
		char *fstype = strtok_r(NULL, " ", &save);
		(void)strtok_r(NULL, " ", &save);
		char *sopts = strtok_r(NULL, " ", &save);
		const char *p0 = f[0], *p1 = f[1];
		uint64_t id = 0, parent = 0;
		bt_scan_u64(&p0, &id);
		bt_scan_u64(&p1, &parent);
		unescape_octal(f[4]);
		bt_grow((void **)&ids, &cids, nids + 1, sizeof(*ids));
		ids[nids++] = (struct mnt_id){ (unsigned long)id, (unsigned long)parent, xstrdup(f[4]) };
		if (!fstype || (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0))
			continue;
		bt_grow((void **)&mnts, &cm, nm + 1, sizeof(*mnts));
		unescape_octal(f[3]);
		mnts[nm].mroot = xstrdup(f[3]);
		mnts[nm].point = xstrdup(f[4]);
		mnts[nm].opts = xstrdup(sopts ? sopts : "");
		mnts[nm].v2 = strcmp(fstype, "cgroup2") == 0;
		mnts[nm].id = (unsigned long)id;
		mnts[nm].parent = (unsigned long)parent;
		nm++;
	}
	/* Keep the cgroup mounts a process here can see. */
	for (size_t i = 0; i < nm;) {
		if (mnt_visible(ids, nids, mnts[i].id)) {
			i++;
			continue;
		}
		free(mnts[i].point);
		free(mnts[i].mroot);
		free(mnts[i].opts);
		memmove(&mnts[i], &mnts[i + 1], (nm - i - 1) * sizeof(*mnts)); /* order matters below */
		nm--;
	}

	bt_path(path, sizeof path, root, "/proc/self/cgroup");
	n = bt_read_file_alloc(path, &pc, 1 << 20);
	if (n < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror((int)-n));
		rc = (int)n;
		goto out;
	}
	bool any_v1 = false;
	for (size_t i = 0; i < nm; i++)
		for (int c = 0; c < CG_NCTL; c++)
			if (!mnts[i].v2 && opt_has(mnts[i].opts, ctl_names[c]))
				any_v1 = true;
	ctx->version = any_v1 ? 1 : 2;

	for (char *line = strtok(pc, "\n"); line; line = strtok(NULL, "\n")) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c1 || !c2)
			continue;
		*c1 = *c2 = '\0';
		const char *ctrls = c1 + 1, *cpath = c2 + 1;
		if (strcmp(line, "0") == 0 && !*ctrls) {
			for (size_t i = 0; i < nm; i++)
				if (mnts[i].v2 && !ctx->unified_mnt) {
					ctx->unified_mnt = xstrdup(mnts[i].point);
					ctx->unified_own = xstrdup(cpath);
				}
			if (ctx->version == 2) {
				for (size_t i = 0; i < nm; i++) {
					if (!mnts[i].v2)
						continue;
					/* Which controllers the hierarchy offers. */
					char cp[PATH_MAX], buf[512];
					char *dir = own_dir_for(ctx->root, mnts[i].point, mnts[i].mroot, cpath);
					if (!dir)
						continue;
					/* The controllers our own cgroup may use (those its
					 * parent delegates); at the mountpoint when ours has
					 * no such file. */
					snprintf(cp, sizeof cp, "%s/cgroup.controllers", dir);
					ssize_t l = bt_read_file(cp, buf, sizeof buf);
					if (l < 0) {
						bt_path(cp, sizeof cp, ctx->root, "%s/cgroup.controllers", mnts[i].point);
						l = bt_read_file(cp, buf, sizeof buf);
					}
					if (l < 0)
						buf[0] = '\0';
					for (int c = 0; c < CG_NCTL; c++) {
						/* cpu.stat exists in every v2 cgroup, so CPU usage
						 * (the v1 cpuacct role) is always there. */
						struct cg_hier *h = &ctx->ctl[c];
						h->present = c == CG_CPUACCT || bt_word_in(buf, ctl_names[c]);
						h->version = 2;
						h->mountpoint = xstrdup(mnts[i].point);
						h->own_path = xstrdup(cpath);
						h->own_dir = xstrdup(dir);
					}
					free(dir);
					break;
				}
			}
			continue;
		}
		for (int c = 0; c < CG_NCTL; c++) {
			char key[32];
			snprintf(key, sizeof key, "%s", ctl_names[c]);
			if (!opt_has(ctrls, key))
				continue;
			for (size_t i = 0; i < nm; i++) {
				if (mnts[i].v2 || !opt_has(mnts[i].opts, key))
					continue;
				struct cg_hier *h = &ctx->ctl[c];
				if (h->present)
					break;
				h->own_dir = own_dir_for(ctx->root, mnts[i].point, mnts[i].mroot, cpath);
				if (!h->own_dir)
					break;
				h->present = true;
				h->version = 1;
				h->mountpoint = xstrdup(mnts[i].point);
				h->own_path = xstrdup(cpath);
				break;
			}
		}
	}
	ctx->hybrid = ctx->version == 1 && ctx->unified_mnt;
	if (nm == 0) {
		snprintf(err, errlen, "no cgroup filesystem is mounted under %s/sys/fs/cgroup",
			 ctx->root[0] ? ctx->root : "");
		rc = -ENOENT;
	}
out:
	for (size_t i = 0; i < nm; i++) {
		free(mnts[i].point);
		free(mnts[i].mroot);
		free(mnts[i].opts);
	}
	free(mnts);
	for (size_t i = 0; i < nids; i++)
		free(ids[i].point);
	free(ids);
	free(mi);
	free(pc);
	return rc;
}

void cg_ctx_free(struct cg_ctx *ctx)
{
	if (ctx->root && !ctx->root[0])
		cg_v2_release(ctx);
	free(ctx->v2_leaf); /* one that could not be removed */
	for (int c = 0; c < CG_NCTL; c++) {
		free(ctx->ctl[c].mountpoint);
		free(ctx->ctl[c].own_path);
		free(ctx->ctl[c].own_dir);
	}
	free(ctx->root);
	free(ctx->unified_mnt);
	free(ctx->unified_own);
	memset(ctx, 0, sizeof(*ctx));
}

/* ---- Limits ------------------------------------------------------------- */

static bool read_text(const char *dir, const char *file, char *buf, size_t size)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof p, "%s/%s", dir, file) >= (int)sizeof p)
		return false;
	return bt_read_file(p, buf, size) > 0;
}

/* Walk from dir up to (and including) the hierarchy's mountpoint. fn returns
 * false to stop. */
static void walk_up(const struct cg_ctx *ctx, const struct cg_hier *h,
		    bool (*fn)(const char *dir, void *arg), void *arg)
{
	char top[PATH_MAX], dir[PATH_MAX];
	if (!bt_path(top, sizeof top, ctx->root, "%s", h->mountpoint))
		return;
	snprintf(dir, sizeof dir, "%s", h->own_dir);
	for (int depth = 0; depth < 64; depth++) {
		if (!fn(dir, arg))
			return;
		if (strlen(dir) <= strlen(top))
			return;
		char *slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			return;
		*slash = '\0';
	}
}

struct quota_walk {
	double best;
	char src[160];
	int version;
};

static bool quota_step(const char *dir, void *arg)
{
	struct quota_walk *q = arg;
	char buf[128];
	double cpus = 0;
	if (q->version == 2) {
		if (read_text(dir, "cpu.max", buf, sizeof buf) && strncmp(buf, "max", 3) != 0) {
			const char *p = buf;
			uint64_t quota, period;
			if (bt_scan_u64(&p, &quota) && bt_scan_u64(&p, &period) && period)
				cpus = (double)quota / (double)period;
		}
	} else {
		char b2[64];
		long long quota, period;
		if (read_text(dir, "cpu.cfs_quota_us", buf, sizeof buf) &&
		    read_text(dir, "cpu.cfs_period_us", b2, sizeof b2)) {
			buf[strcspn(buf, "\n")] = b2[strcspn(b2, "\n")] = '\0';
			if (bt_parse_ll(buf, &quota) && bt_parse_ll(b2, &period) && quota > 0 && period > 0)
				cpus = (double)quota / (double)period;
		}
	}
	if (cpus > 0 && (q->best == 0 || cpus < q->best)) {
		q->best = cpus;
		snprintf(q->src, sizeof q->src, "%s/%s", dir, q->version == 2 ? "cpu.max" : "cpu.cfs_quota_us");
	}
	return true;
}

struct mem_walk {
	uint64_t best;
	char src[160];
	int version;
};

static bool mem_step(const char *dir, void *arg)
{
	struct mem_walk *m = arg;
	char buf[64];
	const char *file = m->version == 2 ? "memory.max" : "memory.limit_in_bytes";
	if (read_text(dir, file, buf, sizeof buf)) {
		const char *p = buf;
		uint64_t v;
		/* v1 reports "no limit" as a huge page-aligned number. */
		if (bt_scan_u64(&p, &v) && v < (UINT64_C(1) << 62) && (m->best == 0 || v < m->best)) {
			m->best = v;
			snprintf(m->src, sizeof m->src, "%s/%s", dir, file);
		}
	}
	return true;
}

static bool cpuset_step(const char *dir, void *arg)
{
	int *count = arg;
	char buf[4096];
	/* The effective set already folds in the ancestors'. */
	if (read_text(dir, "cpuset.cpus.effective", buf, sizeof buf) ||
	    read_text(dir, "cpuset.effective_cpus", buf, sizeof buf) ||
	    read_text(dir, "cpuset.cpus", buf, sizeof buf)) {
		int c = procfs_count_cpu_list(buf);
		if (c > 0) {
			*count = c;
			return false;
		}
	}
	return true;
}

void cg_effective(const struct cg_ctx *ctx, struct cg_effective *out)
{
	memset(out, 0, sizeof(*out));
	char path[PATH_MAX], buf[4096];
	bt_path(path, sizeof path, ctx->root, "/sys/devices/system/cpu/online");
	if (bt_read_file(path, buf, sizeof buf) > 0)
		out->cpus_visible = procfs_count_cpu_list(buf);
	if (out->cpus_visible <= 0) {
		bt_path(path, sizeof path, ctx->root, "/proc/stat");
		char *st = NULL;
		if (bt_read_file_alloc(path, &st, 1 << 22) > 0)
			out->cpus_visible = procfs_parse_proc_stat(st, NULL, NULL, NULL, NULL);
		free(st);
	}
	bt_path(path, sizeof path, ctx->root, "/proc/meminfo");
	if (bt_read_file(path, buf, sizeof buf) > 0) {
		uint64_t a, f;
		procfs_parse_meminfo(buf, &out->mem_total, &a, &f);
	}
	const struct cg_hier *cpu = &ctx->ctl[CG_CPU];
	if (cpu->present) {
		struct quota_walk q = { 0, "", cpu->version };
		walk_up(ctx, cpu, quota_step, &q);
		out->quota_cpus = q.best;
		snprintf(out->quota_source, sizeof out->quota_source, "%s", q.src);
	}
	const struct cg_hier *cs = &ctx->ctl[CG_CPUSET];
	if (cs->present)
		walk_up(ctx, cs, cpuset_step, &out->cpuset_cpus);
	const struct cg_hier *mem = &ctx->ctl[CG_MEMORY];
	if (mem->present) {
		struct mem_walk m = { 0, "", mem->version };
		walk_up(ctx, mem, mem_step, &m);
		out->mem_limit = m.best;
		snprintf(out->mem_source, sizeof out->mem_source, "%s", m.src);
	}
	double eff = out->cpus_visible > 0 ? out->cpus_visible : 1;
	if (out->cpuset_cpus > 0 && out->cpuset_cpus < eff)
		eff = out->cpuset_cpus;
	if (out->quota_cpus > 0 && out->quota_cpus < eff)
		eff = out->quota_cpus;
	out->cpus_effective = eff;
	if (out->mem_total && out->mem_limit > out->mem_total)
		out->mem_limit = 0; /* a limit above RAM does not bind */
}

int cg_can_create(const struct cg_ctx *ctx, char *why, size_t whylen)
{
#ifndef HAVE_LIBCGROUP
	if (ctx->version == 1) {
		snprintf(why, whylen, "%s", CG_NO_LIBCGROUP_V1);
		return -ENOTSUP;
	}
#endif
	const struct cg_hier *h = &ctx->ctl[CG_CPUACCT];
	if (!h->present)
		h = &ctx->ctl[CG_MEMORY];
	if (!h->present) {
		snprintf(why, whylen, "no cpu or memory cgroup controller is available");
		return -ENOENT;
	}
	struct statvfs sv;
	if (statvfs(h->own_dir, &sv) == 0 && (sv.f_flag & ST_RDONLY)) {
		snprintf(why, whylen, "%s is mounted read-only", h->own_dir);
		return -EROFS;
	}
	if (access(h->own_dir, W_OK) != 0) {
		int e = errno;
		snprintf(why, whylen, "%s is not writable: %s", h->own_dir, strerror(e));
		return -e;
	}
	return 0;
}

uint64_t cg_pid_start_ticks(pid_t pid)
{
	char path[64], buf[1024];
	struct procfs_stat st;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (bt_read_file(path, buf, sizeof buf) <= 0 || !procfs_parse_stat(buf, &st))
		return 0;
	return st.starttime;
}

/* ---- benchtop's own cgroup ---------------------------------------------- */

enum { OWN_CPU, OWN_CPUACCT_USAGE, OWN_THROTTLE, OWN_MEM, OWN_N };

struct cg_own {
	int version;
	int fd[OWN_N];
	char buf[4096];
};

static int open_file(const char *dir, const char *file)
{
	char p[PATH_MAX];
	if (!dir || snprintf(p, sizeof p, "%s/%s", dir, file) >= (int)sizeof p)
		return -1;
	return open(p, O_RDONLY | O_CLOEXEC);
}

/* The directory whose quota binds (see cg_effective), else own. */
static void quota_dir(const struct cg_ctx *ctx, char *dir, size_t size)
{
	const struct cg_hier *cpu = &ctx->ctl[CG_CPU];
	struct quota_walk q = { 0, "", cpu->version };
	snprintf(dir, size, "%s", cpu->own_dir ? cpu->own_dir : "");
	if (!cpu->present)
		return;
	walk_up(ctx, cpu, quota_step, &q);
	char *slash = strrchr(q.src, '/');
	if (q.best > 0 && slash) {
		*slash = '\0';
		snprintf(dir, size, "%s", q.src);
	}
}

struct cg_own *cg_own_open(const struct cg_ctx *ctx)
{
	struct cg_own *o = xcalloc(1, sizeof(*o));
	o->version = ctx->version;
	char qdir[PATH_MAX];
	quota_dir(ctx, qdir, sizeof qdir);
	const struct cg_hier *acct = &ctx->ctl[CG_CPUACCT], *mem = &ctx->ctl[CG_MEMORY];
	if (ctx->version == 2) {
		o->fd[OWN_CPU] = open_file(acct->present ? acct->own_dir : NULL, "cpu.stat");
		o->fd[OWN_CPUACCT_USAGE] = -1;
		o->fd[OWN_THROTTLE] = open_file(ctx->ctl[CG_CPU].present ? qdir : NULL, "cpu.stat");
		o->fd[OWN_MEM] = open_file(mem->present ? mem->own_dir : NULL, "memory.current");
	} else {
		o->fd[OWN_CPU] = -1;
		o->fd[OWN_CPUACCT_USAGE] = open_file(acct->present ? acct->own_dir : NULL, "cpuacct.usage");
		o->fd[OWN_THROTTLE] = open_file(ctx->ctl[CG_CPU].present ? qdir : NULL, "cpu.stat");
		o->fd[OWN_MEM] = open_file(mem->present ? mem->own_dir : NULL, "memory.usage_in_bytes");
	}
	bool any = false;
	for (int i = 0; i < OWN_N; i++)
		any |= o->fd[i] >= 0;
	if (!any) {
		free(o);
		return NULL;
	}
	return o;
}

static const char *own_text(struct cg_own *o, int which)
{
	if (o->fd[which] < 0)
		return NULL;
	return bt_pread_once(o->fd[which], o->buf, sizeof o->buf) > 0 ? o->buf : NULL;
}

void cg_own_read(struct cg_own *o, struct bt_entity *e)
{
	if (!o)
		return;
	uint64_t v;
	const char *t;
	if ((t = own_text(o, OWN_CPU)) && bt_find_key_u64(t, "usage_usec", &v))
		ent_set(e, SYS_OWN_CPU_NS, v * 1000);
	if ((t = own_text(o, OWN_CPUACCT_USAGE)) && bt_scan_u64(&t, &v))
		ent_set(e, SYS_OWN_CPU_NS, v);
	if ((t = own_text(o, OWN_THROTTLE))) {
		uint64_t periods, thr;
		/* v2 counts microseconds, v1 nanoseconds; both sum the time over CPUs. */
		bool have_ns = bt_find_key_u64(t, o->version == 2 ? "throttled_usec" : "throttled_time", &v);
		if (have_ns && o->version == 2)
			v *= 1000;
		if (bt_find_key_u64(t, "nr_periods", &periods) && bt_find_key_u64(t, "nr_throttled", &thr)) {
			ent_set(e, SYS_OWN_PERIODS, periods);
			ent_set(e, SYS_OWN_THROTTLED, thr);
			if (have_ns)
				ent_set(e, SYS_OWN_THROTTLED_NS, v);
		}
	}
	if ((t = own_text(o, OWN_MEM)) && bt_scan_u64(&t, &v))
		ent_set(e, SYS_OWN_MEM, v);
}

void cg_own_free(struct cg_own *o)
{
	if (!o)
		return;
	for (int i = 0; i < OWN_N; i++)
		if (o->fd[i] >= 0)
			close(o->fd[i]);
	free(o);
}
