/* model — see model.h. */
#include "model.h"
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	summary_init(&m->sum);
	advice_init(&m->adv);
	frame_init(&m->cur);
	frame_init(&m->prev);
	m->meta.host = xstrdup("");
	m->meta.kernel = xstrdup("");
	m->meta.libc = xstrdup("");
	m->meta.cgroup_mode = xstrdup("");
	m->meta.cgroup_version = -1;
	m->ratio = model_ratio_ci;
}

static void free_run(struct model_run *r)
{
	free(r->workload);
	free(r->variant);
	free(r->command);
	free(r->label);
	free(r->env);
	free(r->cgroup);
	free(r->cpuset);
	free(r->params);
	free(r->binary_libc);
	free(r->s);
	free(r->b);
}

void model_free(struct model *m)
{
	summary_free(&m->sum);
	advice_free(&m->adv);
	for (size_t i = 0; i < m->nruns; i++)
		free_run(&m->runs[i]);
	free(m->runs);
	for (size_t i = 0; i < m->nvariants; i++)
		free(m->variants[i]);
	free(m->variants);
	for (size_t i = 0; i < m->nev; i++) {
		free(m->ev[i].name);
		free(m->ev[i].value);
		free(m->ev[i].unit);
	}
	free(m->ev);
	free(m->ftime);
	free(m->names);
	for (size_t i = 0; i < m->nmemo; i++) {
		free(m->memo[i].workload);
		free(m->memo[i].variant);
	}
	free(m->memo);
	frame_free(&m->cur);
	frame_free(&m->prev);
	free(m->meta.host);
	free(m->meta.kernel);
	free(m->meta.libc);
	free(m->meta.cgroup_mode);
	memset(m, 0, sizeof(*m));
}

/* ---- Small helpers ------------------------------------------------------ */

static double kv_num(const struct bt_record *rec, const char *key, double dflt)
{
	const char *s = trace_kv_get(rec, key);
	double v;
	return s && bt_parse_double(s, &v) ? v : dflt;
}

static void set_str(char **dst, const char *src)
{
	char *n = xstrdup(src ? src : "");
	free(*dst);
	*dst = n;
}

static int variant_color(struct model *m, const char *variant)
{
	for (size_t i = 0; i < m->nvariants; i++)
		if (strcmp(m->variants[i], variant) == 0)
			return (int)i;
	bt_grow((void **)&m->variants, &m->varcap, m->nvariants + 1, sizeof(*m->variants));
	m->variants[m->nvariants] = xstrdup(variant);
	return (int)m->nvariants++;
}

/* Index where id is, or would be inserted. */
static size_t run_slot(const struct model *m, uint64_t id)
{
	size_t lo = 0, hi = m->nruns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->runs[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct model_run *model_find_run(const struct model *m, uint64_t id)
{
	size_t i = run_slot(m, id);
	return i < m->nruns && m->runs[i].id == id ? &m->runs[i] : NULL;
}

static struct model_run *get_run(struct model *m, uint64_t id, const char *workload, const char *variant)
{
	size_t i = run_slot(m, id);
	if (i < m->nruns && m->runs[i].id == id)
		return &m->runs[i];
	bt_grow((void **)&m->runs, &m->runcap, m->nruns + 1, sizeof(*m->runs));
	memmove(&m->runs[i + 1], &m->runs[i], (m->nruns - i) * sizeof(*m->runs));
	m->nruns++;
	struct model_run *r = &m->runs[i];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->rep = 1;
	r->workload = xstrdup(workload);
	r->variant = xstrdup(variant);
	r->color = variant_color(m, variant);
	r->command = xstrdup("");
	r->label = xstrdup("");
	r->env = xstrdup("");
	r->cgroup = xstrdup("");
	r->cpuset = xstrdup("");
	r->params = xstrdup("");
	r->binary_libc = xstrdup("");
	r->limits_applied = true;
	return r;
}

const struct run_summary *model_run_summary(const struct model *m, uint64_t id)
{
	for (size_t i = 0; i < m->sum.nruns; i++)
		if (m->sum.runs[i].id == id)
			return &m->sum.runs[i];
	return NULL;
}

/* Events arrive in time order but for small skews (an end stamped before
 * the last frame): insert from the back. */
static struct model_event *add_event(struct model *m, uint64_t t_us, uint64_t run, enum model_event_kind kind,
				     const char *name)
{
	bt_grow((void **)&m->ev, &m->evcap, m->nev + 1, sizeof(*m->ev));
	size_t i = m->nev++;
	while (i > 0 && m->ev[i - 1].t_us > t_us) {
		m->ev[i] = m->ev[i - 1];
		i--;
	}
	m->ev[i] = (struct model_event){ .t_us = t_us, .run = run, .kind = kind, .name = xstrdup(name) };
	return &m->ev[i];
}

/* ---- Records ------------------------------------------------------------ */

static void feed_meta(struct model *m, const struct bt_record *rec)
{
	struct model_meta *mt = &m->meta;
	mt->have = true;
	set_str(&mt->host, trace_kv_get(rec, "host"));
	set_str(&mt->kernel, trace_kv_get(rec, "kernel"));
	const char *libc = trace_kv_get(rec, "libc"), *ver = trace_kv_get(rec, "libc_version");
	char *l = xasprintf("%s%s%s", libc ? libc : "", ver && ver[0] ? " " : "", ver ? ver : "");
	free(mt->libc);
	mt->libc = l;
	set_str(&mt->cgroup_mode, trace_kv_get(rec, "cgroup_mode"));
	mt->cgroup_version = (int)kv_num(rec, "cgroup_version", -1);
	mt->cpus_visible = kv_num(rec, "cpus_visible", 0);
	mt->cpus_effective = kv_num(rec, "cpus_effective", 0);
	mt->mem_total = (uint64_t)kv_num(rec, "mem_total", 0);
	mt->mem_limit = (uint64_t)kv_num(rec, "mem_limit", 0);
	mt->interval_ms = (unsigned)kv_num(rec, "interval_ms", 0);
}

static void feed_start(struct model *m, const struct bt_record *rec)
{
	const char *wl = trace_kv_get(rec, "workload"), *var = trace_kv_get(rec, "variant");
	struct model_run *r = get_run(m, rec->run, wl ? wl : "command", var ? var : "default");
	if (r->started)
		return; /* a duplicate start in a damaged trace: keep the first */
	if (wl)
		set_str(&r->workload, wl);
	if (var && strcmp(var, r->variant) != 0) {
		set_str(&r->variant, var);
		r->color = variant_color(m, var);
	}
	r->started = true;
	r->start_us = rec->t_us;
	r->rep = (unsigned)kv_num(rec, "rep", r->rep);
	r->warmup = kv_num(rec, "warmup", r->rep == 0) != 0;
	set_str(&r->params, trace_kv_get(rec, "params"));
	set_str(&r->binary_libc, trace_kv_get(rec, "binary_libc"));
	set_str(&r->command, trace_kv_get(rec, "command"));
	set_str(&r->label, trace_kv_get(rec, "label"));
	set_str(&r->env, trace_kv_get(rec, "env"));
	set_str(&r->cgroup, trace_kv_get(rec, "cgroup"));
	set_str(&r->cpuset, trace_kv_get(rec, "limit_cpuset"));
	r->limit_cpus = kv_num(rec, "limit_cpus", 0);
	r->limit_mem = (uint64_t)kv_num(rec, "limit_memory", 0);
	r->effective_cpus = kv_num(rec, "effective_cpus", 0);
	r->limits_applied = kv_num(rec, "limits_applied", 1) != 0;
	r->pid = (long)kv_num(rec, "pid", 0);
	add_event(m, rec->t_us, r->id, ME_START, "started");
}

static void feed_end(struct model *m, const struct bt_record *rec)
{
	struct model_run *r = (struct model_run *)model_find_run(m, rec->run);
	if (!r || !r->started || r->ended)
		return;
	r->ended = true;
	r->end_us = rec->t_us;
	r->exit_code = (int)kv_num(rec, "exit_code", -1);
	r->signal = (int)kv_num(rec, "signal", 0);
	r->oom = kv_num(rec, "oom_killed", 0) != 0;
	const struct run_summary *rs = model_run_summary(m, r->id);
	char text[160] = "ended";
	if (rs)
		run_exit_text(rs, text, sizeof text);
	add_event(m, rec->t_us, r->id, ME_END, text);
}

static void feed_event(struct model *m, const struct bt_record *rec)
{
	const char *plan = rec->run == 0 ? trace_kv_get(rec, "type") : NULL;
	if (plan && strcmp(plan, "plan") == 0) { /* a session's run, announced */
		const char *id = trace_kv_get(rec, "run"), *rep = trace_kv_get(rec, "rep");
		long long n, k;
		/* A trace is untrusted: a plan of more runs than any session
		 * makes is not believed (each one costs the model a run). */
		if (id && rep && bt_parse_ll(id, &n) && bt_parse_ll(rep, &k) && n > 0 && k >= 0 && k <= 1000000 &&
		    m->nruns < MODEL_MAX_PLANNED)
			model_plan_run(m, (uint64_t)n, trace_kv_get(rec, "workload"), trace_kv_get(rec, "variant"),
				       (unsigned)k);
		return;
	}
	if (!model_find_run(m, rec->run))
		return;
	const char *type = trace_kv_get(rec, "type"), *name = trace_kv_get(rec, "name");
	if (!type)
		return;
	if (strcmp(type, "note") == 0 && trace_kv_get(rec, "text")) {
		add_event(m, rec->t_us, rec->run, ME_NOTE, trace_kv_get(rec, "text"));
	} else if (strcmp(type, "phase") == 0 && name) {
		add_event(m, rec->t_us, rec->run, ME_PHASE, name);
	} else if (strcmp(type, "metric") == 0 && name && trace_kv_get(rec, "value")) {
		struct model_event *e = add_event(m, rec->t_us, rec->run, ME_METRIC, name);
		e->value = xstrdup(trace_kv_get(rec, "value"));
		const char *unit = trace_kv_get(rec, "unit");
		e->unit = xstrdup(unit ? unit : "");
	} else if (strcmp(type, "info") == 0 && name && trace_kv_get(rec, "text")) {
		/* an info is a metric in words (as summary.c has it) */
		struct model_event *e = add_event(m, rec->t_us, rec->run, ME_METRIC, name);
		e->value = xstrdup(trace_kv_get(rec, "text"));
		e->unit = xstrdup("");
	}
}

static uint64_t name_key(enum bt_kind kind, uint64_t id)
{
	return (uint64_t)(kind == BT_K_PROC ? 1 : 2) << 62 | (id & ((1ull << 62) - 1));
}

static size_t name_slot(const struct model *m, uint64_t key)
{
	size_t lo = 0, hi = m->nnames;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->names[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void feed_name(struct model *m, const struct bt_record *rec)
{
	const char *kind = trace_kv_get(rec, "kind"), *id = trace_kv_get(rec, "id"), *comm = trace_kv_get(rec, "comm");
	double v;
	if (!kind || !id || !comm || !bt_parse_double(id, &v) || v < 0)
		return;
	enum bt_kind k = strcmp(kind, "process") == 0 ? BT_K_PROC : strcmp(kind, "thread") == 0 ? BT_K_THREAD : BT_NKINDS;
	if (k == BT_NKINDS)
		return;
	uint64_t key = name_key(k, (uint64_t)v);
	size_t i = name_slot(m, key);
	if (i == m->nnames || m->names[i].key != key) {
		bt_grow((void **)&m->names, &m->namecap, m->nnames + 1, sizeof(*m->names));
		memmove(&m->names[i + 1], &m->names[i], (m->nnames - i) * sizeof(*m->names));
		m->nnames++;
		m->names[i].key = key;
	}
	snprintf(m->names[i].comm, sizeof m->names[i].comm, "%s", comm);
}

const char *model_name_of(const struct model *m, enum bt_kind kind, uint64_t id)
{
	uint64_t key = name_key(kind, id);
	size_t i = name_slot(m, key);
	return i < m->nnames && m->names[i].key == key ? m->names[i].comm : NULL;
}

/* The summary's running numbers for a run, as they stand now. */
static void stats_from_summary(const struct run_summary *rs, bool threads_valid, uint64_t threads_now,
			       struct model_stats *o)
{
	memset(o, 0, sizeof(*o));
	o->valid = true;
	o->wall_s = rs->wall_s;
	o->cpu_valid = rs->have_cpu;
	o->cpu_avg = run_cpu_avg_pct(rs);
	o->cpu_peak = rs->cpu_pct_peak;
	o->peak_valid = rs->cpu_pct_n > 0;
	if (rs->have_cgmem) {
		o->mem_valid = o->mem_is_cg = true;
		o->mem_avg = rs->cgmem_n ? rs->cgmem_sum / rs->cgmem_n : 0;
		o->mem_peak = (double)rs->cgmem_peak;
	} else if (rs->rss_n) {
		o->mem_valid = true;
		o->mem_avg = rs->rss_sum / rs->rss_n;
		o->mem_peak = (double)rs->rss_peak;
	}
	o->thr_valid = rs->have_throttle && rs->periods > 0;
	o->thr_pct = o->thr_valid ? 100.0 * (double)rs->throttled / (double)rs->periods : 0;
	o->threads_now_valid = threads_valid;
	o->threads_now = threads_now;
	o->threads_peak = rs->threads_peak;
}

double model_value(const struct model_sample *s, enum model_series k)
{
	switch (k) {
	case MSER_CPU: return s->cpu_pct;
	case MSER_THR: return s->thr_pct;
	case MSER_RSS: return s->rss;
	case MSER_CGMEM: return s->cgmem;
	case MSER_THREADS: return s->threads;
	case MSER_N: break;
	}
	return NAN;
}

/* Build the blocks the samples now complete. */
static void fill_blocks(struct model_run *r)
{
	while ((r->nb + 1) * MODEL_BLOCK <= r->ns) {
		bt_grow((void **)&r->b, &r->bcap, r->nb + 1, sizeof(*r->b));
		struct model_block *b = &r->b[r->nb];
		const struct model_sample *s = &r->s[r->nb * MODEL_BLOCK];
		b->t_first = s[0].t_us;
		for (int k = 0; k < MSER_N; k++) {
			b->lo[k] = b->hi[k] = NAN;
			for (size_t i = 0; i < MODEL_BLOCK; i++) {
				double v = model_value(&s[i], (enum model_series)k);
				if (!isfinite(v))
					continue;
				if (!(v >= b->lo[k]))
					b->lo[k] = v;
				if (!(v <= b->hi[k]))
					b->hi[k] = v;
			}
		}
		r->nb++;
	}
}

/* Keep a run's history bounded: merge pairs, the later sample standing
 * for both with the mean of their rates. Blocks merge in pairs too (each
 * then covers the merged samples of two); an odd last one is rebuilt once
 * its samples are there. */
static void halve_samples(struct model_run *r)
{
	size_t n = r->ns / 2;
	for (size_t i = 0; i < n; i++) {
		struct model_sample a = r->s[2 * i], b = r->s[2 * i + 1];
		if (isfinite(a.cpu_pct) && isfinite(b.cpu_pct))
			b.cpu_pct = (a.cpu_pct + b.cpu_pct) / 2;
		if (isfinite(a.thr_pct) && isfinite(b.thr_pct))
			b.thr_pct = (a.thr_pct + b.thr_pct) / 2;
		r->s[i] = b;
	}
	if (r->ns % 2)
		r->s[n++] = r->s[r->ns - 1];
	r->ns = n;
	size_t nb = r->nb / 2;
	for (size_t j = 0; j < nb; j++) {
		struct model_block a = r->b[2 * j], b = r->b[2 * j + 1];
		for (int k = 0; k < MSER_N; k++) {
			a.lo[k] = isnan(a.lo[k]) ? b.lo[k] : isnan(b.lo[k]) ? a.lo[k] : fmin(a.lo[k], b.lo[k]);
			a.hi[k] = isnan(a.hi[k]) ? b.hi[k] : isnan(b.hi[k]) ? a.hi[k] : fmax(a.hi[k], b.hi[k]);
		}
		a.t_first = r->s[j * MODEL_BLOCK].t_us;
		r->b[j] = a;
	}
	r->nb = nb;
}

static void add_sample(struct model *m, struct model_run *r, const struct run_summary *rs, const struct bt_frame *f,
		       const struct bt_entity *e)
{
	struct model_sample s = { .t_us = f->t_us, .cpu_pct = NAN, .thr_pct = NAN, .rss = NAN, .cgmem = NAN, .threads = NAN };
	uint64_t ns;
	if (summary_run_cpu_ns(e, m->sum.clk_tck, rs->cpu_from_cg, &ns)) {
		double pct;
		if (r->have_prev && summary_rate(r->prev_cpu_ns, r->prev_t_us, ns, f->t_us, &pct))
			s.cpu_pct = pct;
		/* Same rule as summary and export: a counter that went
		 * backwards keeps the old base. */
		if (!r->have_prev || ns >= r->prev_cpu_ns) {
			r->prev_cpu_ns = ns;
			r->prev_t_us = f->t_us;
			r->have_prev = true;
		}
	}
	if (ent_has(e, RUN_CG_PERIODS) && ent_has(e, RUN_CG_THROTTLED)) {
		uint64_t p = e->v[RUN_CG_PERIODS], t = e->v[RUN_CG_THROTTLED];
		if (r->have_prev_thr && p > r->prev_periods && t >= r->prev_throttled) {
			double pct = 100.0 * (double)(t - r->prev_throttled) / (double)(p - r->prev_periods);
			s.thr_pct = pct > 100 ? 100 : pct;
		} else if (r->have_prev_thr && p == r->prev_periods && r->limit_cpus > 0) {
			s.thr_pct = 0; /* a quota, but no period ran: nothing was throttled */
		}
		r->prev_periods = p;
		r->prev_throttled = t;
		r->have_prev_thr = true;
	}
	if (ent_has(e, RUN_RSS))
		s.rss = (double)e->v[RUN_RSS];
	if (ent_has(e, RUN_CG_MEM))
		s.cgmem = (double)e->v[RUN_CG_MEM];
	if (ent_has(e, RUN_NTHREADS))
		s.threads = (double)e->v[RUN_NTHREADS];
	/* A tick that could not list the run has no count: unknown, not 0. */
	stats_from_summary(rs, ent_has(e, RUN_NTHREADS), ent_has(e, RUN_NTHREADS) ? e->v[RUN_NTHREADS] : 0, &s.stats);
	if (r->ns >= MODEL_MAX_SAMPLES)
		halve_samples(r);
	bt_grow((void **)&r->s, &r->scap, r->ns + 1, sizeof(*r->s));
	r->s[r->ns++] = s;
	fill_blocks(r);
}

static void feed_frame(struct model *m, const struct bt_frame *f)
{
	if (m->nframes < MODEL_MAX_FRAMES) {
		bt_grow((void **)&m->ftime, &m->fcap, m->nframes + 1, sizeof(*m->ftime));
		m->ftime[m->nframes++] = f->t_us;
	}
	const struct bt_entity_list *runs = &f->k[BT_K_RUN];
	for (size_t i = 0; i < runs->n; i++) {
		const struct bt_entity *e = &runs->items[i];
		struct model_run *r = (struct model_run *)model_find_run(m, e->key);
		const struct run_summary *rs = model_run_summary(m, e->key);
		if (!r || !r->started || r->ended || !rs)
			continue;
		add_sample(m, r, rs, f, e);
	}
	if (m->have_cur) {
		frame_copy(&m->prev, &m->cur);
		m->have_prev = true;
	}
	frame_copy(&m->cur, f);
	m->have_cur = true;
}

void model_feed(struct model *m, const struct bt_record *rec)
{
	summary_add(&m->sum, rec);
	advice_add(&m->adv, rec);
	switch (rec->type) {
	case TR_META: feed_meta(m, rec); break;
	case TR_RUN_START: feed_start(m, rec); break;
	case TR_FRAME: feed_frame(m, rec->frame); break;
	case TR_EVENT: feed_event(m, rec); break;
	case TR_RUN_END: feed_end(m, rec); break;
	case TR_NAME: feed_name(m, rec); break;
	default: return;
	}
	uint64_t t = rec->type == TR_FRAME ? rec->frame->t_us : rec->t_us;
	if (t > m->end_us)
		m->end_us = t;
	m->gen++;
}

void model_plan_run(struct model *m, uint64_t id, const char *workload, const char *variant, unsigned rep)
{
	const struct model_run *known = model_find_run(m, id);
	struct model_run *r = get_run(m, id, workload ? workload : "command", variant ? variant : "default");
	if (!known) {
		r->rep = rep;
		r->warmup = rep == 0;
	}
	r->planned = true;
	m->gen++;
}

void model_session_over(struct model *m)
{
	for (size_t i = 0; i < m->nruns; i++)
		if (m->runs[i].planned && !m->runs[i].started)
			m->runs[i].not_run = true;
	m->over = true;
	m->gen++;
}

/* ---- Questions ---------------------------------------------------------- */

bool model_run_visible(const struct model_run *r, uint64_t t_us)
{
	/* A run exists at t once started; before, only a plan shows it. */
	return r->planned || (r->started && r->start_us <= t_us);
}

enum model_state model_run_state(const struct model_run *r, uint64_t t_us)
{
	if (!r->started)
		return r->not_run ? MS_NOT_RUN : MS_QUEUED;
	if (t_us < r->start_us)
		return MS_QUEUED;
	if (!r->ended || t_us < r->end_us)
		return MS_RUNNING;
	if (r->oom)
		return MS_OOM;
	return r->signal || r->exit_code != 0 ? MS_FAILED : MS_DONE;
}

const char *model_state_name(enum model_state s)
{
	switch (s) {
	case MS_QUEUED: return "queued";
	case MS_RUNNING: return "running";
	case MS_DONE: return "done";
	case MS_FAILED: return "failed";
	case MS_OOM: return "OOM-killed";
	case MS_NOT_RUN: return "not run";
	}
	return "?";
}

size_t model_samples_until(const struct model_run *r, uint64_t t_us)
{
	size_t lo = 0, hi = r->ns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->s[mid].t_us <= t_us)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

double model_series_max(const struct model_run *r, enum model_series k, uint64_t t0, uint64_t t1)
{
	size_t i = t0 ? model_samples_until(r, t0 - 1) : 0, end = model_samples_until(r, t1);
	double best = NAN;
	while (i < end) {
		double v;
		if (i % MODEL_BLOCK == 0 && i + MODEL_BLOCK <= end && i / MODEL_BLOCK < r->nb) {
			v = r->b[i / MODEL_BLOCK].hi[k];
			i += MODEL_BLOCK;
		} else {
			v = model_value(&r->s[i++], k);
		}
		if (isfinite(v) && !(v <= best))
			best = v;
	}
	return best;
}

void model_run_stats(const struct model *m, const struct model_run *r, uint64_t t_us, struct model_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (model_run_state(r, t_us) == MS_QUEUED)
		return;
	if (r->ended && t_us >= r->end_us) {
		const struct run_summary *rs = model_run_summary(m, r->id);
		if (rs)
			stats_from_summary(rs, false, 0, out);
		return;
	}
	size_t k = model_samples_until(r, t_us);
	if (k)
		*out = r->s[k - 1].stats;
}

const char *model_baseline(const struct model *m, const char *workload)
{
	for (size_t i = 0; i < m->nruns; i++)
		if (strcmp(m->runs[i].workload, workload) == 0)
			return m->runs[i].variant;
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(const double *v, size_t n)
{
	double *c = xreallocarray(NULL, n, sizeof(*c));
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_double);
	double med = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return med;
}

bool model_ratio_median(const double *base, size_t nbase, const double *var, size_t nvar, struct model_ratio *out)
{
	if (!nbase || !nvar)
		return false;
	double b = median(base, nbase);
	if (!(b > 0))
		return false;
	*out = (struct model_ratio){ .ratio = median(var, nvar) / b, .nbase = nbase, .nvar = nvar };
	return true;
}

bool model_ratio_ci(const double *base, size_t nbase, const double *var, size_t nvar, struct model_ratio *out)
{
	struct stats_ratio r;
	if (!nbase || !nvar || stats_ratio_ci(base, nbase, var, nvar, NULL, &r) != 0 || !r.valid)
		return false;
	*out = (struct model_ratio){ .ratio = r.ratio, .nbase = nbase, .nvar = nvar };
	/* One run a side resamples to itself: no interval worth the name. */
	if (nbase >= 2 && nvar >= 2 && isfinite(r.ci_low) && isfinite(r.ci_high)) {
		out->have_ci = true;
		out->lo = r.ci_low;
		out->hi = r.ci_high;
	}
	return true;
}

/* The memo of (workload, variant), made when missing. */
static struct model_ratio_memo *memo_of(struct model *m, const char *workload, const char *variant)
{
	for (size_t i = 0; i < m->nmemo; i++)
		if (strcmp(m->memo[i].workload, workload) == 0 && strcmp(m->memo[i].variant, variant) == 0)
			return &m->memo[i];
	bt_grow((void **)&m->memo, &m->memocap, m->nmemo + 1, sizeof(*m->memo));
	struct model_ratio_memo *e = &m->memo[m->nmemo++];
	*e = (struct model_ratio_memo){ .workload = xstrdup(workload), .variant = xstrdup(variant), .nbase = SIZE_MAX };
	return e;
}

bool model_variant_ratio(const struct model *m, const char *workload, const char *variant, uint64_t t_us,
			 struct model_ratio *out)
{
	const char *base = model_baseline(m, workload);
	if (!base || strcmp(base, variant) == 0 || !m->nruns)
		return false;
	double *bw = xreallocarray(NULL, m->nruns, sizeof(double));
	double *vw = xreallocarray(NULL, m->nruns, sizeof(double));
	size_t nb = 0, nv = 0;
	/* The runs used, as an FNV-1a hash of their ids (a done run's wall
	 * time never changes): the memo's key. */
	uint64_t key = 1469598103934665603ull;
	for (size_t i = 0; i < m->nruns; i++) {
		const struct model_run *r = &m->runs[i];
		if (strcmp(r->workload, workload) != 0 || r->warmup || model_run_state(r, t_us) != MS_DONE)
			continue;
		const struct run_summary *rs = model_run_summary(m, r->id);
		if (!rs || !(rs->wall_s > 0))
			continue;
		bool is_base = strcmp(r->variant, base) == 0;
		if (is_base)
			bw[nb++] = rs->wall_s;
		else if (strcmp(r->variant, variant) == 0)
			vw[nv++] = rs->wall_s;
		else
			continue;
		key = (key ^ (r->id * 2 + is_base)) * 1099511628211ull;
	}
	/* The memo is a cache: the model's answers do not change with it. */
	struct model_ratio_memo *e = memo_of((struct model *)m, workload, variant);
	if (e->nbase != nb || e->nvar != nv || e->key != key || e->fn != m->ratio) {
		e->nbase = nb;
		e->nvar = nv;
		e->key = key;
		e->fn = m->ratio;
		memset(&e->r, 0, sizeof e->r);
		e->ok = m->ratio && m->ratio(bw, nb, vw, nv, &e->r);
	}
	free(bw);
	free(vw);
	if (e->ok)
		*out = e->r;
	return e->ok;
}

long model_event_near(const struct model *m, uint64_t t_us, int dir)
{
	/* lo = the first event after t */
	size_t lo = 0, hi = m->nev;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->ev[mid].t_us <= t_us)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (dir > 0)
		return lo < m->nev ? (long)lo : -1;
	/* the last event strictly before t */
	size_t i = lo;
	while (i > 0 && m->ev[i - 1].t_us >= t_us)
		i--;
	return i > 0 ? (long)(i - 1) : -1;
}

long model_frame_index(const struct model *m, uint64_t t_us)
{
	size_t lo = 0, hi = m->nframes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->ftime[mid] <= t_us)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

bool model_frame_near(const struct model *m, uint64_t t_us, int dir, uint64_t *out)
{
	long i = model_frame_index(m, t_us);
	if (dir > 0) {
		if ((size_t)(i + 1) >= m->nframes)
			return false;
		*out = m->ftime[i + 1];
		return true;
	}
	while (i >= 0 && m->ftime[i] >= t_us)
		i--;
	if (i < 0)
		return false;
	*out = m->ftime[i];
	return true;
}

/* ---- Detail rows -------------------------------------------------------- */

static double rate_pct(double delta, double dt_s)
{
	return dt_s > 0 && delta >= 0 ? delta / dt_s * 100.0 : NAN;
}

static double proc_cpu_pct(const struct bt_entity *p, const struct bt_entity *pp, long tck, double dt)
{
	if (!pp || tck <= 0 || !ent_has(p, PROC_UTIME) || !ent_has(pp, PROC_UTIME))
		return NAN;
	uint64_t now = p->v[PROC_UTIME] + p->v[PROC_STIME], before = pp->v[PROC_UTIME] + pp->v[PROC_STIME];
	return now < before ? NAN : rate_pct((double)(now - before) / (double)tck, dt);
}

static double thread_cpu_pct(const struct bt_entity *t, const struct bt_entity *tp, long tck, double dt)
{
	if (!tp)
		return NAN;
	/* schedstat's run time is finer than clock ticks: prefer it. */
	if (ent_has(t, THR_RUN_US) && ent_has(tp, THR_RUN_US))
		return t->v[THR_RUN_US] < tp->v[THR_RUN_US]
			       ? NAN
			       : rate_pct((double)(t->v[THR_RUN_US] - tp->v[THR_RUN_US]) / 1e6, dt);
	if (tck <= 0 || !ent_has(t, THR_UTIME) || !ent_has(tp, THR_UTIME))
		return NAN;
	uint64_t now = t->v[THR_UTIME] + t->v[THR_STIME], before = tp->v[THR_UTIME] + tp->v[THR_STIME];
	return now < before ? NAN : rate_pct((double)(now - before) / (double)tck, dt);
}

static int cmp_thread(const void *a, const void *b)
{
	const struct bt_entity *x = *(const struct bt_entity *const *)a, *y = *(const struct bt_entity *const *)b;
	if (x->v[THR_PID] != y->v[THR_PID])
		return x->v[THR_PID] < y->v[THR_PID] ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static void put_row(struct model_task *rows, size_t max, size_t *n, const struct model_task *row)
{
	if (*n < max)
		rows[*n] = *row;
	(*n)++;
}

size_t model_tasks(const struct model *m, const struct bt_frame *prev, const struct bt_frame *cur, uint64_t run,
		   struct model_task *rows, size_t max)
{
	if (!cur)
		return 0;
	long tck = m->sum.clk_tck;
	double dt = prev && cur->t_us > prev->t_us ? (double)(cur->t_us - prev->t_us) / 1e6 : 0;
	const struct bt_entity_list *procs = &cur->k[BT_K_PROC], *thr = &cur->k[BT_K_THREAD];
	/* The run's threads, grouped by process (a thread belongs to the run
	 * when its process does). */
	const struct bt_entity **mine = xreallocarray(NULL, thr->n + 1, sizeof(*mine));
	size_t nmine = 0;
	for (size_t i = 0; i < thr->n; i++) {
		const struct bt_entity *t = &thr->items[i];
		if (!ent_has(t, THR_PID))
			continue;
		const struct bt_entity *p = frame_find(cur, BT_K_PROC, t->v[THR_PID]);
		if (p && ent_has(p, PROC_RUN) && p->v[PROC_RUN] == run)
			mine[nmine++] = t;
	}
	qsort(mine, nmine, sizeof(*mine), cmp_thread);
	size_t n = 0, ti = 0;
	for (size_t i = 0; i < procs->n; i++) {
		const struct bt_entity *p = &procs->items[i];
		if (!ent_has(p, PROC_RUN) || p->v[PROC_RUN] != run)
			continue;
		const struct bt_entity *main_thr = frame_find(cur, BT_K_THREAD, p->key);
		const char *name = model_name_of(m, BT_K_PROC, p->key);
		struct model_task row = {
			.id = p->key, .pid = p->key, .name = name ? name : "?",
			.state = ent_has(p, PROC_STATE) ? (char)p->v[PROC_STATE] : '?',
			.cpu = main_thr && ent_has(main_thr, THR_CPU) ? (int)main_thr->v[THR_CPU] : -1,
			.cpu_pct = proc_cpu_pct(p, prev ? frame_find(prev, BT_K_PROC, p->key) : NULL, tck, dt),
			.rss = ent_has(p, PROC_RSS) ? (double)p->v[PROC_RSS] : NAN,
			.nthreads = ent_has(p, PROC_NTHREADS) ? p->v[PROC_NTHREADS] : 0,
		};
		put_row(rows, max, &n, &row);
		while (ti < nmine && mine[ti]->v[THR_PID] < p->key)
			ti++;
		for (; ti < nmine && mine[ti]->v[THR_PID] == p->key; ti++) {
			const struct bt_entity *t = mine[ti];
			const char *tn = model_name_of(m, BT_K_THREAD, t->key);
			struct model_task tr = {
				.is_thread = true, .id = t->key, .pid = p->key, .name = tn ? tn : row.name,
				.state = ent_has(t, THR_STATE) ? (char)t->v[THR_STATE] : '?',
				.cpu = ent_has(t, THR_CPU) ? (int)t->v[THR_CPU] : -1,
				.cpu_pct = thread_cpu_pct(t, prev ? frame_find(prev, BT_K_THREAD, t->key) : NULL, tck, dt),
				.rss = NAN,
			};
			put_row(rows, max, &n, &tr);
		}
	}
	free(mine);
	return n;
}

size_t model_findings(const struct model *m, uint64_t run, const struct finding **out)
{
	/* advice computes findings on demand into its own cache; what the
	 * model shows does not change, so a const model may ask. */
	return advice_findings((struct advice *)&m->adv, run, out);
}

size_t model_metrics_at(const struct model *m, uint64_t run, uint64_t t_us, const struct model_event **out,
			size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nev && m->ev[i].t_us <= t_us; i++) {
		const struct model_event *e = &m->ev[i];
		if (e->kind != ME_METRIC || e->run != run)
			continue;
		size_t j = 0;
		while (j < n && strcmp(out[j]->name, e->name) != 0)
			j++;
		if (j < n)
			out[j] = e;
		else if (n < max)
			out[n++] = e;
	}
	return n;
}
