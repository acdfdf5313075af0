/* procfs — see procfs.h. Layouts from proc(5). */
#include "procfs.h"
#include "util.h"

#include <string.h>

bool procfs_parse_stat(const char *text, struct procfs_stat *out)
{
	struct procfs_stat s;
	memset(&s, 0, sizeof s);
	const char *p = text;
	uint64_t u;
	int64_t i;
	if (!bt_scan_u64(&p, &u) || u > INT32_MAX)
		return false;
	s.pid = (int32_t)u;
	/* comm is inside parentheses and may itself contain ") (" or even a
	 * newline (prctl PR_SET_NAME takes any bytes): the last ')' in the
	 * text ends it, as no later field holds one. */
	const char *open = strchr(p, '(');
	const char *close = open ? strrchr(open, ')') : NULL;
	if (!open || !close)
		return false;
	size_t cl = (size_t)(close - open - 1);
	if (cl >= sizeof s.comm)
		cl = sizeof s.comm - 1;
	memcpy(s.comm, open + 1, cl);
	s.comm[cl] = '\0';
	p = close + 1;
	while (*p == ' ')
		p++;
	if (!*p)
		return false;
	s.state = *p++;
	if (!bt_scan_i64(&p, &i)) /* 4 ppid */
		return false;
	s.ppid = (int32_t)i;
	if (!bt_skip_fields(&p, 5)) /* 5 pgrp .. 9 flags */
		return false;
	if (!bt_scan_u64(&p, &s.minflt) || !bt_skip_fields(&p, 1) || /* 10, 11 */
	    !bt_scan_u64(&p, &s.majflt) || !bt_skip_fields(&p, 1) || /* 12, 13 */
	    !bt_scan_u64(&p, &s.utime) || !bt_scan_u64(&p, &s.stime) ||
	    !bt_scan_i64(&p, &s.cutime) || !bt_scan_i64(&p, &s.cstime) ||
	    !bt_skip_fields(&p, 2) || /* 18 priority, 19 nice */
	    !bt_scan_i64(&p, &s.num_threads) || !bt_skip_fields(&p, 1) || /* 20, 21 */
	    !bt_scan_u64(&p, &s.starttime) || !bt_scan_u64(&p, &s.vsize) ||
	    !bt_scan_u64(&p, &s.rss_pages))
		return false;
	/* 39 processor: 15 fields after rss (25..38). Old kernels may lack it. */
	if (bt_skip_fields(&p, 14) && bt_scan_i64(&p, &i))
		s.processor = (int32_t)i;
	else
		s.processor = -1;
	*out = s;
	return true;
}

bool procfs_parse_status(const char *text, struct procfs_status *out)
{
	struct procfs_status s;
	memset(&s, 0, sizeof s);
	s.has_rss = bt_find_key_u64(text, "VmRSS", &s.vm_rss_kb);
	s.has_hwm = bt_find_key_u64(text, "VmHWM", &s.vm_hwm_kb);
	s.has_cs = bt_find_key_u64(text, "voluntary_ctxt_switches", &s.cs_vol) &&
		   bt_find_key_u64(text, "nonvoluntary_ctxt_switches", &s.cs_invol);
	if (!strstr(text, "Name:"))
		return false;
	*out = s;
	return true;
}

bool procfs_parse_schedstat(const char *text, uint64_t *run_ns, uint64_t *wait_ns, uint64_t *slices)
{
	const char *p = text;
	uint64_t a, b, c;
	if (!bt_scan_u64(&p, &a) || !bt_scan_u64(&p, &b) || !bt_scan_u64(&p, &c))
		return false;
	*run_ns = a;
	*wait_ns = b;
	*slices = c;
	return true;
}

bool procfs_parse_io(const char *text, uint64_t *read_bytes, uint64_t *write_bytes)
{
	uint64_t r, w;
	if (!bt_find_key_u64(text, "read_bytes", &r) || !bt_find_key_u64(text, "write_bytes", &w))
		return false;
	*read_bytes = r;
	*write_bytes = w;
	return true;
}

static bool pressure_line_total(const char *line, uint64_t *total)
{
	const char *t = strstr(line, "total=");
	const char *nl = strchr(line, '\n');
	if (!t || (nl && t > nl))
		return false;
	t += 6;
	return bt_scan_u64(&t, total);
}

bool procfs_parse_pressure(const char *text, uint64_t *some_us, uint64_t *full_us, bool *has_full)
{
	uint64_t some = 0, full = 0;
	bool got_some = false, got_full = false;
	for (const char *p = text; p && *p;) {
		if (strncmp(p, "some ", 5) == 0)
			got_some = pressure_line_total(p, &some);
		else if (strncmp(p, "full ", 5) == 0)
			got_full = pressure_line_total(p, &full);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!got_some)
		return false;
	*some_us = some;
	*full_us = full;
	*has_full = got_full;
	return true;
}

bool procfs_parse_meminfo(const char *text, uint64_t *total, uint64_t *avail, uint64_t *mfree)
{
	uint64_t t, a, f;
	if (!bt_find_key_u64(text, "MemTotal", &t) || !bt_find_key_u64(text, "MemFree", &f))
		return false;
	if (!bt_find_key_u64(text, "MemAvailable", &a))
		a = f;
	*total = t * 1024;
	*avail = a * 1024;
	*mfree = f * 1024;
	return true;
}

int procfs_parse_proc_stat(const char *text, procfs_cpu_fn fn, void *ctx, uint64_t *ctxt,
			   uint64_t *procs_running)
{
	int ncpu = 0;
	for (const char *p = text; p && *p;) {
		if (strncmp(p, "cpu", 3) == 0 && p[3] >= '0' && p[3] <= '9') {
			const char *q = p + 3;
			uint64_t idx, v[8] = { 0 };
			if (bt_scan_u64(&q, &idx) && idx < 65536) {
				int got = 0;
				while (got < 8 && bt_scan_u64(&q, &v[got]))
					got++;
				if (got >= 4) {
					if (fn)
						fn(ctx, (unsigned)idx, v);
					ncpu++;
				}
			}
		} else if (strncmp(p, "ctxt ", 5) == 0 && ctxt) {
			const char *q = p + 5;
			bt_scan_u64(&q, ctxt);
		} else if (strncmp(p, "procs_running ", 14) == 0 && procs_running) {
			const char *q = p + 14;
			bt_scan_u64(&q, procs_running);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return ncpu;
}

int procfs_parse_pid_list(const char *text, int32_t **pids, size_t *n, size_t *cap)
{
	int added = 0;
	const char *p = text;
	for (;;) {
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		if (!*p)
			break;
		uint64_t v;
		if (!bt_scan_u64(&p, &v) || v == 0 || v > INT32_MAX)
			return -1;
		bt_grow((void **)pids, cap, *n + 1, sizeof(**pids));
		(*pids)[(*n)++] = (int32_t)v;
		added++;
	}
	return added;
}

int procfs_each_cpu_range(const char *text, void (*fn)(void *ctx, uint64_t first, uint64_t last), void *ctx)
{
	const char *p = text;
	int count = 0;
	while (*p == ' ')
		p++;
	if (*p == '\n' || !*p)
		return 0;
	for (;;) {
		uint64_t a, b;
		/* Digits must follow at once: "0, 1" is not a list the kernel takes. */
		if (*p < '0' || *p > '9' || !bt_scan_u64(&p, &a))
			return -1;
		b = a;
		if (*p == '-') {
			p++;
			if (*p < '0' || *p > '9' || !bt_scan_u64(&p, &b) || b < a)
				return -1;
		}
		if (b - a > 65536)
			return -1;
		count += (int)(b - a + 1);
		if (fn)
			fn(ctx, a, b);
		if (*p == ',') {
			p++;
			continue;
		}
		while (*p == ' ' || *p == '\n')
			p++;
		return *p ? -1 : count;
	}
}

int procfs_count_cpu_list(const char *text)
{
	return procfs_each_cpu_range(text, NULL, NULL);
}
