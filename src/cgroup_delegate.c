/* cgroup_delegate — enabling cgroup v2 controllers beneath benchtop's own
 * cgroup. Part of the cgroup module (contract in cgroup.h).
 *
 * cgroup v2's "no internal processes" rule: a cgroup (other than the root)
 * may hand a controller to its children only while it holds no processes
 * itself. In a container with a cgroup namespace benchtop often is the
 * only process of the container's cgroup (docker run IMAGE ...), and a
 * delegated scope (systemd-run --scope -p Delegate=yes) is the same. So
 * when enabling a controller fails with EBUSY, benchtop moves itself and
 * its own descendants (a throwaway PostgreSQL server) into a leaf beneath
 * its cgroup, named like a run's cgroup with run number 0, and tries
 * again. Processes it did not start are never moved: when one shares the
 * cgroup, the caller gets a sentence saying what to do instead.
 *
 * cg_v2_release (called by cg_ctx_free) undoes it all: the controllers
 * benchtop enabled are disabled again, what is in the leaf goes back, the
 * leaf is removed. A benchtop killed with -9 leaves the leaf, which the
 * next benchtop removes like any leftover run cgroup. */
#include "cgroup.h"
#include "cgroup_int.h"
#include "procfs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The pids listed in dir/cgroup.procs (caller frees *pids). -errno. */
static int list_procs(const char *dir, int32_t **pids, size_t *n)
{
	char path[PATH_MAX], *text = NULL;
	size_t cap = 0;
	*pids = NULL;
	*n = 0;
	snprintf(path, sizeof path, "%s/cgroup.procs", dir);
	ssize_t got = bt_read_file_alloc(path, &text, 16u << 20);
	if (got < 0)
		return (int)got;
	int k = procfs_parse_pid_list(text, pids, n, &cap);
	free(text);
	return k < 0 ? -EINVAL : 0;
}

/* Whether pid is benchtop itself or started by it (its parent chain
 * reaches us). A pid that vanished counts as ours: there is nothing to
 * move. */
static bool ours(pid_t pid)
{
	pid_t self = getpid();
	for (int depth = 0; depth < 64; depth++) {
		if (pid == self)
			return true;
		if (pid <= 1)
			return false;
		char path[64], buf[1024];
		struct procfs_stat st;
		snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
		if (bt_read_file(path, buf, sizeof buf) <= 0 || !procfs_parse_stat(buf, &st))
			return depth > 0 ? false : true;
		pid = (pid_t)st.ppid;
	}
	return false;
}

/* Move every pid listed in from/cgroup.procs that passes keep (all when
 * keep is NULL) into to. Vanished pids are skipped. 0 or the first -errno. */
static int move_procs(const char *from, const char *to, bool (*keep)(pid_t))
{
	int32_t *pids;
	size_t n;
	int rc = list_procs(from, &pids, &n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (keep && !keep(pids[i]))
			continue;
		char v[24];
		snprintf(v, sizeof v, "%d", (int)pids[i]);
		int e = cg_write_value(to, "cgroup.procs", v);
		if (e && e != -ESRCH && !rc)
			rc = e;
	}
	free(pids);
	return rc;
}

/* The sentence for a cgroup shared with processes benchtop did not start. */
static void say_shared(const char *own, const char *ctl, char *err, size_t errlen)
{
	int32_t *pids;
	size_t n, others = 0;
	char list[96] = "";
	size_t used = 0;
	if (list_procs(own, &pids, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (ours(pids[i]))
				continue;
			if (others < 3 && used < sizeof list)
				used += (size_t)snprintf(list + used, sizeof list - used, "%s%d", others ? ", " : "",
							 (int)pids[i]);
			others++;
		}
		free(pids);
	}
	snprintf(err, errlen,
		 "cannot enable the %s controller beneath %s: cgroup v2 hands controllers to the cgroups beneath "
		 "only while a cgroup holds no processes, and this one holds %zu that benchtop did not start "
		 "(PID %s%s); start benchtop as the container's command (docker run IMAGE ...) or in a cgroup of "
		 "its own (systemd-run --scope -p Delegate=yes benchtop ...), or pass --no-cgroup",
		 ctl, own, others, list[0] ? list : "?", others > 3 ? ", ..." : "");
}

static void remember_enabled(struct cg_ctx *ctx, const char *ctl)
{
	size_t l = strlen(ctx->v2_enabled);
	snprintf(ctx->v2_enabled + l, sizeof ctx->v2_enabled - l, "%s%s", l ? " " : "", ctl);
}

int cg_v2_enable(struct cg_ctx *ctx, const char *ctl, char *err, size_t errlen)
{
	const char *own = ctx->ctl[CG_CPUACCT].own_dir;
	char path[PATH_MAX], have[512] = "", plus[40];
	if (!own) {
		snprintf(err, errlen, "benchtop's own cgroup v2 directory is not known");
		return -ENOENT;
	}
	snprintf(path, sizeof path, "%s/cgroup.subtree_control", own);
	if (bt_read_file(path, have, sizeof have) >= 0 && bt_word_in(have, ctl))
		return 0;
	snprintf(path, sizeof path, "%s/cgroup.controllers", own);
	have[0] = '\0';
	if (bt_read_file(path, have, sizeof have) >= 0 && !bt_word_in(have, ctl)) {
		have[strcspn(have, "\n")] = '\0';
		snprintf(err, errlen, "the %s controller is not delegated to %s (it offers: %s)", ctl, own,
			 have[0] ? have : "none");
		return -ENOTSUP;
	}
	snprintf(plus, sizeof plus, "+%s", ctl);
	int e = cg_write_value(own, "cgroup.subtree_control", plus);
	if (e == -EBUSY && !ctx->v2_leaf) {
		/* Processes in our cgroup: if they are all ours, move them into a
		 * leaf of our own and try again. */
		int32_t *pids;
		size_t n;
		bool foreign = false;
		if (list_procs(own, &pids, &n) == 0) {
			for (size_t i = 0; i < n && !foreign; i++)
				foreign = !ours(pids[i]);
			free(pids);
		}
		if (foreign) {
			say_shared(own, ctl, err, errlen);
			return -EBUSY;
		}
		char leaf[PATH_MAX];
		snprintf(leaf, sizeof leaf, "%s/benchtop.%d.%llu.0", own, (int)getpid(),
			 (unsigned long long)cg_pid_start_ticks(getpid()));
		if (mkdir(leaf, 0755) < 0 && errno != EEXIST) {
			e = -errno;
			snprintf(err, errlen, "cannot create %s to move benchtop out of its own cgroup: %s", leaf,
				 strerror(-e));
			return e;
		}
		ctx->v2_leaf = xstrdup(leaf);
		e = move_procs(own, leaf, ours);
		if (e) {
			snprintf(err, errlen, "cannot move benchtop into %s: %s", leaf, strerror(-e));
			return e;
		}
		e = cg_write_value(own, "cgroup.subtree_control", plus);
	}
	if (e == -EBUSY) {
		say_shared(own, ctl, err, errlen);
		return e;
	}
	if (e) {
		snprintf(err, errlen, "cannot enable the %s controller for cgroups beneath %s: %s", ctl, own,
			 strerror(-e));
		return e;
	}
	remember_enabled(ctx, ctl);
	return 0;
}

int cg_v2_release(struct cg_ctx *ctx)
{
	const char *own = ctx->ctl[CG_CPUACCT].own_dir;
	int rc = 0;
	/* Disable in the reverse order of enabling. */
	while (own && ctx->v2_enabled[0]) {
		char *last = strrchr(ctx->v2_enabled, ' ');
		char *name = last ? last + 1 : ctx->v2_enabled;
		char minus[72];
		snprintf(minus, sizeof minus, "-%s", name);
		int e = cg_write_value(own, "cgroup.subtree_control", minus);
		if (e && !rc)
			rc = e; /* another benchtop's cgroups still use it */
		if (last)
			*last = '\0';
		else
			ctx->v2_enabled[0] = '\0';
	}
	if (ctx->v2_leaf) {
		/* Back where we came from; then the leaf can go. Where a
		 * controller stays enabled, our cgroup may hold no process
		 * and the leaf stays for a later benchtop to remove. */
		int e = own ? move_procs(ctx->v2_leaf, own, NULL) : -ENOENT;
		if (!e && rmdir(ctx->v2_leaf) < 0 && errno != ENOENT)
			e = -errno;
		if (e && !rc)
			rc = e;
		free(ctx->v2_leaf);
		ctx->v2_leaf = NULL;
	}
	return rc;
}
