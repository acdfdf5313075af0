/* util — see util.h. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void oom(size_t n)
{
	fprintf(stderr, "benchtop: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom(nmemb * size);
	return p;
}

void *xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		oom(SIZE_MAX);
	size_t n = nmemb * size;
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		oom(strlen(s));
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		oom(n);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *out = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&out, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(0);
	return out;
}

void bt_grow(void **items, size_t *cap, size_t need, size_t elem_size)
{
	if (need <= *cap)
		return;
	size_t ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			oom(SIZE_MAX);
		ncap *= 2;
	}
	*items = xreallocarray(*items, ncap, elem_size);
	memset((char *)*items + *cap * elem_size, 0, (ncap - *cap) * elem_size);
	*cap = ncap;
}

char *bt_path(char *buf, size_t size, const char *root, const char *fmt, ...)
{
	size_t rl = 0;
	if (root && root[0] && strcmp(root, "/") != 0) {
		rl = strlen(root);
		while (rl > 1 && root[rl - 1] == '/')
			rl--;
		if (rl >= size)
			return NULL;
		memcpy(buf, root, rl);
	}
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + rl, size - rl, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - rl)
		return NULL;
	return buf;
}

ssize_t bt_pread_all(int fd, char *buf, size_t size)
{
	size_t got = 0;
	if (size == 0)
		return -EINVAL;
	while (got < size - 1) {
		ssize_t n = pread(fd, buf + got, size - 1 - got, (off_t)got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return (ssize_t)got;
}

ssize_t bt_pread_once(int fd, char *buf, size_t size)
{
	if (size == 0)
		return -EINVAL;
	ssize_t n;
	do
		n = pread(fd, buf, size - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

ssize_t bt_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = bt_pread_all(fd, buf, size);
	close(fd);
	return n;
}

ssize_t bt_read_file_alloc(const char *path, char **out, size_t limit)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t cap = 4096, len = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (len + 1 >= cap) {
			if (cap >= limit) {
				free(buf);
				close(fd);
				return -EFBIG;
			}
			cap *= 2;
			buf = xreallocarray(buf, cap, 1);
		}
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	return (ssize_t)len;
}

bool bt_scan_u64(const char **pp, uint64_t *out)
{
	const char *p = *pp;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	uint64_t v = 0;
	while (*p >= '0' && *p <= '9') {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		p++;
	}
	*out = v;
	*pp = p;
	return true;
}

bool bt_scan_i64(const char **pp, int64_t *out)
{
	const char *p = *pp;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	bool neg = false;
	if (*p == '-') {
		neg = true;
		p++;
	}
	uint64_t v;
	if (!bt_scan_u64(&p, &v) || v > (uint64_t)INT64_MAX)
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	*pp = p;
	return true;
}

bool bt_skip_fields(const char **pp, int n)
{
	const char *p = *pp;
	for (int i = 0; i < n; i++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return false;
		while (*p && *p != ' ')
			p++;
	}
	*pp = p;
	return true;
}

bool bt_find_key_u64(const char *text, const char *key, uint64_t *out)
{
	size_t kl = strlen(key);
	const char *p = text;
	while (p && *p) {
		if (strncmp(p, key, kl) == 0 && (p[kl] == ':' || p[kl] == ' ' || p[kl] == '\t')) {
			const char *q = p + kl;
			if (*q == ':')
				q++;
			return bt_scan_u64(&q, out);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

bool bt_word_in(const char *list, const char *word)
{
	size_t l = strlen(word);
	for (const char *p = list; l && (p = strstr(p, word)); p += l)
		if ((p == list || p[-1] == ' ' || p[-1] == '\n') && (p[l] == ' ' || p[l] == '\n' || p[l] == '\0'))
			return true;
	return false;
}

bool bt_parse_size(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	/* !(v >= 0) also rejects NaN, which strtod accepts. */
	if (errno || end == s || !(v >= 0) || !isfinite(v) || !((*s >= '0' && *s <= '9') || *s == '.'))
		return false;
	double mul = 1;
	switch (*end) {
	case 'k': case 'K': mul = 1024.0; end++; break;
	case 'm': case 'M': mul = 1024.0 * 1024; end++; break;
	case 'g': case 'G': mul = 1024.0 * 1024 * 1024; end++; break;
	case 't': case 'T': mul = 1024.0 * 1024 * 1024 * 1024; end++; break;
	case '\0': break;
	default: return false;
	}
	if (*end == 'i' && mul > 1)
		end++;
	if ((*end == 'B' || *end == 'b') && end[1] == '\0')
		end++;
	if (*end)
		return false;
	double b = v * mul;
	if (b >= 18446744073709551615.0)
		return false;
	*out = (uint64_t)b;
	return true;
}

bool bt_parse_double(const char *s, double *out)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || end == s || !isfinite(v))
		return false;
	*out = v;
	return true;
}

bool bt_parse_ll(const char *s, long long *out)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || end == s)
		return false;
	*out = v;
	return true;
}

uint64_t bt_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t bt_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *bt_fmt_bytes(char *buf, size_t size, double b)
{
	static const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;
	while (b >= 1024 && u < 4) {
		b /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", b, unit[u]);
	return buf;
}

const char *bt_fmt_duration(char *buf, size_t size, double s)
{
	if (s < 1)
		snprintf(buf, size, "%.1f ms", s * 1e3);
	else if (s < 120)
		snprintf(buf, size, "%.3f s", s);
	else
		snprintf(buf, size, "%dm%04.1fs", (int)(s / 60), s - 60 * (int)(s / 60));
	return buf;
}

void bt_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void bt_csv_string(FILE *f, const char *s)
{
	s = s ? s : "";
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}
