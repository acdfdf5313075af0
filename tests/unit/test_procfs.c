/* Unit tests for the /proc parsers (src/procfs.c): fixture strings shaped
 * like the kernel's output, plus real files of this process. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "procfs.h"
#include "util.h"

/* A real line (bash, from /proc/PID/stat on Linux 5.15). */
static const char BASH_STAT[] =
	"5542 (bash) S 5541 5542 5542 0 -1 4194560 5992 85233 0 50 1 3 82 17 20 0 1 0 213442 5259264 938 "
	"18446744073709551615 94743940640768 94743941430173 140727433540112 0 0 0 65536 4 1132560123 1 0 0 "
	"17 1 0 0 0 0 0 94743941663472 94743941711716 94743987818496 140727433542458 140727433542473 "
	"140727433542473 140727433543658 0\n";

/* Same shape, every parsed field distinct so a shifted field shows. */
static const char DISTINCT_STAT[] =
	"31337 (worker) R 4001 4002 4003 34816 4005 4194304 1010 1011 1212 1313 1414 1515 -1616 1717 20 -5 "
	"19 0 2222 3333333 4444 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 7 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

/* kthreadd: ppid 0, no memory. */
static const char KTHREADD_STAT[] =
	"2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 22 0 0 18446744073709551615 0 0 0 0 0 0 "
	"0 2147483647 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

static void fill_sentinel(struct procfs_stat *s)
{
	memset(s, 0xA5, sizeof *s);
}

static void assert_sentinel(const struct procfs_stat *s)
{
	struct procfs_stat ref;
	fill_sentinel(&ref);
	assert_memory_equal(s, &ref, sizeof ref);
}

/* ---- procfs_parse_stat --------------------------------------------------- */
static void test_stat_real_line(void **state)
{
	(void)state;
	struct procfs_stat s;
	fill_sentinel(&s);
	assert_true(procfs_parse_stat(BASH_STAT, &s));
	assert_int_equal(s.pid, 5542);
	assert_string_equal(s.comm, "bash");
	assert_int_equal(s.state, 'S');
	assert_int_equal(s.ppid, 5541);
	assert_int_equal(s.minflt, 5992);
	assert_int_equal(s.majflt, 0);
	assert_int_equal(s.utime, 1);
	assert_int_equal(s.stime, 3);
	assert_int_equal(s.cutime, 82);
	assert_int_equal(s.cstime, 17);
	assert_int_equal(s.num_threads, 1);
	assert_int_equal(s.starttime, 213442);
	assert_int_equal(s.vsize, 5259264);
	assert_int_equal(s.rss_pages, 938);
	assert_int_equal(s.processor, 1);
}

static void test_stat_distinct_fields(void **state)
{
	(void)state;
	struct procfs_stat s;
	fill_sentinel(&s);
	assert_true(procfs_parse_stat(DISTINCT_STAT, &s));
	assert_int_equal(s.pid, 31337);
	assert_string_equal(s.comm, "worker");
	assert_int_equal(s.state, 'R');
	assert_int_equal(s.ppid, 4001);
	assert_int_equal(s.minflt, 1010);
	assert_int_equal(s.majflt, 1212);
	assert_int_equal(s.utime, 1414);
	assert_int_equal(s.stime, 1515);
	assert_int_equal(s.cutime, -1616);
	assert_int_equal(s.cstime, 1717);
	assert_int_equal(s.num_threads, 19);
	assert_int_equal(s.starttime, 2222);
	assert_int_equal(s.vsize, 3333333);
	assert_int_equal(s.rss_pages, 4444);
	assert_int_equal(s.processor, 7);
}

static void test_stat_weird_comm(void **state)
{
	(void)state;
	struct procfs_stat s;
	static const char nested[] = "4242 (my (weird) prog) R 1 4242 4242 0 -1 0 7 0 8 0 9 10 0 0 20 0 3 0 "
				     "555 1000 20 0 0 0 0 0 0 0 0 0 0 0 0 0 0 5\n";
	assert_true(procfs_parse_stat(nested, &s));
	assert_int_equal(s.pid, 4242);
	assert_string_equal(s.comm, "my (weird) prog");
	assert_int_equal(s.state, 'R');
	assert_int_equal(s.ppid, 1);
	assert_int_equal(s.minflt, 7);
	assert_int_equal(s.majflt, 8);
	assert_int_equal(s.utime, 9);
	assert_int_equal(s.stime, 10);
	assert_int_equal(s.num_threads, 3);
	assert_int_equal(s.starttime, 555);
	assert_int_equal(s.vsize, 1000);
	assert_int_equal(s.rss_pages, 20);
	assert_int_equal(s.processor, 5);

	static const char paren[] = "77 () () D 12 0 0 0 -1 0 1 0 2 0 3 4 0 0 20 0 1 0 99 4096 1 0 0 0 0 0 0 0 0 "
				    "0 0 0 0 0 0 0 0 0 0\n";
	assert_true(procfs_parse_stat(paren, &s));
	assert_int_equal(s.pid, 77);
	assert_string_equal(s.comm, ") (");
	assert_int_equal(s.state, 'D');
	assert_int_equal(s.ppid, 12);
	assert_int_equal(s.starttime, 99);
	assert_int_equal(s.rss_pages, 1);
	assert_int_equal(s.processor, 0);

	/* A name that imitates the following fields must not fool the parser. */
	static const char fake[] = "9 () S 1 1 1 1 1) R 7 0 0 0 -1 0 1 0 2 0 3 4 0 0 20 0 1 0 99 4096 1\n";
	assert_true(procfs_parse_stat(fake, &s));
	assert_string_equal(s.comm, ") S 1 1 1 1 1");
	assert_int_equal(s.state, 'R');
	assert_int_equal(s.ppid, 7);
	assert_int_equal(s.rss_pages, 1);
	assert_int_equal(s.processor, -1); /* line ends after rss */

	/* Empty comm. */
	static const char empty[] = "10 () Z 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0\n";
	assert_true(procfs_parse_stat(empty, &s));
	assert_string_equal(s.comm, "");
	assert_int_equal(s.state, 'Z');
}

/* prctl(PR_SET_NAME) takes any bytes, a newline and ") R 1" included. */
static void test_stat_newline_in_comm(void **state)
{
	(void)state;
	static const char line[] = "7669 (a\nb) R 1) R 7667 7669 7669 0 -1 0 5 0 6 0 7 8 0 0 20 0 1 0 "
				   "99 4096 3 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
	struct procfs_stat s;
	assert_true(procfs_parse_stat(line, &s));
	assert_string_equal(s.comm, "a\nb) R 1");
	assert_int_equal(s.state, 'R');
	assert_int_equal(s.ppid, 7667);
	assert_int_equal(s.utime, 7);
	assert_int_equal(s.processor, 1);
}

static void test_stat_kernel_thread(void **state)
{
	(void)state;
	struct procfs_stat s;
	fill_sentinel(&s);
	assert_true(procfs_parse_stat(KTHREADD_STAT, &s));
	assert_int_equal(s.pid, 2);
	assert_string_equal(s.comm, "kthreadd");
	assert_int_equal(s.state, 'S');
	assert_int_equal(s.ppid, 0);
	assert_int_equal(s.vsize, 0);
	assert_int_equal(s.rss_pages, 0);
	assert_int_equal(s.num_threads, 1);
	assert_int_equal(s.starttime, 22);
	assert_int_equal(s.processor, 0);
}

/* Every prefix of a real line that stops before the rss field is rejected
 * and leaves the output untouched. */
static void test_stat_truncated(void **state)
{
	(void)state;
	struct procfs_stat s;
	static const char *const lines[] = { BASH_STAT, KTHREADD_STAT, DISTINCT_STAT };
	for (size_t li = 0; li < BT_ARRAY_LEN(lines); li++) {
		const char *line = lines[li];
		/* The rss field is field 24: find the start of its digits. */
		const char *p = strrchr(line, ')') + 1;
		for (int f = 3; f < 24; f++) {
			while (*p == ' ')
				p++;
			while (*p != ' ')
				p++;
		}
		size_t rss_start = (size_t)(p + 1 - line);
		char buf[512];
		for (size_t len = 0; len <= rss_start; len++) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			fill_sentinel(&s);
			if (procfs_parse_stat(buf, &s))
				fail_msg("prefix of %zu bytes accepted: \"%s\"", len, buf);
			assert_sentinel(&s);
		}
		/* ... and with a newline right after the cut. */
		memcpy(buf, line, rss_start);
		strcpy(buf + rss_start, "\n");
		fill_sentinel(&s);
		assert_false(procfs_parse_stat(buf, &s));
		assert_sentinel(&s);
	}
	/* The textbook case. */
	fill_sentinel(&s);
	assert_false(procfs_parse_stat("1234 (bash) S 1 1234 1234 34816", &s));
	assert_sentinel(&s);
}

static void test_stat_garbage(void **state)
{
	(void)state;
	struct procfs_stat s;
	static const char *const bad[] = {
		"", " ", "\n", "abc", "(bash) S 1", "12 bash S 1 2 3", "12 (bash S 1 2 3",
		"-5 (x) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0",
		"4294967296 (x) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0", /* pid > INT32_MAX */
		"12 (x) S x 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0",
		"12 (x) S 1 0 0 0 -1 0 a 0 0 0 0 0 0 0 20 0 1 0 5 0 0",
	};
	for (size_t i = 0; i < BT_ARRAY_LEN(bad); i++) {
		fill_sentinel(&s);
		if (procfs_parse_stat(bad[i], &s))
			fail_msg("accepted \"%s\"", bad[i]);
		assert_sentinel(&s);
	}
}

static void test_stat_long_comm_is_cut(void **state)
{
	(void)state;
	char line[512];
	char name[200];
	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	snprintf(line, sizeof line, "5 (%s) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 3\n", name);
	struct procfs_stat s;
	assert_true(procfs_parse_stat(line, &s));
	assert_int_equal(strlen(s.comm), sizeof s.comm - 1);
	assert_int_equal(s.rss_pages, 3);
}

/* ---- /proc/self ---------------------------------------------------------- */
static void test_stat_proc_self(void **state)
{
	(void)state;
	char buf[1024];
	struct procfs_stat s;
	ssize_t n = bt_read_file("/proc/self/stat", buf, sizeof buf);
	assert_true(n > 0);
	assert_true(procfs_parse_stat(buf, &s));
	assert_int_equal(s.pid, getpid());
	assert_int_equal(s.ppid, getppid());
	assert_int_equal(s.state, 'R');
	assert_string_equal(s.comm, "test_procfs");
	assert_int_equal(s.num_threads, 1);
	assert_true(s.vsize > 0);
	assert_true(s.rss_pages > 0);
	assert_true(s.starttime > 0);
	assert_true(s.processor >= 0 && s.processor < sysconf(_SC_NPROCESSORS_CONF));

	/* The thread's own task file agrees. */
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%ld/stat", (long)syscall(SYS_gettid));
	assert_true(bt_read_file(path, buf, sizeof buf) > 0);
	struct procfs_stat t;
	assert_true(procfs_parse_stat(buf, &t));
	assert_int_equal(t.pid, getpid());
	assert_int_equal(t.starttime, s.starttime);
}

static void test_status_proc_self(void **state)
{
	(void)state;
	char buf[8192];
	struct procfs_status st;
	assert_true(bt_read_file("/proc/self/status", buf, sizeof buf) > 0);
	assert_true(procfs_parse_status(buf, &st));
	assert_true(st.has_rss);
	assert_true(st.has_hwm);
	assert_true(st.has_cs);
	assert_true(st.vm_rss_kb > 0);
	assert_true(st.vm_hwm_kb >= st.vm_rss_kb);
	/* Pid: in status names this process. */
	uint64_t pid;
	assert_true(bt_find_key_u64(buf, "Pid", &pid));
	assert_int_equal(pid, getpid());
}

/* A pid that is gone: its files are ENOENT, which samplers take as "exited". */
static void test_vanished_pid(void **state)
{
	(void)state;
	for (int attempt = 0; attempt < 5; attempt++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			_exit(0);
		char path[64], buf[1024];
		snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
		/* Before reaping it is a zombie and still readable. */
		assert_true(bt_read_file(path, buf, sizeof buf) > 0);
		assert_int_equal(waitpid(pid, NULL, 0), pid);
		ssize_t n = bt_read_file(path, buf, sizeof buf);
		if (n > 0)
			continue; /* the pid was reused already: try again */
		assert_int_equal(n, -ENOENT);
		return;
	}
	fail_msg("every reaped child's pid was reused at once");
}

/* ---- procfs_parse_status ------------------------------------------------- */
static const char PROC_STATUS[] = "Name:\tpython3\n"
				  "Umask:\t0022\n"
				  "State:\tR (running)\n"
				  "Tgid:\t8123\n"
				  "Pid:\t8123\n"
				  "PPid:\t8000\n"
				  "VmPeak:\t  412000 kB\n"
				  "VmSize:\t  398000 kB\n"
				  "VmHWM:\t  210456 kB\n"
				  "VmRSS:\t  198765 kB\n"
				  "RssAnon:\t  150000 kB\n"
				  "Threads:\t9\n"
				  "voluntary_ctxt_switches:\t1234\n"
				  "nonvoluntary_ctxt_switches:\t56\n";

static const char KTHREAD_STATUS[] = "Name:\tkthreadd\n"
				     "Umask:\t0022\n"
				     "State:\tS (sleeping)\n"
				     "Tgid:\t2\n"
				     "Pid:\t2\n"
				     "PPid:\t0\n"
				     "Kthread:\t1\n"
				     "Threads:\t1\n"
				     "Cpus_allowed_list:\t0-1\n"
				     "voluntary_ctxt_switches:\t62\n"
				     "nonvoluntary_ctxt_switches:\t0\n";

static void test_status(void **state)
{
	(void)state;
	struct procfs_status st;
	memset(&st, 0xA5, sizeof st);
	assert_true(procfs_parse_status(PROC_STATUS, &st));
	assert_true(st.has_rss);
	assert_true(st.has_hwm);
	assert_true(st.has_cs);
	assert_int_equal(st.vm_rss_kb, 198765);
	assert_int_equal(st.vm_hwm_kb, 210456);
	assert_int_equal(st.cs_vol, 1234);
	assert_int_equal(st.cs_invol, 56);
}

static void test_status_kernel_thread(void **state)
{
	(void)state;
	struct procfs_status st;
	memset(&st, 0xA5, sizeof st);
	assert_true(procfs_parse_status(KTHREAD_STATUS, &st));
	assert_false(st.has_rss);
	assert_false(st.has_hwm);
	assert_int_equal(st.vm_rss_kb, 0);
	assert_int_equal(st.vm_hwm_kb, 0);
	assert_true(st.has_cs);
	assert_int_equal(st.cs_vol, 62);
	assert_int_equal(st.cs_invol, 0);
}

static void test_status_partial_and_bad(void **state)
{
	(void)state;
	struct procfs_status st;
	/* Only one of the two switch counters: has_cs is false. */
	assert_true(procfs_parse_status("Name:\tx\nVmRSS:\t10 kB\nvoluntary_ctxt_switches:\t5\n", &st));
	assert_true(st.has_rss);
	assert_int_equal(st.vm_rss_kb, 10);
	assert_false(st.has_hwm);
	assert_false(st.has_cs);
	assert_true(procfs_parse_status("Name:\tx\nnonvoluntary_ctxt_switches:\t5\n", &st));
	assert_false(st.has_cs);
	/* Not a status file at all: rejected, output untouched. */
	struct procfs_status ref;
	memset(&st, 0xA5, sizeof st);
	memcpy(&ref, &st, sizeof st);
	assert_false(procfs_parse_status("VmRSS:\t10 kB\n", &st));
	assert_false(procfs_parse_status("", &st));
	assert_memory_equal(&st, &ref, sizeof st);
}

/* ---- schedstat, io, pressure, meminfo ----------------------------------- */
static void test_schedstat(void **state)
{
	(void)state;
	uint64_t run = 1, wait = 2, slices = 3;
	assert_true(procfs_parse_schedstat("54230951 27144250 165\n", &run, &wait, &slices));
	assert_int_equal(run, 54230951);
	assert_int_equal(wait, 27144250);
	assert_int_equal(slices, 165);
	run = 1, wait = 2, slices = 3;
	assert_false(procfs_parse_schedstat("54230951 27144250\n", &run, &wait, &slices));
	assert_false(procfs_parse_schedstat("", &run, &wait, &slices));
	assert_false(procfs_parse_schedstat("x 1 2", &run, &wait, &slices));
	assert_int_equal(run, 1);
	assert_int_equal(wait, 2);
	assert_int_equal(slices, 3);
	/* The real file of this thread. */
	char buf[256];
	if (bt_read_file("/proc/self/schedstat", buf, sizeof buf) > 0) {
		assert_true(procfs_parse_schedstat(buf, &run, &wait, &slices));
		assert_true(run > 0);
	}
}

static void test_io(void **state)
{
	(void)state;
	uint64_t r = 11, w = 22;
	assert_true(procfs_parse_io("rchar: 10658425\nwchar: 893568\nsyscr: 29636\nsyscw: 969\n"
				    "read_bytes: 7270400\nwrite_bytes: 1957888\ncancelled_write_bytes: 380928\n",
				    &r, &w));
	assert_int_equal(r, 7270400);
	assert_int_equal(w, 1957888);
	/* Keys are matched at a line start only. */
	assert_true(procfs_parse_io("cancelled_write_bytes: 5\nread_bytes: 1\nwrite_bytes: 2\n", &r, &w));
	assert_int_equal(r, 1);
	assert_int_equal(w, 2);
	r = 11, w = 22;
	assert_false(procfs_parse_io("rchar: 1\nwchar: 2\nread_bytes: 3\n", &r, &w));
	assert_false(procfs_parse_io("", &r, &w));
	assert_int_equal(r, 11);
	assert_int_equal(w, 22);
}

static void test_pressure(void **state)
{
	(void)state;
	uint64_t some = 1, full = 2;
	bool has_full = true;
	/* cpu on kernels before 5.13: no full line. */
	assert_true(procfs_parse_pressure("some avg10=62.75 avg60=21.46 avg300=8.44 total=40018948\n", &some, &full,
					  &has_full));
	assert_int_equal(some, 40018948);
	assert_false(has_full);
	assert_int_equal(full, 0);
	/* cpu on newer kernels, memory and io: both lines. */
	assert_true(procfs_parse_pressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=351\n"
					  "full avg10=0.00 avg60=0.00 avg300=0.00 total=274\n",
					  &some, &full, &has_full));
	assert_int_equal(some, 351);
	assert_int_equal(full, 274);
	assert_true(has_full);
	/* Without a trailing newline. */
	assert_true(procfs_parse_pressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=9\n"
					  "full avg10=0.00 avg60=0.00 avg300=0.00 total=8",
					  &some, &full, &has_full));
	assert_int_equal(some, 9);
	assert_int_equal(full, 8);
	/* No some line, or a some line without total: rejected, untouched. */
	some = 1, full = 2, has_full = true;
	assert_false(procfs_parse_pressure("full avg10=0.00 avg60=0.00 avg300=0.00 total=274\n", &some, &full,
					   &has_full));
	assert_false(procfs_parse_pressure("some avg10=0.00 avg60=0.00 avg300=0.00\n"
					   "full avg10=0.00 avg60=0.00 avg300=0.00 total=274\n",
					   &some, &full, &has_full));
	assert_false(procfs_parse_pressure("", &some, &full, &has_full));
	assert_int_equal(some, 1);
	assert_int_equal(full, 2);
	assert_true(has_full);
}

static void test_meminfo(void **state)
{
	(void)state;
	uint64_t t = 1, a = 2, f = 3;
	assert_true(procfs_parse_meminfo("MemTotal:       24731712 kB\nMemFree:        24338084 kB\n"
					 "MemAvailable:   24409884 kB\nBuffers:          1000 kB\n",
					 &t, &a, &f));
	assert_int_equal(t, UINT64_C(24731712) * 1024);
	assert_int_equal(a, UINT64_C(24409884) * 1024);
	assert_int_equal(f, UINT64_C(24338084) * 1024);
	/* Kernels before 3.14 have no MemAvailable: free stands in. */
	assert_true(procfs_parse_meminfo("MemTotal:  2048 kB\nMemFree:  1024 kB\n", &t, &a, &f));
	assert_int_equal(t, 2048 * 1024);
	assert_int_equal(a, 1024 * 1024);
	assert_int_equal(f, 1024 * 1024);
	t = 1, a = 2, f = 3;
	assert_false(procfs_parse_meminfo("MemFree:  1024 kB\n", &t, &a, &f));
	assert_false(procfs_parse_meminfo("MemTotal:  2048 kB\n", &t, &a, &f));
	assert_false(procfs_parse_meminfo("", &t, &a, &f));
	assert_int_equal(t, 1);
	assert_int_equal(a, 2);
	assert_int_equal(f, 3);
	/* The real one. */
	char buf[8192];
	assert_true(bt_read_file("/proc/meminfo", buf, sizeof buf) > 0);
	assert_true(procfs_parse_meminfo(buf, &t, &a, &f));
	assert_true(t > 0 && a <= t && f <= t);
	assert_int_equal(t % 1024, 0);
}

/* ---- /proc/stat ---------------------------------------------------------- */
struct cpu_rec {
	int calls;
	unsigned idx[8];
	uint64_t v[8][8];
};

static void record_cpu(void *ctx, unsigned cpu, const uint64_t v[8])
{
	struct cpu_rec *r = ctx;
	if (r->calls < 8) {
		r->idx[r->calls] = cpu;
		memcpy(r->v[r->calls], v, sizeof r->v[0]);
	}
	r->calls++;
}

static const char PROC_STAT[] = "cpu  12597 0 2147 453158 1524 0 56 16 0 0\n"
				"cpu0 5972 1 847 227878 66 2 29 6 0 0\n"
				"cpu1 6625 3 1300 225280 1458 4 27 9 0 0\n"
				"intr 114930548 113199788 3 0 5 263 0 4\n"
				"ctxt 593386\n"
				"btime 1062191376\n"
				"processes 2915\n"
				"procs_running 67\n"
				"procs_blocked 0\n"
				"softirq 183433 0 21755 12 39 1137 231 21459 2263\n";

static void test_proc_stat(void **state)
{
	(void)state;
	struct cpu_rec r;
	memset(&r, 0, sizeof r);
	uint64_t ctxt = 0, running = 0;
	assert_int_equal(procfs_parse_proc_stat(PROC_STAT, record_cpu, &r, &ctxt, &running), 2);
	assert_int_equal(r.calls, 2);
	assert_int_equal(ctxt, 593386);
	assert_int_equal(running, 67);
	static const uint64_t want0[8] = { 5972, 1, 847, 227878, 66, 2, 29, 6 };
	static const uint64_t want1[8] = { 6625, 3, 1300, 225280, 1458, 4, 27, 9 };
	assert_int_equal(r.idx[0], 0);
	assert_int_equal(r.idx[1], 1);
	assert_memory_equal(r.v[0], want0, sizeof want0);
	assert_memory_equal(r.v[1], want1, sizeof want1);
	/* No callback and no outputs wanted. */
	assert_int_equal(procfs_parse_proc_stat(PROC_STAT, NULL, NULL, NULL, NULL), 2);
}

static void test_proc_stat_sparse_and_old(void **state)
{
	(void)state;
	struct cpu_rec r;
	memset(&r, 0, sizeof r);
	uint64_t ctxt = 42, running = 43;
	/* cpu1 offline (absent), an old kernel's 4-value lines, no ctxt. */
	assert_int_equal(procfs_parse_proc_stat("cpu  10 20 30 40\ncpu0 1 2 3 4\ncpu2 5 6 7 8\n", record_cpu, &r,
						&ctxt, &running),
			 2);
	assert_int_equal(r.idx[0], 0);
	assert_int_equal(r.idx[1], 2);
	static const uint64_t want1[8] = { 5, 6, 7, 8, 0, 0, 0, 0 };
	assert_memory_equal(r.v[1], want1, sizeof want1);
	assert_int_equal(ctxt, 42);
	assert_int_equal(running, 43);
	/* Too few values on a line: not a CPU. */
	assert_int_equal(procfs_parse_proc_stat("cpu0 1 2 3\n", NULL, NULL, NULL, NULL), 0);
	assert_int_equal(procfs_parse_proc_stat("", NULL, NULL, NULL, NULL), 0);
	/* The real file counts the configured-online CPUs. */
	char *text = NULL;
	assert_true(bt_read_file_alloc("/proc/stat", &text, 1 << 22) > 0);
	assert_int_equal(procfs_parse_proc_stat(text, NULL, NULL, &ctxt, &running),
			 (int)sysconf(_SC_NPROCESSORS_ONLN));
	assert_true(running >= 1);
	free(text);
}

/* ---- pid lists and CPU lists -------------------------------------------- */
static void test_pid_list(void **state)
{
	(void)state;
	int32_t *pids = NULL;
	size_t n = 0, cap = 0;
	assert_int_equal(procfs_parse_pid_list("12\n345\n6789\n", &pids, &n, &cap), 3);
	assert_int_equal(n, 3);
	assert_true(cap >= 3);
	assert_int_equal(pids[0], 12);
	assert_int_equal(pids[1], 345);
	assert_int_equal(pids[2], 6789);
	/* Appends; spaces and tabs separate too. */
	assert_int_equal(procfs_parse_pid_list("  7 8\t9", &pids, &n, &cap), 3);
	assert_int_equal(n, 6);
	assert_int_equal(pids[3], 7);
	assert_int_equal(pids[5], 9);
	/* Empty lists. */
	assert_int_equal(procfs_parse_pid_list("", &pids, &n, &cap), 0);
	assert_int_equal(procfs_parse_pid_list("\n", &pids, &n, &cap), 0);
	assert_int_equal(n, 6);
	/* Garbage. */
	static const char *const bad[] = { "abc", "12 x", "0", "-5", "2147483648", "12,13", "1.5" };
	for (size_t i = 0; i < BT_ARRAY_LEN(bad); i++) {
		int32_t *p2 = NULL;
		size_t n2 = 0, c2 = 0;
		if (procfs_parse_pid_list(bad[i], &p2, &n2, &c2) != -1)
			fail_msg("\"%s\" not rejected", bad[i]);
		free(p2);
	}
	/* A long list grows the array. */
	char big[8 * 1000 + 1];
	size_t used = 0;
	for (int i = 1; i <= 1000; i++)
		used += (size_t)snprintf(big + used, sizeof big - used, "%d\n", i);
	assert_int_equal(procfs_parse_pid_list(big, &pids, &n, &cap), 1000);
	assert_int_equal(n, 1006);
	assert_true(cap >= 1006);
	assert_int_equal(pids[1005], 1000);
	free(pids);
}

static void test_cpu_list(void **state)
{
	(void)state;
	assert_int_equal(procfs_count_cpu_list("0-3,8,10-11"), 7);
	assert_int_equal(procfs_count_cpu_list("0-3,8,10-11\n"), 7);
	assert_int_equal(procfs_count_cpu_list("0"), 1);
	assert_int_equal(procfs_count_cpu_list("0-47\n"), 48);
	assert_int_equal(procfs_count_cpu_list("5-5"), 1);
	assert_int_equal(procfs_count_cpu_list(""), 0);
	assert_int_equal(procfs_count_cpu_list("\n"), 0);
	assert_int_equal(procfs_count_cpu_list("3-1"), -1);
	assert_int_equal(procfs_count_cpu_list("a"), -1);
	assert_int_equal(procfs_count_cpu_list("0-"), -1);
	assert_int_equal(procfs_count_cpu_list("0-3,"), -1);
	assert_int_equal(procfs_count_cpu_list(",1"), -1);
	assert_int_equal(procfs_count_cpu_list("1;2"), -1);
	assert_int_equal(procfs_count_cpu_list("0-3 x"), -1);
	/* The kernel's cpuset.cpus takes no blanks inside a list. */
	assert_int_equal(procfs_count_cpu_list("0, 1"), -1);
	assert_int_equal(procfs_count_cpu_list("0- 3"), -1);
	/* The real online list agrees with sysconf. */
	char buf[256];
	if (bt_read_file("/sys/devices/system/cpu/online", buf, sizeof buf) > 0)
		assert_int_equal(procfs_count_cpu_list(buf), (int)sysconf(_SC_NPROCESSORS_ONLN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_real_line),
		cmocka_unit_test(test_stat_distinct_fields),
		cmocka_unit_test(test_stat_weird_comm),
		cmocka_unit_test(test_stat_newline_in_comm),
		cmocka_unit_test(test_stat_kernel_thread),
		cmocka_unit_test(test_stat_truncated),
		cmocka_unit_test(test_stat_garbage),
		cmocka_unit_test(test_stat_long_comm_is_cut),
		cmocka_unit_test(test_stat_proc_self),
		cmocka_unit_test(test_status_proc_self),
		cmocka_unit_test(test_vanished_pid),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_status_kernel_thread),
		cmocka_unit_test(test_status_partial_and_bad),
		cmocka_unit_test(test_schedstat),
		cmocka_unit_test(test_io),
		cmocka_unit_test(test_pressure),
		cmocka_unit_test(test_meminfo),
		cmocka_unit_test(test_proc_stat),
		cmocka_unit_test(test_proc_stat_sparse_and_old),
		cmocka_unit_test(test_pid_list),
		cmocka_unit_test(test_cpu_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
