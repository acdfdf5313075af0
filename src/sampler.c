/* sampler — see sampler.h. The per-tick path uses pread on kept-open fds and
 * the hand-written parsers of procfs.c: open/read/close cost about twice as
 * much per file (measured while benchtop was built; docs/performance.md). */
#include "sampler.h"
#include "procfs.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { TF_STAT, TF_SCHED, TF_STATUS, TF_IO, TF_PSTAT, TF_N };

/* One watched task (a process's leader or a thread). */
struct task {
	int32_t tid, pid;
	int fd[TF_N];
	uint64_t gen;   /* tick it was last seen */
	char comm[64];
	uint64_t cs_vol, cs_invol;
	bool has_cs;
	/* A leader caches its process's thread list; it is listed anew when
	 * the thread count changes, a thread vanished, or once a second. */
	int32_t *tids;
	size_t ntids, tidcap;
	int64_t listed_nthreads;
	bool relist;
};

struct srun {
	uint64_t id;
	pid_t root;
	struct cg_run *cg;
	uint64_t reaped_user_tk, reaped_sys_tk;
	uint64_t last_user_tk, last_sys_tk;
	bool listed_ok; /* the last tick could list the run's processes */
	size_t nlisted; /* how many processes it listed */
};

struct sampler {
	char *root;
	long clk_tck, page;
	unsigned status_every;
	uint64_t gen;
	int fd_stat, fd_meminfo, fd_psi[3];
	char *big;        /* /proc/stat and other whole-file reads */
	size_t bigcap;
	char *kids;       /* children files */
	size_t kidscap;
	char small[4096];
	struct task *tasks; /* [0, nsorted) sorted by tid, then this tick's new ones */
	size_t ntasks, taskcap, nsorted;
	bool tasks_dirty;
	struct srun *runs;
	size_t nruns, runcap;
	int32_t *pids, *tids, *queue;
	size_t npids, pidcap, ntids, tidcap, nqueue, queuecap;
	struct sampler_name *names;
	size_t nnames, namecap;
	struct bt_frame *cur; /* the frame being filled */
	struct cg_own *own;   /* benchtop's own cgroup, or NULL */
};

static int open_root(const struct sampler *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int open_root(const struct sampler *s, const char *fmt, ...)
{
	char path[PATH_MAX], rel[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(rel, sizeof rel, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof rel || !bt_path(path, sizeof path, s->root, "%s", rel))
		return -1;
	return open(path, O_RDONLY | O_CLOEXEC);
}

struct sampler *sampler_new(const char *root, unsigned status_every)
{
	struct sampler *s = xcalloc(1, sizeof(*s));
	s->root = xstrdup(root ? root : "");
	s->clk_tck = sysconf(_SC_CLK_TCK);
	s->page = sysconf(_SC_PAGESIZE);
	s->status_every = status_every ? status_every : 1;
	s->fd_stat = open_root(s, "/proc/stat");
	s->fd_meminfo = open_root(s, "/proc/meminfo");
	s->fd_psi[0] = open_root(s, "/proc/pressure/cpu");
	s->fd_psi[1] = open_root(s, "/proc/pressure/memory");
	s->fd_psi[2] = open_root(s, "/proc/pressure/io");
	s->bigcap = 1 << 16;
	s->big = xmalloc(s->bigcap);
	s->kidscap = 1 << 12;
	s->kids = xmalloc(s->kidscap);
	return s;
}

static void task_close(struct task *t)
{
	for (int i = 0; i < TF_N; i++)
		if (t->fd[i] >= 0) {
			close(t->fd[i]);
			t->fd[i] = -1;
		}
	free(t->tids);
	t->tids = NULL;
	t->ntids = t->tidcap = 0;
}

/* A task whose files stopped answering (it exited, or its pid now names
 * another task): close them and forget it, so a later tick reopens. */
static void task_forget(struct task *t)
{
	task_close(t);
	t->pid = -1;
	t->gen = 0;
	t->comm[0] = '\0';
}

void sampler_free(struct sampler *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ntasks; i++)
		task_close(&s->tasks[i]);
	int fds[] = { s->fd_stat, s->fd_meminfo, s->fd_psi[0], s->fd_psi[1], s->fd_psi[2] };
	for (size_t i = 0; i < BT_ARRAY_LEN(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(s->tasks);
	free(s->runs);
	free(s->pids);
	free(s->tids);
	free(s->queue);
	free(s->names);
	free(s->big);
	free(s->kids);
	free(s->root);
	free(s);
}

void sampler_set_own_cgroup(struct sampler *s, struct cg_own *own)
{
	s->own = own;
}

void sampler_add_run(struct sampler *s, uint64_t run_id, pid_t root_pid, struct cg_run *cg)
{
	bt_grow((void **)&s->runs, &s->runcap, s->nruns + 1, sizeof(*s->runs));
	struct srun *r = &s->runs[s->nruns++];
	memset(r, 0, sizeof(*r));
	r->id = run_id;
	r->root = root_pid;
	r->cg = cg;
}

static struct srun *find_run(struct sampler *s, uint64_t id)
{
	for (size_t i = 0; i < s->nruns; i++)
		if (s->runs[i].id == id)
			return &s->runs[i];
	return NULL;
}

void sampler_note_reaped(struct sampler *s, uint64_t run_id, pid_t pid, const struct rusage *ru)
{
	struct srun *r = find_run(s, run_id);
	if (!r)
		return;
	if (pid == r->root)
		r->root = 0; /* its pid may be reused from now on */
	/* rusage is in timevals; the tree sums are in clock ticks. */
	r->reaped_user_tk += (uint64_t)((ru->ru_utime.tv_sec * 1000000 + ru->ru_utime.tv_usec) *
					s->clk_tck / 1000000);
	r->reaped_sys_tk += (uint64_t)((ru->ru_stime.tv_sec * 1000000 + ru->ru_stime.tv_usec) *
				       s->clk_tck / 1000000);
}

int sampler_run_listed(struct sampler *s, uint64_t run_id, size_t *n)
{
	struct srun *r = find_run(s, run_id);
	if (!r || !r->listed_ok)
		return -1;
	*n = r->nlisted;
	return 0;
}

/* ---- Task cache ---------------------------------------------------------- */

static struct task *task_find(struct sampler *s, int32_t tid)
{
	for (size_t i = s->nsorted; i < s->ntasks; i++)
		if (s->tasks[i].tid == tid)
			return &s->tasks[i];
	size_t lo = 0, hi = s->nsorted;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->tasks[mid].tid < tid)
			lo = mid + 1;
		else if (s->tasks[mid].tid > tid)
			hi = mid;
		else
			return &s->tasks[mid];
	}
	return NULL;
}

static int cmp_task(const void *a, const void *b)
{
	int32_t x = ((const struct task *)a)->tid, y = ((const struct task *)b)->tid;
	return x < y ? -1 : x > y;
}

/* Get (or open) the cached files of a task. Returns NULL when it is gone. */
static struct task *task_get(struct sampler *s, int32_t pid, int32_t tid)
{
	struct task *t = task_find(s, tid);
	if (t && t->pid == pid) {
		t->gen = s->gen;
		return t;
	}
	if (t) { /* a tid now belongs to another process: start over */
		task_close(t);
		t->pid = -1;
		t->gen = 0;
	}
	int fd = open_root(s, "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	if (fd < 0)
		return NULL;
	/* New tasks are appended (unsorted) and sorted in at the end of the
	 * tick. Growing may move the array: callers hold a task pointer only
	 * until their next task_get. */
	if (!t) {
		bt_grow((void **)&s->tasks, &s->taskcap, s->ntasks + 1, sizeof(*s->tasks));
		t = &s->tasks[s->ntasks++];
		s->tasks_dirty = true;
	}
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->pid = pid;
	t->gen = s->gen;
	t->fd[TF_STAT] = fd;
	t->fd[TF_SCHED] = open_root(s, "/proc/%d/task/%d/schedstat", (int)pid, (int)tid);
	t->fd[TF_STATUS] = open_root(s, "/proc/%d/task/%d/status", (int)pid, (int)tid);
	/* Process-wide files live at /proc/PID, read through the leader. */
	t->fd[TF_IO] = pid == tid ? open_root(s, "/proc/%d/io", (int)pid) : -1;
	t->fd[TF_PSTAT] = pid == tid ? open_root(s, "/proc/%d/stat", (int)pid) : -1;
	return t;
}

static void add_name(struct sampler *s, enum bt_kind kind, uint64_t key, const char *comm)
{
	bt_grow((void **)&s->names, &s->namecap, s->nnames + 1, sizeof(*s->names));
	struct sampler_name *n = &s->names[s->nnames++];
	n->kind = kind;
	n->key = key;
	snprintf(n->comm, sizeof n->comm, "%s", comm);
}

/* ---- Tree discovery ------------------------------------------------------ */

static void push_unique(int32_t **arr, size_t *n, size_t *cap, int32_t v)
{
	for (size_t i = 0; i < *n; i++)
		if ((*arr)[i] == v)
			return;
	bt_grow((void **)arr, cap, *n + 1, sizeof(**arr));
	(*arr)[(*n)++] = v;
}

/* List the threads of pid into s->tids. Returns false when pid is gone. */
static bool list_threads(struct sampler *s, int32_t pid)
{
	char path[PATH_MAX];
	s->ntids = 0;
	if (!bt_path(path, sizeof path, s->root, "/proc/%d/task", (int)pid))
		return false;
	DIR *d = opendir(path);
	if (!d)
		return false;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *p = de->d_name;
		uint64_t v;
		if (bt_scan_u64(&p, &v) && !*p && v <= INT32_MAX) {
			bt_grow((void **)&s->tids, &s->tidcap, s->ntids + 1, sizeof(*s->tids));
			s->tids[s->ntids++] = (int32_t)v;
		}
	}
	closedir(d);
	return true;
}

/* Children of every thread of pid, appended to the queue. */
static void add_children(struct sampler *s, int32_t pid)
{
	for (size_t i = 0; i < s->ntids; i++) {
		char path[PATH_MAX];
		if (!bt_path(path, sizeof path, s->root, "/proc/%d/task/%d/children", (int)pid,
			     (int)s->tids[i]))
			continue;
		/* A children file can be long (one pid per child): read it whole. */
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t n;
		while ((n = bt_pread_all(fd, s->kids, s->kidscap)) > 0 && (size_t)n == s->kidscap - 1 &&
		       s->kidscap < (64u << 20)) {
			s->kidscap *= 2;
			s->kids = xreallocarray(s->kids, s->kidscap, 1);
		}
		close(fd);
		if (n > 0)
			procfs_parse_pid_list(s->kids, &s->queue, &s->nqueue, &s->queuecap);
	}
}

/* ---- One tick ------------------------------------------------------------ */

static void cpu_cb(void *ctx, unsigned cpu, const uint64_t v[8])
{
	struct sampler *s = ctx;
	struct bt_entity *e = frame_add(s->cur, BT_K_CPU, cpu);
	for (unsigned i = 0; i < CPU_NF; i++)
		ent_set(e, i, v[i]);
}

static void sample_system(struct sampler *s, struct bt_frame *f)
{
	/* Valid until the CPU entities are added below (the array may move). */
	struct bt_entity *sys = frame_add(f, BT_K_SYS, 0);
	uint64_t ctxt = UINT64_MAX, running = UINT64_MAX;
	if (s->fd_meminfo >= 0 && bt_pread_once(s->fd_meminfo, s->big, s->bigcap) > 0) {
		uint64_t t, a, fr;
		if (procfs_parse_meminfo(s->big, &t, &a, &fr)) {
			ent_set(sys, SYS_MEM_TOTAL, t);
			ent_set(sys, SYS_MEM_AVAIL, a);
			ent_set(sys, SYS_MEM_FREE, fr);
		}
	}
	cg_own_read(s->own, sys);
	static const unsigned psi_some[3] = { SYS_PSI_CPU_SOME, SYS_PSI_MEM_SOME, SYS_PSI_IO_SOME };
	static const int psi_full[3] = { -1, SYS_PSI_MEM_FULL, SYS_PSI_IO_FULL };
	for (int i = 0; i < 3; i++) {
		uint64_t some, full;
		bool hf;
		if (s->fd_psi[i] >= 0 && bt_pread_once(s->fd_psi[i], s->small, sizeof s->small) > 0 &&
		    procfs_parse_pressure(s->small, &some, &full, &hf)) {
			ent_set(sys, psi_some[i], some);
			if (hf && psi_full[i] >= 0)
				ent_set(sys, (unsigned)psi_full[i], full);
		}
	}
	if (s->fd_stat >= 0) {
		ssize_t n;
		/* /proc/stat grows with the CPU count: grow the buffer to fit. */
		while ((n = bt_pread_once(s->fd_stat, s->big, s->bigcap)) > 0 && (size_t)n == s->bigcap - 1 &&
		       s->bigcap < (16u << 20)) {
			s->bigcap *= 2;
			s->big = xreallocarray(s->big, s->bigcap, 1);
		}
		if (n > 0) {
			s->cur = f;
			procfs_parse_proc_stat(s->big, cpu_cb, s, &ctxt, &running);
			sys = &f->k[BT_K_SYS].items[0];
			if (ctxt != UINT64_MAX)
				ent_set(sys, SYS_CTXT, ctxt);
			if (running != UINT64_MAX)
				ent_set(sys, SYS_PROCS_RUNNING, running);
		}
	}
}

struct run_acc {
	uint64_t user_tk, sys_tk, rss, nthreads, nrunning, cs_vol, cs_invol, rd, wr, minflt, majflt;
	bool has_io, has_cs;
};

/* Sample one process and its threads. Returns whether the process still
 * exists (it may exist yet be unreadable, e.g. when benchtop ran out of file
 * descriptors: it then still counts as part of the run). */
static bool sample_process(struct sampler *s, struct bt_frame *f, struct srun *r, int32_t pid,
			   struct run_acc *acc)
{
	errno = 0;
	struct task *lead = task_get(s, pid, pid);
	if (!lead)
		return errno != ENOENT && errno != ESRCH;
	/* /proc/PID/stat has the process totals (all threads, dead ones too);
	 * /proc/PID/task/PID/stat only the leader thread. */
	struct procfs_stat pst;
	if (lead->fd[TF_PSTAT] < 0 || bt_pread_once(lead->fd[TF_PSTAT], s->small, sizeof s->small) <= 0 ||
	    !procfs_parse_stat(s->small, &pst)) {
		task_forget(lead); /* gone, or its pid reused: reopen if listed again */
		return false;
	}
	if (strcmp(lead->comm, pst.comm) != 0) {
		snprintf(lead->comm, sizeof lead->comm, "%s", pst.comm);
		add_name(s, BT_K_PROC, (uint64_t)pid, pst.comm);
	}
	struct bt_entity *e = frame_add(f, BT_K_PROC, (uint64_t)pid);
	ent_set(e, PROC_RUN, r->id);
	ent_set(e, PROC_PPID, (uint64_t)pst.ppid);
	ent_set(e, PROC_STATE, (uint64_t)(unsigned char)pst.state);
	ent_set(e, PROC_UTIME, pst.utime);
	ent_set(e, PROC_STIME, pst.stime);
	ent_set(e, PROC_CUTIME, (uint64_t)(pst.cutime > 0 ? pst.cutime : 0));
	ent_set(e, PROC_CSTIME, (uint64_t)(pst.cstime > 0 ? pst.cstime : 0));
	ent_set(e, PROC_VSIZE, pst.vsize);
	ent_set(e, PROC_NTHREADS, (uint64_t)(pst.num_threads > 0 ? pst.num_threads : 0));
	ent_set(e, PROC_MINFLT, pst.minflt);
	ent_set(e, PROC_MAJFLT, pst.majflt);
	ent_set(e, PROC_START, pst.starttime);
	acc->user_tk += pst.utime + (uint64_t)(pst.cutime > 0 ? pst.cutime : 0);
	acc->sys_tk += pst.stime + (uint64_t)(pst.cstime > 0 ? pst.cstime : 0);
	acc->minflt += pst.minflt;
	acc->majflt += pst.majflt;
	/* Peak RSS is only in status; the leader's status is per process.
	 * RSS from status too: the kernel keeps RSS in per-CPU counters
	 * (since 6.2), and on 6.18 stat's rss field reads them unsummed (a
	 * small static process read 0) while status gives the sum, as statm
	 * does. stat's is the fallback. */
	struct procfs_status ps;
	uint64_t rss = pst.rss_pages * (uint64_t)s->page;
	if (lead->fd[TF_STATUS] >= 0 && bt_pread_once(lead->fd[TF_STATUS], s->small, sizeof s->small) > 0 &&
	    procfs_parse_status(s->small, &ps)) {
		if (ps.has_hwm)
			ent_set(e, PROC_HWM, ps.vm_hwm_kb * 1024);
		if (ps.has_rss)
			rss = ps.vm_rss_kb * 1024;
	}
	ent_set(e, PROC_RSS, rss);
	acc->rss += rss;
	uint64_t rd, wr;
	if (lead->fd[TF_IO] >= 0 && bt_pread_once(lead->fd[TF_IO], s->small, sizeof s->small) > 0 &&
	    procfs_parse_io(s->small, &rd, &wr)) {
		ent_set(e, PROC_READ_BYTES, rd);
		ent_set(e, PROC_WRITE_BYTES, wr);
		acc->rd += rd;
		acc->wr += wr;
		acc->has_io = true;
	}

	/* Listing /proc/PID/task costs a directory read per process per tick:
	 * reuse the last list while nothing says it changed. */
	unsigned relist_every = s->status_every > 1 ? s->status_every : 1;
	if (lead->relist || !lead->ntids || lead->listed_nthreads != pst.num_threads ||
	    s->gen % relist_every == 0) {
		if (!list_threads(s, pid))
			return false;
		bt_grow((void **)&lead->tids, &lead->tidcap, s->ntids, sizeof(*lead->tids));
		memcpy(lead->tids, s->tids, s->ntids * sizeof(*s->tids));
		lead->ntids = s->ntids;
		lead->listed_nthreads = pst.num_threads;
		lead->relist = false;
	} else {
		/* Work on a copy: task_get below may move the task array. */
		bt_grow((void **)&s->tids, &s->tidcap, lead->ntids, sizeof(*s->tids));
		memcpy(s->tids, lead->tids, lead->ntids * sizeof(*s->tids));
		s->ntids = lead->ntids;
	}
	bool vanished = false;
	bool slow_tick = s->gen % s->status_every == 1 || s->status_every == 1;
	for (size_t i = 0; i < s->ntids; i++) {
		int32_t tid = s->tids[i];
		struct task *t = task_get(s, pid, tid);
		if (!t)
			continue;
		struct procfs_stat ts;
		if (bt_pread_once(t->fd[TF_STAT], s->small, sizeof s->small) <= 0 ||
		    !procfs_parse_stat(s->small, &ts)) {
			task_forget(t);
			vanished = true;
			continue;
		}
		if (tid != pid && strcmp(t->comm, ts.comm) != 0) {
			snprintf(t->comm, sizeof t->comm, "%s", ts.comm);
			add_name(s, BT_K_THREAD, (uint64_t)tid, ts.comm);
		}
		struct bt_entity *te = frame_add(f, BT_K_THREAD, (uint64_t)tid);
		ent_set(te, THR_PID, (uint64_t)pid);
		ent_set(te, THR_STATE, (uint64_t)(unsigned char)ts.state);
		if (ts.processor >= 0)
			ent_set(te, THR_CPU, (uint64_t)ts.processor);
		ent_set(te, THR_UTIME, ts.utime);
		ent_set(te, THR_STIME, ts.stime);
		ent_set(te, THR_MINFLT, ts.minflt);
		ent_set(te, THR_MAJFLT, ts.majflt);
		uint64_t run_ns, wait_ns, slices;
		if (t->fd[TF_SCHED] >= 0 && bt_pread_once(t->fd[TF_SCHED], s->small, sizeof s->small) > 0 &&
		    procfs_parse_schedstat(s->small, &run_ns, &wait_ns, &slices)) {
			ent_set(te, THR_RUN_US, run_ns / 1000);
			ent_set(te, THR_WAIT_US, wait_ns / 1000);
			ent_set(te, THR_SLICES, slices);
		}
		/* Context switches need the dear status file: read it every
		 * status_every ticks (and on first sight); between reads the
		 * counters keep their last value. */
		if ((slow_tick || !t->has_cs) && t->fd[TF_STATUS] >= 0 &&
		    bt_pread_once(t->fd[TF_STATUS], s->small, sizeof s->small) > 0) {
			struct procfs_status tst;
			if (procfs_parse_status(s->small, &tst) && tst.has_cs) {
				t->cs_vol = tst.cs_vol;
				t->cs_invol = tst.cs_invol;
				t->has_cs = true;
			}
		}
		if (t->has_cs) {
			ent_set(te, THR_CS_VOL, t->cs_vol);
			ent_set(te, THR_CS_INVOL, t->cs_invol);
			acc->cs_vol += t->cs_vol;
			acc->cs_invol += t->cs_invol;
			acc->has_cs = true;
		}
		acc->nthreads++;
		if (ts.state == 'R')
			acc->nrunning++;
	}
	if (vanished) {
		struct task *l = task_find(s, pid);
		if (l && l->pid == pid)
			l->relist = true; /* a thread ended: list anew next tick */
	}
	/* Children of this process continue the walk (tree mode only). */
	if (!r->cg)
		add_children(s, pid);
	return true;
}

static void sample_run(struct sampler *s, struct bt_frame *f, struct srun *r)
{
	struct run_acc acc;
	memset(&acc, 0, sizeof acc);
	struct bt_entity re = { r->id, 0, { 0 } };
	if (r->cg)
		cg_run_read(r->cg, &re, s->clk_tck);

	size_t nprocs = 0;
	r->listed_ok = false;
	if (r->cg) {
		s->npids = 0;
		if (cg_run_pids(r->cg, &s->pids, &s->npids, &s->pidcap) == 0) {
			r->listed_ok = true;
			r->nlisted = s->npids;
			for (size_t i = 0; i < s->npids; i++) {
				size_t before = f->k[BT_K_PROC].n;
				sample_process(s, f, r, s->pids[i], &acc);
				nprocs += f->k[BT_K_PROC].n - before;
			}
		}
	} else {
		/* Walk the tree from the root, then take benchtop's adopted
		 * orphans (it is a child subreaper) as part of the run too. */
		s->nqueue = 0;
		if (r->root > 0)
			push_unique(&s->queue, &s->nqueue, &s->queuecap, r->root);
		int32_t self = (int32_t)getpid();
		if (list_threads(s, self)) {
			size_t n0 = s->nqueue;
			add_children(s, self);
			/* Keep only orphans: drop other runs' roots. */
			for (size_t i = n0; i < s->nqueue;) {
				bool other = false;
				for (size_t j = 0; j < s->nruns; j++)
					if (s->runs[j].root == s->queue[i] && s->runs[j].id != r->id)
						other = true;
				if (other || s->queue[i] == r->root) {
					s->queue[i] = s->queue[--s->nqueue];
					continue;
				}
				i++;
			}
		}
		size_t alive = 0;
		for (size_t qi = 0; qi < s->nqueue && qi < 1000000; qi++) {
			size_t before = f->k[BT_K_PROC].n;
			alive += sample_process(s, f, r, s->queue[qi], &acc);
			nprocs += f->k[BT_K_PROC].n - before;
		}
		r->listed_ok = true;
		r->nlisted = alive;
	}
	if (!r->listed_ok) {
		/* Could not list the run: its sums are unknown this tick. */
		struct bt_entity *e = frame_add(f, BT_K_RUN, r->id);
		*e = re;
		return;
	}

	uint64_t user = acc.user_tk + r->reaped_user_tk, sys = acc.sys_tk + r->reaped_sys_tk;
	/* A process reaped between reading it and reading its parent can be
	 * counted twice for one tick, or not at all: keep the sums monotonic. */
	if (user < r->last_user_tk)
		user = r->last_user_tk;
	if (sys < r->last_sys_tk)
		sys = r->last_sys_tk;
	r->last_user_tk = user;
	r->last_sys_tk = sys;
	ent_set(&re, RUN_TREE_USER_TK, user);
	ent_set(&re, RUN_TREE_SYS_TK, sys);
	ent_set(&re, RUN_RSS, acc.rss);
	ent_set(&re, RUN_NPROCS, nprocs);
	ent_set(&re, RUN_NTHREADS, acc.nthreads);
	ent_set(&re, RUN_NRUNNING, acc.nrunning);
	if (acc.has_cs) {
		ent_set(&re, RUN_CS_VOL, acc.cs_vol);
		ent_set(&re, RUN_CS_INVOL, acc.cs_invol);
	}
	if (acc.has_io) {
		ent_set(&re, RUN_READ_BYTES, acc.rd);
		ent_set(&re, RUN_WRITE_BYTES, acc.wr);
	}
	ent_set(&re, RUN_MINFLT, acc.minflt);
	ent_set(&re, RUN_MAJFLT, acc.majflt);
	struct bt_entity *e = frame_add(f, BT_K_RUN, r->id);
	*e = re;
}

void sampler_tick(struct sampler *s, struct bt_frame *f, const struct sampler_name **names,
		  size_t *nnames)
{
	struct timespec c0, c1;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	frame_reset(f);
	s->gen++;
	s->nnames = 0;
	sample_system(s, f);
	for (size_t i = 0; i < s->nruns; i++)
		sample_run(s, f, &s->runs[i]);
	/* Close the files of tasks not seen this tick, then restore order. */
	size_t w = 0;
	for (size_t i = 0; i < s->ntasks; i++) {
		if (s->tasks[i].gen != s->gen) {
			task_close(&s->tasks[i]);
			s->tasks_dirty = true;
			continue;
		}
		if (w != i)
			s->tasks[w] = s->tasks[i];
		w++;
	}
	s->ntasks = w;
	if (s->tasks_dirty) {
		qsort(s->tasks, s->ntasks, sizeof(*s->tasks), cmp_task);
		s->tasks_dirty = false;
	}
	s->nsorted = s->ntasks;
	for (int k = 0; k < BT_NKINDS; k++)
		frame_sort(f, (enum bt_kind)k);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	f->cost_ns = (uint64_t)((c1.tv_sec - c0.tv_sec) * 1000000000LL + (c1.tv_nsec - c0.tv_nsec));
	*names = s->names;
	*nnames = s->nnames;
}
