/* screen_bars — the screen's first two lines and its last: the host facts
 * (full or short forms as the width allows, with the limits the runs
 * share), the state line (live, paused, ended or the replay position, the
 * window, the runs by state), and the footer (a prompt, a message, a
 * lasting problem wrapped over two lines, or the key hints). They are built
 * as text here; screen.c draws them when their text changed. */
#include "screen_int.h"
#include "util.h"

#include <string.h>

/* ---- Header ------------------------------------------------------------- */

/* "6.1.0" of "6.1.0-18-amd64": what a narrow header keeps of a kernel. */
static void kernel_version(char *buf, size_t size, const char *k)
{
	size_t n = strspn(k, "0123456789.");
	snprintf(buf, size, "%.*s", (int)(n ? n : strlen(k)), k);
}

/* What every run shown shares: its effective CPUs and memory limit (0 when
 * unknown or when they differ; *varies says which). */
static void runs_limits(const struct model *m, uint64_t t_us, double *cpus, uint64_t *mem, bool *cpus_vary,
			bool *mem_vary)
{
	bool first = true;
	*cpus = 0;
	*mem = 0;
	*cpus_vary = *mem_vary = false;
	for (size_t i = 0; i < m->nruns; i++) {
		const struct model_run *r = &m->runs[i];
		if (!r->started || r->start_us > t_us)
			continue;
		/* effective_cpus is whole CPUs (what pools size by); a quota
		 * below it is what the run may use */
		double c = r->limits_applied ? r->effective_cpus : 0;
		if (r->limits_applied && r->limit_cpus > 0 && (c <= 0 || r->limit_cpus < c))
			c = r->limit_cpus;
		uint64_t b = r->limits_applied ? r->limit_mem : 0;
		if (first) {
			*cpus = c;
			*mem = b;
			first = false;
			continue;
		}
		if (c != *cpus)
			*cpus_vary = true;
		if (b != *mem)
			*mem_vary = true;
	}
	if (*cpus_vary)
		*cpus = 0;
	if (*mem_vary)
		*mem = 0;
}

/* The host facts of META and the limits the runs share, each in a full and
 * a short form: the full forms when they fit, else the short ones, then the
 * least telling facts go (the tick, the host, the kernel, the cgroup, the
 * libc): the limits a measurement ran under stay. */
void scr_header_facts(struct screen *s, const struct model *m, const struct ui_view *v, char *line, size_t size)
{
	const struct model_meta *mt = &m->meta;
	enum { F_HOST, F_KERNEL, F_LIBC, F_CGROUP, F_CPUS, F_MEM, F_TICK, F_N };
	static const int drop_order[] = { F_TICK, F_HOST, F_KERNEL, F_CGROUP, F_LIBC, F_MEM };
	char full[F_N][112], brief[F_N][64], a[32], b[32], kv[32];
	memset(full, 0, sizeof full);
	memset(brief, 0, sizeof brief);
	if (!mt->have) {
		snprintf(line, size, " benchtop  no host facts (the trace has no META record)");
		return;
	}
	snprintf(full[F_HOST], sizeof full[0], "host %s", mt->host[0] ? mt->host : "-");
	snprintf(brief[F_HOST], sizeof brief[0], "%.24s", mt->host[0] ? mt->host : "-");
	snprintf(full[F_KERNEL], sizeof full[0], "kernel %s", mt->kernel[0] ? mt->kernel : "-");
	kernel_version(kv, sizeof kv, mt->kernel);
	snprintf(brief[F_KERNEL], sizeof brief[0], "Linux %s", kv[0] ? kv : "-");
	snprintf(full[F_LIBC], sizeof full[0], "%s", mt->libc[0] ? mt->libc : "libc -");
	snprintf(brief[F_LIBC], sizeof brief[0], "%s", mt->libc[0] ? mt->libc : "libc -");
	if (mt->cgroup_version > 0) {
		snprintf(full[F_CGROUP], sizeof full[0], "cgroup v%d %.*s", mt->cgroup_version,
			 (int)strcspn(mt->cgroup_mode, " "), mt->cgroup_mode);
		snprintf(brief[F_CGROUP], sizeof brief[0], "cgroup v%d", mt->cgroup_version);
	} else if (mt->cgroup_version == 0) {
		snprintf(full[F_CGROUP], sizeof full[0], "no cgroups");
		snprintf(brief[F_CGROUP], sizeof brief[0], "no cgroups");
	}
	/* Effective of visible CPUs and the memory limit: the runs' own when
	 * they have limits (tighter than the host's), else benchtop's. */
	double rc;
	uint64_t rm;
	bool cvary, mvary;
	runs_limits(m, v->t_us, &rc, &rm, &cvary, &mvary);
	double eff = mt->cpus_effective;
	bool eff_runs = rc > 0 && (eff <= 0 || rc < eff);
	if (eff_runs)
		eff = rc;
	if (mt->cpus_visible > 0) {
		snprintf(full[F_CPUS], sizeof full[0], "CPUs %.4g of %.4g%s", eff, mt->cpus_visible,
			 cvary ? " (runs vary)" : eff_runs ? " (runs)" : "");
		snprintf(brief[F_CPUS], sizeof brief[0], "CPUs %.4g/%.4g%s", eff, mt->cpus_visible, cvary ? "*" : "");
	}
	uint64_t lim = mt->mem_limit;
	bool lim_runs = rm && (!lim || rm < lim);
	if (lim_runs)
		lim = rm;
	const char *how = mvary ? " (runs vary)" : lim_runs ? " (runs)" : "";
	if (lim) {
		snprintf(full[F_MEM], sizeof full[0], "memory limit %s of %s%s", scr_bytes(a, sizeof a, (double)lim),
			 scr_bytes(b, sizeof b, (double)mt->mem_total), how);
		snprintf(brief[F_MEM], sizeof brief[0], "mem %s/%s%s", scr_bytes(a, sizeof a, (double)lim),
			 scr_bytes(b, sizeof b, (double)mt->mem_total), mvary ? "*" : "");
	} else if (mt->mem_total) {
		snprintf(full[F_MEM], sizeof full[0], "memory %s, no limit%s", scr_bytes(a, sizeof a, (double)mt->mem_total),
			 mvary ? " (runs vary)" : "");
		snprintf(brief[F_MEM], sizeof brief[0], "mem %s%s", scr_bytes(a, sizeof a, (double)mt->mem_total),
			 mvary ? "*" : "");
	}
	if (mt->interval_ms) {
		snprintf(full[F_TICK], sizeof full[0], "tick %u ms", mt->interval_ms);
		snprintf(brief[F_TICK], sizeof brief[0], "tick %ums", mt->interval_ms);
	}
	/* bounded: each pass drops one fact, at most F_N passes */
	for (size_t pass = 0;; pass++) {
		bool use_brief = pass > 0;
		size_t n = (size_t)snprintf(line, size, "%s", use_brief ? "" : " benchtop");
		for (int i = 0; i < F_N; i++) {
			const char *f = use_brief ? brief[i] : full[i];
			if (f[0] && n < size)
				n += (size_t)snprintf(line + n, size - n, "%s%s", n ? "  " : " ", f);
		}
		if ((int)n <= s->cols || pass > BT_ARRAY_LEN(drop_order))
			break;
		if (pass >= 1)
			brief[drop_order[pass - 1]][0] = '\0';
	}
}

/* "60s", "5m", "1h": a time window's span. */
static const char *span_text(char *buf, size_t size, double s)
{
	if (s < 120)
		snprintf(buf, size, "%gs", s);
	else if (s < 7200)
		snprintf(buf, size, "%gm", s / 60);
	else
		snprintf(buf, size, "%gh", s / 3600);
	return buf;
}

void scr_header_state(const struct model *m, const struct ui_view *v, char *line, size_t size)
{
	char a[32], b[32];
	int n;
	size_t counts[MS_N] = { 0 };
	for (size_t i = 0; i < m->nruns; i++)
		if (model_run_visible(&m->runs[i], v->t_us))
			counts[model_run_state(&m->runs[i], v->t_us)]++;
	const char *window = v->window_s > 0 ? span_text(b, sizeof b, v->window_s) : "whole";
	if (v->mode == UI_LIVE) {
		const char *state = v->paused ? "PAUSED (sampling goes on)" : v->over ? "ENDED (q quits)" : "LIVE";
		n = snprintf(line, size, " %s  elapsed %s", state, scr_secs(a, sizeof a, v->elapsed_s));
	} else {
		long idx = model_frame_index(m, v->t_us);
		const char *state = v->playing ? "playing" : v->t_us >= v->end_us ? "at end" : "paused";
		n = snprintf(line, size, " REPLAY %s  %s  %.3f s of %.3f s  tick %ld/%zu  speed x%g", v->title ? v->title : "",
			     state, (double)v->t_us / 1e6, (double)v->end_us / 1e6, idx + 1, m->nframes, v->speed);
	}
	n += snprintf(line + n, size - (size_t)n, "  window %s  runs: %zu running, %zu done", window, counts[MS_RUNNING],
		      counts[MS_DONE]);
	if (counts[MS_FAILED])
		n += snprintf(line + n, size - (size_t)n, ", %zu failed", counts[MS_FAILED]);
	if (counts[MS_OOM])
		n += snprintf(line + n, size - (size_t)n, ", %zu OOM-killed", counts[MS_OOM]);
	if (counts[MS_QUEUED])
		n += snprintf(line + n, size - (size_t)n, ", %zu queued", counts[MS_QUEUED]);
	if (counts[MS_NOT_RUN])
		n += snprintf(line + n, size - (size_t)n, ", %zu not run", counts[MS_NOT_RUN]);
	if (v->problem)
		snprintf(line + n, size - (size_t)n, "  [cut or damaged trace]");
}

/* ---- Footer ------------------------------------------------------------- */

int scr_wrap_lines(const char *text, int w, char out[][256], int max)
{
	int lines = 0;
	if (w < 1)
		w = 1;
	if (w > 255)
		w = 255;
	/* bounded: each pass consumes at least one character */
	for (const char *p = text; *p && lines < max;) {
		int len = (int)strlen(p), take = len <= w ? len : w;
		if (take < len && lines + 1 < max) {
			int sp = take;
			while (sp > 0 && p[sp] != ' ')
				sp--;
			if (sp > w / 3)
				take = sp;
		}
		snprintf(out[lines++], 256, "%.*s", take, p);
		p += take;
		while (*p == ' ')
			p++;
	}
	return lines;
}

void scr_footer_of(const struct screen *s, const struct ui_view *v, struct scr_footer *f)
{
	memset(f, 0, sizeof(*f));
	f->n = 1;
	if (v->prompt) {
		snprintf(f->line[0], sizeof f->line[0], "%s%s", v->prompt, v->answer ? v->answer : "");
		f->a = A_REVERSE;
		f->prompt = true;
	} else if (v->message) {
		snprintf(f->line[0], sizeof f->line[0], "%s", v->message);
		f->a = A_BOLD;
	} else if (v->problem) {
		f->n = scr_wrap_lines(v->problem, s->cols, f->line, 2);
		f->a = A_BOLD;
		f->pair = s->color ? PAIR_PROBLEM : 0;
	} else {
		const char *hint;
		if (v->page == UI_PAGE_HELP)
			hint = "Esc back  Up/Down scroll";
		else if (v->page == UI_PAGE_DETAIL)
			hint = "Esc back  Up/Down/PgUp/PgDn scroll  +/- zoom  Tab graphs  ? help  q quit";
		else if (v->mode == UI_REPLAY)
			hint = "q quit  ? help  space play/pause  Left/Right step  [/] speed  g go to  n/N event  Enter detail  +/- zoom  Tab graphs";
		else
			hint = "q quit  ? help  Up/Down select  Enter detail  p pause  +/- zoom  Tab graphs";
		snprintf(f->line[0], sizeof f->line[0], "%s", hint);
		f->a = A_DIM;
	}
}

