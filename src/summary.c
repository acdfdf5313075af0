/* summary — see summary.h. */
#include "summary.h"
#include "advice.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void summary_init(struct summary *s)
{
	memset(s, 0, sizeof(*s));
	s->clk_tck = 100;
}

void summary_free(struct summary *s)
{
	for (size_t i = 0; i < s->nruns; i++) {
		struct run_summary *r = &s->runs[i];
		free(r->workload);
		free(r->variant);
		free(r->label);
		free(r->command);
		free(r->cpuset);
		free(r->cgroup);
		free(r->params);
		free(r->binary_libc);
		free(r->env);
		free(r->end_reason);
		free(r->notes);
		for (size_t j = 0; j < r->nphases; j++)
			free(r->phases[j].name);
		free(r->phases);
		for (size_t j = 0; j < r->nmetrics; j++) {
			free(r->metrics[j].name);
			free(r->metrics[j].value);
			free(r->metrics[j].unit);
		}
		free(r->metrics);
	}
	free(s->runs);
	memset(s, 0, sizeof(*s));
}

static struct run_summary *find(struct summary *s, uint64_t id)
{
	for (size_t i = 0; i < s->nruns; i++)
		if (s->runs[i].id == id)
			return &s->runs[i];
	return NULL;
}

bool summary_rate(uint64_t prev_ns, uint64_t prev_t_us, uint64_t ns, uint64_t t_us, double *pct)
{
	if (t_us <= prev_t_us || ns < prev_ns)
		return false;
	*pct = (double)(ns - prev_ns) / 1e3 / (double)(t_us - prev_t_us) * 100.0;
	return true;
}

bool summary_run_cpu_ns(const struct bt_entity *e, long clk_tck, bool use_cg, uint64_t *ns)
{
	if (use_cg) {
		if (!ent_has(e, RUN_CG_CPU_NS))
			return false;
		*ns = e->v[RUN_CG_CPU_NS];
		return true;
	}
	if (!ent_has(e, RUN_TREE_USER_TK) || !ent_has(e, RUN_TREE_SYS_TK) || clk_tck <= 0)
		return false;
	*ns = (e->v[RUN_TREE_USER_TK] + e->v[RUN_TREE_SYS_TK]) * (1000000000ull / (uint64_t)clk_tck);
	return true;
}

static double num(const char *s, double dflt)
{
	double v;
	return s && bt_parse_double(s, &v) ? v : dflt;
}

static char *dup_or(const char *s, const char *dflt)
{
	return xstrdup(s ? s : dflt);
}

static void add_kv(struct summary *s, const struct bt_record *rec)
{
	if (rec->type == TR_META) {
		double v = num(trace_kv_get(rec, "clk_tck"), 0);
		if (v > 0)
			s->clk_tck = (long)v;
		v = num(trace_kv_get(rec, "mem_limit"), 0);
		s->mem_limit = v > 0 ? (uint64_t)v : 0;
		return;
	}
	if (rec->type == TR_RUN_START) {
		if (find(s, rec->run))
			return; /* a duplicate start in a damaged trace: keep the first */
		bt_grow((void **)&s->runs, &s->cap, s->nruns + 1, sizeof(*s->runs));
		struct run_summary *r = &s->runs[s->nruns++];
		memset(r, 0, sizeof(*r));
		r->id = rec->run;
		r->start_us = rec->t_us;
		r->workload = dup_or(trace_kv_get(rec, "workload"), "command");
		r->variant = dup_or(trace_kv_get(rec, "variant"), "default");
		r->label = dup_or(trace_kv_get(rec, "label"), "");
		r->command = dup_or(trace_kv_get(rec, "command"), "");
		r->cpuset = dup_or(trace_kv_get(rec, "limit_cpuset"), "");
		r->cgroup = dup_or(trace_kv_get(rec, "cgroup"), "");
		r->params = dup_or(trace_kv_get(rec, "params"), "");
		r->binary_libc = dup_or(trace_kv_get(rec, "binary_libc"), "");
		r->env = dup_or(trace_kv_get(rec, "env"), "");
		r->warmup = num(trace_kv_get(rec, "warmup"), 0) != 0;
		r->effective_cpus = num(trace_kv_get(rec, "effective_cpus"), 0);
		r->rep = (unsigned)num(trace_kv_get(rec, "rep"), 1);
		r->limit_cpus = num(trace_kv_get(rec, "limit_cpus"), 0);
		r->limit_mem = (uint64_t)num(trace_kv_get(rec, "limit_memory"), 0);
		r->limits_applied = num(trace_kv_get(rec, "limits_applied"), 1) != 0;
		return;
	}
	struct run_summary *r = find(s, rec->run);
	if (!r)
		return;
	if (rec->type == TR_EVENT) {
		const char *type = trace_kv_get(rec, "type");
		const char *text = trace_kv_get(rec, "text");
		const char *name = trace_kv_get(rec, "name");
		if (type && strcmp(type, "note") == 0 && text) {
			char *n = xasprintf("%s%s%s", r->notes ? r->notes : "", r->notes ? "\n" : "", text);
			free(r->notes);
			r->notes = n;
		} else if (type && name && strcmp(type, "phase") == 0 && r->nphases < SUMMARY_MAX_REPORTED) {
			bt_grow((void **)&r->phases, &r->phasecap, r->nphases + 1, sizeof(*r->phases));
			r->phases[r->nphases++] = (struct run_phase){ xstrdup(name), rec->t_us };
		} else if (type && name &&
			   ((strcmp(type, "metric") == 0 && trace_kv_get(rec, "value")) ||
			    (strcmp(type, "info") == 0 && text))) {
			/* An info is a metric in words: its text is the value. */
			bool info = strcmp(type, "info") == 0;
			struct run_metric *m = NULL;
			for (size_t i = 0; i < r->nmetrics; i++)
				if (strcmp(r->metrics[i].name, name) == 0)
					m = &r->metrics[i];
			if (!m && r->nmetrics < SUMMARY_MAX_REPORTED) {
				bt_grow((void **)&r->metrics, &r->metriccap, r->nmetrics + 1, sizeof(*r->metrics));
				m = &r->metrics[r->nmetrics++];
				m->name = xstrdup(name);
			}
			if (m) {
				free(m->value);
				free(m->unit);
				m->value = xstrdup(info ? text : trace_kv_get(rec, "value"));
				m->unit = dup_or(info ? NULL : trace_kv_get(rec, "unit"), "");
				m->text = info;
			}
		}
		return;
	}
	if (rec->type == TR_RUN_END) {
		r->ended = true;
		r->end_us = rec->t_us;
		r->exit_code = (int)num(trace_kv_get(rec, "exit_code"), -1);
		r->signal = (int)num(trace_kv_get(rec, "signal"), 0);
		r->oom_killed = num(trace_kv_get(rec, "oom_killed"), 0) != 0;
		free(r->end_reason);
		r->end_reason = dup_or(trace_kv_get(rec, "reason"), "exited");
		double w = num(trace_kv_get(rec, "wall_us"), -1);
		if (w >= 0)
			r->wall_s = w / 1e6;
		double u = num(trace_kv_get(rec, "ru_utime_us"), -1);
		double sy = num(trace_kv_get(rec, "ru_stime_us"), -1);
		if (u >= 0 && sy >= 0) {
			r->have_ru = true;
			r->ru_user_s = u / 1e6;
			r->ru_sys_s = sy / 1e6;
			r->ru_maxrss = (uint64_t)num(trace_kv_get(rec, "ru_maxrss_kb"), 0) * 1024;
		}
		/* Threads that ended took their switch counts with them; the
		 * kernel's rusage of the reaped tree still has them. */
		double nv = num(trace_kv_get(rec, "ru_nvcsw"), -1), niv = num(trace_kv_get(rec, "ru_nivcsw"), -1);
		if (nv >= 0 && niv >= 0) {
			r->have_cs = true;
			if ((uint64_t)nv > r->cs_vol)
				r->cs_vol = (uint64_t)nv;
			if ((uint64_t)niv > r->cs_invol)
				r->cs_invol = (uint64_t)niv;
		}
	}
}

static void add_frame(struct summary *s, const struct bt_frame *f)
{
	const struct bt_entity_list *runs = &f->k[BT_K_RUN];
	for (size_t i = 0; i < runs->n; i++) {
		const struct bt_entity *e = &runs->items[i];
		struct run_summary *r = find(s, e->key);
		if (!r || r->ended)
			continue;
		r->ticks++;
		if (f->late_us > 1000)
			r->late_ticks++;
		if (f->late_us > r->late_max_us)
			r->late_max_us = f->late_us;
		r->missed += f->missed;
		r->cost_ns += f->cost_ns;
		r->wall_s = (double)(f->t_us - r->start_us) / 1e6; /* RUN_END has the exact one */
		/* The first frame decides the CPU source for the whole run. */
		if (!r->have_cpu) {
			r->cpu_from_cg = ent_has(e, RUN_CG_CPU_NS);
		}
		uint64_t ns;
		if (summary_run_cpu_ns(e, s->clk_tck, r->cpu_from_cg, &ns)) {
			r->have_cpu = true; /* the run's cgroup and tree start at zero */
			double pct;
			if (r->have_prev && summary_rate(r->prev_cpu_ns, r->prev_t_us, ns, f->t_us, &pct)) {
				r->cpu_pct_sum += pct;
				r->cpu_pct_n++;
				if (pct > r->cpu_pct_peak)
					r->cpu_pct_peak = pct;
			}
			if (ns >= r->prev_cpu_ns || !r->have_prev) {
				r->prev_cpu_ns = ns;
				r->prev_t_us = f->t_us;
				r->have_prev = true;
			}
			if (ns > r->cpu_ns)
				r->cpu_ns = ns;
		}
		if (r->cpu_from_cg) {
			if (ent_has(e, RUN_CG_USER_NS))
				r->user_ns = e->v[RUN_CG_USER_NS];
			if (ent_has(e, RUN_CG_SYS_NS))
				r->sys_ns = e->v[RUN_CG_SYS_NS];
		} else if (ent_has(e, RUN_TREE_USER_TK) && s->clk_tck > 0) {
			r->user_ns = e->v[RUN_TREE_USER_TK] * (1000000000ull / (uint64_t)s->clk_tck);
			r->sys_ns = e->v[RUN_TREE_SYS_TK] * (1000000000ull / (uint64_t)s->clk_tck);
		}
		uint64_t nprocs = ent_has(e, RUN_NPROCS) ? e->v[RUN_NPROCS] : 0;
		if (ent_has(e, RUN_RSS) && nprocs > 0) {
			r->rss_sum += (double)e->v[RUN_RSS];
			r->rss_n++;
			if (e->v[RUN_RSS] > r->rss_peak)
				r->rss_peak = e->v[RUN_RSS];
		}
		if (ent_has(e, RUN_CG_MEM)) {
			r->have_cgmem = true;
			if (nprocs > 0) {
				r->cgmem_sum += (double)e->v[RUN_CG_MEM];
				r->cgmem_n++;
			}
			if (e->v[RUN_CG_MEM] > r->cgmem_peak)
				r->cgmem_peak = e->v[RUN_CG_MEM];
		}
		if (ent_has(e, RUN_CG_MEM_PEAK) && e->v[RUN_CG_MEM_PEAK] > r->cgmem_peak)
			r->cgmem_peak = e->v[RUN_CG_MEM_PEAK];
		if (ent_has(e, RUN_NTHREADS) && e->v[RUN_NTHREADS] > r->threads_peak)
			r->threads_peak = e->v[RUN_NTHREADS];
		if (nprocs > r->procs_peak)
			r->procs_peak = nprocs;
		/* Context switches: per-thread counters of live threads only; a
		 * sum that drops (threads exited) keeps the highest seen. */
		if (ent_has(e, RUN_CS_VOL)) {
			r->have_cs = true;
			if (e->v[RUN_CS_VOL] > r->cs_vol)
				r->cs_vol = e->v[RUN_CS_VOL];
			if (e->v[RUN_CS_INVOL] > r->cs_invol)
				r->cs_invol = e->v[RUN_CS_INVOL];
		}
		if (ent_has(e, RUN_CG_PERIODS) && ent_has(e, RUN_CG_THROTTLED)) {
			r->have_throttle = true;
			r->periods = e->v[RUN_CG_PERIODS];
			r->throttled = e->v[RUN_CG_THROTTLED];
			if (ent_has(e, RUN_CG_THROTTLED_NS))
				r->thr_ns = e->v[RUN_CG_THROTTLED_NS];
		}
	}
	/* benchtop's own cgroup, for every run that this frame shows. */
	const struct bt_entity *sys = f->k[BT_K_SYS].n ? &f->k[BT_K_SYS].items[0] : NULL;
	for (size_t i = 0; sys && i < runs->n; i++) {
		struct run_summary *r = find(s, runs->items[i].key);
		if (!r || r->ended)
			continue;
		if (ent_has(sys, SYS_OWN_PERIODS) && ent_has(sys, SYS_OWN_THROTTLED)) {
			uint64_t ns = ent_has(sys, SYS_OWN_THROTTLED_NS) ? sys->v[SYS_OWN_THROTTLED_NS] : 0;
			if (!r->have_own_thr) {
				r->have_own_thr = true;
				r->own_periods0 = sys->v[SYS_OWN_PERIODS];
				r->own_thr0 = sys->v[SYS_OWN_THROTTLED];
				r->own_thr_ns0 = ns;
			}
			r->own_periods = sys->v[SYS_OWN_PERIODS];
			r->own_thr = sys->v[SYS_OWN_THROTTLED];
			r->own_thr_ns = ns;
		}
		if (ent_has(sys, SYS_OWN_MEM)) {
			r->have_own_mem = true;
			if (sys->v[SYS_OWN_MEM] > r->own_mem_peak)
				r->own_mem_peak = sys->v[SYS_OWN_MEM];
		}
	}
	/* Peak VmHWM of any process of each run. */
	const struct bt_entity_list *procs = &f->k[BT_K_PROC];
	for (size_t i = 0; i < procs->n; i++) {
		const struct bt_entity *p = &procs->items[i];
		if (!ent_has(p, PROC_RUN) || !ent_has(p, PROC_HWM))
			continue;
		struct run_summary *r = find(s, p->v[PROC_RUN]);
		if (r && p->v[PROC_HWM] > r->hwm_peak)
			r->hwm_peak = p->v[PROC_HWM];
	}
}

void summary_add(struct summary *s, const struct bt_record *rec)
{
	if (rec->type == TR_FRAME)
		add_frame(s, rec->frame);
	else
		add_kv(s, rec);
}

double run_cpu_s(const struct run_summary *r)
{
	return (double)r->cpu_ns / 1e9;
}

double run_user_s(const struct run_summary *r)
{
	return (double)r->user_ns / 1e9;
}

double run_sys_s(const struct run_summary *r)
{
	return (double)r->sys_ns / 1e9;
}

double run_cpu_avg_pct(const struct run_summary *r)
{
	return r->wall_s > 0 ? run_cpu_s(r) / r->wall_s * 100.0 : 0;
}

const char *run_exit_text(const struct run_summary *r, char *buf, size_t size)
{
	if (!r->ended)
		snprintf(buf, size, "unknown (the trace ends before the run did)");
	else if (r->oom_killed)
		snprintf(buf, size, "OOM-killed (signal %d)%s%s", r->signal,
			 r->end_reason && strcmp(r->end_reason, "exited") ? ", " : "",
			 r->end_reason && strcmp(r->end_reason, "exited") ? r->end_reason : "");
	else if (r->signal)
		snprintf(buf, size, "killed by signal %d (%s)", r->signal, strsignal(r->signal));
	else
		snprintf(buf, size, "exited with code %d", r->exit_code);
	if (r->ended && r->end_reason && strcmp(r->end_reason, "exited") != 0 && !r->oom_killed) {
		size_t l = strlen(buf);
		snprintf(buf + l, size - l, " (%s)", r->end_reason);
	}
	return buf;
}

/* The rise of benchtop's own cgroup's throttling over the run; false when
 * unknown or a counter went back. */
static bool own_throttle(const struct run_summary *r, uint64_t *periods, uint64_t *thr, double *thr_s)
{
	if (!r->have_own_thr || r->own_periods < r->own_periods0 || r->own_thr < r->own_thr0 ||
	    r->own_thr_ns < r->own_thr_ns0)
		return false;
	*periods = r->own_periods - r->own_periods0;
	*thr = r->own_thr - r->own_thr0;
	*thr_s = (double)(r->own_thr_ns - r->own_thr_ns0) / 1e9;
	return true;
}

/* Shown where it tells something: the run had no cgroup of its own (these
 * are then its only cgroup numbers, as the run's note promises), or
 * benchtop's cgroup was throttled (a container's quota holds the runs too). */
static void print_own_cgroup(FILE *out, const struct summary *s, const struct run_summary *r)
{
	uint64_t periods = 0, thr = 0;
	double thr_s = 0;
	bool have_thr = own_throttle(r, &periods, &thr, &thr_s);
	bool throttled = have_thr && thr > 0;
	if (r->cgroup[0] && !throttled)
		return;
	if (!r->cgroup[0] && !have_thr && !r->have_own_mem)
		return;
	char a[64], b[64];
	fprintf(out, "  %-22s ", "benchtop's cgroup");
	if (have_thr && periods)
		fprintf(out, "throttled %.1f %% of %llu periods, %.3f s", 100.0 * (double)thr / (double)periods,
			(unsigned long long)periods, thr_s);
	else
		fputs("no CPU quota periods", out);
	if (r->have_own_mem) {
		fprintf(out, "; memory peak %s", bt_fmt_bytes(a, sizeof a, (double)r->own_mem_peak));
		if (s->mem_limit)
			fprintf(out, " of %s", bt_fmt_bytes(b, sizeof b, (double)s->mem_limit));
	}
	fputs(" (shared: benchtop, the run, anything else in it)\n", out);
}

static const char *xfmt_u(char *buf, size_t size, unsigned v)
{
	snprintf(buf, size, "%u", v);
	return buf;
}

/* What was measured of a run that ran: time, CPU, memory, threads,
 * switches, throttling. */
static void print_measurements(FILE *out, const struct summary *s, const struct run_summary *r)
{
	char a[64], b[64], c[64];
	fprintf(out, "  %-22s %s\n", "wall time", bt_fmt_duration(a, sizeof a, r->wall_s));
	fprintf(out, "  %-22s %s (user %s, sys %s) from the %s\n", "CPU time",
		bt_fmt_duration(a, sizeof a, run_cpu_s(r)), bt_fmt_duration(b, sizeof b, run_user_s(r)),
		bt_fmt_duration(c, sizeof c, run_sys_s(r)),
		r->cpu_from_cg ? "cgroup" : "process tree");
	if (r->have_ru)
		fprintf(out, "  %-22s %s (user %s, sys %s) kernel rusage of the reaped tree\n", "",
			bt_fmt_duration(a, sizeof a, r->ru_user_s + r->ru_sys_s),
			bt_fmt_duration(b, sizeof b, r->ru_user_s), bt_fmt_duration(c, sizeof c, r->ru_sys_s));
	fprintf(out, "  %-22s avg %.1f %%, peak %.1f %% (100 %% = one core)\n", "CPU",
		run_cpu_avg_pct(r), r->cpu_pct_peak);
	fprintf(out, "  %-22s avg %s, peak %s", "RSS (sum of processes)",
		bt_fmt_bytes(a, sizeof a, r->rss_n ? r->rss_sum / r->rss_n : 0),
		bt_fmt_bytes(b, sizeof b, (double)r->rss_peak));
	if (r->hwm_peak)
		fprintf(out, "; largest process peak %s", bt_fmt_bytes(c, sizeof c, (double)r->hwm_peak));
	fputc('\n', out);
	if (r->have_cgmem)
		fprintf(out, "  %-22s avg %s, peak %s\n", "cgroup memory",
			bt_fmt_bytes(a, sizeof a, r->cgmem_n ? r->cgmem_sum / r->cgmem_n : 0),
			bt_fmt_bytes(b, sizeof b, (double)r->cgmem_peak));
	else
		fprintf(out, "  %-22s -\n", "cgroup memory");
	fprintf(out, "  %-22s %llu thread%s, %llu process%s\n", "peak", (unsigned long long)r->threads_peak,
		r->threads_peak == 1 ? "" : "s", (unsigned long long)r->procs_peak, r->procs_peak == 1 ? "" : "es");
	if (r->have_cs)
		fprintf(out, "  %-22s %llu voluntary, %llu involuntary\n", "context switches",
			(unsigned long long)r->cs_vol, (unsigned long long)r->cs_invol);
	else
		fprintf(out, "  %-22s -\n", "context switches");
	if (r->have_throttle && r->periods)
		fprintf(out, "  %-22s %.1f %% of %llu periods, %.3f s throttled\n", "throttled",
			100.0 * (double)r->throttled / (double)r->periods, (unsigned long long)r->periods,
			(double)r->thr_ns / 1e9);
	else
		fprintf(out, "  %-22s %s\n", "throttled", r->have_throttle ? "0 % (no CPU quota periods)" : "-");
	print_own_cgroup(out, s, r);
}

void summary_print_table(FILE *out, const struct summary *s, struct advice *adv)
{
	char a[64];
	for (size_t i = 0; i < s->nruns; i++) {
		const struct run_summary *r = &s->runs[i];
		fprintf(out, "run %llu: %s%s%s%s\n", (unsigned long long)r->id, r->command,
			r->label[0] ? "  [" : "", r->label, r->label[0] ? "]" : "");
		fprintf(out, "  %-22s %s, variant %s, %s%s%s%s\n", "workload", r->workload, r->variant,
			r->warmup ? "warm-up" : "rep ", r->warmup ? "" : xfmt_u(a, sizeof a, r->rep),
			r->params[0] ? ", " : "", r->params);
		if (r->binary_libc[0])
			fprintf(out, "  %-22s %s\n", "binary", r->binary_libc);
		if (r->limit_cpus > 0 || r->limit_mem || r->cpuset[0]) {
			fprintf(out, "  %-22s", r->limits_applied ? "limits" : "limits (NOT applied)");
			if (r->limit_cpus > 0)
				fprintf(out, " cpus %.2f", r->limit_cpus);
			if (r->limit_mem)
				fprintf(out, " memory %s", bt_fmt_bytes(a, sizeof a, (double)r->limit_mem));
			if (r->cpuset[0])
				fprintf(out, " cpuset %s", r->cpuset);
			fputc('\n', out);
		}
		bool started = !(r->end_reason && strcmp(r->end_reason, "could not start") == 0);
		if (started)
			print_measurements(out, s, r);
		fprintf(out, "  %-22s %s\n", "exit", run_exit_text(r, a, sizeof a));
		if (started)
			fprintf(out, "  %-22s %llu samples, %llu late by > 1 ms (max %.2f ms), %llu missed; sampling cost %.0f us/tick\n",
			"sampling", (unsigned long long)r->ticks, (unsigned long long)r->late_ticks,
			(double)r->late_max_us / 1e3, (unsigned long long)r->missed,
			r->ticks ? (double)r->cost_ns / 1e3 / (double)r->ticks : 0.0);
		for (size_t j = 0; j < r->nphases; j++) {
			uint64_t end = j + 1 < r->nphases ? r->phases[j + 1].t_us : r->ended ? r->end_us : r->phases[j].t_us;
			fprintf(out, "  %-22s %s at %.3f s, %s\n", j ? "" : "phases", r->phases[j].name,
				(double)(r->phases[j].t_us - r->start_us) / 1e6,
				end > r->phases[j].t_us ? bt_fmt_duration(a, sizeof a, (double)(end - r->phases[j].t_us) / 1e6)
							 : "-");
		}
		for (size_t j = 0; j < r->nmetrics; j++)
			fprintf(out, "  %-22s %s = %s%s%s\n", j ? "" : "metrics", r->metrics[j].name, r->metrics[j].value,
				r->metrics[j].unit[0] ? " " : "", r->metrics[j].unit);
		if (adv)
			advice_print_run_text(out, adv, r->id, "  ");
		if (r->notes)
			for (const char *p = r->notes; *p;) {
				size_t l = strcspn(p, "\n");
				fprintf(out, "  note: %.*s\n", (int)l, p);
				p += l;
				if (*p)
					p++;
			}
	}
}

void summary_print_json(FILE *out, const struct summary *s, struct advice *adv)
{
	char ex[128];
	fputs("{\"runs\":[", out);
	for (size_t i = 0; i < s->nruns; i++) {
		const struct run_summary *r = &s->runs[i];
		fprintf(out, "%s\n{\"run\":%llu,\"workload\":", i ? "," : "", (unsigned long long)r->id);
		bt_json_string(out, r->workload);
		fputs(",\"variant\":", out);
		bt_json_string(out, r->variant);
		fprintf(out, ",\"rep\":%u,\"warmup\":%s,\"params\":", r->rep, r->warmup ? "true" : "false");
		bt_json_string(out, r->params);
		fputs(",\"binary_libc\":", out);
		bt_json_string(out, r->binary_libc);
		fprintf(out, ",\"effective_cpus\":%g,\"env\":[", r->effective_cpus);
		for (const char *p = r->env; *p;) {
			size_t l = strcspn(p, "\n");
			char *item = xstrndup(p, l);
			fputs(p == r->env ? "" : ",", out);
			bt_json_string(out, item);
			free(item);
			p += l;
			if (*p)
				p++;
		}
		fputc(']', out);
		fputs(",\"label\":", out);
		bt_json_string(out, r->label);
		fputs(",\"command\":", out);
		bt_json_string(out, r->command);
		fprintf(out, ",\"wall_s\":%.6f,\"cpu_s\":%.6f,\"cpu_user_s\":%.6f,\"cpu_sys_s\":%.6f,\"cpu_source\":\"%s\"",
			r->wall_s, run_cpu_s(r), run_user_s(r), run_sys_s(r), r->cpu_from_cg ? "cgroup" : "tree");
		fprintf(out, ",\"cpu_avg_percent\":%.3f,\"cpu_peak_percent\":%.3f", run_cpu_avg_pct(r), r->cpu_pct_peak);
		fprintf(out, ",\"rss_avg_bytes\":%.0f,\"rss_peak_bytes\":%llu,\"process_peak_rss_bytes\":%llu",
			r->rss_n ? r->rss_sum / r->rss_n : 0.0, (unsigned long long)r->rss_peak,
			(unsigned long long)r->hwm_peak);
		if (r->have_cgmem)
			fprintf(out, ",\"memory_avg_bytes\":%.0f,\"memory_peak_bytes\":%llu",
				r->cgmem_n ? r->cgmem_sum / r->cgmem_n : 0.0, (unsigned long long)r->cgmem_peak);
		else
			fputs(",\"memory_avg_bytes\":null,\"memory_peak_bytes\":null", out);
		fprintf(out, ",\"threads_peak\":%llu,\"procs_peak\":%llu", (unsigned long long)r->threads_peak,
			(unsigned long long)r->procs_peak);
		if (r->have_cs)
			fprintf(out, ",\"cs_voluntary\":%llu,\"cs_involuntary\":%llu", (unsigned long long)r->cs_vol,
				(unsigned long long)r->cs_invol);
		else
			fputs(",\"cs_voluntary\":null,\"cs_involuntary\":null", out);
		if (r->have_throttle)
			fprintf(out, ",\"periods\":%llu,\"throttled_periods\":%llu,\"throttled_s\":%.6f",
				(unsigned long long)r->periods, (unsigned long long)r->throttled, (double)r->thr_ns / 1e9);
		else
			fputs(",\"periods\":null,\"throttled_periods\":null,\"throttled_s\":null", out);
		uint64_t op, ot;
		double os;
		if (own_throttle(r, &op, &ot, &os))
			fprintf(out, ",\"own_cgroup_periods\":%llu,\"own_cgroup_throttled_periods\":%llu,\"own_cgroup_throttled_s\":%.6f",
				(unsigned long long)op, (unsigned long long)ot, os);
		else
			fputs(",\"own_cgroup_periods\":null,\"own_cgroup_throttled_periods\":null,\"own_cgroup_throttled_s\":null", out);
		if (r->have_own_mem)
			fprintf(out, ",\"own_cgroup_memory_peak_bytes\":%llu", (unsigned long long)r->own_mem_peak);
		else
			fputs(",\"own_cgroup_memory_peak_bytes\":null", out);
		fprintf(out, ",\"limit_cpus\":%g,\"limit_memory_bytes\":%llu,\"limits_applied\":%s", r->limit_cpus,
			(unsigned long long)r->limit_mem, r->limits_applied ? "true" : "false");
		fputs(",\"cgroup\":", out);
		bt_json_string(out, r->cgroup);
		if (r->ended)
			fprintf(out, ",\"exit_code\":%d,\"signal\":%d,\"oom_killed\":%s", r->exit_code, r->signal,
				r->oom_killed ? "true" : "false");
		else
			fputs(",\"exit_code\":null,\"signal\":null,\"oom_killed\":null", out);
		fputs(",\"exit\":", out);
		bt_json_string(out, run_exit_text(r, ex, sizeof ex));
		if (r->have_ru)
			fprintf(out, ",\"rusage_user_s\":%.6f,\"rusage_sys_s\":%.6f,\"rusage_maxrss_bytes\":%llu",
				r->ru_user_s, r->ru_sys_s, (unsigned long long)r->ru_maxrss);
		fputs(",\"phases\":[", out);
		for (size_t j = 0; j < r->nphases; j++) {
			uint64_t end = j + 1 < r->nphases ? r->phases[j + 1].t_us : r->ended ? r->end_us : r->phases[j].t_us;
			fprintf(out, "%s{\"name\":", j ? "," : "");
			bt_json_string(out, r->phases[j].name);
			fprintf(out, ",\"start_s\":%.6f,\"duration_s\":%.6f}", (double)(r->phases[j].t_us - r->start_us) / 1e6,
				end > r->phases[j].t_us ? (double)(end - r->phases[j].t_us) / 1e6 : 0.0);
		}
		fputs("],\"metrics\":{", out);
		for (size_t j = 0; j < r->nmetrics; j++) {
			fputs(j ? "," : "", out);
			bt_json_string(out, r->metrics[j].name);
			/* The value passed bt_parse_double when it was recorded; a
			 * damaged trace could still hold anything: print as a string then. */
			double v;
			if (!r->metrics[j].text && bt_parse_double(r->metrics[j].value, &v))
				fprintf(out, ":{\"value\":%.17g,\"unit\":", v);
			else {
				fputs(":{\"value\":", out);
				bt_json_string(out, r->metrics[j].value);
				fputs(",\"unit\":", out);
			}
			bt_json_string(out, r->metrics[j].unit);
			fputc('}', out);
		}
		fputc('}', out);
		if (adv) {
			fputs(",\"findings\":", out);
			advice_print_run_json(out, adv, r->id);
		}
		fprintf(out, ",\"samples\":%llu,\"late_samples\":%llu,\"missed_ticks\":%llu,\"sampling_cost_us_per_tick\":%.1f}",
			(unsigned long long)r->ticks, (unsigned long long)r->late_ticks, (unsigned long long)r->missed,
			r->ticks ? (double)r->cost_ns / 1e3 / (double)r->ticks : 0.0);
	}
	fputs("\n]}\n", out);
}

void summary_print_csv(FILE *out, const struct summary *s)
{
	fputs("run,workload,variant,rep,wall_s,cpu_s,cpu_user_s,cpu_sys_s,cpu_avg_percent,cpu_peak_percent,"
	      "rss_avg_bytes,rss_peak_bytes,memory_peak_bytes,threads_peak,cs_voluntary,cs_involuntary,"
	      "throttled_periods,periods,exit_code,signal,oom_killed\n", out);
	for (size_t i = 0; i < s->nruns; i++) {
		const struct run_summary *r = &s->runs[i];
		fprintf(out, "%llu,", (unsigned long long)r->id);
		bt_csv_string(out, r->workload);
		fputc(',', out);
		bt_csv_string(out, r->variant);
		fprintf(out, ",%u,%.6f,%.6f,%.6f,%.6f,%.3f,%.3f,%.0f,%llu,", r->rep, r->wall_s, run_cpu_s(r), run_user_s(r), run_sys_s(r),
			run_cpu_avg_pct(r), r->cpu_pct_peak, r->rss_n ? r->rss_sum / r->rss_n : 0.0,
			(unsigned long long)r->rss_peak);
		if (r->have_cgmem)
			fprintf(out, "%llu", (unsigned long long)r->cgmem_peak);
		fprintf(out, ",%llu,", (unsigned long long)r->threads_peak);
		if (r->have_cs)
			fprintf(out, "%llu,%llu", (unsigned long long)r->cs_vol, (unsigned long long)r->cs_invol);
		else
			fputc(',', out);
		fputc(',', out);
		if (r->have_throttle)
			fprintf(out, "%llu,%llu", (unsigned long long)r->throttled, (unsigned long long)r->periods);
		else
			fputc(',', out);
		if (r->ended)
			fprintf(out, ",%d,%d,%d\n", r->exit_code, r->signal, r->oom_killed);
		else
			fputs(",,,\n", out);
	}
}
