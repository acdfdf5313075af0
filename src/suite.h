/* suite — the suite file: a readable INI-style list of workloads to measure,
 * each with its parameters (a comma list is a sweep), variants,
 * repetitions, warm-up runs, order, limits and environment, under shared
 * settings in [suite]. The format is docs/suites.md.
 *
 * The file is untrusted: it is bounded (size, line length, sections, keys,
 * list items), every byte is checked, and every error is one sentence that
 * begins "FILE:LINE: " and says what was expected there.
 *
 * Use:
 *   suite_load(path, &s, err, sizeof err)       parse the file (syntax, keys,
 *                                                values); nothing is run
 *   suite_requests(&s, &machine, &plan)         one plan_request per section,
 *                                                limits clamped to the machine,
 *                                                notes saying what was clamped
 *   planner_build(&plan.items[i].rq, ...)       per request (the planner
 *                                                checks the parameters against
 *                                                the workload's --describe)
 *   suite_locate(&plan, i, planner_err, ...)     "FILE:LINE: " + that error, at
 *                                                the line of the key it names
 *   suite_plan_free(&plan); suite_free(&s);
 * The plan owns copies of everything: it may outlive the suite. */
#ifndef BT_SUITE_H
#define BT_SUITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "planner.h"

/* Bounds on what a file may hold. */
#define SUITE_MAX_BYTES (1024 * 1024) /* the whole file */
#define SUITE_MAX_LINE 4096           /* one line, and one value joined over lines */
#define SUITE_MAX_SECTIONS 256
#define SUITE_MAX_KEYS 128            /* keys in one section */
#define SUITE_MAX_ITEMS 100           /* items of one list (variants, a sweep) */
#define SUITE_MAX_WORDS 256           /* words of one 'run'; env entries of one section */
#define SUITE_MAX_NAME 64             /* a section's name, a key */

/* The settings [suite] gives and a section may override. A field counts only
 * when its line is not 0 (the line that set it). */
enum suite_field {
	SF_VARIANTS,
	SF_REPS,
	SF_WARMUP,
	SF_ORDER,
	SF_CPUS,
	SF_MEMORY,
	SF_CPUSET,
	SF_ENV,   /* the line of the first env entry */
	SF_LABEL,
	SF_BLAS_THREADS,
	SF_NFIELDS
};

struct suite_settings {
	unsigned line[SF_NFIELDS];
	char **variants;
	size_t nvariants;
	unsigned reps, warmup;
	bool blocked;
	double cpus;      /* 0 with its line set: "none", no quota */
	char *cpus_text;  /* as written, for the clamping note */
	uint64_t memory;  /* 0 with its line set: "none" */
	char *memory_text;
	char *cpuset;     /* NULL with its line set: "none" */
	char **env;       /* "K=V", in file order, keys unique */
	unsigned *env_line;
	size_t nenv;
	char *label;
	int blas_threads; /* 0 with its line set: "none"; -1 "auto"; else a count */
};

/* A key of a built-in workload's section that is not a setting: one of the
 * workload's parameters (checked later, by the planner). value is the text
 * with the blanks around its commas removed. */
struct suite_param {
	char *name; /* without "--" */
	char *value;
	unsigned line;
};

struct suite_section {
	char *kind;       /* a built-in workload's name, or "command" */
	char *name;       /* [kind NAME]; NULL when the header has no name */
	unsigned line;    /* of the header */
	struct suite_settings set;
	struct suite_param *params; /* built-ins only */
	size_t nparams;
	char **argv;      /* command only: NULL-terminated */
	size_t argc;
	unsigned run_line;
};

struct suite {
	char *path;          /* as given: the "FILE" of every message */
	unsigned suite_line; /* of [suite]; 0 when there is none */
	struct suite_settings set;
	unsigned interval_ms; /* 0: not given (the caller's default) */
	double timeout_s;     /* 0: not given */
	struct suite_section *sections;
	size_t nsections;
};

/* Reads and parses the file at path. Returns 0, or -1 with one sentence in
 * err ("seed.suite:12: 'reps' takes a count from 1 to 1000, not 'x'"; a
 * file that cannot be read: "seed.suite: cannot read the suite file (No such
 * file or directory); give the path of a suite file (docs/suites.md)").
 * *out is zeroed on failure. */
int suite_load(const char *path, struct suite *out, char *err, size_t errlen);
/* The same from memory (len bytes, NUL bytes are an error); name stands for
 * the file in messages. */
int suite_load_mem(const char *name, const char *data, size_t len, struct suite *out, char *err, size_t errlen);
/* Frees what the suite holds; the struct is zeroed. A zeroed suite is fine. */
void suite_free(struct suite *s);

/* The machine the suite is to run on, as the caller measured it. */
struct suite_machine {
	double cpus;           /* effective CPUs benchtop may use (its own quota and affinity) */
	unsigned visible_cpus; /* CPUs a program that counts them sees (online CPUs) */
	uint64_t memory;       /* bytes a run may have (the machine's, or benchtop's own limit) */
};

/* One section as a planner request, with where it came from. */
struct suite_request {
	struct plan_request rq; /* everything it points to is owned by the plan */
	char *what;             /* "[kmeans]", "[command blas-default]", for messages */
	unsigned line;          /* of the section's header */
	unsigned variants_line; /* of the variants it uses; 0: the default */
	unsigned cpuset_line;   /* of the cpuset it uses; 0: none */
	unsigned run_line;      /* a command's 'run' line */
	struct suite_param *params; /* as given to the planner (placeholders replaced) */
	size_t nparams;
};

struct suite_plan {
	char *path;
	struct suite_request *items;
	size_t n;
	char **notes; /* "FILE:LINE: cpus 6 clamped to 2 (this machine's effective CPUs)" */
	size_t nnotes;
	unsigned interval_ms; /* as in the suite */
	double timeout_s;
};

/* One request per section, in file order, each setting from the section,
 * else from [suite], else the default (see docs/suites.md). Limits above the
 * machine's are lowered to it, and the placeholders {cpus} and
 * {visible-cpus} in parameter values, env values and run words are replaced
 * by the run's CPU limit (rounded up) and the machine's visible CPUs; each
 * of these gets one note naming its line. out is overwritten; free it with
 * suite_plan_free. Returns out->n. */
size_t suite_requests(const struct suite *s, const struct suite_machine *m, struct suite_plan *out);
void suite_plan_free(struct suite_plan *p);

/* "FILE:LINE: msg", where LINE is the line of the parameter of request i that
 * msg names first as --NAME, else of its variants when msg speaks of a
 * variant, else of the section's header. */
void suite_locate(const struct suite_plan *p, size_t i, const char *msg, char *out, size_t outlen);

#endif
