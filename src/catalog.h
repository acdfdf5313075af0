/* catalog — the built-in workloads: their names, the variants built for
 * them, where each binary is and which libc it is linked with, and their
 * parameters, asked from the binary itself (`bt-NAME --describe`, so the
 * program is the one truth about its options).
 *
 * Variants are directories beneath the workloads directory: glibc, musl,
 * glibc+debian-openblas (the k-means built against Debian's OpenBLAS, to show
 * its trap), each holding bt-NAME binaries. Allocator variants glibc+jemalloc
 * and glibc+mimalloc are the glibc binaries with the allocator preloaded,
 * offered where the library is installed.
 *
 * The workloads directory: $BENCHTOP_WORKLOADS, else `workloads` next to
 * the benchtop binary (the build tree), else ../libexec/benchtop from it
 * (an installed benchtop). */
#ifndef BT_CATALOG_H
#define BT_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#define CATALOG_ENV "BENCHTOP_WORKLOADS"

struct catalog_param {
	char *name, *def, *help;
	bool list; /* its value is a comma list of its own: passed whole, never swept */
};
struct catalog_desc {
	char *name, *about;
	struct catalog_param *params;
	size_t nparams;
	bool checks; /* it answers BENCHTOP_CHECK=1 (catalog_check) */
};

struct catalog_bin {
	char variant[64];
	char path[4096];
	char preload[256]; /* the LD_PRELOAD an allocator variant needs, or "" */
	char libc[192];    /* e.g. "musl 1.2.3, static"; with the allocator */
	bool present;
};

/* The built-in names, in display order. */
size_t catalog_builtins(const char *const **names);
bool catalog_is_builtin(const char *name);

/* Finds the workloads directory. false with a sentence in err when there is
 * none. */
bool catalog_dir(char *buf, size_t size, char *err, size_t errlen);

/* The variant names known here: directories first (glibc and musl leading),
 * then allocator variants whose library exists. Free with
 * catalog_free_names. */
size_t catalog_variants(const char *dir, char ***names);
void catalog_free_names(char **names, size_t n);

/* Where workload's binary for variant is, and what it is linked with.
 * Returns 0; -ENOENT with a sentence in err when the variant or its binary
 * does not exist (out->present false). */
int catalog_resolve(const char *dir, const char *workload, const char *variant, struct catalog_bin *out,
		    char *err, size_t errlen);

/* Runs `path --describe` (bounded: 5 s, 64 KiB) and parses its answer.
 * Free with catalog_desc_free. */
int catalog_describe(const char *path, struct catalog_desc *out, char *err, size_t errlen);
void catalog_desc_free(struct catalog_desc *d);

/* Whether the workload at path takes these arguments: runs it with
 * BENCHTOP_CHECK=1, so it parses and checks them and exits before doing any
 * work (for a workload whose --describe says "checks"; bounded: 5 s).
 * 0 when it accepts them; -EINVAL with its own sentence in err ("--samples
 * takes a whole number from 1 to 1000000000, not 'abc'") when it does not;
 * another -errno with a sentence when it could not be asked. */
int catalog_check(const char *path, char *const *args, size_t nargs, char *err, size_t errlen);
/* The parameter named name, or NULL. */
const struct catalog_param *catalog_param_find(const struct catalog_desc *d, const char *name);

#endif
