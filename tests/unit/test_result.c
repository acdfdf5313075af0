/* test_result — the result protocol's line parser and line splitter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "result.h"

static void good_lines(void **state)
{
	(void)state;
	struct result_line r;
	const char *why = NULL;
	assert_true(result_parse_line("phase train", &r, &why));
	assert_int_equal(r.kind, RESULT_PHASE);
	assert_string_equal(r.name, "train");
	assert_true(result_parse_line("  metric\tinertia 128018685.5  ", &r, &why));
	assert_int_equal(r.kind, RESULT_METRIC);
	assert_string_equal(r.name, "inertia");
	assert_string_equal(r.value, "128018685.5");
	assert_string_equal(r.unit, "");
	assert_true(result_parse_line("metric latency_p95 3.1e-3 s", &r, &why));
	assert_string_equal(r.unit, "s");
	assert_true(result_parse_line("metric cpu/share -2 %", &r, &why));
	assert_true(result_parse_line("phase x\r", &r, &why)); /* CRLF writers */
}

static void bad_lines(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "   ", "phase", "phase a b", "metric x", "metric x 1 s extra", "metric x nan",
		"metric x inf", "metric x 12abc", "metric x 1 s;rm", "phase na\"me", "PHASE train",
		"result x 1", "metric 0123456789012345678901234567890123456789012345678901234567890123456789"
		"01234567890123456789012345678901234567890123456789012345678901234567890123456789 1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct result_line r;
		memset(&r, 0x5a, sizeof r);
		const char *why = NULL;
		assert_false(result_parse_line(bad[i], &r, &why));
		assert_non_null(why);
		assert_true(strlen(why) > 5);
		assert_int_equal(((unsigned char *)&r)[0], 0x5a); /* untouched */
	}
}

struct collected {
	char lines[8][RESULT_MAX_LINE + 1];
	int n, long_lines;
};

static void collect(void *ctx, const char *line, bool too_long)
{
	struct collected *c = ctx;
	if (too_long)
		c->long_lines++;
	if (c->n < 8)
		strcpy(c->lines[c->n++], line);
}

static void splitter(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	struct result_reader rd;
	result_reader_init(&rd, p[0]);
	struct collected c;
	memset(&c, 0, sizeof c);
	/* A line split across writes, then an over-long line, then a last line
	 * without its newline before EOF. */
	assert_int_equal(write(p[1], "phase lo", 8), 8);
	assert_true(result_reader_feed(&rd, collect, &c));
	assert_int_equal(c.n, 0);
	assert_int_equal(write(p[1], "ad\nmetric a 1\n", 14), 14);
	assert_true(result_reader_feed(&rd, collect, &c));
	assert_int_equal(c.n, 2);
	assert_string_equal(c.lines[0], "phase load");
	assert_string_equal(c.lines[1], "metric a 1");
	char big[3000];
	memset(big, 'x', sizeof big);
	big[sizeof big - 1] = '\n';
	assert_int_equal(write(p[1], big, sizeof big), (ssize_t)sizeof big);
	assert_int_equal(write(p[1], "phase end", 9), 9);
	close(p[1]);
	assert_false(result_reader_feed(&rd, collect, &c)); /* EOF */
	assert_int_equal(c.long_lines, 1);
	assert_int_equal(c.n, 4);
	assert_int_equal(strlen(c.lines[2]), RESULT_MAX_LINE);
	assert_string_equal(c.lines[3], "phase end");
	close(p[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_lines),
		cmocka_unit_test(bad_lines),
		cmocka_unit_test(splitter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
