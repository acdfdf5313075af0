/* compare_out — the formats of `benchtop compare`: a terminal table,
 * markdown, JSON and CSV (docs/compare.md), printed from what compare.c
 * built (compare_model.h). */
#include "compare_model.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Findings of a variant's runs: each kind with how many runs had it. */
static char *findings_text(const struct vgroup *v)
{
	char *s = xstrdup("");
	const char *kinds[64];
	unsigned counts[64];
	size_t nk = 0;
	for (size_t k = 0; k < v->n; k++) {
		const struct finding *f;
		size_t nf = advice_findings(&v->runs[k].t->adv, v->runs[k].r->id, &f);
		for (size_t i = 0; i < nf; i++) {
			const char *name = advice_kind_name(f[i].kind);
			size_t j = 0;
			while (j < nk && strcmp(kinds[j], name) != 0)
				j++;
			if (j == nk && nk < 64) {
				kinds[nk] = name;
				counts[nk++] = 0;
			}
			if (j < 64)
				counts[j]++;
		}
	}
	for (size_t j = 0; j < nk; j++) {
		char *n = xasprintf("%s%s%s (%u of %zu run%s)", s, j ? ", " : "", kinds[j], counts[j], v->n,
				    v->n == 1 ? "" : "s");
		free(s);
		s = n;
	}
	return s;
}

/* One finding's sentence, from the first run of the variant that had it. */
static void print_finding_examples(FILE *out, const struct vgroup *v, const char *indent)
{
	const char *seen[64];
	size_t ns = 0;
	for (size_t k = 0; k < v->n; k++) {
		const struct finding *f;
		size_t nf = advice_findings(&v->runs[k].t->adv, v->runs[k].r->id, &f);
		for (size_t i = 0; i < nf; i++) {
			const char *name = advice_kind_name(f[i].kind);
			size_t j = 0;
			while (j < ns && strcmp(seen[j], name) != 0)
				j++;
			if (j < ns || ns == 64)
				continue;
			seen[ns++] = name;
			fprintf(out, "%s%s (run %llu): %s\n", indent, name, (unsigned long long)v->runs[k].r->id, f[i].text);
			if (f[i].fix)
				fprintf(out, "%s  fix: %s\n", indent, f[i].fix);
		}
	}
}

static void print_notes(FILE *out, const char *notes, bool md)
{
	for (const char *p = notes; p && *p;) {
		size_t l = strcspn(p, "\n");
		fprintf(out, md ? "- note: %.*s\n" : "  note: %.*s\n", (int)l, p);
		p += l + (p[l] ? 1 : 0);
	}
}

/* Display width of UTF-8 text: one column per character (every character
 * benchtop prints here, ± … × included, is one column wide). */
static size_t dwidth(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* s, then blanks up to width columns. */
static void pad(FILE *out, const char *s, size_t width)
{
	fputs(s, out);
	for (size_t w = dwidth(s); w < width; w++)
		fputc(' ', out);
}

/* One printed row of a group's table. */
enum { COL_LABEL, COL_VARIANT, COL_N, COL_MEDIAN, COL_MEANSD, COL_MINMAX, COL_VS, NCOLS };
struct cells {
	char c[NCOLS][STATS_VERDICT_LEN + 64];
};

static void row_cells(const struct metric *m, const struct vgroup *v, bool is_base, const struct row *r,
		      struct cells *out)
{
	char mean[40], sd[40], lo[40], hi[40];
	snprintf(out->c[COL_LABEL], sizeof out->c[0], "%s", m->label);
	snprintf(out->c[COL_VARIANT], sizeof out->c[0], "%s", v->variant);
	snprintf(out->c[COL_N], sizeof out->c[0], "%zu", r->d.n);
	compare_fmt_value(out->c[COL_MEDIAN], sizeof out->c[0], m, r->d.median);
	compare_fmt_value(mean, sizeof mean, m, r->d.mean);
	if (r->d.n >= 2)
		compare_fmt_value(sd, sizeof sd, m, r->d.sd);
	else
		snprintf(sd, sizeof sd, "-");
	compare_fmt_value(lo, sizeof lo, m, r->d.min);
	compare_fmt_value(hi, sizeof hi, m, r->d.max);
	snprintf(out->c[COL_MEANSD], sizeof out->c[0], "%s ± %s", mean, sd);
	snprintf(out->c[COL_MINMAX], sizeof out->c[0], "%s … %s", lo, hi);
	char *vs = out->c[COL_VS];
	size_t vsz = sizeof out->c[0];
	if (is_base)
		snprintf(vs, vsz, "(baseline)");
	else if (r->have_cmp)
		snprintf(vs, vsz, "%s", r->verdict);
	else
		snprintf(vs, vsz, "-");
	if (r->o.count)
		snprintf(vs + strlen(vs), vsz - strlen(vs), "; %zu outlier%s", r->o.count, r->o.count == 1 ? "" : "s");
}

void compare_print_table(const struct cmp *c, FILE *out, bool md)
{
	for (size_t gi = 0; gi < c->ng; gi++) {
		struct group *g = &c->g[gi];
		if (!g->nv)
			continue;
		long b = compare_baseline_of(c, g);
		const struct vgroup *base = b >= 0 ? &g->v[b] : NULL;
		/* Every row first, so the columns fit the widest cell. */
		struct cells *rows = xcalloc(g->nm * g->nv + 1, sizeof(*rows));
		size_t nrows = 0;
		for (size_t mi = 0; mi < g->nm; mi++)
			for (size_t vi = 0; vi < g->nv; vi++) {
				struct row r;
				compare_row(&g->m[mi], base, &g->v[vi], (long)vi == b, true, &r);
				if (r.d.n)
					row_cells(&g->m[mi], &g->v[vi], (long)vi == b, &r, &rows[nrows++]);
			}
		char vs_head[STATS_VERDICT_LEN];
		snprintf(vs_head, sizeof vs_head, "vs %s", base ? base->variant : "baseline");
		static const char *const head[NCOLS] = { "", "variant", "n", "median", "mean ± sd", "min … max", NULL };
		if (md) {
			fprintf(out, "### %s%s%s\n\n", g->workload, g->params[0] ? " — " : "", g->params);
			fprintf(out, "| metric | variant | n | median | mean ± sd | min … max | %s |\n|---|---|---|---|---|---|---|\n",
				vs_head);
			for (size_t i = 0; i < nrows; i++) {
				fputc('|', out);
				for (int k = 0; k < NCOLS; k++) {
					fputc(' ', out);
					for (const char *p = rows[i].c[k]; *p; p++)
						fputs(*p == '|' ? "\\|" : (char[]){ *p, 0 }, out);
					fputs(" |", out);
				}
				fputc('\n', out);
			}
			fputc('\n', out);
		} else {
			size_t w[NCOLS];
			for (int k = 0; k < NCOLS; k++) {
				w[k] = head[k] ? dwidth(head[k]) : 0;
				for (size_t i = 0; i < nrows; i++)
					if (dwidth(rows[i].c[k]) > w[k])
						w[k] = dwidth(rows[i].c[k]);
			}
			fprintf(out, "%s%s%s\n", g->workload, g->params[0] ? "  " : "", g->params);
			fputs("  ", out);
			for (int k = 0; k < COL_VS; k++) {
				if (k == COL_N)
					fprintf(out, "%*s  ", (int)w[k], head[k]);
				else {
					pad(out, head[k], w[k]);
					fputs("  ", out);
				}
			}
			fprintf(out, "%s\n", vs_head);
			/* The metric's name on its first row only. */
			for (size_t i = nrows; i-- > 1;)
				if (strcmp(rows[i].c[COL_LABEL], rows[i - 1].c[COL_LABEL]) == 0)
					rows[i].c[COL_LABEL][0] = '\0';
			for (size_t i = 0; i < nrows; i++) {
				fputs("  ", out);
				for (int k = 0; k < COL_VS; k++) {
					if (k == COL_N)
						fprintf(out, "%*s  ", (int)w[k], rows[i].c[k]);
					else {
						pad(out, rows[i].c[k], w[k]);
						fputs("  ", out);
					}
				}
				fprintf(out, "%s\n", rows[i].c[COL_VS]);
			}
		}
		free(rows);
		for (size_t vi = 0; vi < g->nv; vi++) {
			char *f = findings_text(&g->v[vi]);
			if (f[0]) {
				fprintf(out, md ? "- findings for **%s**: %s\n" : "  findings %s: %s\n", g->v[vi].variant, f);
				if (!md)
					print_finding_examples(out, &g->v[vi], "    ");
			}
			free(f);
		}
		if (!base && c->baseline)
			fprintf(out, md ? "- note: no runs of the baseline %s here\n" : "  note: no runs of the baseline %s here\n",
				c->baseline);
		print_notes(out, g->notes, md);
		fputc('\n', out);
	}
}

static void json_num(FILE *out, double v)
{
	if (isfinite(v))
		fprintf(out, "%.10g", v);
	else
		fputs("null", out);
}

struct json_ctx {
	FILE *out;
	bool first;
};

static void json_row(void *ctx, const struct row_at *at)
{
	struct json_ctx *jc = ctx;
	FILE *out = jc->out;
	const struct row *r = &at->r;
	fputs(jc->first ? "\n{\"workload\":" : ",\n{\"workload\":", out);
	jc->first = false;
	bt_json_string(out, at->g->workload);
	fputs(",\"params\":", out);
	bt_json_string(out, at->g->params);
	fputs(",\"metric\":", out);
	bt_json_string(out, at->m->name);
	fputs(",\"unit\":", out);
	bt_json_string(out, at->m->unit);
	fprintf(out, ",\"better\":\"%s\"", at->m->better < 0 ? "lower" : at->m->better > 0 ? "higher" : "none");
	fputs(",\"variant\":", out);
	bt_json_string(out, at->v->variant);
	fputs(",\"baseline\":", out);
	if (at->base)
		bt_json_string(out, at->base->variant);
	else
		fputs("null", out);
	fprintf(out, ",\"is_baseline\":%s,\"n\":%zu", at->is_base ? "true" : "false", r->d.n);
	const double nums[] = { r->d.median, r->d.mean, r->d.sd, r->d.min, r->d.max };
	static const char *const names[] = { "median", "mean", "sd", "min", "max" };
	for (size_t i = 0; i < BT_ARRAY_LEN(nums); i++) {
		fprintf(out, ",\"%s\":", names[i]);
		json_num(out, nums[i]);
	}
	fprintf(out, ",\"outliers\":%zu", r->o.count);
	bool cmp = r->have_cmp && !at->is_base;
	bool ratio = cmp && r->cmp.ratio.valid;
	fputs(",\"ratio\":", out);
	json_num(out, ratio ? r->cmp.ratio.ratio : NAN);
	fputs(",\"ci_low\":", out);
	json_num(out, ratio ? r->cmp.ratio.ci_low : NAN);
	fputs(",\"ci_high\":", out);
	json_num(out, ratio ? r->cmp.ratio.ci_high : NAN);
	fputs(",\"p_value\":", out);
	json_num(out, cmp ? r->cmp.mwu.p : NAN);
	fputs(",\"p_min\":", out);
	json_num(out, cmp ? r->cmp.mwu.p_min : NAN);
	fputs(",\"test\":", out);
	fputs(!cmp ? "null"
	      : r->cmp.mwu.method == STATS_MWU_EXACT ? "\"mann-whitney exact\""
	      : r->cmp.mwu.method == STATS_MWU_ASYMPTOTIC ? "\"mann-whitney asymptotic\""
							 : "null",
	      out);
	fputs(",\"verdict\":", out);
	if (cmp)
		bt_json_string(out, r->verdict);
	else
		fputs(at->is_base ? "\"baseline\"" : "null", out);
	static const char *const kinds[] = { "worse", "better", "no_difference", "inconclusive", "none", "identical" };
	fputs(",\"verdict_kind\":", out);
	if (cmp)
		fprintf(out, "\"%s\"", kinds[r->kind]);
	else
		fputs("null", out);
	fputc('}', out);
}

void compare_print_json(const struct cmp *c, FILE *out)
{
	fputs("{\"traces\":[", out);
	for (size_t i = 0; i < c->nt; i++) {
		const struct trace_in *t = &c->t[i];
		fputs(i ? ",\n{\"path\":" : "\n{\"path\":", out);
		bt_json_string(out, t->path);
		fputs(",\"host\":", out);
		bt_json_string(out, t->host);
		fputs(",\"kernel\":", out);
		bt_json_string(out, t->kernel);
		fputs(",\"libc\":", out);
		bt_json_string(out, t->libc);
		fputs(",\"libc_version\":", out);
		bt_json_string(out, t->libc_version);
		fputs(",\"cpu_model\":", out);
		bt_json_string(out, t->cpu_model);
		fputs(",\"cpus_effective\":", out);
		bt_json_string(out, t->cpus_eff);
		fputs(",\"problem\":", out);
		if (t->problem)
			bt_json_string(out, t->problem);
		else
			fputs("null", out);
		fputc('}', out);
	}
	fputs("],\n\"across\":[", out);
	for (size_t i = 0; i < c->nacross; i++) {
		if (i)
			fputc(',', out);
		bt_json_string(out, c->across[i]);
	}
	fputs("],\n\"comparisons\":[", out);
	struct json_ctx jc = { out, true };
	compare_each_row(c, json_row, &jc);
	fputs("],\n\"groups\":[", out);
	for (size_t gi = 0; gi < c->ng; gi++) {
		struct group *g = &c->g[gi];
		long b = compare_baseline_of(c, g);
		fputs(gi ? ",\n{\"workload\":" : "\n{\"workload\":", out);
		bt_json_string(out, g->workload);
		fputs(",\"params\":", out);
		bt_json_string(out, g->params);
		fputs(",\"baseline\":", out);
		if (b >= 0)
			bt_json_string(out, g->v[b].variant);
		else
			fputs("null", out);
		fputs(",\"variants\":[", out);
		for (size_t vi = 0; vi < g->nv; vi++) {
			const struct vgroup *v = &g->v[vi];
			fputs(vi ? ",{\"variant\":" : "{\"variant\":", out);
			bt_json_string(out, v->variant);
			fprintf(out, ",\"runs\":%zu,\"findings\":[", v->n);
			bool ff = true;
			for (size_t k = 0; k < v->n; k++) {
				const struct finding *f;
				size_t nf = advice_findings(&v->runs[k].t->adv, v->runs[k].r->id, &f);
				for (size_t i = 0; i < nf; i++) {
					fputs(ff ? "{\"run\":" : ",{\"run\":", out);
					ff = false;
					fprintf(out, "%llu,\"trace\":", (unsigned long long)v->runs[k].r->id);
					bt_json_string(out, v->runs[k].t->path);
					fputs(",\"kind\":", out);
					bt_json_string(out, advice_kind_name(f[i].kind));
					fputs(",\"text\":", out);
					bt_json_string(out, f[i].text);
					fputs(",\"fix\":", out);
					if (f[i].fix)
						bt_json_string(out, f[i].fix);
					else
						fputs("null", out);
					fputc('}', out);
				}
			}
			fputs("]}", out);
		}
		fputs("],\"notes\":[", out);
		bool fn = true;
		for (const char *p = g->notes; p && *p;) {
			size_t l = strcspn(p, "\n");
			char *item = xstrndup(p, l);
			fputs(fn ? "" : ",", out);
			fn = false;
			bt_json_string(out, item);
			free(item);
			p += l + (p[l] ? 1 : 0);
		}
		fputs("]}", out);
	}
	fputs("\n]}\n", out);
}

static void csv_row(void *ctx, const struct row_at *at)
{
	FILE *out = ctx;
	const struct row *r = &at->r;
	const char *text[] = { at->g->workload, at->g->params, at->m->name, at->m->unit, at->v->variant,
			       at->base ? at->base->variant : "" };
	for (size_t i = 0; i < BT_ARRAY_LEN(text); i++) {
		if (i)
			fputc(',', out);
		bt_csv_string(out, text[i]);
	}
	fprintf(out, ",%zu,%.10g,%.10g,", r->d.n, r->d.median, r->d.mean);
	if (isfinite(r->d.sd))
		fprintf(out, "%.10g", r->d.sd);
	fprintf(out, ",%.10g,%.10g,%zu,", r->d.min, r->d.max, r->o.count);
	bool cmp = r->have_cmp && !at->is_base;
	if (cmp && r->cmp.ratio.valid)
		fprintf(out, "%.10g,%.10g,%.10g", r->cmp.ratio.ratio, r->cmp.ratio.ci_low, r->cmp.ratio.ci_high);
	else
		fputs(",,", out);
	fputc(',', out);
	if (cmp && isfinite(r->cmp.mwu.p))
		fprintf(out, "%.6g", r->cmp.mwu.p);
	fputc(',', out);
	bt_csv_string(out, at->is_base ? "baseline" : cmp ? r->verdict : "");
	fputc('\n', out);
}

void compare_print_csv(const struct cmp *c, FILE *out)
{
	fputs("workload,params,metric,unit,variant,baseline,n,median,mean,sd,min,max,outliers,ratio,ci_low,ci_high,p_value,verdict\n",
	      out);
	compare_each_row(c, csv_row, out);
}

