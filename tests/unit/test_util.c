/* Unit tests for the shared helpers (src/util.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util.h"

/* ---- sizes and strict numbers -------------------------------------------- */
static void assert_size(const char *s, uint64_t want)
{
	uint64_t v = 12345;
	if (!bt_parse_size(s, &v))
		fail_msg("bt_parse_size(\"%s\") rejected", s);
	if (v != want)
		fail_msg("bt_parse_size(\"%s\") = %llu, expected %llu", s, (unsigned long long)v,
			 (unsigned long long)want);
}

static void assert_size_bad(const char *s)
{
	uint64_t v = 12345;
	if (bt_parse_size(s, &v))
		fail_msg("bt_parse_size(\"%s\") accepted as %llu", s ? s : "(null)", (unsigned long long)v);
	assert_int_equal(v, 12345); /* untouched */
}

static void test_parse_size(void **state)
{
	(void)state;
	assert_size("512M", UINT64_C(536870912));
	assert_size("8G", UINT64_C(8589934592));
	assert_size("1.5G", UINT64_C(1610612736));
	assert_size("100", 100);
	assert_size("1Gi", UINT64_C(1073741824));
	assert_size("1GiB", UINT64_C(1073741824));
	assert_size("512MB", UINT64_C(536870912));
	assert_size("4k", 4096);
	assert_size("4K", 4096);
	assert_size("2m", UINT64_C(2097152));
	assert_size("2T", UINT64_C(2199023255552));
	assert_size("0", 0);
	assert_size("0.5K", 512);
	assert_size_bad("");
	assert_size_bad(NULL);
	assert_size_bad("12X");
	assert_size_bad("-1");
	assert_size_bad("-1G");
	assert_size_bad("M");
	assert_size_bad("G1");
	assert_size_bad("1GG");
	assert_size_bad("1G ");
	assert_size_bad("1 G");
	assert_size_bad("1Gx");
	assert_size_bad("1i");      /* "i" only after a unit */
	assert_size_bad("1MBx");
	assert_size_bad("inf");
	assert_size_bad("16777216T"); /* 2^64 bytes */
	assert_size_bad("1e30");
}

static void test_parse_double(void **state)
{
	(void)state;
	double d = 7;
	assert_true(bt_parse_double("1.5", &d));
	assert_true(d == 1.5);
	assert_true(bt_parse_double("-2", &d));
	assert_true(d == -2);
	assert_true(bt_parse_double("1e3", &d));
	assert_true(d == 1000);
	assert_true(bt_parse_double("0.25", &d));
	assert_true(d == 0.25);
	d = 7;
	static const char *const bad[] = { "", "x", "1.5x", "1.5 ", "1,5", "--1", "1e999", ".", "e5" };
	for (size_t i = 0; i < BT_ARRAY_LEN(bad); i++)
		if (bt_parse_double(bad[i], &d))
			fail_msg("bt_parse_double(\"%s\") accepted as %g", bad[i], d);
	assert_false(bt_parse_double(NULL, &d));
	assert_true(d == 7);
}

/* strtod accepts "nan" and "inf": options must not. */
static void test_non_finite_rejected(void **state)
{
	(void)state;
	static const char *const bad[] = { "nan", "NaN", "-nan", "inf", "-inf", "infinity" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double d = 42;
		uint64_t u = 42;
		assert_false(bt_parse_double(bad[i], &d));
		assert_true(d == 42);
		assert_false(bt_parse_size(bad[i], &u));
		assert_int_equal(u, 42);
	}
}

static void test_parse_ll(void **state)
{
	(void)state;
	long long v = 7;
	assert_true(bt_parse_ll("42", &v));
	assert_int_equal(v, 42);
	assert_true(bt_parse_ll("-1", &v));
	assert_true(v == -1);
	assert_true(bt_parse_ll("150000", &v));
	assert_int_equal(v, 150000);
	assert_true(bt_parse_ll("9223372036854775807", &v));
	assert_true(v == LLONG_MAX);
	assert_true(bt_parse_ll("-9223372036854775808", &v));
	assert_true(v == LLONG_MIN);
	v = 7;
	static const char *const bad[] = { "", "x", "12 ", "12a", "1.0", "0x10", "1e3", "9223372036854775808",
					   "-9223372036854775809", "99999999999999999999", "-", "12\n" };
	for (size_t i = 0; i < BT_ARRAY_LEN(bad); i++)
		if (bt_parse_ll(bad[i], &v))
			fail_msg("bt_parse_ll(\"%s\") accepted as %lld", bad[i], v);
	assert_false(bt_parse_ll(NULL, &v));
	assert_true(v == 7);
}

/* ---- the hand-written scanners ------------------------------------------ */
static void test_scan_u64(void **state)
{
	(void)state;
	const char *p = "  42abc";
	uint64_t v = 0;
	assert_true(bt_scan_u64(&p, &v));
	assert_int_equal(v, 42);
	assert_string_equal(p, "abc");
	p = "\t\n7 8";
	assert_true(bt_scan_u64(&p, &v));
	assert_int_equal(v, 7);
	assert_true(bt_scan_u64(&p, &v));
	assert_int_equal(v, 8);
	assert_string_equal(p, "");
	assert_false(bt_scan_u64(&p, &v)); /* end of string */

	p = "18446744073709551615 rest"; /* UINT64_MAX */
	assert_true(bt_scan_u64(&p, &v));
	assert_true(v == UINT64_MAX);
	assert_string_equal(p, " rest");

	/* Overflow fails and leaves both the value and the cursor alone. */
	static const char *const over[] = { "18446744073709551616", "18446744073709551620",
					    "123456789012345678901", "99999999999999999999" };
	for (size_t i = 0; i < BT_ARRAY_LEN(over); i++) {
		p = over[i];
		v = 5;
		if (bt_scan_u64(&p, &v))
			fail_msg("bt_scan_u64(\"%s\") accepted as %llu", over[i], (unsigned long long)v);
		assert_int_equal(v, 5);
		assert_ptr_equal(p, over[i]);
	}
	static const char *const bad[] = { "", "   ", "-1", "x1", "+1" };
	for (size_t i = 0; i < BT_ARRAY_LEN(bad); i++) {
		p = bad[i];
		assert_false(bt_scan_u64(&p, &v));
		assert_ptr_equal(p, bad[i]);
	}
}

static void test_scan_i64(void **state)
{
	(void)state;
	const char *p = " -42 17";
	int64_t v = 0;
	assert_true(bt_scan_i64(&p, &v));
	assert_true(v == -42);
	assert_true(bt_scan_i64(&p, &v));
	assert_true(v == 17);
	p = "9223372036854775807";
	assert_true(bt_scan_i64(&p, &v));
	assert_true(v == INT64_MAX);
	p = "9223372036854775808";
	v = 3;
	assert_false(bt_scan_i64(&p, &v));
	assert_true(v == 3);
	p = "-";
	assert_false(bt_scan_i64(&p, &v));
	assert_string_equal(p, "-");
}

static void test_skip_fields(void **state)
{
	(void)state;
	const char *p = "a bb  ccc d";
	assert_true(bt_skip_fields(&p, 2));
	assert_string_equal(p, "  ccc d");
	assert_true(bt_skip_fields(&p, 0));
	assert_string_equal(p, "  ccc d");
	const char *q = p;
	assert_false(bt_skip_fields(&p, 3)); /* only two left */
	assert_ptr_equal(p, q);
	assert_true(bt_skip_fields(&p, 2));
	assert_string_equal(p, "");
}

static void test_find_key_u64(void **state)
{
	(void)state;
	static const char text[] = "cpu0 5972 0 847\n"
				   "MemTotal:       24731712 kB\n"
				   "MemFree:        24338084 kB\n"
				   "xCached: 99\n"
				   "ctxt 593386\n"
				   "tabbed\t77\n"
				   "bad: abc\n"
				   "last: 5";
	uint64_t v = 1;
	assert_true(bt_find_key_u64(text, "MemTotal", &v));
	assert_int_equal(v, 24731712);
	assert_true(bt_find_key_u64(text, "MemFree", &v));
	assert_int_equal(v, 24338084);
	assert_true(bt_find_key_u64(text, "ctxt", &v));
	assert_int_equal(v, 593386);
	assert_true(bt_find_key_u64(text, "tabbed", &v));
	assert_int_equal(v, 77);
	assert_true(bt_find_key_u64(text, "last", &v));
	assert_int_equal(v, 5);
	v = 1;
	assert_false(bt_find_key_u64(text, "Mem", &v));      /* a prefix is not a key */
	assert_false(bt_find_key_u64(text, "cpu", &v));      /* nor before digits */
	assert_false(bt_find_key_u64(text, "Cached", &v));   /* only at a line start */
	assert_false(bt_find_key_u64(text, "MemShared", &v));
	assert_false(bt_find_key_u64(text, "bad", &v));      /* not a number */
	assert_false(bt_find_key_u64("", "MemTotal", &v));
	assert_int_equal(v, 1);
}

/* ---- paths --------------------------------------------------------------- */
static void test_path(void **state)
{
	(void)state;
	char buf[64];
	assert_string_equal(bt_path(buf, sizeof buf, "", "/proc/%s/stat", "self"), "/proc/self/stat");
	assert_string_equal(bt_path(buf, sizeof buf, NULL, "/proc/stat"), "/proc/stat");
	assert_string_equal(bt_path(buf, sizeof buf, "/", "/proc/stat"), "/proc/stat");
	assert_string_equal(bt_path(buf, sizeof buf, "/x/", "/proc/stat"), "/x/proc/stat");
	assert_string_equal(bt_path(buf, sizeof buf, "/x", "/proc/stat"), "/x/proc/stat");
	assert_string_equal(bt_path(buf, sizeof buf, "/x///", "/proc/%d", 7), "/x/proc/7");
	assert_string_equal(bt_path(buf, sizeof buf, "rel/root", "/sys"), "rel/root/sys");
	/* Exactly fitting, one byte short, and a root longer than the buffer. */
	char small[8];
	assert_string_equal(bt_path(small, sizeof small, "/ab", "/cde"), "/ab/cde"); /* 7 + NUL */
	assert_null(bt_path(small, sizeof small, "/ab", "/cdef"));
	assert_null(bt_path(small, sizeof small, "/abcdefgh", "/x"));
	assert_null(bt_path(small, sizeof small, "", "/abcdefgh"));
}

/* ---- file reads ---------------------------------------------------------- */
static char tmpdir[64];

static int tmpdir_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/bt-util-test.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static const char *tmpfile_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
	return buf;
}

static int tmpdir_teardown(void **state)
{
	(void)state;
	static const char *const names[] = { "small", "big", "grow" };
	char p[PATH_MAX];
	for (size_t i = 0; i < BT_ARRAY_LEN(names); i++)
		unlink(tmpfile_path(p, sizeof p, names[i]));
	return rmdir(tmpdir);
}

static void write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void test_pread_all(void **state)
{
	(void)state;
	char path[PATH_MAX], buf[64];
	tmpfile_path(path, sizeof path, "small");
	write_file(path, "hello\n", 6);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	memset(buf, 'Z', sizeof buf);
	assert_int_equal(bt_pread_all(fd, buf, sizeof buf), 6);
	assert_string_equal(buf, "hello\n");
	/* pread at offset 0: the kept-open fd reads the same again, even after
	 * the file offset moved. */
	assert_int_equal(lseek(fd, 3, SEEK_SET), 3);
	memset(buf, 'Z', sizeof buf);
	assert_int_equal(bt_pread_all(fd, buf, sizeof buf), 6);
	assert_string_equal(buf, "hello\n");
	/* A buffer of one byte holds only the terminator. */
	buf[0] = 'Z';
	assert_int_equal(bt_pread_all(fd, buf, 1), 0);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(bt_pread_all(fd, buf, 0), -EINVAL);
	/* A file rewritten in place is seen fresh. */
	write_file(path, "bye", 3);
	assert_int_equal(bt_pread_all(fd, buf, sizeof buf), 3);
	assert_string_equal(buf, "bye");
	close(fd);
	assert_int_equal(bt_pread_all(fd, buf, sizeof buf), -EBADF);
}

static void test_pread_all_truncates(void **state)
{
	(void)state;
	char path[PATH_MAX], data[100], buf[16];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)('a' + i % 26);
	tmpfile_path(path, sizeof path, "big");
	write_file(path, data, sizeof data);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	memset(buf, 'Z', sizeof buf);
	assert_int_equal(bt_pread_all(fd, buf, 10), 9);
	assert_memory_equal(buf, data, 9);
	assert_int_equal(buf[9], '\0');
	assert_int_equal(buf[10], 'Z'); /* nothing written past size */
	close(fd);
	memset(buf, 'Z', sizeof buf);
	assert_int_equal(bt_read_file(path, buf, sizeof buf), (ssize_t)sizeof buf - 1);
	assert_memory_equal(buf, data, sizeof buf - 1);
	assert_int_equal(buf[sizeof buf - 1], '\0');
}

static void test_read_file_errors(void **state)
{
	(void)state;
	char buf[64];
	assert_int_equal(bt_read_file("/nonexistent/benchtop/file", buf, sizeof buf), -ENOENT);
	assert_int_equal(bt_read_file(tmpdir, buf, sizeof buf), -EISDIR);
	char *p = (char *)0x1;
	assert_int_equal(bt_read_file_alloc("/nonexistent/benchtop/file", &p, 4096), -ENOENT);
	assert_ptr_equal(p, (char *)0x1); /* untouched */
}

static void test_read_file_alloc(void **state)
{
	(void)state;
	char path[PATH_MAX];
	size_t len = 10000;
	char *data = malloc(len);
	assert_non_null(data);
	for (size_t i = 0; i < len; i++)
		data[i] = (char)('0' + i % 10);
	tmpfile_path(path, sizeof path, "grow");
	write_file(path, data, len);
	char *out = NULL;
	assert_int_equal(bt_read_file_alloc(path, &out, 1 << 20), (ssize_t)len);
	assert_non_null(out);
	assert_memory_equal(out, data, len);
	assert_int_equal(out[len], '\0');
	free(out);
	out = NULL;
	assert_int_equal(bt_read_file_alloc(path, &out, 4096), -EFBIG);
	assert_null(out);
	/* An empty file reads as "". */
	write_file(path, "", 0);
	assert_int_equal(bt_read_file_alloc(path, &out, 4096), 0);
	assert_string_equal(out, "");
	free(out);
	free(data);
}

/* ---- CSV and JSON -------------------------------------------------------- */
typedef void (*str_writer)(FILE *, const char *);

/* The text w writes for s, via open_memstream (caller frees). */
static char *render(str_writer w, const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	w(f, s);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(strlen(out), len);
	return out;
}

static void assert_renders(str_writer w, const char *in, const char *want)
{
	char *got = render(w, in);
	if (strcmp(got, want) != 0)
		fail_msg("rendered \"%s\" as [%s], expected [%s]", in ? in : "(null)", got, want);
	free(got);
}

static void test_csv_string(void **state)
{
	(void)state;
	assert_renders(bt_csv_string, "plain text", "plain text");
	assert_renders(bt_csv_string, "", "");
	assert_renders(bt_csv_string, NULL, "");
	assert_renders(bt_csv_string, "a,b", "\"a,b\"");
	assert_renders(bt_csv_string, "say \"hi\"", "\"say \"\"hi\"\"\"");
	assert_renders(bt_csv_string, "\"", "\"\"\"\"");
	assert_renders(bt_csv_string, "two\nlines", "\"two\nlines\"");
	assert_renders(bt_csv_string, "cr\r", "\"cr\r\"");
	assert_renders(bt_csv_string, "semi;colon tab\t", "semi;colon tab\t");
}

static void test_json_string(void **state)
{
	(void)state;
	assert_renders(bt_json_string, "plain", "\"plain\"");
	assert_renders(bt_json_string, "", "\"\"");
	assert_renders(bt_json_string, NULL, "\"\"");
	assert_renders(bt_json_string, "a\"b", "\"a\\\"b\"");
	assert_renders(bt_json_string, "back\\slash", "\"back\\\\slash\"");
	assert_renders(bt_json_string, "new\nline", "\"new\\nline\"");
	assert_renders(bt_json_string, "tab\tcr\r", "\"tab\\tcr\\r\"");
	assert_renders(bt_json_string, "bell\x01" "esc\x1b" "us\x1f", "\"bell\\u0001esc\\u001bus\\u001f\"");
	assert_renders(bt_json_string, "caf\xc3\xa9 \x7f", "\"caf\xc3\xa9 \x7f\""); /* UTF-8 and DEL as is */
	assert_renders(bt_json_string, "/mnt/cg root/a,b", "\"/mnt/cg root/a,b\"");
}

/* ---- formatting, allocation, clocks -------------------------------------- */
static void test_fmt(void **state)
{
	(void)state;
	char buf[32];
	assert_string_equal(bt_fmt_bytes(buf, sizeof buf, 512), "512 B");
	assert_string_equal(bt_fmt_bytes(buf, sizeof buf, 1536), "1.5 KiB");
	assert_string_equal(bt_fmt_bytes(buf, sizeof buf, 536870912.0), "512.0 MiB");
	assert_string_equal(bt_fmt_bytes(buf, sizeof buf, 8589934592.0), "8.0 GiB");
	assert_string_equal(bt_fmt_bytes(buf, sizeof buf, 2199023255552.0 * 2048), "4096.0 TiB");
	assert_string_equal(bt_fmt_duration(buf, sizeof buf, 0.25), "250.0 ms");
	assert_string_equal(bt_fmt_duration(buf, sizeof buf, 1.5), "1.500 s");
	assert_string_equal(bt_fmt_duration(buf, sizeof buf, 150), "2m30.0s");
}

static void test_grow_and_alloc(void **state)
{
	(void)state;
	int *items = NULL;
	size_t cap = 0;
	bt_grow((void **)&items, &cap, 5, sizeof *items);
	assert_non_null(items);
	assert_true(cap >= 5);
	for (size_t i = 0; i < cap; i++)
		assert_int_equal(items[i], 0);
	for (size_t i = 0; i < 5; i++)
		items[i] = (int)i + 1;
	size_t old = cap;
	bt_grow((void **)&items, &cap, old, sizeof *items); /* already enough */
	assert_int_equal(cap, old);
	bt_grow((void **)&items, &cap, 100, sizeof *items);
	assert_true(cap >= 100);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(items[i], (int)i + 1);
	for (size_t i = 5; i < cap; i++)
		assert_int_equal(items[i], 0);
	free(items);

	char *s = xasprintf("%s-%d", "run", 42);
	assert_string_equal(s, "run-42");
	free(s);
	s = xstrdup(NULL);
	assert_string_equal(s, "");
	free(s);
}

static void test_clocks(void **state)
{
	(void)state;
	uint64_t a = bt_now_ns();
	uint64_t b = bt_now_ns();
	assert_true(b >= a);
	/* Wall clock: after 2020-01-01. */
	assert_true(bt_wall_ns() > UINT64_C(1577836800) * 1000000000u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_double),
		cmocka_unit_test(test_non_finite_rejected),
		cmocka_unit_test(test_parse_ll),
		cmocka_unit_test(test_scan_u64),
		cmocka_unit_test(test_scan_i64),
		cmocka_unit_test(test_skip_fields),
		cmocka_unit_test(test_find_key_u64),
		cmocka_unit_test(test_path),
		cmocka_unit_test_setup_teardown(test_pread_all, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_pread_all_truncates, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_read_file_errors, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_read_file_alloc, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(test_csv_string),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_fmt),
		cmocka_unit_test(test_grow_and_alloc),
		cmocka_unit_test(test_clocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
