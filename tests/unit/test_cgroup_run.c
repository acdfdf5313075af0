/* test_cgroup_run — run cgroups on cgroup v2 for real: the hand-written v2
 * path of cgroup_run.c (mkdir, cgroup.procs, cpu.stat, rmdir) and the
 * cleanup of leftovers, on this machine's cgroup2 mount. On a hybrid host
 * that mount has no controllers, which is also what a limit must refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "procfs.h"
#include "util.h"

static struct cg_ctx live;
static char own[2048];

/* A context that uses the cgroup2 hierarchy only, as a v2 container sees it. */
static int setup(void **state)
{
	(void)state;
	char err[256];
	if (cg_ctx_load(&live, "", err, sizeof err) != 0 || !live.unified_mnt)
		return 0;
	snprintf(own, sizeof own, "%s%s", live.unified_mnt, strcmp(live.unified_own, "/") ? live.unified_own : "");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cg_ctx_free(&live);
	return 0;
}

static void make_v2_ctx(struct cg_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->root = xstrdup("");
	c->version = 2;
	for (int i = 0; i < CG_NCTL; i++) {
		struct cg_hier *h = &c->ctl[i];
		h->present = i == CG_CPUACCT; /* cpu.stat: in every v2 cgroup */
		h->version = 2;
		h->mountpoint = xstrdup(live.unified_mnt);
		h->own_path = xstrdup(live.unified_own);
		h->own_dir = xstrdup(own);
	}
}

static bool usable(void)
{
	if (!own[0] || access(own, W_OK) != 0) {
		print_message("no writable cgroup2 mount here: skipped\n");
		return false;
	}
	return true;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Write pid into dir/cgroup.procs. */
static int move_to(const char *dir, pid_t pid)
{
	char path[PATH_MAX + 16], v[24];
	snprintf(path, sizeof path, "%s/cgroup.procs", dir);
	snprintf(v, sizeof v, "%d", (int)pid);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(v, f);
	return fclose(f) == 0 ? 0 : -1;
}

/* Whether pid is listed in dir/cgroup.procs. */
static bool listed(const char *dir, pid_t pid)
{
	char path[PATH_MAX + 16], buf[8192];
	snprintf(path, sizeof path, "%s/cgroup.procs", dir);
	if (bt_read_file(path, buf, sizeof buf) < 0)
		return false;
	int32_t *pids = NULL;
	size_t n = 0, cap = 0;
	procfs_parse_pid_list(buf, &pids, &n, &cap);
	bool found = false;
	for (size_t i = 0; i < n; i++)
		found |= pids[i] == pid;
	free(pids);
	return found;
}

static bool file_has_word(const char *dir, const char *file, const char *word)
{
	char path[PATH_MAX + 32], buf[512] = "";
	snprintf(path, sizeof path, "%s/%s", dir, file);
	return bt_read_file(path, buf, sizeof buf) >= 0 && bt_word_in(buf, word);
}

/* What a test holds, so that teardown cleans up even after a failed
 * assertion (cmocka leaves the test function with a longjmp). */
static struct {
	struct cg_ctx ctx, outer; /* outer: our own cgroup, handing hugetlb down */
	bool have_ctx, have_outer;
	struct cg_run *run;
	pid_t child, orphan;
	bool moved; /* this test process was moved into dirs[0] */
	int go[2], done[2];
	char dirs[2][PATH_MAX];
} t;

static int test_setup(void **state)
{
	(void)state;
	memset(&t, 0, sizeof t);
	t.go[0] = t.go[1] = t.done[0] = t.done[1] = -1;
	return 0;
}

static int test_teardown(void **state)
{
	(void)state;
	if (t.child > 0) {
		kill(t.child, SIGKILL);
		waitpid(t.child, NULL, 0);
	}
	if (t.orphan > 0) /* not our child: gone once rmdir below succeeds */
		kill(t.orphan, SIGKILL);
	if (t.moved)
		move_to(own, getpid());
	if (t.dirs[1][0] && rmdir(t.dirs[1]) == 0)
		t.dirs[1][0] = '\0';
	if (t.have_ctx)
		cg_v2_release(&t.ctx);
	char err[256];
	if (t.run)
		cg_run_destroy(t.run, err, sizeof err);
	for (int i = 0; i < 2; i++)
		for (int k = 0; t.dirs[i][0] && k < 200 && rmdir(t.dirs[i]) < 0 && errno == EBUSY; k++)
			usleep(10000);
	if (t.have_ctx)
		cg_ctx_free(&t.ctx);
	if (t.have_outer)
		cg_ctx_free(&t.outer); /* disables hugetlb again if we enabled it */
	for (int i = 0; i < 2; i++) {
		if (t.go[i] >= 0)
			close(t.go[i]);
		if (t.done[i] >= 0)
			close(t.done[i]);
	}
	return 0;
}

/* A child that waits for "go", burns cpu_s seconds of CPU time (not wall
 * time: the machine may be busy), says "done" and waits to be killed. */
static pid_t spinner(double cpu_s)
{
	assert_int_equal(pipe(t.go), 0);
	assert_int_equal(pipe(t.done), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;
		if (read(t.go[0], &c, 1) != 1)
			_exit(1);
		struct timespec b;
		volatile unsigned long x = 0;
		do {
			for (int i = 0; i < 100000; i++)
				x += (unsigned long)i;
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
		} while ((double)b.tv_sec + (double)b.tv_nsec / 1e9 < cpu_s);
		if (write(t.done[1], "d", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	t.child = pid;
	return pid;
}

static void spinner_go_and_wait(void)
{
	assert_int_equal(write(t.go[1], "g", 1), 1);
	char c;
	assert_int_equal(read(t.done[0], &c, 1), 1);
}

static void v2_run_lifecycle(void **state)
{
	(void)state;
	if (!usable())
		skip();
	make_v2_ctx(&t.ctx);
	t.have_ctx = true;
	struct cg_limits none = { 0, NULL, 0 };
	char err[512] = "";
	int rc = cg_run_create(&t.ctx, &none, 7, &t.run, err, sizeof err);
	assert_int_equal(rc, 0);
	struct cg_run *run = t.run;
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", cg_run_path(run));
	assert_true(is_dir(dir));
	assert_non_null(strstr(dir, own));
	assert_non_null(strstr(dir, "/benchtop."));

	pid_t child = spinner(0.2);
	assert_int_equal(cg_run_attach(run, child), 0);
	int32_t *pids = NULL;
	size_t n = 0, cap = 0;
	assert_int_equal(cg_run_pids(run, &pids, &n, &cap), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], child);
	free(pids);

	spinner_go_and_wait();
	struct bt_entity e = { 1, 0, { 0 } };
	cg_run_read(run, &e, sysconf(_SC_CLK_TCK));
	assert_true(ent_has(&e, RUN_CG_CPU_NS));
	/* It burnt 0.2 s of CPU, all of it after it joined. */
	assert_true(e.v[RUN_CG_CPU_NS] >= 195000000ull);
	assert_false(ent_has(&e, RUN_CG_MEM)); /* no memory controller: unknown */

	/* destroy kills what is left and removes the directory */
	t.run = NULL;
	assert_int_equal(cg_run_destroy(run, err, sizeof err), 0);
	assert_false(is_dir(dir));
	int st;
	assert_int_equal(waitpid(child, &st, 0), child);
	t.child = 0;
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static void v2_limit_without_controller(void **state)
{
	(void)state;
	if (!usable())
		skip();
	char have[512] = "", p[PATH_MAX];
	snprintf(p, sizeof p, "%s/cgroup.controllers", own);
	bt_read_file(p, have, sizeof have);
	if (strstr(have, "memory")) {
		print_message("this cgroup2 has a memory controller: the refusal is not testable here\n");
		skip();
	}
	make_v2_ctx(&t.ctx);
	t.have_ctx = true;
	struct cg_limits mem = { 0, NULL, 64 << 20 };
	char err[512] = "";
	int rc = cg_run_create(&t.ctx, &mem, 8, &t.run, err, sizeof err);
	assert_true(rc < 0);
	assert_null(t.run);
	assert_non_null(strstr(err, "memory"));
	/* nothing left behind */
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s/benchtop.%d.%llu.8", own, (int)getpid(),
		 (unsigned long long)cg_pid_start_ticks(getpid()));
	assert_false(is_dir(dir));
}

/* A cgroup named like a run of a benchtop that died, with a process in it:
 * cleanup ends the process and removes the cgroup; a live owner's is kept. */
static void v2_leftovers(void **state)
{
	(void)state;
	if (!usable())
		skip();
	make_v2_ctx(&t.ctx);
	t.have_ctx = true;
	char *dead = t.dirs[0], *alive = t.dirs[1], v[32];
	/* pid 2^22+1 is above any pid_max default: certainly not running */
	snprintf(dead, PATH_MAX, "%s/benchtop.4194305.12345.1", own);
	snprintf(alive, PATH_MAX, "%s/benchtop.%d.%llu.99", own, (int)getpid(),
		 (unsigned long long)cg_pid_start_ticks(getpid()));
	assert_int_equal(mkdir(dead, 0755), 0);
	assert_int_equal(mkdir(alive, 0755), 0);
	pid_t child = spinner(0);
	snprintf(v, sizeof v, "%d", (int)child);
	char procs[PATH_MAX + 32];
	snprintf(procs, sizeof procs, "%s/cgroup.procs", dead);
	FILE *f = fopen(procs, "w");
	assert_non_null(f);
	fputs(v, f);
	assert_int_equal(fclose(f), 0);

	char report[1024];
	int removed = cg_cleanup_leftovers(&t.ctx, report, sizeof report);
	assert_int_equal(removed, 1);
	assert_non_null(strstr(report, "benchtop.4194305.12345.1"));
	assert_false(is_dir(dead));
	assert_true(is_dir(alive)); /* its owner (this test) is alive */
	int st;
	assert_int_equal(waitpid(child, &st, 0), child);
	t.child = 0;
	assert_true(WIFSIGNALED(st));
	assert_int_equal(rmdir(alive), 0);
	alive[0] = '\0';
}

/* ---- v2 delegation: the "no internal processes" rule, for real ------------ */

/* A v2 context whose own cgroup is dir (a test cgroup beneath ours). */
static void make_v2_ctx_at(struct cg_ctx *c, const char *dir)
{
	make_v2_ctx(c);
	for (int i = 0; i < CG_NCTL; i++) {
		free(c->ctl[i].own_dir);
		c->ctl[i].own_dir = xstrdup(dir);
	}
}

/* hugetlb is the controller this host's cgroup2 mount offers (the others
 * are bound to v1); the rule is the same for cpu and memory on a v2 host.
 * Our own cgroup hands it down to the test cgroup for the test's time
 * (cg_ctx_free of t.outer takes it back). */
static bool delegation_testable(void)
{
	if (!usable())
		return false;
	if (!file_has_word(own, "cgroup.controllers", "hugetlb")) {
		print_message("this cgroup2 offers no controller free to enable: skipped\n");
		return false;
	}
	make_v2_ctx(&t.outer);
	t.have_outer = true;
	char err[700];
	if (cg_v2_enable(&t.outer, "hugetlb", err, sizeof err) != 0) {
		print_message("cannot hand hugetlb down from our own cgroup (%s): skipped\n", err);
		return false;
	}
	return true;
}

/* A test cgroup beneath ours, named like a run so a crash leaves nothing a
 * later benchtop would not remove. */
static char *test_cgroup(void)
{
	snprintf(t.dirs[0], PATH_MAX, "%s/benchtop.%d.%llu.77", own, (int)getpid(),
		 (unsigned long long)cg_pid_start_ticks(getpid()));
	assert_int_equal(mkdir(t.dirs[0], 0755), 0);
	return t.dirs[0];
}

/* This test process moved into a new test cgroup, and a context whose
 * own cgroup that is: benchtop started there. */
static char *enter_test_cgroup(void)
{
	char *T = test_cgroup();
	assert_int_equal(move_to(T, getpid()), 0);
	t.moved = true;
	make_v2_ctx_at(&t.ctx, T);
	t.have_ctx = true;
	return T;
}

/* benchtop alone (with a child of its own) in its cgroup: enabling a
 * controller moves both into a leaf; release puts everything back. */
static void v2_delegate_moves_ours_and_back(void **state)
{
	(void)state;
	if (!delegation_testable())
		skip();
	char *T = enter_test_cgroup();
	pid_t child = spinner(0); /* waits for "go": born in T */
	char err[700] = "";
	assert_false(file_has_word(T, "cgroup.subtree_control", "hugetlb"));
	int rc = cg_v2_enable(&t.ctx, "hugetlb", err, sizeof err);
	if (rc)
		print_message("cg_v2_enable: %s\n", err);
	assert_int_equal(rc, 0);
	assert_true(file_has_word(T, "cgroup.subtree_control", "hugetlb"));
	assert_non_null(t.ctx.v2_leaf);
	char leaf[PATH_MAX];
	snprintf(leaf, sizeof leaf, "%s/benchtop.%d.%llu.0", T, (int)getpid(),
		 (unsigned long long)cg_pid_start_ticks(getpid()));
	assert_string_equal(t.ctx.v2_leaf, leaf);
	assert_true(listed(leaf, getpid()));
	assert_true(listed(leaf, child));
	assert_false(listed(T, getpid()));
	/* Enabled already: nothing more to do. */
	assert_int_equal(cg_v2_enable(&t.ctx, "hugetlb", err, sizeof err), 0);
	/* A controller the parent does not hand down is refused by name. */
	assert_int_equal(cg_v2_enable(&t.ctx, "memory", err, sizeof err), -ENOTSUP);
	assert_non_null(strstr(err, "not delegated"));

	assert_int_equal(cg_v2_release(&t.ctx), 0);
	assert_null(t.ctx.v2_leaf);
	assert_false(file_has_word(T, "cgroup.subtree_control", "hugetlb"));
	assert_false(is_dir(leaf));
	assert_true(listed(T, getpid()));
	assert_true(listed(T, child));
}

/* Another cgroup beneath ours (another benchtop's run) may rely on what we
 * enabled: release leaves it enabled, and the leaf (which cannot move back
 * into a cgroup handing a domain controller down) stays, named. Once that
 * cgroup is gone, release finishes the job. */
static void v2_release_leaves_what_others_use(void **state)
{
	(void)state;
	if (!delegation_testable())
		skip();
	char *T = enter_test_cgroup();
	char err[700] = "";
	assert_int_equal(cg_v2_enable(&t.ctx, "hugetlb", err, sizeof err), 0);
	snprintf(t.dirs[1], PATH_MAX, "%s/other", T);
	assert_int_equal(mkdir(t.dirs[1], 0755), 0);
	assert_true(cg_v2_release(&t.ctx) < 0);
	assert_true(file_has_word(T, "cgroup.subtree_control", "hugetlb"));
	assert_non_null(t.ctx.v2_leaf);
	assert_true(is_dir(t.ctx.v2_leaf));
	assert_true(listed(t.ctx.v2_leaf, getpid()));
	assert_int_equal(rmdir(t.dirs[1]), 0);
	t.dirs[1][0] = '\0';
	/* Nothing beneath but the leaf now: the next release finishes. */
	char leaf[PATH_MAX];
	snprintf(leaf, sizeof leaf, "%s", t.ctx.v2_leaf);
	assert_int_equal(cg_v2_release(&t.ctx), 0);
	assert_false(file_has_word(T, "cgroup.subtree_control", "hugetlb"));
	assert_null(t.ctx.v2_leaf);
	assert_false(is_dir(leaf));
	assert_true(listed(T, getpid()));
}

/* A process benchtop did not start shares its cgroup: nothing is moved,
 * nothing enabled, and the sentence names the process and what to do. */
static void v2_delegate_refuses_a_shared_cgroup(void **state)
{
	(void)state;
	if (!delegation_testable())
		skip();
	char *T = test_cgroup();
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t mid = fork();
	assert_true(mid >= 0);
	if (mid == 0) { /* its child outlives it: not benchtop's descendant */
		pid_t g = fork();
		if (g == 0) {
			close(p[0]);
			close(p[1]);
			pause();
			_exit(0);
		}
		_exit(write(p[1], &g, sizeof g) == sizeof g ? 0 : 1);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &t.orphan, sizeof t.orphan), (ssize_t)sizeof t.orphan);
	close(p[0]);
	assert_int_equal(waitpid(mid, NULL, 0), mid);
	assert_int_equal(move_to(T, t.orphan), 0);
	assert_int_equal(move_to(T, getpid()), 0);
	t.moved = true;

	make_v2_ctx_at(&t.ctx, T);
	t.have_ctx = true;
	char err[700] = "", pid_text[32];
	assert_int_equal(cg_v2_enable(&t.ctx, "hugetlb", err, sizeof err), -EBUSY);
	snprintf(pid_text, sizeof pid_text, "(PID %d)", (int)t.orphan);
	assert_non_null(strstr(err, "holds 1 process benchtop did not start"));
	assert_non_null(strstr(err, pid_text));
	assert_non_null(strstr(err, "--no-cgroup"));
	assert_null(t.ctx.v2_leaf);
	assert_false(file_has_word(T, "cgroup.subtree_control", "hugetlb"));
	assert_true(listed(T, getpid()));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(v2_run_lifecycle, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(v2_limit_without_controller, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(v2_leftovers, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(v2_delegate_moves_ours_and_back, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(v2_release_leaves_what_others_use, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(v2_delegate_refuses_a_shared_cgroup, test_setup, test_teardown),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
