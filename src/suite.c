/* suite — see suite.h; the format is docs/suites.md.
 *
 * Why not inih (Debian's libinih-dev 55, the obvious well-kept INI parser):
 * Debian builds it with INI_HANDLER_LINENO 0, so the handler never learns a
 * line number, and without INI_CALL_HANDLER_ON_NEW_SECTION two sections of
 * the same kind ([kmeans] twice) cannot be told apart. ini_parse() reports
 * only the line of the first error and never what was wrong, a continuation
 * line arrives as a repeat of the key, and a line longer than 200 bytes is
 * cut without a word. Every suite error must name the file, the line and
 * what was expected, and the planner's later errors need each parameter's
 * line; so this is a small strict line parser of its own. */
#include "suite.h"
#include "catalog.h"
#include "procfs.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum where { IN_NONE, IN_SUITE, IN_BUILTIN, IN_COMMAND };

struct parser {
	const char *name; /* the file, in messages */
	struct suite *s;
	enum where where;
	struct suite_settings *set; /* of the current section ([suite] or a workload's) */
	struct suite_section *sec;  /* NULL in [suite] */
	unsigned nkeys;             /* keys seen in the current section */
	char *err;
	size_t errlen;
};

static int fail(struct parser *ps, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct parser *ps, unsigned line, const char *fmt, ...)
{
	int n = snprintf(ps->err, ps->errlen, "%s:%u: ", ps->name, line);
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A value as it may be quoted in a message: at most 48 bytes, cut at a
 * character boundary, "..." when cut. The text was checked to be UTF-8
 * without control characters, so it is safe to print. */
static const char *shown(const char *text, char *buf, size_t size)
{
	size_t len = strlen(text), max = 48;
	if (len <= max || size < max + 4) {
		snprintf(buf, size, "%s", text);
		return buf;
	}
	while (max > 0 && ((unsigned char)text[max] & 0xC0) == 0x80)
		max--;
	snprintf(buf, size, "%.*s...", (int)max, text);
	return buf;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* ---- Lines ------------------------------------------------------------------ */

/* Length of a valid UTF-8 sequence at p (of at most left bytes) that is not a
 * control character; 0 when it is not one. */
static size_t utf8_char(const unsigned char *p, size_t left)
{
	unsigned char c = p[0];
	if (c == '\t' || (c >= 0x20 && c < 0x7f))
		return 1;
	size_t n;
	uint32_t cp;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF, and the C1 controls
	 * (a terminal may act on them when a message shows the text). */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp <= 0x9F))
		return 0;
	return n;
}

/* Checks one physical line (without its newline) is text. */
static int check_text(struct parser *ps, unsigned line, const char *p, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = utf8_char((const unsigned char *)p + i, len - i);
		if (!n) {
			unsigned char c = (unsigned char)p[i];
			if (c < 0x20 || c == 0x7f)
				return fail(ps, line, "holds the control byte 0x%02x at column %zu; a suite file is plain text",
					    c, i + 1);
			return fail(ps, line, "is not UTF-8 text (byte 0x%02x at column %zu); save the file as UTF-8", c,
				    i + 1);
		}
		i += n;
	}
	return 0;
}

/* The end of a line's content: a '#' or ';' that starts the line or follows
 * a blank begins a comment. */
static size_t content_len(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((p[i] == '#' || p[i] == ';') && (i == 0 || is_blank(p[i - 1])))
			return i;
	return len;
}

struct reader {
	const char *p, *end;
	unsigned line; /* physical lines read so far */
};

/* The next logical line: comments cut, blanks trimmed, a line ending in a
 * backslash joined with the next one by a space. Writes it to out (of
 * SUITE_MAX_LINE + 1 bytes) and its first line to *start. Returns 1, 0 at the
 * end, -1 on error. */
static int next_line(struct parser *ps, struct reader *r, char *out, unsigned *start)
{
	size_t n = 0;
	bool joining = false;
	*start = r->line + 1;
	for (;;) {
		if (r->p >= r->end) {
			if (joining)
				return fail(ps, r->line, "ends with '\\', which joins a next line, but the file ends here");
			return 0;
		}
		const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
		size_t len = nl ? (size_t)(nl - r->p) : (size_t)(r->end - r->p);
		const char *p = r->p;
		r->p = nl ? nl + 1 : r->end;
		r->line++;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > SUITE_MAX_LINE)
			return fail(ps, r->line, "the line is longer than %d bytes", SUITE_MAX_LINE);
		if (check_text(ps, r->line, p, len) != 0)
			return -1;
		len = content_len(p, len);
		while (len > 0 && is_blank(p[len - 1]))
			len--;
		while (len > 0 && is_blank(*p)) {
			p++;
			len--;
		}
		bool more = len > 0 && p[len - 1] == '\\';
		if (more) {
			len--;
			while (len > 0 && is_blank(p[len - 1]))
				len--;
		}
		if (n + (n && len ? 1 : 0) + len > SUITE_MAX_LINE)
			return fail(ps, *start, "the value joined from line %u on is longer than %d bytes", *start,
				    SUITE_MAX_LINE);
		if (n && len)
			out[n++] = ' ';
		memcpy(out + n, p, len);
		n += len;
		out[n] = '\0';
		if (!more) {
			if (n == 0 && !joining) {
				*start = r->line + 1;
				continue; /* blank or comment */
			}
			return 1;
		}
		joining = true;
	}
}

/* ---- Words (run and env) -------------------------------------------------- */

static void free_list(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

/* Splits text into words: blanks separate them, '...' is literal, "..."
 * keeps \" and \\ as escapes, and a backslash outside quotes takes the next
 * character literally. Returns the count with *out NULL-terminated, or 0
 * with a reason in why (words: at most max). */
static size_t split_words(const char *text, size_t max, char ***out, const char **why)
{
	char **w = NULL;
	size_t n = 0, cap = 0;
	size_t tlen = strlen(text);
	char *buf = xmalloc(tlen + 1);
	const char *p = text;
	*why = NULL;
	for (;;) {
		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		if (n == max) {
			*why = "too many words";
			goto fail;
		}
		size_t b = 0;
		while (*p && !is_blank(*p)) {
			if (*p == '\'') {
				const char *q = strchr(p + 1, '\'');
				if (!q) {
					*why = "a ' quote that is not closed";
					goto fail;
				}
				memcpy(buf + b, p + 1, (size_t)(q - p - 1));
				b += (size_t)(q - p - 1);
				p = q + 1;
			} else if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
						p++;
					buf[b++] = *p++;
				}
				if (!*p) {
					*why = "a \" quote that is not closed";
					goto fail;
				}
				p++;
			} else if (*p == '\\') {
				if (!p[1]) {
					*why = "a lone backslash at its end";
					goto fail;
				}
				buf[b++] = p[1];
				p += 2;
			} else {
				buf[b++] = *p++;
			}
		}
		bt_grow((void **)&w, &cap, n + 2, sizeof(*w));
		w[n++] = xstrndup(buf, b);
		w[n] = NULL;
	}
	free(buf);
	if (!n)
		*why = "no words";
	*out = w;
	return n;
fail:
	free(buf);
	free_list(w, n);
	*out = NULL;
	return 0;
}

/* ---- Values ----------------------------------------------------------------- */

/* Splits a comma list, trimming blanks around each item. Returns the count,
 * or 0 with why set: an empty item, or more than SUITE_MAX_ITEMS. */
static size_t split_items(const char *text, char ***out, const char **why)
{
	char **items = NULL;
	size_t n = 0, cap = 0;
	const char *p = text;
	*why = NULL;
	for (;;) {
		size_t len = strcspn(p, ",");
		const char *a = p, *b = p + len;
		while (a < b && is_blank(*a))
			a++;
		while (b > a && is_blank(b[-1]))
			b--;
		if (a == b || n == SUITE_MAX_ITEMS) {
			*why = a == b ? "empty" : "many";
			free_list(items, n);
			*out = NULL;
			return 0;
		}
		bt_grow((void **)&items, &cap, n + 1, sizeof(*items));
		items[n++] = xstrndup(a, (size_t)(b - a));
		if (!p[len])
			break;
		p += len + 1;
	}
	*out = items;
	return n;
}

static char *join_items(char **items, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(items[i]) + 1;
	char *s = xmalloc(len), *q = s;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(items[i]);
		if (i)
			*q++ = ',';
		memcpy(q, items[i], l);
		q += l;
	}
	*q = '\0';
	return s;
}

static bool is_none(const char *v)
{
	return strcmp(v, "none") == 0;
}

static bool env_key_ok(const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv || (kv[0] >= '0' && kv[0] <= '9'))
		return false;
	for (const char *c = kv; c < eq; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	return true;
}

static bool variant_ok(const char *v)
{
	if (!*v || strlen(v) > SUITE_MAX_NAME)
		return false;
	for (const char *c = v; *c; c++)
		if (is_blank(*c) || *c == '/' || *c == '"' || *c == '\'')
			return false;
	return true;
}

/* ---- Settings keys ---------------------------------------------------------- */

#define W_SUITE (1u << IN_SUITE)
#define W_BUILTIN (1u << IN_BUILTIN)
#define W_COMMAND (1u << IN_COMMAND)
#define W_ALL (W_SUITE | W_BUILTIN | W_COMMAND)

typedef int (*setter)(struct parser *ps, unsigned line, const char *key, const char *v);

struct key_def {
	const char *name;
	unsigned where;
	setter set;
};

static int set_variants(struct parser *ps, unsigned line, const char *key, const char *v)
{
	char b[64];
	const char *why;
	char **items;
	size_t n = split_items(v, &items, &why);
	if (!n) {
		if (strcmp(why, "many") == 0)
			return fail(ps, line, "'variants' names more than %d variants", SUITE_MAX_ITEMS);
		return fail(ps, line, "'variants' has an empty item in '%s'; give names separated by commas, such as glibc, musl",
			    shown(v, b, sizeof b));
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!variant_ok(items[i]))
			rc = fail(ps, line, "'%s' is not a variant name: names have no blanks, quotes or slashes, such as glibc+jemalloc",
				  shown(items[i], b, sizeof b));
		for (size_t j = 0; j < i && rc == 0; j++)
			if (strcmp(items[i], items[j]) == 0)
				rc = fail(ps, line, "'variants' names %s twice", shown(items[i], b, sizeof b));
	}
	if (rc == 0 && ps->where == IN_COMMAND && n > 1)
		rc = fail(ps, line, "a command is run as given, so 'variants' can name it only once, not %zu times; give each build its own [command NAME] section",
			  n);
	if (rc != 0) {
		free_list(items, n);
		return rc;
	}
	ps->set->variants = items;
	ps->set->nvariants = n;
	return 0;
}

static int set_count(struct parser *ps, unsigned line, const char *key, const char *v, long long min,
		     long long max, unsigned *out)
{
	char b[64];
	long long ll;
	if (!bt_parse_ll(v, &ll) || ll < min || ll > max || !(v[0] >= '0' && v[0] <= '9'))
		return fail(ps, line, "'%s' takes a count from %lld to %lld, not '%s'", key, min, max, shown(v, b, sizeof b));
	*out = (unsigned)ll;
	return 0;
}

static int set_reps(struct parser *ps, unsigned line, const char *key, const char *v)
{
	return set_count(ps, line, key, v, 1, 1000, &ps->set->reps);
}

static int set_warmup(struct parser *ps, unsigned line, const char *key, const char *v)
{
	return set_count(ps, line, key, v, 0, 100, &ps->set->warmup);
}

static int set_order(struct parser *ps, unsigned line, const char *key, const char *v)
{
	char b[64];
	if (strcmp(v, "interleaved") != 0 && strcmp(v, "blocked") != 0)
		return fail(ps, line, "'order' takes interleaved or blocked, not '%s'", shown(v, b, sizeof b));
	ps->set->blocked = strcmp(v, "blocked") == 0;
	return 0;
}

static int set_cpus(struct parser *ps, unsigned line, const char *key, const char *v)
{
	char b[64];
	double d = 0;
	if (!is_none(v) && (!bt_parse_double(v, &d) || d < 0.01 || d > 4096 || !(v[0] >= '0' && v[0] <= '9')))
		return fail(ps, line, "'cpus' takes a number of CPUs such as 1 or 1.5, or none, not '%s'",
			    shown(v, b, sizeof b));
	ps->set->cpus = d;
	ps->set->cpus_text = xstrdup(v);
	return 0;
}

static int set_memory(struct parser *ps, unsigned line, const char *key, const char *v)
{
	char b[64];
	uint64_t m = 0;
	if (!is_none(v) && (!bt_parse_size(v, &m) || m < (1u << 20)))
		return fail(ps, line, "'memory' takes a size of at least 1M such as 512M or 8G, or none, not '%s'",
			    shown(v, b, sizeof b));
	ps->set->memory = m;
	ps->set->memory_text = xstrdup(v);
	return 0;
}

static int set_cpuset(struct parser *ps, unsigned line, const char *key, const char *v)
{
	char b[64];
	if (!is_none(v) && procfs_count_cpu_list(v) <= 0)
		return fail(ps, line, "'cpuset' takes a CPU list such as 0-1 or 0,2, or none, not '%s'",
			    shown(v, b, sizeof b));
	ps->set->cpuset = is_none(v) ? NULL : xstrdup(v);
	return 0;
}

static int set_env(struct parser *ps, unsigned line, const char *key, const char *v)
{
	char b[64];
	const char *why;
	char **words;
	size_t n = split_words(v, SUITE_MAX_WORDS, &words, &why);
	if (!n && strcmp(why, "too many words") == 0)
		return fail(ps, line, "'env' sets more than %d variables in this section", SUITE_MAX_WORDS);
	if (!n)
		return fail(ps, line, "'env' has %s; it takes KEY=VALUE words such as OPENBLAS_NUM_THREADS=2", why);
	struct suite_settings *st = ps->set;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!env_key_ok(words[i])) {
			rc = fail(ps, line, "'env' takes KEY=VALUE words such as OPENBLAS_NUM_THREADS=2, not '%s'",
				  shown(words[i], b, sizeof b));
			break;
		}
		size_t klen = (size_t)(strchr(words[i], '=') - words[i]);
		for (size_t j = 0; j < st->nenv; j++)
			if (strncmp(st->env[j], words[i], klen + 1) == 0) {
				rc = fail(ps, line, "'env' sets %.*s again; line %u of this section set it already", (int)klen,
					  words[i], st->env_line[j]);
				break;
			}
		if (rc)
			break;
		if (st->nenv == SUITE_MAX_WORDS) {
			rc = fail(ps, line, "'env' sets more than %d variables in this section", SUITE_MAX_WORDS);
			break;
		}
		st->env = xreallocarray(st->env, st->nenv + 1, sizeof(char *));
		st->env_line = xreallocarray(st->env_line, st->nenv + 1, sizeof(unsigned));
		st->env[st->nenv] = words[i];
		st->env_line[st->nenv] = line;
		st->nenv++;
		words[i] = NULL;
	}
	free_list(words, n);
	return rc;
}

static int set_label(struct parser *ps, unsigned line, const char *key, const char *v)
{
	if (strlen(v) > 256)
		return fail(ps, line, "'label' is longer than 256 bytes");
	ps->set->label = xstrdup(v);
	return 0;
}

static int set_blas_threads(struct parser *ps, unsigned line, const char *key, const char *v)
{
	char b[64];
	long long ll = 0;
	if (strcmp(v, "auto") == 0)
		ll = -1;
	else if (!is_none(v) && (!bt_parse_ll(v, &ll) || ll < 1 || ll > 4096 || !(v[0] >= '0' && v[0] <= '9')))
		return fail(ps, line, "'blas-threads' takes auto (the CPUs each run may use), a count from 1 to 4096, or none, not '%s'",
			    shown(v, b, sizeof b));
	ps->set->blas_threads = (int)ll;
	return 0;
}

static int set_interval(struct parser *ps, unsigned line, const char *key, const char *v)
{
	char b[64];
	long long ll;
	if (!bt_parse_ll(v, &ll) || ll < 10 || ll > 10000 || !(v[0] >= '0' && v[0] <= '9'))
		return fail(ps, line, "'interval' takes milliseconds from 10 to 10000, not '%s'", shown(v, b, sizeof b));
	ps->s->interval_ms = (unsigned)ll;
	return 0;
}

static int set_timeout(struct parser *ps, unsigned line, const char *key, const char *v)
{
	char b[64];
	double d;
	if (!bt_parse_double(v, &d) || d <= 0 || d > 1e7 || !(v[0] >= '0' && v[0] <= '9'))
		return fail(ps, line, "'timeout' takes seconds per run, more than 0 and at most 10000000, not '%s'",
			    shown(v, b, sizeof b));
	ps->s->timeout_s = d;
	return 0;
}

static int set_run(struct parser *ps, unsigned line, const char *key, const char *v)
{
	const char *why;
	char **words;
	size_t n = split_words(v, SUITE_MAX_WORDS, &words, &why);
	if (!n) {
		if (strcmp(why, "too many words") == 0)
			return fail(ps, line, "'run' has more than %d words", SUITE_MAX_WORDS);
		return fail(ps, line, "'run' has %s; it takes a program and its arguments, split at blanks, quoted as in a shell",
			    why);
	}
	if (!words[0][0]) {
		free_list(words, n);
		return fail(ps, line, "'run' begins with an empty word; it takes a program and its arguments");
	}
	ps->sec->argv = words;
	ps->sec->argc = n;
	ps->sec->run_line = line;
	return 0;
}

/* The settings keys; which field each sets is its index up to SF_NFIELDS. */
static const struct key_def settings_keys[] = {
	[SF_VARIANTS] = { "variants", W_ALL, set_variants },
	[SF_REPS] = { "reps", W_ALL, set_reps },
	[SF_WARMUP] = { "warmup", W_ALL, set_warmup },
	[SF_ORDER] = { "order", W_SUITE | W_BUILTIN, set_order },
	[SF_CPUS] = { "cpus", W_ALL, set_cpus },
	[SF_MEMORY] = { "memory", W_ALL, set_memory },
	[SF_CPUSET] = { "cpuset", W_ALL, set_cpuset },
	[SF_ENV] = { "env", W_ALL, set_env },
	[SF_LABEL] = { "label", W_ALL, set_label },
	[SF_BLAS_THREADS] = { "blas-threads", W_ALL, set_blas_threads },
};

/* Keys that are no setting a section inherits. */
static const struct key_def other_keys[] = {
	{ "interval", W_SUITE, set_interval },
	{ "timeout", W_SUITE, set_timeout },
	{ "run", W_COMMAND, set_run },
};

/* ---- Sections and keys ------------------------------------------------------ */

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
	       c == '.' || c == '+';
}

static bool valid_name(const char *s, size_t len)
{
	if (len == 0 || len > SUITE_MAX_NAME)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!name_char(s[i]))
			return false;
	return true;
}

static void builtin_list(char *buf, size_t size)
{
	const char *const *names;
	size_t n = catalog_builtins(&names), len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", names[i]);
}

/* The section just left is complete: a command has its run line. */
static int end_section(struct parser *ps)
{
	if (ps->where == IN_COMMAND && !ps->sec->argv)
		return fail(ps, ps->sec->line, "[command %s] has no 'run = ...' line; say what to run, as in run = my-bench --fast",
			    ps->sec->name);
	return 0;
}

static int open_section(struct parser *ps, unsigned line, const char *text)
{
	char b[64], kinds[128];
	size_t len = strlen(text);
	if (text[len - 1] != ']')
		return fail(ps, line, "a section header ends with ']', as in [kmeans], not '%s'", shown(text, b, sizeof b));
	if (end_section(ps) != 0)
		return -1;
	const char *p = text + 1, *end = text + len - 1;
	while (p < end && is_blank(*p))
		p++;
	while (end > p && is_blank(end[-1]))
		end--;
	const char *k_end = p;
	while (k_end < end && !is_blank(*k_end))
		k_end++;
	const char *n = k_end;
	while (n < end && is_blank(*n))
		n++;
	char *kind = xstrndup(p, (size_t)(k_end - p));
	char *name = n < end ? xstrndup(n, (size_t)(end - n)) : NULL;
	int rc = 0;
	builtin_list(kinds, sizeof kinds);
	if (!*kind) {
		rc = fail(ps, line, "an empty section header; use [suite], [command NAME] or a built-in workload: %s", kinds);
	} else if (strcmp(kind, "suite") != 0 && strcmp(kind, "command") != 0 && !catalog_is_builtin(kind)) {
		rc = fail(ps, line, "'%s' is not a kind of section; use [suite], [command NAME] or a built-in workload: %s",
			  shown(kind, b, sizeof b), kinds);
	} else if (strcmp(kind, "suite") == 0 && name) {
		rc = fail(ps, line, "[suite] takes no name, not '%s'", shown(name, b, sizeof b));
	} else if (strcmp(kind, "suite") == 0 && ps->s->suite_line) {
		rc = fail(ps, line, "a second [suite]; the first is at line %u: keep one", ps->s->suite_line);
	} else if (strcmp(kind, "command") == 0 && !name) {
		rc = fail(ps, line, "[command] needs a name, as in [command blas-default]");
	} else if (name && !valid_name(name, strlen(name))) {
		rc = fail(ps, line, "'%s' is not a section name: one word of letters, digits and - _ . +, at most %d",
			  shown(name, b, sizeof b), SUITE_MAX_NAME);
	} else if (strcmp(kind, "suite") != 0 && ps->s->nsections == SUITE_MAX_SECTIONS) {
		rc = fail(ps, line, "more than %d sections; split the suite into several files", SUITE_MAX_SECTIONS);
	}
	for (size_t i = 0; rc == 0 && name && i < ps->s->nsections; i++)
		if (ps->s->sections[i].name && strcmp(ps->s->sections[i].name, name) == 0)
			rc = fail(ps, line, "the name %s is taken by the section at line %u; give each its own", name,
				  ps->s->sections[i].line);
	if (rc != 0) {
		free(kind);
		free(name);
		return rc;
	}
	ps->nkeys = 0;
	if (strcmp(kind, "suite") == 0) {
		free(kind);
		ps->where = IN_SUITE;
		ps->s->suite_line = line;
		ps->set = &ps->s->set;
		ps->sec = NULL;
		return 0;
	}
	struct suite *s = ps->s;
	s->sections = xreallocarray(s->sections, s->nsections + 1, sizeof(*s->sections));
	struct suite_section *sec = &s->sections[s->nsections++];
	memset(sec, 0, sizeof(*sec));
	sec->kind = kind;
	sec->name = name;
	sec->line = line;
	ps->where = strcmp(kind, "command") == 0 ? IN_COMMAND : IN_BUILTIN;
	ps->sec = sec;
	ps->set = &sec->set;
	return 0;
}

static const char *section_title(const struct parser *ps, char *buf, size_t size)
{
	if (ps->where == IN_SUITE)
		snprintf(buf, size, "[suite]");
	else if (ps->sec->name)
		snprintf(buf, size, "[%s %s]", ps->sec->kind, ps->sec->name);
	else
		snprintf(buf, size, "[%s]", ps->sec->kind);
	return buf;
}

static int add_param(struct parser *ps, unsigned line, const char *name, const char *value)
{
	char b[64];
	struct suite_section *sec = ps->sec;
	for (size_t i = 0; i < sec->nparams; i++)
		if (strcmp(sec->params[i].name, name) == 0)
			return fail(ps, line, "'%s' is set again; line %u set it already (for several values give a comma list: %s = 5, 7)",
				    name, sec->params[i].line, name);
	const char *why;
	char **items;
	size_t n = split_items(value, &items, &why);
	if (!n) {
		if (strcmp(why, "many") == 0)
			return fail(ps, line, "'%s' sweeps more than %d values", name, SUITE_MAX_ITEMS);
		return fail(ps, line, "'%s' has an empty item in '%s'; a comma list is values separated by commas", name,
			    shown(value, b, sizeof b));
	}
	sec->params = xreallocarray(sec->params, sec->nparams + 1, sizeof(*sec->params));
	struct suite_param *p = &sec->params[sec->nparams++];
	p->name = xstrdup(name);
	p->value = join_items(items, n);
	p->line = line;
	free_list(items, n);
	return 0;
}

static void key_names(unsigned where, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < BT_ARRAY_LEN(other_keys); i++)
		if ((other_keys[i].where & (1u << where)) && other_keys[i].set == set_run && len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", other_keys[i].name);
	for (size_t i = 0; i < BT_ARRAY_LEN(settings_keys); i++)
		if ((settings_keys[i].where & (1u << where)) && len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", settings_keys[i].name);
	for (size_t i = 0; i < BT_ARRAY_LEN(other_keys); i++)
		if ((other_keys[i].where & (1u << where)) && other_keys[i].set != set_run && len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", other_keys[i].name);
}

static int key_line(struct parser *ps, unsigned line, const char *text)
{
	char b[64], t[96], names[256];
	const char *eq = strchr(text, '=');
	if (!eq)
		return fail(ps, line, "expected 'key = value' or a [section] header, not '%s'", shown(text, b, sizeof b));
	const char *ke = eq;
	while (ke > text && is_blank(ke[-1]))
		ke--;
	const char *v = eq + 1;
	while (is_blank(*v))
		v++;
	size_t klen = (size_t)(ke - text);
	bool dashed = klen > 2 && text[0] == '-' && text[1] == '-';
	const char *kname = dashed ? text + 2 : text;
	size_t nlen = dashed ? klen - 2 : klen;
	if (klen == 0)
		return fail(ps, line, "a key is missing before '='");
	char key[SUITE_MAX_NAME + 3];
	if (!valid_name(kname, nlen) || memchr(kname, '+', nlen) || !isalnum((unsigned char)kname[0])) {
		char *k = xstrndup(text, klen);
		fail(ps, line, "'%s' is not a key: keys are one word of letters, digits and - _ . that begins with a letter or digit, as in n-init",
		     shown(k, b, sizeof b));
		free(k);
		return -1;
	}
	memcpy(key, kname, nlen);
	key[nlen] = '\0';
	if (ps->where == IN_NONE)
		return fail(ps, line, "'%s' comes before any section; put it under [suite] or a workload's section", key);
	if (dashed && ps->where != IN_BUILTIN)
		return fail(ps, line, "'--%s': only a built-in workload's section takes --NAME keys (its parameters)", key);
	if (!*v)
		return fail(ps, line, "'%s' has no value after '='", key);
	if (++ps->nkeys > SUITE_MAX_KEYS)
		return fail(ps, line, "more than %d keys in %s", SUITE_MAX_KEYS, section_title(ps, t, sizeof t));

	unsigned here = 1u << ps->where;
	if (!dashed) {
		for (size_t i = 0; i < BT_ARRAY_LEN(settings_keys); i++) {
			if (strcmp(key, settings_keys[i].name) != 0)
				continue;
			if (!(settings_keys[i].where & here))
				return fail(ps, line, "'%s' means nothing for a command, which has one variant", key);
			unsigned *seen = &ps->set->line[i];
			if (*seen && i != SF_ENV)
				return fail(ps, line, "'%s' is set again; line %u of this section set it already", key, *seen);
			if (settings_keys[i].set(ps, line, key, v) != 0)
				return -1;
			if (!*seen)
				*seen = line;
			return 0;
		}
		for (size_t i = 0; i < BT_ARRAY_LEN(other_keys); i++) {
			if (strcmp(key, other_keys[i].name) != 0)
				continue;
			if (!(other_keys[i].where & here)) {
				if (other_keys[i].set == set_run)
					return fail(ps, line, "'run' belongs in a [command NAME] section; %s takes its parameters as keys of their own",
						    section_title(ps, t, sizeof t));
				return fail(ps, line, "'%s' belongs in [suite]: one %s holds for the whole suite", key, key);
			}
			if ((other_keys[i].set == set_run && ps->sec->argv) ||
			    (other_keys[i].set == set_interval && ps->s->interval_ms) ||
			    (other_keys[i].set == set_timeout && ps->s->timeout_s > 0))
				return fail(ps, line, "'%s' is set again in this section", key);
			return other_keys[i].set(ps, line, key, v);
		}
	}
	if (ps->where == IN_BUILTIN)
		return add_param(ps, line, key, v);
	key_names((unsigned)ps->where, names, sizeof names);
	if (ps->where == IN_SUITE)
		return fail(ps, line, "'%s' is not a [suite] key; [suite] takes %s", key, names);
	return fail(ps, line, "'%s' is not a key of a command section, which takes %s (the command's own options go in its run line)",
		    key, names);
}

static int parse(struct parser *ps, const char *data, size_t len)
{
	struct reader r = { data, data + len, 0 };
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		r.p += 3; /* a byte-order mark some editors write */
	char *text = xmalloc(SUITE_MAX_LINE + 1);
	unsigned line;
	int got, rc = 0;
	while (rc == 0 && (got = next_line(ps, &r, text, &line)) > 0)
		rc = text[0] == '[' ? open_section(ps, line, text) : key_line(ps, line, text);
	if (rc == 0 && got < 0)
		rc = -1;
	if (rc == 0)
		rc = end_section(ps);
	if (rc == 0 && ps->s->nsections == 0)
		rc = fail(ps, r.line ? r.line : 1, "the suite names nothing to run; add a workload's section such as [kmeans] or a [command NAME]");
	free(text);
	return rc;
}

int suite_load_mem(const char *name, const char *data, size_t len, struct suite *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct parser ps = { .name = name, .s = out, .where = IN_NONE, .err = err, .errlen = errlen };
	if (len > SUITE_MAX_BYTES) {
		snprintf(err, errlen, "%s: the file is larger than %d KiB, the most a suite may be", name,
			 SUITE_MAX_BYTES / 1024);
		return -1;
	}
	out->path = xstrdup(name);
	if (parse(&ps, data, len) != 0) {
		suite_free(out);
		return -1;
	}
	return 0;
}

int suite_load(const char *path, struct suite *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	char *buf = NULL;
	ssize_t n = bt_read_file_alloc(path, &buf, (size_t)SUITE_MAX_BYTES + 1);
	if (n == -EFBIG || (n >= 0 && (size_t)n > SUITE_MAX_BYTES)) {
		free(buf);
		snprintf(err, errlen, "%s: the file is larger than %d KiB, the most a suite may be", path,
			 SUITE_MAX_BYTES / 1024);
		return -1;
	}
	if (n < 0) {
		snprintf(err, errlen, "%s: cannot read the suite file (%s); give the path of a suite file (docs/suites.md)",
			 path, strerror((int)-n));
		return -1;
	}
	int rc = suite_load_mem(path, buf, (size_t)n, out, err, errlen);
	free(buf);
	return rc;
}

static void settings_free(struct suite_settings *st)
{
	free_list(st->variants, st->nvariants);
	free(st->cpus_text);
	free(st->memory_text);
	free(st->cpuset);
	free_list(st->env, st->nenv);
	free(st->env_line);
	free(st->label);
	memset(st, 0, sizeof(*st));
}

void suite_free(struct suite *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nsections; i++) {
		struct suite_section *sec = &s->sections[i];
		free(sec->kind);
		free(sec->name);
		settings_free(&sec->set);
		for (size_t j = 0; j < sec->nparams; j++) {
			free(sec->params[j].name);
			free(sec->params[j].value);
		}
		free(sec->params);
		free_list(sec->argv, sec->argc);
	}
	free(s->sections);
	settings_free(&s->set);
	free(s->path);
	memset(s, 0, sizeof(*s));
}

/* ---- Requests ------------------------------------------------------------------ */

/* The settings a section runs with: its own, else [suite]'s. */
static const struct suite_settings *pick(const struct suite *s, const struct suite_section *sec, enum suite_field f)
{
	if (sec->set.line[f])
		return &sec->set;
	if (s->set.line[f])
		return &s->set;
	return NULL;
}

static void add_note(struct suite_plan *p, char *note)
{
	for (size_t i = 0; i < p->nnotes; i++)
		if (strcmp(p->notes[i], note) == 0) {
			free(note);
			return;
		}
	p->notes = xreallocarray(p->notes, p->nnotes + 1, sizeof(char *));
	p->notes[p->nnotes++] = note;
}

/* Replaces {cpus} and {visible-cpus}; NULL when text holds neither. */
static char *expand(const char *text, unsigned cpus, unsigned visible)
{
	static const char k_cpus[] = "{cpus}", k_vis[] = "{visible-cpus}";
	if (!strstr(text, k_cpus) && !strstr(text, k_vis))
		return NULL;
	/* Each placeholder (6 or 14 bytes) becomes at most 10 digits. */
	char *out = xmalloc(2 * strlen(text) + 11), *q = out;
	for (const char *p = text; *p;) {
		if (strncmp(p, k_cpus, sizeof k_cpus - 1) == 0) {
			q += sprintf(q, "%u", cpus);
			p += sizeof k_cpus - 1;
		} else if (strncmp(p, k_vis, sizeof k_vis - 1) == 0) {
			q += sprintf(q, "%u", visible);
			p += sizeof k_vis - 1;
		} else {
			*q++ = *p++;
		}
	}
	*q = '\0';
	return out;
}

/* text with its placeholders replaced (a new string); a note when any were,
 * "LINE: <what><text> becomes <what><new text> on this machine" (what is
 * repeated unless it ends in ": "). */
static char *expand_noted(struct suite_plan *p, unsigned line, const char *what, const char *text, unsigned cpus,
			  unsigned visible)
{
	char *x = expand(text, cpus, visible);
	if (!x)
		return xstrdup(text);
	size_t wl = strlen(what);
	bool once = wl >= 2 && strcmp(what + wl - 2, ": ") == 0;
	add_note(p, xasprintf("%s:%u: %s%s becomes %s%s on this machine", p->path, line, what, text, once ? "" : what, x));
	return x;
}

struct limits {
	double cpus;
	uint64_t memory;
	const char *cpuset;
	unsigned cpus_int; /* what {cpus} stands for */
};

static void clamp_limits(const struct suite *s, const struct suite_section *sec, const struct suite_machine *m,
			 struct suite_plan *p, struct limits *lim)
{
	char b1[32];
	const struct suite_settings *c = pick(s, sec, SF_CPUS), *mem = pick(s, sec, SF_MEMORY),
				    *cs = pick(s, sec, SF_CPUSET);
	lim->cpus = c ? c->cpus : 0;
	lim->memory = mem ? mem->memory : 0;
	lim->cpuset = cs ? cs->cpuset : NULL;
	int in_set = lim->cpuset ? procfs_count_cpu_list(lim->cpuset) : 0;
	if (lim->cpus > 0 && m->cpus > 0 && lim->cpus > m->cpus) {
		lim->cpus = m->cpus;
		add_note(p, xasprintf("%s:%u: cpus %s clamped to %g (this machine's effective CPUs)", p->path,
				      c->line[SF_CPUS], c->cpus_text, lim->cpus));
	}
	if (lim->cpus > 0 && in_set > 0 && lim->cpus > in_set) {
		lim->cpus = in_set;
		add_note(p, xasprintf("%s:%u: cpus %s clamped to %d (the CPUs of cpuset %s)", p->path, c->line[SF_CPUS],
				      c->cpus_text, in_set, lim->cpuset));
	}
	if (lim->memory && m->memory && lim->memory > m->memory) {
		lim->memory = m->memory;
		add_note(p, xasprintf("%s:%u: memory %s clamped to %s (this machine's memory)", p->path,
				      mem->line[SF_MEMORY], mem->memory_text, bt_fmt_bytes(b1, sizeof b1, (double)m->memory)));
	}
	/* What {cpus} stands for: the quota, else the cpuset, else the machine. */
	double eff = m->cpus > 0 ? m->cpus : (double)m->visible_cpus;
	if (lim->cpus > 0)
		eff = lim->cpus;
	else if (in_set > 0 && in_set < eff)
		eff = in_set;
	lim->cpus_int = eff < 1 ? 1 : (unsigned)ceil(eff);
}

/* The environment: [suite]'s, then the section's, which replaces a key
 * [suite] set; values expanded. */
static void build_env(const struct suite *s, const struct suite_section *sec, struct suite_plan *p,
		      const struct limits *lim, unsigned visible, struct plan_request *rq)
{
	char **env = xcalloc(s->set.nenv + sec->set.nenv + 1, sizeof(char *));
	size_t n = 0;
	for (size_t i = 0; i < s->set.nenv; i++) {
		const char *kv = s->set.env[i];
		size_t klen = (size_t)(strchr(kv, '=') - kv);
		bool replaced = false;
		for (size_t j = 0; j < sec->set.nenv; j++)
			if (strncmp(sec->set.env[j], kv, klen + 1) == 0)
				replaced = true;
		if (!replaced)
			env[n++] = expand_noted(p, s->set.env_line[i], "env ", kv, lim->cpus_int, visible);
	}
	for (size_t j = 0; j < sec->set.nenv; j++)
		env[n++] = expand_noted(p, sec->set.env_line[j], "env ", sec->set.env[j], lim->cpus_int, visible);
	rq->env = env;
	rq->nenv = n;
}

static char **dup_list(char **items, size_t n)
{
	char **out = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(items[i]);
	return out;
}

static void build_request(const struct suite *s, const struct suite_section *sec, const struct suite_machine *m,
			  struct suite_plan *p, struct suite_request *r)
{
	struct plan_request *rq = &r->rq;
	const struct suite_settings *st;
	struct limits lim;
	memset(r, 0, sizeof(*r));
	r->line = sec->line;
	r->what = sec->name ? xasprintf("[%s %s]", sec->kind, sec->name) : xasprintf("[%s]", sec->kind);

	clamp_limits(s, sec, m, p, &lim);
	if (lim.cpuset)
		r->cpuset_line = pick(s, sec, SF_CPUSET)->line[SF_CPUSET];
	r->run_line = sec->run_line;
	rq->cpus = lim.cpus;
	rq->memory = lim.memory;
	rq->cpuset = lim.cpuset ? xstrdup(lim.cpuset) : NULL;

	bool command = strcmp(sec->kind, "command") == 0;
	/* [suite]'s variants are built-ins' variants: a command is run as given. */
	st = command ? (sec->set.line[SF_VARIANTS] ? &sec->set : NULL) : pick(s, sec, SF_VARIANTS);
	if (st) {
		rq->variants = (const char *const *)dup_list(st->variants, st->nvariants);
		rq->nvariants = st->nvariants;
		r->variants_line = st->line[SF_VARIANTS];
	}
	rq->reps = (st = pick(s, sec, SF_REPS)) ? st->reps : 1;
	rq->warmup = (st = pick(s, sec, SF_WARMUP)) ? st->warmup : 0;
	rq->blocked = (st = pick(s, sec, SF_ORDER)) ? st->blocked : false;
	rq->blas_threads = (st = pick(s, sec, SF_BLAS_THREADS)) ? st->blas_threads : 0;
	if (sec->set.line[SF_LABEL])
		rq->label = xstrdup(sec->set.label);
	else if (sec->name)
		rq->label = xstrdup(sec->name);
	else if (s->set.line[SF_LABEL])
		rq->label = xstrdup(s->set.label);
	build_env(s, sec, p, &lim, m->visible_cpus, rq);

	if (command) {
		char **argv = xcalloc(sec->argc + 1, sizeof(char *));
		for (size_t i = 0; i < sec->argc; i++)
			argv[i] = expand_noted(p, sec->run_line, "run: ", sec->argv[i], lim.cpus_int, m->visible_cpus);
		rq->argv = argv;
		return;
	}
	rq->workload = xstrdup(sec->kind);
	r->params = xcalloc(sec->nparams ? sec->nparams : 1, sizeof(*r->params));
	r->nparams = sec->nparams;
	char **wargs = xcalloc(2 * sec->nparams + 1, sizeof(char *));
	for (size_t i = 0; i < sec->nparams; i++) {
		const struct suite_param *sp = &sec->params[i];
		char *what = xasprintf("%s = ", sp->name);
		r->params[i].name = xstrdup(sp->name);
		r->params[i].value = expand_noted(p, sp->line, what, sp->value, lim.cpus_int, m->visible_cpus);
		r->params[i].line = sp->line;
		free(what);
		wargs[2 * i] = xasprintf("--%s", sp->name);
		wargs[2 * i + 1] = xstrdup(r->params[i].value);
	}
	rq->wargs = wargs;
	rq->nwargs = 2 * sec->nparams;
}

size_t suite_requests(const struct suite *s, const struct suite_machine *m, struct suite_plan *out)
{
	memset(out, 0, sizeof(*out));
	out->path = xstrdup(s->path ? s->path : "");
	out->interval_ms = s->interval_ms;
	out->timeout_s = s->timeout_s;
	out->items = xcalloc(s->nsections ? s->nsections : 1, sizeof(*out->items));
	for (size_t i = 0; i < s->nsections; i++)
		build_request(s, &s->sections[i], m, out, &out->items[out->n++]);
	return out->n;
}

void suite_plan_free(struct suite_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		struct suite_request *r = &p->items[i];
		struct plan_request *rq = &r->rq;
		free(r->what);
		free((char *)rq->workload);
		free_list(rq->wargs, rq->nwargs);
		size_t argc = 0;
		while (rq->argv && rq->argv[argc])
			argc++;
		free_list(rq->argv, argc);
		free_list((char **)rq->variants, rq->nvariants);
		free_list((char **)rq->env, rq->nenv);
		free((char *)rq->cpuset);
		free((char *)rq->label);
		for (size_t j = 0; j < r->nparams; j++) {
			free(r->params[j].name);
			free(r->params[j].value);
		}
		free(r->params);
	}
	free(p->items);
	free_list(p->notes, p->nnotes);
	free(p->path);
	memset(p, 0, sizeof(*p));
}

void suite_locate(const struct suite_plan *p, size_t i, const char *msg, char *out, size_t outlen)
{
	const struct suite_request *r = &p->items[i];
	unsigned line = r->line;
	bool found = false;
	for (const char *d = strstr(msg, "--"); d && !found; d = strstr(d + 2, "--")) {
		const char *nm = d + 2;
		size_t len = 0;
		while (name_char(nm[len]))
			len++;
		for (size_t j = 0; j < r->nparams && len; j++)
			if (strlen(r->params[j].name) == len && strncmp(r->params[j].name, nm, len) == 0) {
				line = r->params[j].line;
				found = true;
				break;
			}
	}
	if (!found && r->variants_line && strstr(msg, "variant"))
		line = r->variants_line;
	snprintf(out, outlen, "%s:%u: %s", p->path, line, msg);
}
