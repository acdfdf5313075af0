/* cgroup_delegate — enabling cgroup v2 controllers beneath benchtop's own
 * cgroup. Part of the cgroup module (contract in cgroup.h).
 *
 * cgroup v2's "no internal processes" rule: a cgroup (other than the root)
 * may hand a domain controller (memory, io) to its children only while it
 * holds no processes itself; the threaded ones (cpu, cpuset, pids) it may
 * hand down regardless. In a container with a cgroup namespace benchtop
 * often is the only process of the container's cgroup (docker run IMAGE
 * ...), and a delegated scope (systemd-run --scope -p Delegate=yes) is the
 * same. So when enabling a controller fails with EBUSY, benchtop moves
 * itself and its own descendants (a throwaway PostgreSQL server) into a
 * leaf beneath its cgroup, named like a run's cgroup with run number 0, and
 * tries again. Processes it did not start are never moved: when one shares
 * the cgroup, or benchtop cannot tell who does, the caller gets a sentence
 * saying what to do instead.
 *
 * cg_v2_release (called by cg_ctx_free) undoes it: the controllers benchtop
 * enabled are disabled again, but only while no cgroup beneath its own but
 * its leaf exists (another benchtop's runs may rely on them); what is in
 * the leaf goes back; the leaf is removed.
 *
 * A benchtop killed with -9 leaves the leaf and the controllers it enabled.
 * In a container or a systemd scope they go with it; elsewhere no process
 * can join that cgroup again while memory stays enabled in it, so no later
 * benchtop finds them: `rmdir` of the leaf and `-memory` written to the
 * cgroup's cgroup.subtree_control undo it by hand. */
#include "cgroup.h"
#include "cgroup_int.h"
#include "procfs.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The pids listed in dir/cgroup.procs (caller frees *pids). -errno; a
 * list holding a 0 (a process outside benchtop's PID namespace) is
 * -EINVAL: its owner cannot be told. */
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
	if (k < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
		return -EINVAL;
	}
	return 0;
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
 * keep is NULL) into to, again while any is left: a process may fork while
 * its siblings are moved (PostgreSQL starts backends at any time). At most
 * ten passes. Vanished pids are skipped. 0 or -errno. */
static int move_procs(const char *from, const char *to, bool (*keep)(pid_t))
{
	for (int pass = 0; pass < 10; pass++) {
		int32_t *pids;
		size_t n, moved = 0;
		int rc = list_procs(from, &pids, &n);
		if (rc)
			return rc;
		for (size_t i = 0; i < n; i++) {
			if (keep && !keep(pids[i]))
				continue;
			char v[24];
			snprintf(v, sizeof v, "%d", (int)pids[i]);
			int e = cg_write_value(to, "cgroup.procs", v);
			if (e && e != -ESRCH) {
				free(pids);
				return e;
			}
			moved++;
		}
		free(pids);
		if (!moved)
			return 0;
	}
	return -EAGAIN;
}

/* The sentence for a cgroup shared with processes benchtop did not start
 * (or that it cannot tell apart). */
static void say_shared(const char *own, const char *ctl, char *err, size_t errlen)
{
	int32_t *pids;
	size_t n, others = 0;
	char list[96] = "";
	size_t used = 0;
	int rc = list_procs(own, &pids, &n);
	if (rc == 0) {
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
	char who[200];
	if (rc == -EINVAL)
		snprintf(who, sizeof who, "processes outside benchtop's PID namespace");
	else if (rc)
		snprintf(who, sizeof who, "processes benchtop cannot list (%s)", strerror(-rc));
	else if (!others)
		snprintf(who, sizeof who, "processes that appeared while benchtop moved its own");
	else
		snprintf(who, sizeof who, "%zu process%s benchtop did not start (PID %s%s)", others,
			 others == 1 ? "" : "es", list, others > 3 ? ", ..." : "");
	snprintf(err, errlen,
		 "cannot enable the %s controller beneath %s: cgroup v2 hands it down only from a cgroup that "
		 "holds no processes, and this one holds %s; start benchtop as the container's command (docker "
		 "run without --init) or in a cgroup of its own (systemd-run --scope -p Delegate=yes), or pass "
		 "--no-cgroup",
		 ctl, own, who);
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
		 * leaf of our own and try again. Who cannot be told counts as
		 * not ours. */
		int32_t *pids;
		size_t n;
		bool foreign = true;
		if (list_procs(own, &pids, &n) == 0) {
			foreign = false;
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

/* Whether dir has a child cgroup other than except. */
static bool other_children(const char *dir, const char *except)
{
	DIR *d = opendir(dir);
	if (!d)
		return true; /* cannot tell: assume so */
	const char *base = except ? strrchr(except, '/') : NULL;
	base = base ? base + 1 : "";
	bool found = false;
	struct dirent *de;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, base) == 0)
			continue;
		char p[PATH_MAX];
		struct stat st;
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		found = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
	}
	closedir(d);
	return found;
}

int cg_v2_release(struct cg_ctx *ctx)
{
	const char *own = ctx->ctl[CG_CPUACCT].own_dir;
	int rc = 0;
	/* Disable in the reverse order of enabling, and only while nothing
	 * beneath our cgroup but our leaf could rely on it (another
	 * benchtop's runs): else leave it enabled, and remembered, for a
	 * later call to try again. */
	bool alone = own && !other_children(own, ctx->v2_leaf);
	while (alone && ctx->v2_enabled[0]) {
		char *last = strrchr(ctx->v2_enabled, ' ');
		char *name = last ? last + 1 : ctx->v2_enabled;
		char minus[72];
		snprintf(minus, sizeof minus, "-%s", name);
		int e = cg_write_value(own, "cgroup.subtree_control", minus);
		if (e && !rc)
			rc = e;
		if (last)
			*last = '\0';
		else
			ctx->v2_enabled[0] = '\0';
	}
	if (ctx->v2_leaf) {
		/* Back where we came from; then the leaf can go (an exiting
		 * process may linger in it a moment). Where a domain controller
		 * stays enabled our cgroup may hold no process: the leaf stays. */
		int e = own ? move_procs(ctx->v2_leaf, own, NULL) : -ENOENT;
		for (int k = 0; !e && k < 100; k++) {
			if (rmdir(ctx->v2_leaf) == 0 || errno == ENOENT)
				break;
			e = errno == EBUSY && k < 99 ? 0 : -errno;
			if (!e)
				usleep(10000);
		}
		if (e && !rc)
			rc = e;
		if (!rc) {
			free(ctx->v2_leaf);
			ctx->v2_leaf = NULL;
		}
	}
	return rc;
}
