/* export — see export.h. Columns are documented in docs/export.md. */
#include "export.h"
#include "advice.h"
#include "summary.h"
#include "trace.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct prev {
	uint64_t run, t_us, cpu_ns;
	bool have;
};

static const char *const columns[] = {
	"time_s", "run", "workload", "variant", "rep", "label", "cpu_percent", "cpu_user_s",
	"cpu_sys_s", "rss_bytes", "memory_bytes", "memory_peak_bytes", "threads", "procs",
	"running_threads", "throttled_periods", "throttled_s", "cs_voluntary", "cs_involuntary",
	"read_bytes", "write_bytes", "minflt", "majflt", "psi_cpu_some_us", "psi_mem_some_us",
	"psi_io_some_us", "late_ms",
};

static void put_num(FILE *out, enum export_format fmt, bool valid, double v, int prec)
{
	if (!valid)
		fputs(fmt == EXPORT_JSON ? "null" : "", out);
	else
		fprintf(out, "%.*f", prec, v);
}

static void put_field(FILE *out, enum export_format fmt, size_t i)
{
	if (fmt == EXPORT_JSON)
		fprintf(out, "%s\"%s\":", i ? "," : "", columns[i]);
	else if (i)
		fputc(',', out);
}

static void row(FILE *out, enum export_format fmt, const struct summary *s, const struct run_summary *r,
		const struct bt_frame *f, const struct bt_entity *e, struct prev *p, bool *first)
{
	uint64_t ns = 0;
	bool have_cpu = summary_run_cpu_ns(e, s->clk_tck, r->cpu_from_cg, &ns);
	double pct = 0;
	bool have_pct = have_cpu && p->have && summary_rate(p->cpu_ns, p->t_us, ns, f->t_us, &pct);
	/* Same rule as the summary: a counter that went backwards keeps the base. */
	if (have_cpu && (!p->have || ns >= p->cpu_ns)) {
		p->cpu_ns = ns;
		p->t_us = f->t_us;
		p->have = true;
	}
	double tk = s->clk_tck > 0 ? (double)s->clk_tck : 100.0;
	double user = r->cpu_from_cg ? (double)e->v[RUN_CG_USER_NS] / 1e9 : (double)e->v[RUN_TREE_USER_TK] / tk;
	double sys = r->cpu_from_cg ? (double)e->v[RUN_CG_SYS_NS] / 1e9 : (double)e->v[RUN_TREE_SYS_TK] / tk;
	bool have_us = r->cpu_from_cg ? ent_has(e, RUN_CG_USER_NS) : ent_has(e, RUN_TREE_USER_TK);
	bool have_sy = r->cpu_from_cg ? ent_has(e, RUN_CG_SYS_NS) : ent_has(e, RUN_TREE_SYS_TK);

	if (fmt == EXPORT_JSON)
		fputs(*first ? "\n{" : ",\n{", out);
	*first = false;
	size_t c = 0;
	put_field(out, fmt, c++);
	fprintf(out, "%.3f", (double)(f->t_us - r->start_us) / 1e6);
	put_field(out, fmt, c++);
	fprintf(out, "%llu", (unsigned long long)r->id);
	const char *strs[] = { r->workload, r->variant };
	for (int i = 0; i < 2; i++) {
		put_field(out, fmt, c++);
		if (fmt == EXPORT_JSON)
			bt_json_string(out, strs[i]);
		else
			bt_csv_string(out, strs[i]);
	}
	put_field(out, fmt, c++);
	fprintf(out, "%u", r->rep);
	put_field(out, fmt, c++);
	if (fmt == EXPORT_JSON)
		bt_json_string(out, r->label);
	else
		bt_csv_string(out, r->label);
	put_field(out, fmt, c++);
	put_num(out, fmt, have_pct, pct, 2);
	put_field(out, fmt, c++);
	put_num(out, fmt, have_us, user, 3);
	put_field(out, fmt, c++);
	put_num(out, fmt, have_sy, sys, 3);
	static const unsigned ints[] = { RUN_RSS, RUN_CG_MEM, RUN_CG_MEM_PEAK, RUN_NTHREADS, RUN_NPROCS,
					 RUN_NRUNNING, RUN_CG_THROTTLED };
	for (size_t i = 0; i < BT_ARRAY_LEN(ints); i++) {
		put_field(out, fmt, c++);
		put_num(out, fmt, ent_has(e, ints[i]), (double)e->v[ints[i]], 0);
	}
	put_field(out, fmt, c++);
	put_num(out, fmt, ent_has(e, RUN_CG_THROTTLED_NS), (double)e->v[RUN_CG_THROTTLED_NS] / 1e9, 3);
	static const unsigned ints2[] = { RUN_CS_VOL, RUN_CS_INVOL, RUN_READ_BYTES, RUN_WRITE_BYTES,
					  RUN_MINFLT, RUN_MAJFLT, RUN_CG_PSI_CPU_SOME, RUN_CG_PSI_MEM_SOME,
					  RUN_CG_PSI_IO_SOME };
	for (size_t i = 0; i < BT_ARRAY_LEN(ints2); i++) {
		put_field(out, fmt, c++);
		put_num(out, fmt, ent_has(e, ints2[i]), (double)e->v[ints2[i]], 0);
	}
	put_field(out, fmt, c++);
	put_num(out, fmt, true, (double)f->late_us / 1e3, 3);
	fputs(fmt == EXPORT_JSON ? "}" : "\n", out);
}

int export_trace(const char *path, enum export_format fmt, bool summary_only, FILE *out, char *err,
		 size_t errlen, char *note, size_t notelen)
{
	struct bt_trace_reader *rd = trace_reader_open(path, err, errlen);
	if (!rd)
		return 1;
	struct summary s;
	summary_init(&s);
	struct advice adv;
	advice_init(&adv);
	struct prev *prevs = NULL;
	size_t np = 0, pcap = 0;
	bool first = true;
	if (!summary_only) {
		if (fmt == EXPORT_CSV) {
			for (size_t i = 0; i < BT_ARRAY_LEN(columns); i++)
				fprintf(out, "%s%s", i ? "," : "", columns[i]);
			fputc('\n', out);
		} else {
			fputs("{\"columns\":[", out);
			for (size_t i = 0; i < BT_ARRAY_LEN(columns); i++)
				fprintf(out, "%s\"%s\"", i ? "," : "", columns[i]);
			fputs("],\"rows\":[", out);
		}
	}
	struct bt_record rec;
	while (trace_reader_next(rd, &rec) == 1) {
		summary_add(&s, &rec);
		if (summary_only && fmt == EXPORT_JSON)
			advice_add(&adv, &rec);
		if (summary_only || rec.type != TR_FRAME)
			continue;
		const struct bt_entity_list *runs = &rec.frame->k[BT_K_RUN];
		for (size_t i = 0; i < runs->n; i++) {
			const struct bt_entity *e = &runs->items[i];
			const struct run_summary *r = NULL;
			for (size_t j = 0; j < s.nruns; j++)
				if (s.runs[j].id == e->key)
					r = &s.runs[j];
			if (!r)
				continue;
			struct prev *p = NULL;
			for (size_t j = 0; j < np; j++)
				if (prevs[j].run == e->key)
					p = &prevs[j];
			if (!p) {
				bt_grow((void **)&prevs, &pcap, np + 1, sizeof(*prevs));
				p = &prevs[np++];
				memset(p, 0, sizeof(*p));
				p->run = e->key;
			}
			row(out, fmt, &s, r, rec.frame, e, p, &first);
		}
	}
	if (summary_only) {
		if (fmt == EXPORT_JSON)
			summary_print_json(out, &s, &adv);
		else
			summary_print_csv(out, &s);
	} else if (fmt == EXPORT_JSON) {
		fputs("\n]}\n", out);
	}
	const char *problem = trace_reader_problem(rd);
	if (note && notelen)
		snprintf(note, notelen, "%s", problem ? problem : "");
	free(prevs);
	advice_free(&adv);
	summary_free(&s);
	trace_reader_free(rd);
	return 0;
}
