/* catalog — see catalog.h. */
#include "catalog.h"
#include "elfinfo.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const builtins[] = { "kmeans", "forest", "pgio", "micro", "spin" };

/* Allocator variants: the glibc binary with a preloaded allocator. */
static const struct {
	const char *variant, *lib[3];
} allocators[] = {
	{ "glibc+jemalloc",
	  { "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
	    "/usr/lib/libjemalloc.so.2" } },
	{ "glibc+mimalloc",
	  { "/usr/lib/x86_64-linux-gnu/libmimalloc.so.2", "/usr/lib/aarch64-linux-gnu/libmimalloc.so.2",
	    "/usr/lib/libmimalloc.so.2" } },
};

size_t catalog_builtins(const char *const **names)
{
	*names = builtins;
	return BT_ARRAY_LEN(builtins);
}

bool catalog_is_builtin(const char *name)
{
	for (size_t i = 0; i < BT_ARRAY_LEN(builtins); i++)
		if (strcmp(builtins[i], name) == 0)
			return true;
	return false;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

bool catalog_dir(char *buf, size_t size, char *err, size_t errlen)
{
	const char *env = getenv(CATALOG_ENV);
	if (env && env[0]) {
		if (!is_dir(env)) {
			snprintf(err, errlen, "%s=%s is not a directory", CATALOG_ENV, env);
			return false;
		}
		snprintf(buf, size, "%s", env);
		return true;
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0) {
		snprintf(err, errlen, "cannot find benchtop's own directory (/proc/self/exe); set %s", CATALOG_ENV);
		return false;
	}
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	*slash = '\0';
	char cand[PATH_MAX + 32];
	snprintf(cand, sizeof cand, "%s/workloads", self);
	if (!is_dir(cand))
		snprintf(cand, sizeof cand, "%s/../libexec/benchtop", self);
	if (!is_dir(cand)) {
		snprintf(err, errlen, "the built-in workloads are not next to benchtop (%s/workloads) nor installed (%s/../libexec/benchtop): build them with make, or set %s",
			 self, self, CATALOG_ENV);
		return false;
	}
	snprintf(buf, size, "%s", cand);
	return true;
}

static int variant_rank(const char *v)
{
	return strcmp(v, "glibc") == 0 ? 0 : strcmp(v, "musl") == 0 ? 1 : 2;
}

static int cmp_variant(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int rx = variant_rank(x), ry = variant_rank(y);
	return rx != ry ? rx - ry : strcmp(x, y);
}

static const char *allocator_lib(size_t i)
{
	for (size_t j = 0; j < BT_ARRAY_LEN(allocators[i].lib); j++)
		if (access(allocators[i].lib[j], R_OK) == 0)
			return allocators[i].lib[j];
	return NULL;
}

size_t catalog_variants(const char *dir, char ***names)
{
	char **out = NULL;
	size_t n = 0, cap = 0;
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) && n < 64) {
			if (e->d_name[0] == '.')
				continue;
			char p[PATH_MAX];
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			if (!is_dir(p))
				continue;
			bt_grow((void **)&out, &cap, n + 1, sizeof(*out));
			out[n++] = xstrdup(e->d_name);
		}
		closedir(d);
	}
	qsort(out, n, sizeof(*out), cmp_variant);
	char glibc[PATH_MAX];
	snprintf(glibc, sizeof glibc, "%s/glibc", dir);
	for (size_t i = 0; i < BT_ARRAY_LEN(allocators) && is_dir(glibc); i++) {
		if (!allocator_lib(i))
			continue;
		bt_grow((void **)&out, &cap, n + 1, sizeof(*out));
		out[n++] = xstrdup(allocators[i].variant);
	}
	*names = out;
	return n;
}

void catalog_free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int catalog_resolve(const char *dir, const char *workload, const char *variant, struct catalog_bin *out,
		    char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->variant, sizeof out->variant, "%s", variant);
	const char *base = variant;
	const char *lib = NULL;
	for (size_t i = 0; i < BT_ARRAY_LEN(allocators); i++)
		if (strcmp(variant, allocators[i].variant) == 0) {
			base = "glibc";
			lib = allocator_lib(i);
			if (!lib) {
				snprintf(err, errlen, "the variant %s needs %s, which is not installed (apt-get install %s)",
					 variant, allocators[i].lib[0], i == 0 ? "libjemalloc2" : "libmimalloc2.0");
				return -ENOENT;
			}
			snprintf(out->preload, sizeof out->preload, "%s", lib);
		}
	if (strchr(base, '/') || base[0] == '.' || !base[0]) {
		snprintf(err, errlen, "'%s' is not a variant name", variant);
		return -EINVAL;
	}
	char vdir[PATH_MAX];
	snprintf(vdir, sizeof vdir, "%s/%s", dir, base);
	if (!is_dir(vdir)) {
		snprintf(err, errlen, "there is no variant '%s' here (see 'benchtop workloads')", variant);
		return -ENOENT;
	}
	int n = snprintf(out->path, sizeof out->path, "%s/bt-%s", vdir, workload);
	if (n < 0 || (size_t)n >= sizeof out->path || access(out->path, X_OK) != 0) {
		snprintf(err, errlen, "the %s variant of %s was not built (%s is missing)", variant, workload, out->path);
		return -ENOENT;
	}
	out->present = true;
	struct elf_libc l;
	char e2[256];
	if (elf_read_libc(out->path, &l, e2, sizeof e2) == 0)
		elf_libc_text(&l, out->libc, sizeof out->libc);
	else
		snprintf(out->libc, sizeof out->libc, "unknown (%.150s)", e2);
	if (lib) {
		size_t len = strlen(out->libc);
		if (snprintf(out->libc + len, sizeof out->libc - len, ", allocator %s", lib) < 0)
			out->libc[len] = '\0';
	}
	return 0;
}

/* Reads the child's answer: at most max bytes, for at most ms. */
static ssize_t read_bounded(int fd, char *buf, size_t max, int ms)
{
	size_t len = 0;
	uint64_t end = bt_now_ns() + (uint64_t)ms * 1000000ull;
	while (len < max) {
		uint64_t now = bt_now_ns();
		if (now >= end)
			return -ETIMEDOUT;
		struct pollfd p = { fd, POLLIN, 0 };
		int r = poll(&p, 1, (int)((end - now) / 1000000ull) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -ETIMEDOUT;
		ssize_t n = read(fd, buf + len, max - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

static char *dup_word(const char **p)
{
	const char *s = *p;
	while (*s == ' ')
		s++;
	const char *e = s;
	while (*e && *e != ' ')
		e++;
	*p = e;
	return xstrndup(s, (size_t)(e - s));
}

static void parse_describe(char *text, struct catalog_desc *d)
{
	size_t cap = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "workload ", 9) == 0 && !d->name) {
			d->name = xstrdup(line + 9);
		} else if (strncmp(line, "about ", 6) == 0 && !d->about) {
			d->about = xstrdup(line + 6);
		} else if (strcmp(line, "checks BENCHTOP_CHECK") == 0) {
			d->checks = true;
		} else if ((strncmp(line, "param ", 6) == 0 || strncmp(line, "listparam ", 10) == 0) && d->nparams < 64) {
			bool list = line[0] == 'l';
			const char *p = line + (list ? 10 : 6);
			bt_grow((void **)&d->params, &cap, d->nparams + 1, sizeof(*d->params));
			struct catalog_param *cp = &d->params[d->nparams++];
			cp->name = dup_word(&p);
			cp->def = dup_word(&p);
			while (*p == ' ')
				p++;
			cp->help = xstrdup(p);
			cp->list = list;
		}
	}
}

/* Run path with argv (argv[0] included, NULL-terminated), check mode when
 * check, and read what it writes on stdout (or stderr when capture_stderr)
 * into buf (NUL-terminated, at most max bytes), its other output to
 * /dev/null. Bounded: a workload that does not answer within 5 s is
 * killed. Returns 0 with its wait status in *status, or -errno
 * (-ETIMEDOUT when it did not answer). */
static int ask_workload(const char *path, char *const argv[], bool check, bool capture_stderr, char *buf, size_t max,
			int *status)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		return -e;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		dup2(fds[1], capture_stderr ? STDERR_FILENO : STDOUT_FILENO);
		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, capture_stderr ? STDOUT_FILENO : STDERR_FILENO);
		}
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		unsetenv("BENCHTOP_RESULT_FD");
		if (check)
			setenv("BENCHTOP_CHECK", "1", 1);
		execv(path, argv);
		_exit(127);
	}
	close(fds[1]);
	ssize_t n = read_bounded(fds[0], buf, max, 5000);
	close(fds[0]);
	/* EOF comes with its exit; still, never wait unbounded. */
	int st = 0;
	pid_t w = 0;
	for (int i = 0; n >= 0 && i < 500; i++) {
		w = waitpid(pid, &st, WNOHANG);
		if (w < 0 && errno == EINTR)
			continue;
		if (w != 0)
			break;
		usleep(10000);
	}
	if (n < 0 || w <= 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		return -ETIMEDOUT;
	}
	buf[n] = '\0';
	*status = st;
	return 0;
}

int catalog_describe(const char *path, struct catalog_desc *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	char *const argv[] = { (char *)path, "--describe", NULL };
	char *buf = xmalloc(65536 + 1);
	int st = 0, rc = ask_workload(path, argv, false, false, buf, 65536, &st);
	if (rc || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		if (rc && rc != -ETIMEDOUT)
			snprintf(err, errlen, "cannot ask %s for its parameters: %s", path, strerror(-rc));
		else
			snprintf(err, errlen, "%s --describe %s", path,
				 rc ? "did not answer within 5 s" : "failed: is it a benchtop workload?");
		free(buf);
		return -EIO;
	}
	parse_describe(buf, out);
	free(buf);
	if (!out->name) {
		snprintf(err, errlen, "%s --describe gave no 'workload' line", path);
		catalog_desc_free(out);
		return -EIO;
	}
	if (!out->about)
		out->about = xstrdup("");
	return 0;
}

/* The workload's sentence out of "bt-kmeans: MESSAGE; see 'bt-kmeans --help'.":
 * MESSAGE, else the first line as it is. */
static void workload_sentence(char *text, char *err, size_t errlen)
{
	char *nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	char *msg = text, *colon = strstr(text, ": ");
	if (colon && !memchr(text, ' ', (size_t)(colon - text)))
		msg = colon + 2; /* the program's name, a word, then ": " */
	char *see = strstr(msg, "; see '");
	if (see)
		*see = '\0';
	size_t l = strlen(msg);
	while (l && (msg[l - 1] == '.' || msg[l - 1] == ' ' || msg[l - 1] == '\r'))
		msg[--l] = '\0';
	snprintf(err, errlen, "%s", l ? msg : "it refused its arguments without saying why");
}

int catalog_check(const char *path, char *const *args, size_t nargs, char *err, size_t errlen)
{
	if (nargs > 4096) {
		snprintf(err, errlen, "too many arguments to check");
		return -E2BIG;
	}
	char **argv = xcalloc(nargs + 2, sizeof(char *));
	argv[0] = (char *)path;
	for (size_t i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	char buf[4096 + 1];
	int st = 0, rc = ask_workload(path, argv, true, true, buf, sizeof buf - 1, &st);
	free(argv);
	if (rc == -ETIMEDOUT) {
		snprintf(err, errlen, "%s did not check its parameters within 5 s", path);
		return rc;
	}
	if (rc) {
		snprintf(err, errlen, "cannot check the parameters with %s: %s", path, strerror(-rc));
		return rc;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 2) {
		workload_sentence(buf, err, errlen);
		return -EINVAL;
	}
	snprintf(err, errlen, "%s failed while checking its parameters (%s %d)", path,
		 WIFEXITED(st) ? "exit status" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return -EIO;
}

void catalog_desc_free(struct catalog_desc *d)
{
	for (size_t i = 0; i < d->nparams; i++) {
		free(d->params[i].name);
		free(d->params[i].def);
		free(d->params[i].help);
	}
	free(d->params);
	free(d->name);
	free(d->about);
	memset(d, 0, sizeof(*d));
}

const struct catalog_param *catalog_param_find(const struct catalog_desc *d, const char *name)
{
	for (size_t i = 0; i < d->nparams; i++)
		if (strcmp(d->params[i].name, name) == 0)
			return &d->params[i];
	return NULL;
}
