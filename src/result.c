/* result — see result.h. */
#include "result.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Names are what a column header can hold: letters, digits and . _ - / */
static bool name_ok(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-' || c == '/' || c == '%'))
			return false;
	}
	return true;
}

/* Next whitespace-separated token: start and length; false at the end. */
static bool token(const char **p, const char **start, size_t *len)
{
	const char *s = *p;
	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	if (!*s)
		return false;
	const char *e = s;
	while (*e && *e != ' ' && *e != '\t' && *e != '\r')
		e++;
	*start = s;
	*len = (size_t)(e - s);
	*p = e;
	return true;
}

bool result_parse_line(const char *line, struct result_line *out, const char **why)
{
	const char *p = line, *t[5];
	size_t l[5];
	int n = 0;
	while (n < 5 && token(&p, &t[n], &l[n]))
		n++;
	struct result_line r;
	memset(&r, 0, sizeof r);
	if (n == 0) {
		*why = "an empty line";
		return false;
	}
	if (l[0] == 5 && strncmp(t[0], "phase", 5) == 0) {
		if (n != 2) {
			*why = "'phase' takes exactly one name";
			return false;
		}
		r.kind = RESULT_PHASE;
	} else if (l[0] == 6 && strncmp(t[0], "metric", 6) == 0) {
		if (n < 3 || n > 4) {
			*why = "'metric' takes a name, a value and an optional unit";
			return false;
		}
		r.kind = RESULT_METRIC;
	} else if (l[0] == 4 && strncmp(t[0], "info", 4) == 0) {
		if (n < 3) {
			*why = "'info' takes a name and a text";
			return false;
		}
		r.kind = RESULT_INFO;
	} else {
		*why = "a line must start with 'phase', 'metric' or 'info'";
		return false;
	}
	if (l[1] >= sizeof r.name || !name_ok(t[1], l[1])) {
		*why = "a name is 1 to 127 of the characters A-Z a-z 0-9 . _ - / %";
		return false;
	}
	memcpy(r.name, t[1], l[1]);
	if (r.kind == RESULT_INFO) {
		/* The text is the rest of the line, printable ASCII, trailing
		 * blanks dropped. */
		size_t len = strlen(t[2]);
		while (len && (t[2][len - 1] == ' ' || t[2][len - 1] == '\t' || t[2][len - 1] == '\r'))
			len--;
		if (len >= sizeof r.value) {
			*why = "an info text is at most 191 characters";
			return false;
		}
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)t[2][i] < 0x20 || (unsigned char)t[2][i] >= 0x7f) {
				*why = "an info text is printable ASCII";
				return false;
			}
		memcpy(r.value, t[2], len);
	} else if (r.kind == RESULT_METRIC) {
		if (l[2] >= sizeof r.value) {
			*why = "the value is too long";
			return false;
		}
		memcpy(r.value, t[2], l[2]);
		double v;
		if (!bt_parse_double(r.value, &v)) {
			*why = "the value is not a finite number";
			return false;
		}
		if (n == 4) {
			if (l[3] >= sizeof r.unit || !name_ok(t[3], l[3])) {
				*why = "a unit is 1 to 31 of the characters A-Z a-z 0-9 . _ - / %";
				return false;
			}
			memcpy(r.unit, t[3], l[3]);
		}
	}
	*out = r;
	return true;
}

void result_reader_init(struct result_reader *r, int fd)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
}

bool result_reader_feed(struct result_reader *r, result_line_fn fn, void *ctx)
{
	/* Bounded work per call: a chatty writer cannot starve the sampler. */
	for (int rounds = 0; rounds < 64; rounds++) {
		char chunk[4096];
		ssize_t n = read(r->fd, chunk, sizeof chunk);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		if (n == 0) {
			if (r->len && !r->skipping) { /* a last line without newline */
				r->buf[r->len] = '\0';
				fn(ctx, r->buf, false);
			}
			r->len = 0;
			return false;
		}
		for (ssize_t i = 0; i < n; i++) {
			char c = chunk[i];
			if (c == '\n') {
				if (!r->skipping) {
					r->buf[r->len] = '\0';
					fn(ctx, r->buf, false);
				}
				r->len = 0;
				r->skipping = false;
				continue;
			}
			if (r->skipping)
				continue;
			if (r->len == RESULT_MAX_LINE) {
				r->buf[r->len] = '\0';
				fn(ctx, r->buf, true);
				r->skipping = true;
				r->len = 0;
				continue;
			}
			r->buf[r->len++] = c ? c : ' ';
		}
	}
	return true;
}
