/* compare — see compare.h. This file reads the traces, groups their runs,
 * computes the rows and the notes, and runs the command; compare_out.c
 * prints the formats; compare_model.h is what the two share. */
#include "compare.h"
#include "compare_model.h"
#include "trace.h"
#include "util.h"

#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- Reading ------------------------------------------------------------- */

static char *kvdup(const struct bt_record *rec, const char *key)
{
	const char *v = trace_kv_get(rec, key);
	return xstrdup(v ? v : "");
}

static int read_trace(struct trace_in *t, const char *path, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->path = path;
	summary_init(&t->sum);
	advice_init(&t->adv);
	struct bt_trace_reader *rd = trace_reader_open(path, err, errlen);
	if (!rd)
		return -1;
	struct bt_record rec;
	while (trace_reader_next(rd, &rec) == 1) {
		if (rec.type == TR_META && !t->host) {
			t->host = kvdup(&rec, "host");
			t->kernel = kvdup(&rec, "kernel");
			t->libc = kvdup(&rec, "libc");
			t->libc_version = kvdup(&rec, "libc_version");
			t->cpus_eff = kvdup(&rec, "cpus_effective");
			t->cpus_vis = kvdup(&rec, "cpus_visible");
			t->mem_limit = kvdup(&rec, "mem_limit");
			t->cpu_model = kvdup(&rec, "cpu_model");
		}
		summary_add(&t->sum, &rec);
		advice_add(&t->adv, &rec);
	}
	const char *p = trace_reader_problem(rd);
	if (p)
		t->problem = xstrdup(p);
	trace_reader_free(rd);
	if (!t->host) {
		t->host = xstrdup("");
		t->kernel = xstrdup("");
		t->libc = xstrdup("");
		t->libc_version = xstrdup("");
		t->cpus_eff = xstrdup("");
		t->cpus_vis = xstrdup("");
		t->mem_limit = xstrdup("");
		t->cpu_model = xstrdup("");
	}
	return 0;
}

static void free_trace(struct trace_in *t)
{
	free(t->host);
	free(t->kernel);
	free(t->libc);
	free(t->libc_version);
	free(t->cpus_eff);
	free(t->cpus_vis);
	free(t->mem_limit);
	free(t->cpu_model);
	free(t->problem);
	summary_free(&t->sum);
	advice_free(&t->adv);
}

/* ---- Grouping ------------------------------------------------------------ */

static void add_note(struct group *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_note(struct group *g, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* The same note once. */
	for (const char *p = g->notes; p && *p;) {
		size_t l = strcspn(p, "\n");
		if (l == strlen(line) && strncmp(p, line, l) == 0)
			return;
		p += l + (p[l] ? 1 : 0);
	}
	char *n = xasprintf("%s%s%s", g->notes ? g->notes : "", g->notes ? "\n" : "", line);
	free(g->notes);
	g->notes = n;
}

static struct group *group_for(struct cmp *c, const char *workload, const char *params)
{
	for (size_t i = 0; i < c->ng; i++)
		if (strcmp(c->g[i].workload, workload) == 0 && strcmp(c->g[i].params, params) == 0)
			return &c->g[i];
	bt_grow((void **)&c->g, &c->gcap, c->ng + 1, sizeof(*c->g));
	struct group *g = &c->g[c->ng++];
	memset(g, 0, sizeof(*g));
	g->workload = xstrdup(workload);
	g->params = xstrdup(params);
	return g;
}

static struct vgroup *vgroup_for(struct group *g, const char *variant)
{
	for (size_t i = 0; i < g->nv; i++)
		if (strcmp(g->v[i].variant, variant) == 0)
			return &g->v[i];
	bt_grow((void **)&g->v, &g->vcap, g->nv + 1, sizeof(*g->v));
	struct vgroup *v = &g->v[g->nv++];
	memset(v, 0, sizeof(*v));
	v->variant = xstrdup(variant);
	return v;
}

/* A run without a variant is named after the libc that recorded it. */
static char *variant_of(const struct trace_in *t, const struct run_summary *r)
{
	if (strcmp(r->variant, "default") != 0 || !t->libc[0])
		return xstrdup(r->variant);
	return xasprintf("%s", t->libc);
}

/* The value of parameter name in params ("name=value name=value ..."), as a
 * span into params; false when it is not there. */
static bool param_span(const char *params, const char *name, const char **item, size_t *len)
{
	size_t nl = strlen(name);
	for (const char *p = params; *p;) {
		size_t l = strcspn(p, " ");
		if (l > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			*item = p;
			*len = l;
			return true;
		}
		p += l;
		while (*p == ' ')
			p++;
	}
	return false;
}

/* --across: each named parameter moves from the group's parameters into the
 * variant's name ("glibc threads=2"), so runs that differ only in it are
 * compared with each other. */
static void apply_across(struct cmp *c, char **params, char **variant)
{
	for (size_t i = 0; i < c->nacross; i++) {
		const char *item;
		size_t len;
		if (!param_span(*params, c->across[i], &item, &len))
			continue;
		c->across_seen[i] = true;
		char *v = xasprintf("%s %.*s", *variant, (int)len, item);
		free(*variant);
		*variant = v;
		size_t head = (size_t)(item - *params);
		const char *tail = item + len;
		while (*tail == ' ')
			tail++;
		while (head > 0 && (*params)[head - 1] == ' ' && !*tail)
			head--; /* the last item: drop the blank before it */
		char *rest = xasprintf("%.*s%s", (int)head, *params, tail);
		free(*params);
		*params = rest;
	}
}

static void collect(struct cmp *c)
{
	for (size_t i = 0; i < c->nt; i++) {
		struct trace_in *t = &c->t[i];
		for (size_t j = 0; j < t->sum.nruns; j++) {
			const struct run_summary *r = &t->sum.runs[j];
			/* A command's parameters are its arguments: two different
			 * programs of one name (python3 a.py, python3 b.py) are not
			 * one workload. */
			const char *args = r->command ? strchr(r->command, ' ') : NULL;
			char *params = xstrdup(r->params[0] || !args ? r->params : args + 1);
			char *vn = variant_of(t, r);
			apply_across(c, &params, &vn);
			struct group *g = group_for(c, r->workload, params);
			free(params);
			if (r->warmup || !r->ended || r->exit_code != 0 || r->signal || r->oom_killed) {
				if (r->warmup)
					g->skipped_warmup++;
				else
					g->skipped_failed++;
				free(vn);
				continue;
			}
			struct vgroup *v = vgroup_for(g, vn);
			free(vn);
			bt_grow((void **)&v->runs, &v->cap, v->n + 1, sizeof(*v->runs));
			v->runs[v->n++] = (struct run_ref){ t, r };
		}
	}
}

static void add_metric(struct group *g, const char *name, const char *label, const char *unit, int better,
		       int source)
{
	for (size_t i = 0; i < g->nm; i++)
		if (strcmp(g->m[i].name, name) == 0)
			return;
	bt_grow((void **)&g->m, &g->mcap, g->nm + 1, sizeof(*g->m));
	g->m[g->nm++] = (struct metric){ xstrdup(name), xstrdup(label), xstrdup(unit), better, source };
}

/* Which way a workload metric is better, from its unit and name. */
static int direction_of(const char *name, const char *unit)
{
	size_t ul = strlen(unit);
	if (strcmp(unit, "s") == 0 || strcmp(unit, "ms") == 0 || strcmp(unit, "us") == 0)
		return -1;
	if ((ul >= 2 && strcmp(unit + ul - 2, "/s") == 0) || strcmp(name, "qps") == 0 ||
	    strcmp(name, "accuracy") == 0)
		return +1;
	return 0;
}

static void choose_metrics(struct group *g)
{
	add_metric(g, "wall_s", "wall time", "s", -1, 0);
	add_metric(g, "cpu_s", "CPU time", "s", -1, 1);
	add_metric(g, "rss_peak_bytes", "peak RSS", "B", -1, 2);
	bool cg = false;
	for (size_t v = 0; v < g->nv; v++)
		for (size_t k = 0; k < g->v[v].n; k++)
			cg = cg || g->v[v].runs[k].r->have_cgmem;
	if (cg)
		add_metric(g, "memory_peak_bytes", "peak cgroup memory", "B", -1, 3);
	for (size_t v = 0; v < g->nv; v++)
		for (size_t k = 0; k < g->v[v].n; k++) {
			const struct run_summary *r = g->v[v].runs[k].r;
			for (size_t i = 0; i < r->nmetrics; i++) {
				double d;
				if (r->metrics[i].text || !bt_parse_double(r->metrics[i].value, &d))
					continue;
				add_metric(g, r->metrics[i].name, r->metrics[i].name, r->metrics[i].unit,
					   direction_of(r->metrics[i].name, r->metrics[i].unit), 4);
			}
		}
}

/* The value of metric m in run r; false when the run does not have it. */
static bool value_of(const struct metric *m, const struct run_summary *r, double *out)
{
	switch (m->source) {
	case 0: *out = r->wall_s; return r->ended;
	case 1: *out = run_cpu_s(r); return r->have_cpu || r->have_ru;
	case 2: *out = (double)r->rss_peak; return r->rss_peak > 0;
	case 3: *out = (double)r->cgmem_peak; return r->have_cgmem;
	default:
		for (size_t i = 0; i < r->nmetrics; i++)
			if (!r->metrics[i].text && strcmp(r->metrics[i].name, m->name) == 0)
				return bt_parse_double(r->metrics[i].value, out);
		return false;
	}
}

static size_t values(const struct metric *m, const struct vgroup *v, double *out)
{
	size_t n = 0;
	for (size_t k = 0; k < v->n; k++)
		if (value_of(m, v->runs[k].r, &out[n]))
			n++;
	return n;
}

/* Differences between the machines and limits the runs of a group saw. */
static void point_out_differences(struct group *g)
{
	const struct run_ref *first = NULL;
	for (size_t v = 0; v < g->nv; v++)
		for (size_t k = 0; k < g->v[v].n; k++) {
			const struct run_ref *x = &g->v[v].runs[k];
			if (!first) {
				first = x;
				continue;
			}
			if (strcmp(x->t->host, first->t->host) != 0)
				add_note(g, "runs come from different hosts (%s, %s)", first->t->host, x->t->host);
			if (strcmp(x->t->kernel, first->t->kernel) != 0)
				add_note(g, "runs come from different kernels (%s, %s)", first->t->kernel, x->t->kernel);
			if (strcmp(x->t->cpu_model, first->t->cpu_model) != 0)
				add_note(g, "runs come from different CPUs (%s, %s)", first->t->cpu_model, x->t->cpu_model);
			if (x->r->limit_cpus != first->r->limit_cpus || x->r->limit_mem != first->r->limit_mem ||
			    strcmp(x->r->cpuset, first->r->cpuset) != 0 || x->r->limits_applied != first->r->limits_applied)
				add_note(g, "runs had different limits (cpus %g / %g, memory %llu / %llu bytes, applied %s / %s)",
					 first->r->limit_cpus, x->r->limit_cpus, (unsigned long long)first->r->limit_mem,
					 (unsigned long long)x->r->limit_mem, first->r->limits_applied ? "yes" : "no",
					 x->r->limits_applied ? "yes" : "no");
			if (x->r->effective_cpus != first->r->effective_cpus && x->r->effective_cpus > 0 &&
			    first->r->effective_cpus > 0)
				add_note(g, "runs could use different numbers of CPUs (%g, %g)", first->r->effective_cpus,
					 x->r->effective_cpus);
		}
	/* One variant's runs from machines with different C libraries: its
	 * binaries were the same, the system around them was not. */
	for (size_t v = 0; v < g->nv; v++)
		for (size_t k = 1; k < g->v[v].n; k++) {
			const struct trace_in *a = g->v[v].runs[0].t, *b = g->v[v].runs[k].t;
			if (strcmp(a->libc, b->libc) != 0 || strcmp(a->libc_version, b->libc_version) != 0)
				add_note(g, "runs of %s come from machines with different C libraries (%s %s, %s %s)",
					 g->v[v].variant, a->libc, a->libc_version, b->libc, b->libc_version);
		}
	if (g->skipped_warmup)
		add_note(g, "%u warm-up run%s left out", g->skipped_warmup, g->skipped_warmup == 1 ? "" : "s");
	if (g->skipped_failed)
		add_note(g, "%u run%s that failed, were stopped or were OOM-killed left out", g->skipped_failed,
			 g->skipped_failed == 1 ? "" : "s");
}

/* The one parameter in which two parameter texts differ: its name (into
 * name) when they hold the same names in the same order and exactly one
 * value differs; false otherwise. */
static bool differ_in_one(const char *a, const char *b, char *name, size_t size)
{
	int differ = 0;
	while (*a && *b) {
		size_t la = strcspn(a, " "), lb = strcspn(b, " ");
		size_t ka = strcspn(a, "="), kb = strcspn(b, "=");
		if (ka > la || kb > lb || ka != kb || strncmp(a, b, ka) != 0)
			return false;
		if (la != lb || strncmp(a, b, la) != 0) {
			if (++differ > 1)
				return false;
			snprintf(name, size, "%.*s", (int)ka, a);
		}
		a += la + (a[la] == ' ');
		b += lb + (b[lb] == ' ');
	}
	return !*a && !*b && differ == 1;
}

/* Groups with one variant each that differ from another such group only in
 * one parameter have nothing to compare within; say how to compare them
 * across it (the oversubscription suite's threads=2 against threads=1). */
static void suggest_across(struct cmp *c)
{
	if (c->nacross)
		return;
	for (size_t i = 0; i < c->ng; i++)
		for (size_t j = i + 1; j < c->ng; j++) {
			struct group *a = &c->g[i], *b = &c->g[j];
			char name[64];
			if (a->nv != 1 || b->nv != 1 || strcmp(a->workload, b->workload) != 0 ||
			    strcmp(a->v[0].variant, b->v[0].variant) != 0 ||
			    !differ_in_one(a->params, b->params, name, sizeof name))
				continue;
			add_note(a, "its runs differ from other runs of %s only in %s, with one variant each: compare them with --across %s",
				 a->workload, name, name);
			add_note(b, "its runs differ from other runs of %s only in %s, with one variant each: compare them with --across %s",
				 b->workload, name, name);
		}
}

/* The baseline's index in g: the one asked for, else glibc, else the
 * first. With --across, "--baseline threads=1" names the one variant of the
 * group whose --across part is that (when only one is). */
long compare_baseline_of(const struct cmp *c, const struct group *g)
{
	const char *want = c->baseline ? c->baseline : "glibc";
	for (size_t v = 0; v < g->nv; v++)
		if (strcmp(g->v[v].variant, want) == 0)
			return (long)v;
	if (c->nacross) {
		long found = -1;
		for (size_t v = 0; v < g->nv; v++) {
			const char *sp = strchr(g->v[v].variant, ' ');
			const char *base = g->v[v].variant;
			/* "glibc threads=1" matches "threads=1" and "glibc" alike */
			bool match = (sp && strcmp(sp + 1, want) == 0) ||
				     (sp && strlen(want) == (size_t)(sp - base) && strncmp(base, want, (size_t)(sp - base)) == 0);
			if (match) {
				if (found >= 0)
					return c->baseline ? -1 : 0; /* ambiguous */
				found = (long)v;
			}
		}
		if (found >= 0)
			return found;
	}
	return c->baseline ? -1 : 0;
}

/* Whether the --baseline names a variant of some group. */
static bool baseline_anywhere(const struct cmp *c)
{
	for (size_t g = 0; g < c->ng; g++)
		if (c->g[g].nv && compare_baseline_of(c, &c->g[g]) >= 0)
			return true;
	return false;
}

/* "glibc, musl": every variant name, once, in order of appearance. */
static char *variant_names(const struct cmp *c)
{
	char *s = xstrdup("");
	for (size_t g = 0; g < c->ng; g++)
		for (size_t v = 0; v < c->g[g].nv; v++) {
			const char *name = c->g[g].v[v].variant;
			bool seen = false;
			for (size_t h = 0; h <= g && !seen; h++)
				for (size_t w = 0; w < c->g[h].nv && !seen; w++)
					seen = (h < g || w < v) && strcmp(c->g[h].v[w].variant, name) == 0;
			if (seen)
				continue;
			char *n = xasprintf("%s%s%s", s, s[0] ? ", " : "", name);
			free(s);
			s = n;
		}
	return s;
}

const char *compare_fmt_value(char *buf, size_t size, const struct metric *m, double v)
{
	if (strcmp(m->unit, "s") == 0)
		return bt_fmt_duration(buf, size, v);
	if (strcmp(m->unit, "B") == 0)
		return bt_fmt_bytes(buf, size, v);
	/* Large rates read best with a prefix: 26.8 M ops/s. */
	static const char *const prefix[] = { "", " k", " M", " G", " T" };
	double a = fabs(v);
	int p = 0;
	while (a >= 1e3 && p < 4) {
		a /= 1e3;
		v /= 1e3;
		p++;
	}
	const char *sep = m->unit[0] && !p ? " " : "";
	if (a != 0 && a < 1e-3)
		snprintf(buf, size, "%.3g%s%s%s", v, prefix[p], sep, m->unit);
	else
		snprintf(buf, size, "%.4g%s%s%s", v, prefix[p], sep, m->unit);
	return buf;
}

void compare_row(const struct metric *m, const struct vgroup *base, const struct vgroup *v, bool is_base,
			bool few_elsewhere, struct row *out)
{
	memset(out, 0, sizeof(*out));
	double *x = xcalloc(v->n ? v->n : 1, sizeof(double));
	size_t n = values(m, v, x);
	stats_describe(x, n, &out->d);
	stats_outliers(x, n, STATS_OUTLIER_HYPERFINE, NULL, NULL, &out->o);
	if (!is_base && base) {
		double *b = xcalloc(base->n ? base->n : 1, sizeof(double));
		size_t nb = values(m, base, b);
		if (stats_compare(b, nb, x, n, NULL, &out->cmp) == 0) {
			out->have_cmp = true;
			struct stats_verdict_opts vo = stats_verdict_defaults;
			vo.few_said_elsewhere = few_elsewhere;
			if (m->better > 0)
				vo.higher_is_better = true;
			else if (m->better == 0) {
				vo.higher_is_better = true;
				vo.better = "larger";
				vo.worse = "smaller";
			} else if (strcmp(m->unit, "B") == 0) {
				vo.worse = "larger";
				vo.better = "smaller";
			}
			out->kind = stats_verdict(&out->cmp, &vo, out->verdict, sizeof out->verdict);
		}
		free(b);
	}
	free(x);
}

void compare_each_row(const struct cmp *c, row_fn fn, void *ctx)
{
	for (size_t gi = 0; gi < c->ng; gi++) {
		const struct group *g = &c->g[gi];
		long b = compare_baseline_of(c, g);
		struct row_at at = { .g = g, .base = b >= 0 ? &g->v[b] : NULL };
		for (size_t mi = 0; mi < g->nm; mi++)
			for (size_t vi = 0; vi < g->nv; vi++) {
				at.m = &g->m[mi];
				at.v = &g->v[vi];
				at.is_base = (long)vi == b;
				compare_row(at.m, at.base, at.v, at.is_base, false, &at.r);
				if (at.r.d.n)
					fn(ctx, &at);
			}
	}
}

/* The notes of a group that its rows call for: runs too few for the test
 * to reach p < alpha, and wall-time outliers and slow first runs as
 * hyperfine warns of them. Appended to g's notes. */
static void row_notes(struct group *g, const struct metric *m, const struct vgroup *v, const struct row *r)
{
	double alpha = stats_verdict_defaults.alpha;
	if (r->have_cmp && r->cmp.mwu.p_min >= alpha && r->kind != STATS_VERDICT_IDENTICAL && r->cmp.n_a >= 2 &&
	    r->cmp.n_b >= 2) {
		/* 2 / C(n_a + n_b, n_a): the least exact p without ties. */
		size_t na = r->cmp.n_a, nb = r->cmp.n_b, k = na < nb ? na : nb;
		double splits = 1;
		for (size_t i = 1; i <= k; i++)
			splits = splits * (double)(na + nb - k + i) / (double)i;
		if (2 / splits >= alpha)
			add_note(g, "with %zu and %zu runs the Mann-Whitney test cannot reach p < %g (its least p is %.2f), so no verdict here can be significant: record more runs (--reps 5 or more)",
				 na, nb, alpha, 2 / splits);
		else
			add_note(g, "the values of %s are equal so often (%zu and %zu runs) that the Mann-Whitney test cannot reach p < %g on them: record more runs, or measure it more finely",
				 m->label, na, nb, alpha);
	}
	if (m->source != 0 || v->n < 2 || (!r->o.count && !r->o.first_is_slow))
		return;
	/* Which runs, by the same rule (stats_outliers over the same values). */
	double *x = xcalloc(v->n, sizeof(double));
	bool *flag = xcalloc(v->n, sizeof(bool));
	size_t n = values(m, v, x);
	struct stats_outliers o;
	if (n == v->n && stats_outliers(x, n, STATS_OUTLIER_HYPERFINE, flag, NULL, &o) == 0) {
		char med[40], val[40], ids[160] = "";
		size_t len = 0;
		for (size_t k = 0; k < n && len + 48 < sizeof ids; k++)
			if (flag[k])
				len += (size_t)snprintf(ids + len, sizeof ids - len, "%srun %llu: %s", len ? ", " : "",
							(unsigned long long)v->runs[k].r->id,
							bt_fmt_duration(val, sizeof val, x[k]));
		bt_fmt_duration(med, sizeof med, o.median);
		if (o.first_is_slow)
			add_note(g, "the first measured run of %s was much slower than the rest (run %llu: %s, median %s): caches filling, or a first-time setup? record with --warmup 1 or more",
				 v->variant, (unsigned long long)v->runs[0].r->id, bt_fmt_duration(val, sizeof val, x[0]),
				 med);
		if (o.count > (o.first_is_slow ? 1u : 0u))
			add_note(g, "wall time of %s has %zu statistical outlier%s (%s; median %s): other programs may have interfered; consider re-running on a quiet machine",
				 v->variant, o.count, o.count == 1 ? "" : "s", ids, med);
	}
	free(x);
	free(flag);
}

/* Every group's row notes, once, before any format prints. */
static void add_row_notes(struct cmp *c)
{
	for (size_t gi = 0; gi < c->ng; gi++) {
		struct group *g = &c->g[gi];
		long b = compare_baseline_of(c, g);
		for (size_t mi = 0; mi < g->nm; mi++)
			for (size_t vi = 0; vi < g->nv; vi++) {
				struct row r;
				compare_row(&g->m[mi], b >= 0 ? &g->v[b] : NULL, &g->v[vi], (long)vi == b, false, &r);
				if (r.d.n)
					row_notes(g, &g->m[mi], &g->v[vi], &r);
			}
	}
}

/* ---- The command --------------------------------------------------------- */

static void usage(FILE *f)
{
	fputs("usage: benchtop compare TRACE... [--baseline VARIANT] [--across PARAM] [--format table|markdown|json|csv] [-o OUT]\n"
	      "\n"
	      "Groups the runs of the traces by workload and parameters and compares\n"
	      "the variants: per variant n, median, mean ± sd, min..max of wall time, CPU\n"
	      "time, peak RSS, peak cgroup memory and the workload's own metrics; against\n"
	      "the baseline (default glibc, else the first variant) the ratio of medians\n"
	      "with a 95 % bootstrap interval, a Mann-Whitney U p-value and a verdict.\n"
	      "Outliers are flagged as hyperfine flags them; findings are counted per\n"
	      "variant; differing hosts, kernels and limits are pointed out. Warm-up and\n"
	      "failed runs are left out. JSON fields: docs/compare.md.\n"
	      "\n"
	      "  --baseline VARIANT  the variant the others are held against\n"
	      "  --across PARAM      compare the values of a parameter too: runs that differ\n"
	      "                      only in it are one group, its value part of the variant\n"
	      "                      (\"glibc threads=2\"); --baseline threads=1 picks one\n"
	      "  --format FMT        table (default), markdown, json or csv\n"
	      "  -o, --output FILE   write there instead of to standard output\n",
	      f);
}

int compare_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "baseline", required_argument, NULL, 'b' }, { "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },   { "help", no_argument, NULL, 'h' },
		{ "across", required_argument, NULL, 'a' },   { NULL, 0, NULL, 0 },
	};
	static struct cmp c; /* large: MAX_TRACES traces */
	memset(&c, 0, sizeof c);
	const char *format = "table", *outpath = NULL;
	int ch;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "b:f:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b': c.baseline = optarg; break;
		case 'f': format = optarg; break;
		case 'o': outpath = optarg; break;
		case 'a':
			if (!optarg[0] || strpbrk(optarg, " =")) {
				fprintf(stderr, "benchtop compare: --across takes a parameter's name, such as threads, not '%s'.\n",
					optarg);
				return 2;
			}
			if (c.nacross == MAX_ACROSS) {
				fprintf(stderr, "benchtop compare: --across may be given at most %d times.\n", MAX_ACROSS);
				return 2;
			}
			c.across[c.nacross++] = optarg;
			break;
		case 'h': usage(stdout); return 0;
		default:
			fprintf(stderr, "benchtop compare: option '%s' is unknown or lacks its value; see 'benchtop compare --help'.\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (strcmp(format, "table") == 0)
		c.fmt = FMT_TABLE;
	else if (strcmp(format, "markdown") == 0)
		c.fmt = FMT_MARKDOWN;
	else if (strcmp(format, "json") == 0)
		c.fmt = FMT_JSON;
	else if (strcmp(format, "csv") == 0)
		c.fmt = FMT_CSV;
	else {
		fprintf(stderr, "benchtop compare: --format takes table, markdown, json or csv, not '%s'.\n", format);
		return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "benchtop compare: give at least one trace file; see 'benchtop compare --help'.\n");
		return 2;
	}
	if (argc - optind > MAX_TRACES) {
		fprintf(stderr, "benchtop compare: at most %d traces at once, not %d.\n", MAX_TRACES, argc - optind);
		return 2;
	}
	int rc = 0;
	struct stat ost;
	bool out_exists = outpath && stat(outpath, &ost) == 0;
	for (int i = optind; i < argc; i++) {
		char err[512];
		struct stat tst;
		if (out_exists && stat(argv[i], &tst) == 0 && tst.st_dev == ost.st_dev && tst.st_ino == ost.st_ino) {
			fprintf(stderr, "benchtop compare: -o %s is one of the traces to read; write the comparison elsewhere.\n",
				outpath);
			rc = 2;
			goto out;
		}
		if (read_trace(&c.t[c.nt], argv[i], err, sizeof err) != 0) {
			fprintf(stderr, "benchtop compare: %s.\n", err);
			free_trace(&c.t[c.nt]);
			rc = 1;
			goto out;
		}
		if (c.t[c.nt].problem)
			fprintf(stderr, "benchtop compare: note: %s: %s; its complete runs are compared.\n", argv[i],
				c.t[c.nt].problem);
		c.nt++;
	}
	collect(&c);
	for (size_t i = 0; i < c.nacross; i++)
		if (!c.across_seen[i]) {
			fprintf(stderr, "benchtop compare: no run in %s has a parameter '%s'; --across takes one of the names in a group's parameters (name=value).\n",
				c.nt == 1 ? "the trace" : "the traces", c.across[i]);
			rc = 1;
			goto out;
		}
	if (c.baseline && !baseline_anywhere(&c)) {
		char *names = variant_names(&c);
		fprintf(stderr, "benchtop compare: no run of the traces is of the variant '%s'; --baseline takes one of: %s.\n",
			c.baseline, names);
		free(names);
		rc = 1;
		goto out;
	}
	for (size_t g = 0; g < c.ng; g++) {
		choose_metrics(&c.g[g]);
		point_out_differences(&c.g[g]);
	}
	suggest_across(&c);
	add_row_notes(&c);
	size_t usable = 0;
	for (size_t g = 0; g < c.ng; g++)
		usable += c.g[g].nv;
	if (!usable) {
		fprintf(stderr, "benchtop compare: the traces hold no complete run that exited 0; nothing to compare.\n");
		rc = 1;
		goto out;
	}
	FILE *out = stdout;
	if (outpath && !(out = fopen(outpath, "w"))) {
		fprintf(stderr, "benchtop compare: cannot write %s: %m.\n", outpath);
		rc = 1;
		goto out;
	}
	if (c.fmt == FMT_JSON)
		compare_print_json(&c, out);
	else if (c.fmt == FMT_CSV)
		compare_print_csv(&c, out);
	else
		compare_print_table(&c, out, c.fmt == FMT_MARKDOWN);
	if (out != stdout && fclose(out) != 0) {
		fprintf(stderr, "benchtop compare: writing %s failed: %m.\n", outpath);
		rc = 1;
	}
out:
	for (size_t i = 0; i < c.nt; i++)
		free_trace(&c.t[i]);
	for (size_t g = 0; g < c.ng; g++) {
		struct group *gr = &c.g[g];
		for (size_t v = 0; v < gr->nv; v++) {
			free(gr->v[v].variant);
			free(gr->v[v].runs);
		}
		free(gr->v);
		for (size_t m = 0; m < gr->nm; m++) {
			free(gr->m[m].name);
			free(gr->m[m].label);
			free(gr->m[m].unit);
		}
		free(gr->m);
		free(gr->workload);
		free(gr->params);
		free(gr->notes);
	}
	free(c.g);
	return rc;
}
