/* bt-pgio — the source documents' IO-bound task against PostgreSQL through
 * libpq: load users with a private and a profile row each (COPY), then
 * rounds of fetching random users by uuid joined with both child rows, over
 * one or more connections, each in a thread of its own. The server is the
 * one --pg names, or a throwaway cluster (src/pgcluster) started for the run
 * and removed afterwards, on errors and on Ctrl-C too.
 *
 * Tables live in a schema of their own, bt_pgio (users, user_private,
 * user_profile), so a server given by --pg only ever loses what an earlier
 * run left: the schema is dropped before the run and again at its end. Two
 * runs against one database at once would trip over each other.
 *
 * Every value is drawn in the client from wl_rng (user i from stream i + 1,
 * the users of round r from stream 2^62 + r),
 * so the rows are the same on every libc, and every fetched row is checked
 * against a regeneration of what was loaded. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include "../pgcluster.h"
#include "wl.h"

#include <errno.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CONNECTIONS 64
#define MAX_LATENCIES 10000000LL /* rounds x connections: 80 MB of latencies at most */
/* The picks of round r come from stream PICK_STREAM + r; users use 1..users. */
#define PICK_STREAM (1ull << 62)
#define SCHEMA "bt_pgio"

static const struct wl_param params[] = {
	{ "users", "100000", "users to load, each with a private and a profile row", false },
	{ "batch", "1000", "random users fetched per round (one query per connection per round)", false },
	{ "rounds", "10", "rounds of fetching", false },
	{ "connections", "1", "connections to the server, each in a thread of its own", false },
	{ "seed", "42", "seed of the data and of the picks", false },
	{ "pg", "none", "a libpq connection string (passed whole, commas and all), or none: a throwaway cluster for the run", true },
	{ NULL, NULL, NULL, false },
};
static const char about[] =
	"PostgreSQL IO-bound workload: COPY users with their private and profile rows, then fetch random users by uuid joined with both.";

struct options {
	long users, batch, rounds, connections;
	uint64_t seed;
	const char *pg; /* NULL: a throwaway cluster */
};

/* ---- Signals: a flag, and a cancel request for every running query -------- */

static volatile sig_atomic_t stop_signal;
/* Written by the main thread with the signals blocked; the handler runs only
 * in the main thread (the workers block the signals). */
static PGcancel *cancels[MAX_CONNECTIONS];
static volatile sig_atomic_t ncancels;

static void on_signal(int sig)
{
	int saved = errno;
	stop_signal = sig;
	char buf[256];
	for (int i = 0; i < ncancels; i++)
		if (cancels[i])
			PQcancel(cancels[i], buf, sizeof buf); /* async-signal-safe by design */
	errno = saved;
}

static const int caught_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void signals_block(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof caught_signals / sizeof *caught_signals; i++)
		sigaddset(&set, caught_signals[i]);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal; /* no SA_RESTART: waits must come back */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof caught_signals / sizeof *caught_signals; i++)
		sigaction(caught_signals[i], &sa, NULL);
}

/* ---- The run's resources, released once by cleanup() ---------------------- */

static struct run {
	const struct options *o;
	struct pgcluster *cluster;
	PGconn *conns[MAX_CONNECTIONS]; /* conns[0] also does setup and load */
	int nconns;
	bool schema_made;
} run;

static void register_cancel(int i, PGconn *conn)
{
	sigset_t old;
	signals_block(&old);
	cancels[i] = PQgetCancel(conn);
	if (ncancels <= i)
		ncancels = i + 1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void drop_cancels(void)
{
	sigset_t old;
	signals_block(&old);
	int n = ncancels;
	ncancels = 0;
	for (int i = 0; i < n; i++) {
		PQfreeCancel(cancels[i]);
		cancels[i] = NULL;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* libpq's message as one line: the first, without the trailing newline. */
static const char *one_line(const char *msg, char *buf, size_t n)
{
	size_t len = strcspn(msg, "\n");
	while (len && (msg[len - 1] == ' ' || msg[len - 1] == '.' || msg[len - 1] == '\r'))
		len--;
	snprintf(buf, n, "%.*s", (int)len, msg);
	return buf;
}

static bool drop_schema(PGconn *c)
{
	PGresult *r = PQexec(c, "SET lock_timeout = '5s'; DROP SCHEMA IF EXISTS " SCHEMA " CASCADE");
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	return ok;
}

/* Leaves a server given by --pg as it was found; stops a throwaway one.
 * Safe to call twice; never exits. */
static void cleanup(void)
{
	drop_cancels();
	PGconn *c0 = run.nconns > 0 ? run.conns[0] : NULL;
	bool drop = run.schema_made && run.o && run.o->pg;
	/* An idle session drops the schema at once; one cut short inside a
	 * statement (a COPY) holds its locks until it is closed, so then a new
	 * session does it. */
	if (drop && c0 && PQstatus(c0) == CONNECTION_OK && PQtransactionStatus(c0) == PQTRANS_IDLE &&
	    drop_schema(c0))
		drop = false;
	for (int i = 0; i < run.nconns; i++)
		PQfinish(run.conns[i]);
	run.nconns = 0;
	if (drop) {
		const char *keys[] = { "connect_timeout", "application_name", "dbname", NULL };
		const char *vals[] = { "5", "bt-pgio", run.o->pg, NULL };
		PGconn *c = PQconnectdbParams(keys, vals, 1);
		if (PQstatus(c) != CONNECTION_OK || !drop_schema(c)) {
			char buf[512];
			fprintf(stderr, "bt-pgio: could not drop the schema " SCHEMA " at the end: %s.\n",
				one_line(PQerrorMessage(c), buf, sizeof buf));
		}
		PQfinish(c);
	}
	run.schema_made = false;
	if (run.cluster) {
		char err[512];
		if (pgcluster_stop(run.cluster, err, sizeof err) < 0)
			fprintf(stderr, "bt-pgio: %s.\n", err);
		run.cluster = NULL;
	}
}

/* After a caught signal: clean up, say so, and die of that signal. */
static void exit_if_stopped(void)
{
	int sig = stop_signal;
	if (!sig)
		return;
	cleanup();
	fprintf(stderr, "bt-pgio: stopped by signal %d%s.\n", sig,
		run.o && !run.o->pg ? "; the throwaway server was stopped and removed" : "");
	signal(sig, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

static const char *result_error(const PGresult *r, const PGconn *c, char *buf, size_t n)
{
	const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	return one_line(primary ? primary : PQerrorMessage(c), buf, n);
}

/* Runs SQL that returns no rows; fails the run with a sentence otherwise. */
static void exec_or_fail(PGconn *c, const char *sql, const char *what)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		char buf[512];
		result_error(r, c, buf, sizeof buf);
		PQclear(r);
		exit_if_stopped();
		wl_fail("%s failed: %s", what, buf);
	}
	PQclear(r);
}

/* ---- The data ------------------------------------------------------------------ */

static const char *const first_names[] = {
	"Ada", "Alan", "Anna", "Boris", "Carla", "Chen", "Dana", "Emil", "Eva", "Farid", "Grace",
	"Hana", "Igor", "Ines", "Jae", "Jonas", "Kara", "Leon", "Lina", "Marta", "Minho", "Nadia",
	"Omar", "Paula", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Viktor", "Wei", "Yuna",
};
static const char *const last_names[] = {
	"Abe", "Bauer", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hahn", "Ito", "Jensen", "Kim",
	"Lopez", "Moreau", "Novak", "Olsen", "Park", "Quist", "Rossi", "Silva", "Tanaka", "Ueda",
	"Varga", "Weber", "Xu", "Yilmaz", "Zhang", "Berg", "Choi", "Lee", "Meyer", "Nagy", "Sato",
};
static const char *const streets[] = {
	"Oak", "Maple", "Cedar", "Pine", "Elm", "Birch", "Willow", "Station",
	"Harbour", "Mill", "Church", "Market", "River", "Hill", "Garden", "Bridge",
};
static const char *const cities[] = {
	"Seoul", "Busan", "Lyon", "Porto", "Graz", "Turku", "Leeds", "Osaka",
	"Gdansk", "Bergen", "Austin", "Quebec", "Perth", "Malmo", "Brno", "Cork",
};
static const char *const words[] = {
	"coffee", "music", "hiking", "travel", "books", "cooking", "cycling", "photos", "garden",
	"chess", "movies", "running", "design", "python", "linux", "databases", "climbing",
	"painting", "history", "science", "football", "tennis", "piano", "guitar", "yoga", "baking",
	"birds", "trains", "coding", "poetry", "theatre", "sailing", "and", "the", "of", "with",
	"loves", "enjoys", "weekend", "city", "mountains", "sea", "friends", "family", "projects",
	"learning", "teaching", "open", "source", "data", "cats", "dogs", "tea", "jazz", "maps",
	"stars", "rivers", "forests", "markets", "bread", "cheese", "noodles", "rice", "soup",
};
static const char *const locales[] = { "ko_KR", "en_US", "en_GB", "fr_FR", "de_DE", "ja_JP", "pt_BR", "es_ES" };

#define NPICK(list) (sizeof list / sizeof *list)

/* What user i's stream draws, in this order; every text is made from it. */
struct user_draw {
	uint64_t i, a, b; /* a, b: the uuid's bits */
	uint8_t first, last, street, city, locale, nwords, word[30];
	uint32_t created_s, birth_day, phone1, phone2, house, logins;
};

static void draw_user(uint64_t seed, uint64_t i, struct user_draw *d)
{
	struct wl_rng r;
	wl_rng_seed2(&r, seed, i + 1);
	d->i = i;
	d->a = (wl_rng_next(&r) & ~0xf000ull) | 0x4000ull;               /* version 4 */
	d->b = (wl_rng_next(&r) & ~(0xc0ull << 56)) | (0x80ull << 56);    /* RFC 4122 variant */
	d->first = (uint8_t)wl_rng_below(&r, NPICK(first_names));
	d->last = (uint8_t)wl_rng_below(&r, NPICK(last_names));
	d->created_s = (uint32_t)wl_rng_below(&r, 4ull * 365 * 86400); /* 2020-2023 */
	d->birth_day = (uint32_t)wl_rng_below(&r, 50 * 365);            /* 1950-1999 */
	d->phone1 = (uint32_t)wl_rng_below(&r, 10000);
	d->phone2 = (uint32_t)wl_rng_below(&r, 10000);
	d->house = 1 + (uint32_t)wl_rng_below(&r, 999);
	d->street = (uint8_t)wl_rng_below(&r, NPICK(streets));
	d->city = (uint8_t)wl_rng_below(&r, NPICK(cities));
	d->nwords = (uint8_t)(6 + wl_rng_below(&r, 25));
	for (int w = 0; w < d->nwords; w++)
		d->word[w] = (uint8_t)wl_rng_below(&r, NPICK(words));
	d->locale = (uint8_t)wl_rng_below(&r, NPICK(locales));
	d->logins = (uint32_t)wl_rng_below(&r, 10000);
}

/* ---- Text, as PostgreSQL prints it back ----------------------------------------- */
/* Hand-made appenders (each writes at p and returns the end), not snprintf:
 * the load makes a million fields, and a libc's printf would then weigh
 * more than the database work this workload is about. */

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);
	memcpy(p, s, n);
	return p + n;
}

static char *put_lower(char *p, const char *s)
{
	for (; *s; s++)
		*p++ = (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : *s;
	return p;
}

/* v in decimal, zero-padded to at least width digits. */
static char *put_uint(char *p, uint64_t v, int width)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < width)
		tmp[n++] = '0';
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_hex(char *p, uint64_t v, int digits)
{
	for (int k = digits - 1; k >= 0; k--)
		*p++ = "0123456789abcdef"[(v >> (4 * k)) & 0xf];
	return p;
}

/* Proleptic Gregorian YYYY-MM-DD of a day count from 1970-01-01: integer
 * arithmetic, no libc time functions (their zones and ranges differ). */
static char *put_date(char *p, long long z)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	long long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
	long long y = yoe + era * 400 + (m <= 2);
	p = put_uint(p, (uint64_t)y, 4);
	*p++ = '-';
	p = put_uint(p, (uint64_t)m, 2);
	*p++ = '-';
	return put_uint(p, (uint64_t)d, 2);
}

static char *put_id(char *p, const struct user_draw *d)
{
	p = put_hex(p, d->a >> 32, 8);
	*p++ = '-';
	p = put_hex(p, d->a >> 16, 4);
	*p++ = '-';
	p = put_hex(p, d->a, 4);
	*p++ = '-';
	p = put_hex(p, d->b >> 48, 4);
	*p++ = '-';
	return put_hex(p, d->b, 12);
}

static char *put_name(char *p, const struct user_draw *d)
{
	p = put_str(p, first_names[d->first]);
	*p++ = ' ';
	return put_str(p, last_names[d->last]);
}

static char *put_email(char *p, const struct user_draw *d)
{
	p = put_lower(p, first_names[d->first]);
	*p++ = '.';
	p = put_lower(p, last_names[d->last]);
	*p++ = '.';
	p = put_uint(p, d->i, 0);
	return put_str(p, "@example.com");
}

/* timestamptz under TimeZone UTC and DateStyle ISO: "2021-03-04 05:06:07+00". */
static char *put_created(char *p, const struct user_draw *d)
{
	uint32_t s = d->created_s;
	p = put_date(p, 18262 + s / 86400); /* 2020-01-01 */
	*p++ = ' ';
	p = put_uint(p, s % 86400 / 3600, 2);
	*p++ = ':';
	p = put_uint(p, s % 3600 / 60, 2);
	*p++ = ':';
	p = put_uint(p, s % 60, 2);
	return put_str(p, "+00");
}

static char *put_phone(char *p, const struct user_draw *d)
{
	p = put_str(p, "+82-10-");
	p = put_uint(p, d->phone1, 4);
	*p++ = '-';
	return put_uint(p, d->phone2, 4);
}

static char *put_birth(char *p, const struct user_draw *d)
{
	return put_date(p, -7305 + (long long)d->birth_day); /* 1950-01-01 */
}

static char *put_address(char *p, const struct user_draw *d)
{
	p = put_uint(p, d->house, 0);
	*p++ = ' ';
	p = put_str(p, streets[d->street]);
	p = put_str(p, " Street, ");
	return put_str(p, cities[d->city]);
}

static char *put_bio(char *p, const struct user_draw *d)
{
	for (int w = 0; w < d->nwords; w++) {
		if (w)
			*p++ = ' ';
		p = put_str(p, words[d->word[w]]);
	}
	return p;
}

static char *put_avatar(char *p, const struct user_draw *d)
{
	p = put_str(p, "https://example.com/avatars/");
	p = put_id(p, d);
	return put_str(p, ".png");
}

static char *put_locale(char *p, const struct user_draw *d)
{
	return put_str(p, locales[d->locale]);
}

static char *put_logins(char *p, const struct user_draw *d)
{
	return put_uint(p, d->logins, 0);
}

/* The columns of the fetch query, in its order. No value is longer than
 * MAX_VALUE (the bio: 30 words of at most 10 letters), and none holds a
 * tab, newline or backslash, so COPY text needs no escaping. */
#define MAX_VALUE 400
#define FETCH_COLUMNS 11
static char *(*const put_column[FETCH_COLUMNS])(char *, const struct user_draw *) = {
	put_id, put_name, put_email, put_created, put_phone, put_birth,
	put_address, put_bio, put_avatar, put_locale, put_logins,
};

/* ---- Setup and load ------------------------------------------------------------ */

/* Session settings that make the server print values the way put_column
 * writes them, and keep its notices off our stderr. */
static const char session_sql[] =
	"SET client_min_messages = warning; SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'";

static const char fetch_sql[] =
	"SELECT u.id, u.name, u.email, u.created_at, p.phone, p.birth_date, p.address,"
	" f.bio, f.avatar_url, f.locale, f.login_count"
	" FROM " SCHEMA ".users u"
	" JOIN " SCHEMA ".user_private p ON p.user_id = u.id"
	" JOIN " SCHEMA ".user_profile f ON f.user_id = u.id"
	" WHERE u.id = ANY($1::uuid[])";

static PGconn *connect_or_fail(const char *conninfo)
{
	/* connect_timeout and application_name come before the expanded
	 * string, so that the user's own values win. */
	const char *keys[] = { "connect_timeout", "application_name", "dbname", NULL };
	const char *vals[] = { "10", "bt-pgio", conninfo, NULL };
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	if (!c)
		wl_fail("could not connect to the server: out of memory");
	run.conns[run.nconns++] = c;
	if (PQstatus(c) != CONNECTION_OK) {
		char buf[512];
		exit_if_stopped();
		wl_fail("could not connect to the server: %s", one_line(PQerrorMessage(c), buf, sizeof buf));
	}
	exec_or_fail(c, session_sql, "setting up the session");
	return c;
}

static void create_tables(PGconn *c)
{
	exec_or_fail(c, "DROP SCHEMA IF EXISTS " SCHEMA " CASCADE", "dropping the tables of an earlier run");
	run.schema_made = true;
	exec_or_fail(c,
		     "CREATE SCHEMA " SCHEMA ";"
		     "CREATE TABLE " SCHEMA ".users (id uuid PRIMARY KEY, name text NOT NULL,"
		     " email text NOT NULL, created_at timestamptz NOT NULL);"
		     "CREATE TABLE " SCHEMA ".user_private (user_id uuid PRIMARY KEY REFERENCES " SCHEMA ".users (id),"
		     " phone text NOT NULL, birth_date date NOT NULL, address text NOT NULL);"
		     "CREATE TABLE " SCHEMA ".user_profile (user_id uuid PRIMARY KEY REFERENCES " SCHEMA ".users (id),"
		     " bio text NOT NULL, avatar_url text NOT NULL, locale text NOT NULL, login_count integer NOT NULL)",
		     "creating the tables");
}

/* The three tables: their COPY, and which fetch columns make their rows. */
struct table {
	const char *copy_sql;
	const char *what;
	int ncols;
	int cols[5];
};
static const struct table tables[] = {
	{ "COPY " SCHEMA ".users (id, name, email, created_at) FROM STDIN", "loading users", 4, { 0, 1, 2, 3 } },
	{ "COPY " SCHEMA ".user_private (user_id, phone, birth_date, address) FROM STDIN", "loading user_private",
	  4, { 0, 4, 5, 6 } },
	{ "COPY " SCHEMA ".user_profile (user_id, bio, avatar_url, locale, login_count) FROM STDIN",
	  "loading user_profile", 5, { 0, 7, 8, 9, 10 } },
};

#define COPY_CHUNK (256 * 1024)

static void send_chunk(PGconn *c, const struct table *t, const char *data, size_t len)
{
	if (PQputCopyData(c, data, (int)len) != 1) {
		char buf[512];
		exit_if_stopped();
		wl_fail("%s failed: %s", t->what, one_line(PQerrorMessage(c), buf, sizeof buf));
	}
	exit_if_stopped();
}

/* COPY rows of every user into table t, in chunks of about COPY_CHUNK. */
static void copy_table(PGconn *c, const struct table *t, const struct options *o)
{
	char buf[512];
	PGresult *r = PQexec(c, t->copy_sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		result_error(r, c, buf, sizeof buf);
		PQclear(r);
		exit_if_stopped();
		wl_fail("%s failed: %s", t->what, buf);
	}
	PQclear(r);
	const size_t row_max = 5 * (MAX_VALUE + 1);
	char *chunk = wl_malloc(COPY_CHUNK + row_max);
	char *p = chunk;
	struct user_draw d;
	for (long i = 0; i < o->users; i++) {
		draw_user(o->seed, (uint64_t)i, &d);
		for (int k = 0; k < t->ncols; k++) {
			p = put_column[t->cols[k]](p, &d);
			*p++ = k + 1 < t->ncols ? '\t' : '\n';
		}
		if ((size_t)(p - chunk) >= COPY_CHUNK) {
			send_chunk(c, t, chunk, (size_t)(p - chunk));
			p = chunk;
		}
	}
	if (p > chunk)
		send_chunk(c, t, chunk, (size_t)(p - chunk));
	free(chunk);
	if (PQputCopyEnd(c, NULL) != 1) {
		exit_if_stopped();
		wl_fail("%s failed: %s", t->what, one_line(PQerrorMessage(c), buf, sizeof buf));
	}
	r = PQgetResult(c);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		result_error(r, c, buf, sizeof buf);
	PQclear(r);
	while ((r = PQgetResult(c)))
		PQclear(r);
	if (!ok) {
		exit_if_stopped();
		wl_fail("%s failed: %s", t->what, buf);
	}
}

/* ---- Queries --------------------------------------------------------------------- */

struct pick {
	char id[40];
	uint32_t user;
	bool seen;
};

static int pick_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pick *)a)->id, ((const struct pick *)b)->id);
}

/* Set by the first worker that fails, so that the others stop too. */
static atomic_bool workers_failed;

struct worker {
	int index;
	PGconn *conn;
	const struct options *o;
	double *latency;       /* rounds x connections, this worker's column */
	uint64_t rows;
	char err[512];
};

/* Every requested user came back once, with exactly the values loaded. */
static int check_rows(struct worker *w, const PGresult *r, struct pick *want, size_t n, long round)
{
	int nrows = PQntuples(r);
	if (PQnfields(r) != FETCH_COLUMNS) {
		snprintf(w->err, sizeof w->err, "the fetch query returned %d columns instead of %d", PQnfields(r),
			 FETCH_COLUMNS);
		return -1;
	}
	for (int row = 0; row < nrows; row++) {
		struct pick key;
		snprintf(key.id, sizeof key.id, "%s", PQgetvalue(r, row, 0));
		struct pick *p = bsearch(&key, want, n, sizeof *want, pick_cmp);
		if (!p || p->seen) {
			snprintf(w->err, sizeof w->err, "round %ld on connection %d: user %s came back %s", round + 1,
				 w->index + 1, key.id, p ? "twice" : "without being asked for");
			return -1;
		}
		p->seen = true;
		struct user_draw d;
		draw_user(w->o->seed, p->user, &d);
		for (int col = 1; col < FETCH_COLUMNS; col++) {
			char expect[MAX_VALUE + 1];
			*put_column[col](expect, &d) = '\0';
			if (strcmp(PQgetvalue(r, row, col), expect) != 0) {
				snprintf(w->err, sizeof w->err,
					 "round %ld on connection %d: user %s came back with %s '%.60s' instead of '%.60s'",
					 round + 1, w->index + 1, key.id, PQfname(r, col), PQgetvalue(r, row, col), expect);
				return -1;
			}
		}
	}
	if ((size_t)nrows != n) {
		snprintf(w->err, sizeof w->err,
			 "round %ld on connection %d: asked for %zu users and got %d rows (each needs its private and profile row)",
			 round + 1, w->index + 1, n, nrows);
		return -1;
	}
	w->rows += (uint64_t)nrows;
	return 0;
}

/* The distinct users of one round, from the round's own stream (so every
 * worker draws the same ones, whatever the threads do): draws with
 * rejection of repeats, marked in a bitmap of all users that is cleared
 * again before returning. */
static void draw_round(const struct options *o, long round, uint32_t *picks, uint8_t *mark)
{
	struct wl_rng r;
	wl_rng_seed2(&r, o->seed, PICK_STREAM + (uint64_t)round);
	for (long j = 0; j < o->batch;) {
		uint32_t u = (uint32_t)wl_rng_below(&r, (uint64_t)o->users);
		if (mark[u >> 3] & (1u << (u & 7)))
			continue;
		mark[u >> 3] |= (uint8_t)(1u << (u & 7));
		picks[j++] = u;
	}
	for (long j = 0; j < o->batch; j++)
		mark[picks[j] >> 3] = 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	const struct options *o = w->o;
	long lo = w->index * o->batch / o->connections, hi = (w->index + 1) * o->batch / o->connections;
	size_t n = (size_t)(hi - lo);
	struct pick *want = wl_calloc(n, sizeof *want);
	char *param = wl_malloc(n * 37 + 3);
	uint32_t *picks = wl_malloc(wl_mul((size_t)o->batch, sizeof *picks));
	uint8_t *mark = wl_calloc((size_t)o->users / 8 + 1, 1);
	for (long round = 0; round < o->rounds && !stop_signal && !atomic_load(&workers_failed); round++) {
		draw_round(o, round, picks, mark);
		/* This connection's share, and the array literal {id,id,...}:
		 * all made before the clock starts. */
		size_t len = 0;
		param[len++] = '{';
		for (size_t k = 0; k < n; k++) {
			want[k].user = picks[lo + (long)k];
			want[k].seen = false;
			struct user_draw d;
			draw_user(o->seed, want[k].user, &d);
			*put_id(want[k].id, &d) = '\0';
			if (k)
				param[len++] = ',';
			memcpy(param + len, want[k].id, 36);
			len += 36;
		}
		param[len++] = '}';
		param[len] = '\0';
		qsort(want, n, sizeof *want, pick_cmp);
		const char *values[1] = { param };
		double t0 = wl_now();
		PGresult *r = PQexecPrepared(w->conn, "fetch", 1, values, NULL, NULL, 0);
		w->latency[round * o->connections + w->index] = wl_now() - t0;
		int rc;
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			char buf[400];
			snprintf(w->err, sizeof w->err, "the fetch query failed on connection %d: %s", w->index + 1,
				 result_error(r, w->conn, buf, sizeof buf));
			rc = -1;
		} else {
			rc = check_rows(w, r, want, n, round);
		}
		PQclear(r);
		if (rc < 0) {
			atomic_store(&workers_failed, true);
			break;
		}
	}
	free(mark);
	free(picks);
	free(param);
	free(want);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted values: the smallest value with at least
 * p % of all values at or below it, i.e. v[ceil(p/100 * n) - 1]. */
static double percentile(const double *sorted, size_t n, unsigned p)
{
	size_t rank = ((size_t)p * n + 99) / 100;
	return sorted[rank ? rank - 1 : 0];
}

static void query_phase(const struct options *o)
{
	size_t nlat = (size_t)(o->rounds * o->connections);
	double *latency = wl_calloc(nlat, sizeof *latency);
	struct worker *w = wl_calloc((size_t)o->connections, sizeof *w);
	pthread_t *tid = wl_calloc((size_t)o->connections, sizeof *tid);
	for (int i = 0; i < o->connections; i++) {
		PGconn *c = i == 0 ? run.conns[0] : connect_or_fail(o->pg ? o->pg : pgcluster_conninfo(run.cluster));
		PGresult *r = PQprepare(c, "fetch", fetch_sql, 1, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			char buf[512];
			result_error(r, c, buf, sizeof buf);
			PQclear(r);
			exit_if_stopped();
			wl_fail("preparing the fetch query failed: %s", buf);
		}
		PQclear(r);
		if (i > 0)
			register_cancel(i, c);
		w[i] = (struct worker){ .index = i, .conn = c, .o = o, .latency = latency };
	}
	exit_if_stopped();
	wl_phase("query");
	/* The workers block the signals, so the handler runs here, the only
	 * thread that touches the cancel list. */
	sigset_t old;
	signals_block(&old);
	double t0 = wl_now();
	int started = 0;
	for (; started < o->connections; started++)
		if (pthread_create(&tid[started], NULL, worker_main, &w[started]) != 0)
			break;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	double wall = wl_now() - t0;
	exit_if_stopped();
	if (started < o->connections)
		wl_fail("could not start %ld threads", o->connections);
	uint64_t rows = 0;
	for (int i = 0; i < o->connections; i++) {
		if (w[i].err[0])
			wl_fail("%s", w[i].err);
		rows += w[i].rows;
	}
	qsort(latency, nlat, sizeof *latency, cmp_double);
	wl_metric("query_p50", percentile(latency, nlat, 50), "s");
	wl_metric("query_p95", percentile(latency, nlat, 95), "s");
	wl_metric("query_p99", percentile(latency, nlat, 99), "s");
	wl_metric("query_max", latency[nlat - 1], "s");
	wl_metric("qps", (double)nlat / wall, "ops/s"); /* queries: one per connection per round */
	wl_metric("rows_fetched", (double)rows, "");
	free(tid);
	free(w);
	free(latency);
}

/* ---- Main ---------------------------------------------------------------------------- */

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option lo[] = {
		{ "users", required_argument, NULL, 'u' },   { "batch", required_argument, NULL, 'b' },
		{ "rounds", required_argument, NULL, 'r' },  { "connections", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },    { "pg", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },          { "describe", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	*o = (struct options){ .users = 100000, .batch = 1000, .rounds = 10, .connections = 1, .seed = 42 };
	int ch;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
		switch (ch) {
		case 'u': o->users = (long)wl_opt_ll("--users", optarg, 1, 10000000); break;
		case 'b': o->batch = (long)wl_opt_ll("--batch", optarg, 1, 100000); break;
		case 'r': o->rounds = (long)wl_opt_ll("--rounds", optarg, 1, 1000000); break;
		case 'c': o->connections = (long)wl_opt_ll("--connections", optarg, 1, MAX_CONNECTIONS); break;
		case 's': o->seed = (uint64_t)wl_opt_ll("--seed", optarg, 0, INT64_MAX); break;
		case 'p':
			if (!*optarg)
				wl_usage_error("--pg takes a libpq connection string or 'none', not an empty string");
			o->pg = strcmp(optarg, "none") == 0 ? NULL : optarg;
			break;
		case 'h': wl_print_help(about, params); exit(0);
		case 'D': wl_print_describe("pgio", about, params); exit(0);
		case ':': wl_usage_error("%s needs a value", argv[optind - 1]);
		default: wl_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		wl_usage_error("unexpected argument '%s'", argv[optind]);
	if (o->batch > o->users)
		wl_usage_error("--batch (%ld) cannot be more than --users (%ld): a round fetches distinct users", o->batch,
			       o->users);
	if (o->connections > o->batch)
		wl_usage_error("--connections (%ld) cannot be more than --batch (%ld): each connection fetches a share of a batch",
			       o->connections, o->batch);
	if (o->rounds * o->connections > MAX_LATENCIES)
		wl_usage_error("--rounds x --connections may be at most %lld (one latency is kept per query)",
			       MAX_LATENCIES);
}

static void start_cluster(void)
{
	char err[1024];
	wl_phase("server");
	double t0 = wl_now();
	if (pgcluster_start(&run.cluster, &stop_signal, err, sizeof err) < 0) {
		exit_if_stopped();
		wl_fail("could not start a throwaway PostgreSQL server: %s", err);
	}
	wl_metric("server_start_time", wl_now() - t0, "s");
	wl_info("server", "throwaway cluster");
}

static void load_phase(PGconn *c, const struct options *o)
{
	wl_phase("load");
	/* load_time: the three COPYs, making the rows in the client included
	 * (a loader has to make its data too; here it is cheap and libc-free). */
	double t0 = wl_now();
	for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
		copy_table(c, &tables[t], o);
	wl_metric("load_time", wl_now() - t0, "s");
	wl_metric("rows_loaded", 3.0 * (double)o->users, "");
	/* Fresh statistics and visibility before querying, and no autovacuum
	 * waking up in the middle of the query phase. */
	exec_or_fail(c, "VACUUM (ANALYZE) " SCHEMA ".users, " SCHEMA ".user_private, " SCHEMA ".user_profile",
		     "vacuuming the tables");
}

int main(int argc, char **argv)
{
	wl_init(argv[0]);
	struct options o;
	parse_options(argc, argv, &o);
	wl_options_done();
	run.o = &o;
	catch_signals();
	atexit(cleanup); /* wl_fail exits: the server and the schema go too */
	if (!o.pg)
		start_cluster();
	else
		wl_info("server", "given by --pg");
	exit_if_stopped();

	wl_phase("setup");
	PGconn *c = connect_or_fail(o.pg ? o.pg : pgcluster_conninfo(run.cluster));
	register_cancel(0, c);
	char v[32];
	snprintf(v, sizeof v, "%d.%d", PQlibVersion() / 10000, PQlibVersion() % 10000);
	wl_info("libpq_version", v);
	const char *sv = PQparameterStatus(c, "server_version");
	wl_info("server_version", sv ? sv : "unknown");
	create_tables(c);
	exit_if_stopped();

	load_phase(c, &o);
	exit_if_stopped();
	query_phase(&o);

	wl_phase("cleanup");
	cleanup();
	exit_if_stopped();
	wl_finish();
	return 0;
}
