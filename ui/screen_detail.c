/* screen_detail — the detail page of one run: what it is and its limits,
 * its own graphs over its own time, its numbers and phases, its processes
 * and threads (CPU %, state, the CPU each last ran on, RSS) at the moment
 * shown, then its metrics, notes, findings and environment. Everything
 * below the graphs scrolls. */
#include "screen_int.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void identity(struct screen *s, const struct model *m, const struct ui_view *v, const struct model_run *r,
		     int row)
{
	enum model_state st = model_run_state(r, v->t_us);
	struct model_stats stats;
	model_run_stats(m, r, v->t_us, &stats);
	char el[32], pid[32] = "", cpus[16] = "none", mem[32] = "none";
	if (r->pid)
		snprintf(pid, sizeof pid, "  pid %ld", r->pid);
	int c = scr_printf(s, row, 0, s->cols, A_BOLD, 0, " run %llu  %s  ", (unsigned long long)r->id, r->workload);
	c += scr_text(s, row, c, s->cols - c, A_BOLD, scr_pair(s, r->color), r->variant);
	char rep[16];
	snprintf(rep, sizeof rep, r->warmup ? "warm-up" : "rep %u", r->rep);
	scr_printf(s, row, c, s->cols - c, A_BOLD, 0, "  %s  %s  %s%s%s%s", rep, model_state_name(st),
		   stats.valid ? scr_secs(el, sizeof el, stats.wall_s) : "", pid, r->binary_libc[0] ? "  binary: " : "",
		   r->binary_libc);
	scr_printf(s, row + 1, 0, s->cols, 0, 0, " command: %s%s%s%s%s", r->command[0] ? r->command : "-",
		   r->params[0] ? "   params: " : "", r->params, r->label[0] ? "   label: " : "", r->label);
	if (r->limit_cpus > 0)
		snprintf(cpus, sizeof cpus, "%.2f", r->limit_cpus);
	if (r->limit_mem)
		bt_fmt_bytes(mem, sizeof mem, (double)r->limit_mem);
	scr_printf(s, row + 2, 0, s->cols, 0, 0, " limits:  cpus %s, memory %s, cpuset %s%s", cpus, mem,
		   r->cpuset[0] ? r->cpuset : "all", r->limits_applied ? "" : " (NOT applied: the run had no cgroup)");
}

static const char *pct_or_dash(char *buf, size_t size, bool valid, double v)
{
	if (valid)
		snprintf(buf, size, "%.1f%%", v);
	else
		snprintf(buf, size, "-");
	return buf;
}

static void numbers(struct scr_lines *l, const struct model *m, const struct ui_view *v, const struct model_run *r)
{
	struct model_stats st;
	model_run_stats(m, r, v->t_us, &st);
	char ca[16], cp[16], ma[16], mp[16], th[16], thr[48];
	if (!st.valid) {
		scr_line(l, A_DIM, 0, " no samples yet");
		return;
	}
	enum model_state state = model_run_state(r, v->t_us);
	if (state == MS_RUNNING && st.threads_now_valid)
		snprintf(thr, sizeof thr, "%llu (peak %llu)", (unsigned long long)st.threads_now,
			 (unsigned long long)st.threads_peak);
	else if (state == MS_RUNNING)
		snprintf(thr, sizeof thr, "- (peak %llu)", (unsigned long long)st.threads_peak);
	else
		snprintf(thr, sizeof thr, "peak %llu", (unsigned long long)st.threads_peak);
	scr_line(l, 0, 0, " CPU       avg %s, peak %s (100%% = one core)   throttled %s",
		 pct_or_dash(ca, sizeof ca, st.cpu_valid, st.cpu_avg), pct_or_dash(cp, sizeof cp, st.peak_valid, st.cpu_peak),
		 pct_or_dash(th, sizeof th, st.thr_valid, st.thr_pct));
	scr_line(l, 0, 0, " memory    avg %s, peak %s (%s)   threads %s",
		 st.mem_valid ? scr_bytes(ma, sizeof ma, st.mem_avg) : "-",
		 st.mem_valid ? scr_bytes(mp, sizeof mp, st.mem_peak) : "-",
		 st.mem_is_cg ? "cgroup" : "RSS of its processes", thr);
	const struct run_summary *rs = model_run_summary(m, r->id);
	if (rs && r->ended && v->t_us >= r->end_us) {
		char ex[160];
		scr_line(l, 0, 0, " exit      %s", run_exit_text(rs, ex, sizeof ex));
	}
}

static void phases(struct scr_lines *l, const struct model *m, const struct ui_view *v, const struct model_run *r)
{
	/* Phases, each until the next one (or the end, or now). */
	size_t nph = 0;
	for (size_t i = 0; i < m->nev && m->ev[i].t_us <= v->t_us; i++) {
		const struct model_event *e = &m->ev[i];
		if (e->kind != ME_PHASE || e->run != r->id)
			continue;
		uint64_t end = r->ended && r->end_us <= v->t_us ? r->end_us : v->t_us;
		for (size_t j = i + 1; j < m->nev && m->ev[j].t_us <= v->t_us; j++)
			if (m->ev[j].kind == ME_PHASE && m->ev[j].run == r->id) {
				end = m->ev[j].t_us;
				break;
			}
		char d[32];
		scr_line(l, 0, 0, " %-9s %-20s at %.3f s, for %s", nph++ ? "" : "phases", e->name,
			 (double)(e->t_us - r->start_us) / 1e6, scr_secs(d, sizeof d, (double)(end - e->t_us) / 1e6));
	}
	if (!nph)
		scr_line(l, A_DIM, 0, " phases    none reported");
}

static void metrics(struct scr_lines *l, const struct model *m, const struct ui_view *v, const struct model_run *r)
{
	const struct model_event *mets[64];
	size_t nm = model_metrics_at(m, r->id, v->t_us, mets, 64);
	for (size_t i = 0; i < nm; i++)
		scr_line(l, 0, 0, " %-9s %s = %s%s%s", i ? "" : "metrics", mets[i]->name, mets[i]->value,
			 mets[i]->unit[0] ? " " : "", mets[i]->unit);
	if (!nm)
		scr_line(l, A_DIM, 0, " metrics   none reported");
	for (size_t i = 0; i < m->nev && m->ev[i].t_us <= v->t_us; i++)
		if (m->ev[i].kind == ME_NOTE && m->ev[i].run == r->id)
			scr_line(l, 0, 0, " note      %s", m->ev[i].name);
}

/* Findings of advice.c: in a live session as they stand; in a replay once
 * the run has ended at the moment shown (they are computed from the whole
 * run, so earlier they would tell what had not happened yet). */
static void findings(struct scr_lines *l, const struct model *m, const struct ui_view *v, const struct model_run *r)
{
	if (v->mode == UI_REPLAY && !(r->ended && v->t_us >= r->end_us) && v->t_us < v->end_us)
		return;
	const struct finding *f;
	size_t n = model_findings(m, r->id, &f);
	for (size_t i = 0; i < n; i++) {
		bool warn = f[i].severity == ADV_WARNING;
		scr_wrap(l, warn ? A_BOLD : 0, warn && l->s->color ? PAIR_PROBLEM : 0, warn ? "warning" : "finding",
			 f[i].text);
		if (f[i].fix) {
			char *fix = xasprintf("fix: %s", f[i].fix);
			scr_wrap(l, 0, 0, "", fix);
			free(fix);
		}
	}
}

static void environment(struct scr_lines *l, const struct model_run *r)
{
	if (r->cgroup[0])
		scr_line(l, 0, 0, " cgroup    %s", r->cgroup);
	if (!r->env[0]) {
		scr_line(l, A_DIM, 0, " env       nothing set for the run");
		return;
	}
	bool first = true;
	for (const char *p = r->env; *p;) {
		size_t len = strcspn(p, "\n");
		scr_line(l, 0, 0, " %-9s %.*s", first ? "env" : "", (int)len, p);
		first = false;
		p += len;
		if (*p)
			p++;
	}
}

static void tasks(struct scr_lines *l, const struct model *m, const struct ui_view *v, const struct model_run *r)
{
	size_t n = model_tasks(m, v->dprev, v->dcur, r->id, NULL, 0);
	scr_line(l, A_BOLD | A_UNDERLINE, 0, " %8s  %-16s %5s %4s %7s %8s %7s", "PID/TID", "name", "state", "CPU",
		 "CPU%", "RSS", "threads");
	if (!v->dcur || n == 0) {
		scr_line(l, A_DIM, 0, " %s", model_run_state(r, v->t_us) == MS_RUNNING ? "no processes seen at this moment"
										   : "no processes (the run is not running at this moment)");
		return;
	}
	struct model_task *rows = xreallocarray(NULL, n, sizeof(*rows));
	model_tasks(m, v->dprev, v->dcur, r->id, rows, n);
	for (size_t i = 0; i < n; i++) {
		const struct model_task *t = &rows[i];
		char cpu[16], pct[16], rss[16];
		snprintf(cpu, sizeof cpu, t->cpu >= 0 ? "%d" : "-", t->cpu);
		if (isfinite(t->cpu_pct))
			snprintf(pct, sizeof pct, "%.1f", t->cpu_pct);
		else
			snprintf(pct, sizeof pct, "-");
		if (t->is_thread)
			scr_line(l, 0, 0, "   %8llu  %-14.14s %5c %4s %7s", (unsigned long long)t->id, t->name, t->state, cpu, pct);
		else
			scr_line(l, A_BOLD, 0, " %8llu  %-16.16s %5c %4s %7s %8s %7llu", (unsigned long long)t->id, t->name,
				 t->state, cpu, pct, scr_bytes(rss, sizeof rss, t->rss), (unsigned long long)t->nthreads);
	}
	free(rows);
}

void scr_detail(struct screen *s, const struct model *m, const struct ui_view *v, int row, int h)
{
	const struct model_run *r = model_find_run(m, v->sel);
	if (!r) {
		scr_text(s, row, 1, s->cols - 2, A_DIM, 0, "no run selected");
		return;
	}
	identity(s, m, v, r, row);
	row += 3;
	h -= 3;
	/* The run's own graphs, over its own time, when there is room for
	 * them and some lines: a third of the page, more panes on a wider
	 * terminal. */
	int gh = h >= 16 ? h / 3 : 0;
	if (gh) {
		gh = gh < 7 ? 7 : gh > 24 ? 24 : gh;
		scr_graphs(s, m, v, row, 0, gh, s->cols, v->graph_first, r->id);
		row += gh + 1;
		h -= gh + 1;
	}
	/* What moves while the run goes (its numbers, processes and threads)
	 * first; what it reported and how it was set up after. */
	struct scr_lines l = { .s = s, .row0 = row, .nrows = h, .cols = s->cols, .scroll = v->scroll };
	numbers(&l, m, v, r);
	phases(&l, m, v, r);
	scr_line(&l, 0, 0, "%s", "");
	tasks(&l, m, v, r);
	scr_line(&l, 0, 0, "%s", "");
	metrics(&l, m, v, r);
	findings(&l, m, v, r);
	environment(&l, r);
	s->max_scroll = l.count > h ? l.count - h : 0;
}
