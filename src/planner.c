/* planner — see planner.h. */
#include "planner.h"
#include "catalog.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLAN_MAX_RUNS 10000

size_t planner_split_list(const char *text, char ***out)
{
	char **items = NULL;
	size_t n = 0, cap = 0;
	const char *p = text;
	for (;;) {
		size_t len = strcspn(p, ",");
		if (len == 0) {
			planner_free_list(items, n);
			*out = NULL;
			return 0;
		}
		bt_grow((void **)&items, &cap, n + 1, sizeof(*items));
		items[n++] = xstrndup(p, len);
		if (!p[len])
			break;
		p += len + 1;
	}
	*out = items;
	return n;
}

void planner_free_list(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

static char **argv_dup(char *const *argv)
{
	size_t n = 0;
	while (argv[n])
		n++;
	char **out = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(argv[i]);
	return out;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static void fill_common(struct run_spec *r, const struct plan_request *rq, unsigned rep)
{
	r->rep = rep;
	r->label = rq->label ? xstrdup(rq->label) : NULL;
	r->cpus = rq->cpus;
	r->cpuset = rq->cpuset ? xstrdup(rq->cpuset) : NULL;
	r->memory = rq->memory;
	r->blas_threads = rq->blas_threads;
	for (size_t i = 0; i < rq->nenv; i++)
		run_spec_setenv(r, rq->env[i]);
}

static int build_command(const struct plan_request *rq, struct plan *out, char *err, size_t errlen)
{
	if (rq->nvariants > 1) {
		snprintf(err, errlen, "a command is run as given, so --variant can only name it once; to compare builds, record each command with its own --variant and compare the traces");
		return -1;
	}
	unsigned total = rq->warmup + rq->reps;
	for (unsigned i = 0; i < total; i++) {
		struct run_spec *r = plan_add(out);
		fill_common(r, rq, i < rq->warmup ? 0 : i - rq->warmup + 1);
		r->argv = argv_dup(rq->argv);
		r->workload = xstrdup(base_name(rq->argv[0]));
		r->variant = xstrdup(rq->nvariants ? rq->variants[0] : "default");
		r->params = xstrdup("");
		r->binary_libc = xstrdup("");
	}
	return 0;
}

/* A parameter given on the command line: its name and its values. */
struct given {
	const struct catalog_param *param;
	char **values;
	size_t nvalues;
};

static int parse_wargs(const struct plan_request *rq, const struct catalog_desc *d, struct given **out,
		       size_t *nout, char *err, size_t errlen)
{
	struct given *g = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < rq->nwargs; i++) {
		const char *a = rq->wargs[i];
		if (strncmp(a, "--", 2) != 0 || !a[2]) {
			snprintf(err, errlen, "'%s' is not a parameter of %s: parameters are --name value (see 'benchtop workloads')",
				 a, rq->workload);
			goto fail;
		}
		const char *eq = strchr(a, '=');
		char *name = eq ? xstrndup(a + 2, (size_t)(eq - a - 2)) : xstrdup(a + 2);
		const char *value = eq ? eq + 1 : (i + 1 < rq->nwargs ? rq->wargs[++i] : NULL);
		const struct catalog_param *p = catalog_param_find(d, name);
		if (!p) {
			size_t len = 0;
			char list[512] = "";
			for (size_t j = 0; j < d->nparams && len + 32 < sizeof list; j++)
				len += (size_t)snprintf(list + len, sizeof list - len, "%s--%s", j ? " " : "", d->params[j].name);
			snprintf(err, errlen, "%s has no parameter --%s; it takes %s", rq->workload, name, list);
			free(name);
			goto fail;
		}
		free(name);
		if (!value) {
			snprintf(err, errlen, "--%s of %s lacks its value", p->name, rq->workload);
			goto fail;
		}
		for (size_t j = 0; j < n; j++)
			if (g[j].param == p) {
				snprintf(err, errlen, "--%s is given twice; for several values give a comma list (--%s 5,7)",
					 p->name, p->name);
				goto fail;
			}
		bt_grow((void **)&g, &cap, n + 1, sizeof(*g));
		g[n].param = p;
		g[n].values = NULL;
		g[n].nvalues = 0;
		if (p->list && value[0]) {
			g[n].values = xcalloc(1, sizeof(char *));
			g[n].values[0] = xstrdup(value);
			g[n].nvalues = 1;
		} else if (!p->list) {
			g[n].nvalues = planner_split_list(value, &g[n].values);
		}
		if (!g[n].nvalues) {
			snprintf(err, errlen, "--%s has an empty value in '%s'", p->name, value);
			goto fail;
		}
		n++;
	}
	*out = g;
	*nout = n;
	return 0;
fail:
	for (size_t j = 0; j < n; j++)
		planner_free_list(g[j].values, g[j].nvalues);
	free(g);
	return -1;
}

/* One parameter set of the sweep: the index of each given parameter's value. */
static char *params_text(const struct catalog_desc *d, const struct given *g, size_t ng, const size_t *pick)
{
	char *s = xstrdup("");
	for (size_t i = 0; i < d->nparams; i++) {
		const char *v = d->params[i].def;
		for (size_t j = 0; j < ng; j++)
			if (g[j].param == &d->params[i])
				v = g[j].values[pick[j]];
		char *n = xasprintf("%s%s%s=%s", s, i ? " " : "", d->params[i].name, v);
		free(s);
		s = n;
	}
	return s;
}

static char **builtin_argv(const char *path, const struct given *g, size_t ng, const size_t *pick)
{
	char **argv = xcalloc(2 * ng + 2, sizeof(char *));
	size_t n = 0;
	argv[n++] = xstrdup(path);
	for (size_t j = 0; j < ng; j++) {
		argv[n++] = xasprintf("--%s", g[j].param->name);
		argv[n++] = xstrdup(g[j].values[pick[j]]);
	}
	return argv;
}

static void add_builtin_run(struct plan *out, const struct plan_request *rq, const struct catalog_bin *bin,
			    const struct catalog_desc *d, const struct given *g, size_t ng, const size_t *pick,
			    unsigned rep)
{
	struct run_spec *r = plan_add(out);
	fill_common(r, rq, rep);
	r->argv = builtin_argv(bin->path, g, ng, pick);
	r->workload = xstrdup(rq->workload);
	r->variant = xstrdup(bin->variant);
	r->params = params_text(d, g, ng, pick);
	r->binary_libc = xstrdup(bin->libc);
	if (bin->preload[0]) {
		char *kv = xasprintf("LD_PRELOAD=%s", bin->preload);
		run_spec_setenv(r, kv);
		free(kv);
	}
}

/* The parameter set number c of the sweep into pick (the last parameter
 * varies fastest). */
static void set_of(size_t c, const struct given *g, size_t ng, size_t *pick)
{
	for (size_t j = ng; j-- > 0;) {
		pick[j] = c % g[j].nvalues;
		c /= g[j].nvalues;
	}
}

/* Asks the workload whether it takes each parameter set (catalog_check), so
 * a bad value is reported now, once, and not by every run of the plan. Up to
 * CHECK_ALL_MAX sets each is checked; beyond, each value of each parameter
 * once (with the first value of the others). pick is scratch. */
#define CHECK_ALL_MAX 64

static int check_one(const struct plan_request *rq, const struct catalog_bin *bin, const struct given *g, size_t ng,
		     const size_t *pick, char *err, size_t errlen)
{
	char **argv = builtin_argv(bin->path, g, ng, pick);
	char why[512];
	int rc = catalog_check(bin->path, argv + 1, 2 * ng, why, sizeof why);
	planner_free_list(argv, 2 * ng + 1);
	if (rc == 0)
		return 0;
	if (rc == -EINVAL)
		snprintf(err, errlen, "%s: %s", rq->workload, why);
	else
		snprintf(err, errlen, "the parameters of %s could not be checked: %s", rq->workload, why);
	return -1;
}

static int check_sets(const struct plan_request *rq, const struct catalog_bin *bin, const struct given *g, size_t ng,
		      size_t combos, size_t *pick, char *err, size_t errlen)
{
	if (combos <= CHECK_ALL_MAX) {
		for (size_t c = 0; c < combos; c++) {
			set_of(c, g, ng, pick);
			if (check_one(rq, bin, g, ng, pick, err, errlen) != 0)
				return -1;
		}
		return 0;
	}
	for (size_t j = 0; j < ng; j++)
		for (size_t v = 0; v < g[j].nvalues; v++) {
			memset(pick, 0, ng * sizeof(*pick));
			pick[j] = v;
			if (check_one(rq, bin, g, ng, pick, err, errlen) != 0)
				return -1;
		}
	return 0;
}

static int build_builtin(const struct plan_request *rq, struct plan *out, char *err, size_t errlen)
{
	char dir[4096];
	if (!catalog_dir(dir, sizeof dir, err, errlen))
		return -1;
	size_t nv = rq->nvariants ? rq->nvariants : 1;
	struct catalog_bin *bins = xcalloc(nv, sizeof(*bins));
	struct catalog_desc d = { 0 };
	struct given *g = NULL;
	size_t ng = 0, *pick = NULL;
	int rc = -1;
	if (!rq->nvariants) {
		/* The host's own libc first: glibc where it is built, else musl. */
		if (catalog_resolve(dir, rq->workload, "glibc", &bins[0], err, errlen) != 0 &&
		    catalog_resolve(dir, rq->workload, "musl", &bins[0], err, errlen) != 0)
			goto out;
	}
	for (size_t i = 0; i < rq->nvariants; i++) {
		for (size_t j = 0; j < i; j++)
			if (strcmp(rq->variants[i], rq->variants[j]) == 0) {
				snprintf(err, errlen, "the variant %s is given twice", rq->variants[i]);
				goto out;
			}
		if (catalog_resolve(dir, rq->workload, rq->variants[i], &bins[i], err, errlen) != 0)
			goto out;
	}
	if (catalog_describe(bins[0].path, &d, err, errlen) != 0)
		goto out;
	if (parse_wargs(rq, &d, &g, &ng, err, errlen) != 0)
		goto out;
	size_t combos = 1;
	for (size_t j = 0; j < ng; j++) {
		combos *= g[j].nvalues;
		if (combos > PLAN_MAX_RUNS)
			break;
	}
	if (combos * nv * (rq->reps + rq->warmup) > PLAN_MAX_RUNS) {
		snprintf(err, errlen, "that makes more than %d runs; sweep fewer values or make fewer repetitions", PLAN_MAX_RUNS);
		goto out;
	}
	pick = xcalloc(ng ? ng : 1, sizeof(*pick));
	if (d.checks && check_sets(rq, &bins[0], g, ng, combos, pick, err, errlen) != 0)
		goto out;
	/* Warm-up runs of every set and variant first, then the measured ones:
	 * interleaved walks rep-major (A B A B), blocked variant-major. */
	for (size_t c = 0; c < combos; c++) {
		set_of(c, g, ng, pick);
		for (unsigned w = 0; w < rq->warmup; w++)
			for (size_t v = 0; v < nv; v++)
				add_builtin_run(out, rq, &bins[v], &d, g, ng, pick, 0);
		if (rq->blocked) {
			for (size_t v = 0; v < nv; v++)
				for (unsigned k = 1; k <= rq->reps; k++)
					add_builtin_run(out, rq, &bins[v], &d, g, ng, pick, k);
		} else {
			for (unsigned k = 1; k <= rq->reps; k++)
				for (size_t v = 0; v < nv; v++)
					add_builtin_run(out, rq, &bins[v], &d, g, ng, pick, k);
		}
	}
	rc = 0;
out:
	for (size_t j = 0; j < ng; j++)
		planner_free_list(g[j].values, g[j].nvalues);
	free(g);
	free(pick);
	catalog_desc_free(&d);
	free(bins);
	return rc;
}

int planner_build(const struct plan_request *rq, struct plan *out, char *err, size_t errlen)
{
	if (rq->reps < 1) {
		snprintf(err, errlen, "the number of repetitions must be at least 1");
		return -1;
	}
	if (rq->workload)
		return build_builtin(rq, out, err, errlen);
	return build_command(rq, out, err, errlen);
}
