/* util — small helpers every module shares: allocation that aborts on OOM,
 * root-prefixed paths for /proc and /sys readers, whole-file reads with pread
 * on kept-open descriptors, and a hand-written decimal scanner for the
 * per-tick path (no sscanf there). */
#ifndef BT_UTIL_H
#define BT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include <stdio.h>

#define BT_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation: these abort with a message on OOM or size overflow. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *items (of *cap elements of elem_size) so that it holds at least need. */
void bt_grow(void **items, size_t *cap, size_t need, size_t elem_size);

/* Build "<root><path>" into buf; root "" or NULL means "/". Returns buf, or
 * NULL when it does not fit. */
char *bt_path(char *buf, size_t size, const char *root, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Read a whole small file at offset 0 of an open fd into buf (NUL-terminated).
 * Retries on EINTR. Returns bytes read or -errno. Truncates at size-1. */
ssize_t bt_pread_all(int fd, char *buf, size_t size);
/* One pread at offset 0, NUL-terminated: for kernel files that produce
 * their whole text in one read (/proc/PID/stat, status, cgroup value
 * files). Saves the second syscall that only returns 0. A result of
 * size-1 means the buffer may have been too small. -errno on error. */
ssize_t bt_pread_once(int fd, char *buf, size_t size);
/* Open + read + close. Returns bytes read or -errno. */
ssize_t bt_read_file(const char *path, char *buf, size_t size);
/* Read a file of any size into a new buffer (caller frees). -errno on error. */
ssize_t bt_read_file_alloc(const char *path, char **out, size_t limit);

/* Decimal scanning: skip spaces, parse an unsigned number; *pp advances past
 * it. Returns false when no digit is there or on overflow. */
bool bt_scan_u64(const char **pp, uint64_t *out);
bool bt_scan_i64(const char **pp, int64_t *out);
/* Skip n whitespace-separated fields. Returns false at end of string. */
bool bt_skip_fields(const char **pp, int n);
/* Find "key" at a line start in a "Key: value" or "key value" file and parse
 * the number after it. Returns false when absent. */
bool bt_find_key_u64(const char *text, const char *key, uint64_t *out);

/* Whether word is one of the blank-separated words of list (a cgroup's
 * controllers files). */
bool bt_word_in(const char *list, const char *word);
/* Parse "512M", "8G", "1048576" into bytes. Returns false on bad input. */
bool bt_parse_size(const char *s, uint64_t *out);
/* Parse a strict double / long long (whole string). */
bool bt_parse_double(const char *s, double *out);
bool bt_parse_ll(const char *s, long long *out);

/* Monotonic and wall clocks in nanoseconds. */
uint64_t bt_now_ns(void);
uint64_t bt_wall_ns(void);

/* Human-readable formatting into a caller's buffer. */
const char *bt_fmt_bytes(char *buf, size_t size, double bytes);
const char *bt_fmt_duration(char *buf, size_t size, double seconds);

/* JSON string escaping to a stdio stream. */

void bt_json_string(FILE *f, const char *s);
/* A CSV field, quoted when it holds a comma, quote or newline. */
void bt_csv_string(FILE *f, const char *s);

#endif
