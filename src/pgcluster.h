/* pgcluster — a throwaway PostgreSQL cluster for one run: initdb into a fresh
 * temporary directory, a server that listens only on a unix socket in that
 * directory, one database; stopped and removed afterwards.
 *
 * Layout of the directory (mkdtemp "bt-pg.XXXXXX" under $TMPDIR, or /tmp when
 * $TMPDIR is unset, holds characters other than [A-Za-z0-9/._+-], or is too
 * long for a socket path):
 *   DIR/owner        the pid of the process that made it
 *   DIR/data         the cluster (initdb --locale=C -E UTF8 -A trust -U postgres)
 *   DIR/initdb.log   what initdb and the single-user CREATE DATABASE said
 *   DIR/server.log   the server's log (stderr)
 *   DIR/.s.PGSQL.5432 the socket; the port is fixed, the directory is private
 * The database is "benchtop", the superuser "postgres", authentication
 * "trust"; only the directory's owner (mode 0700) can reach the socket.
 *
 * Server settings: fsync=off (and so no flushes at commit): the cluster is
 * thrown away, and a run measures the client and the server's CPU work, not
 * the disk's flush latency on a shared machine. shared_buffers=128MB
 * (PostgreSQL's own default, stated so initdb's probing cannot change it).
 *
 * Binaries: $BENCHTOP_PG_BINDIR if set, else the highest
 * /usr/lib/postgresql/N/bin (Debian), else initdb on PATH (Alpine); the
 * postgres binary must sit beside initdb.
 *
 * Root: PostgreSQL refuses to run as root, so when the effective uid is 0,
 * initdb and postgres run as the user "postgres" if it exists, else
 * "nobody"; the directory is given to that user, and the child drops its
 * groups, gid and uid before exec.
 *
 * Processes: every child (initdb, the single-user backend, the server) runs
 * in a session of its own, so a terminal's Ctrl-C reaches only the caller,
 * which then stops the cluster itself. The children also get a parent-death
 * signal (Linux): if the thread that called pgcluster_start dies without
 * stopping the cluster (SIGKILL), the server shuts itself down; the
 * directory then stays behind until the next pgcluster_start in the same
 * place removes it (a bt-pg.* directory whose owner and server are gone).
 *
 * What the caller must do:
 *   - call start and stop from one thread that lives as long as the cluster
 *     (the main thread);
 *   - not ignore SIGCHLD; stop waits for the server by its pid. A caller
 *     that reaps with wait(-1) (a subreaper) may reap a server that died
 *     on its own; stop then finds it gone and signals nothing;
 *   - catch SIGINT and SIGTERM (a handler that sets a flag, or a thread in
 *     sigwait), pass that flag to pgcluster_start so that a start in
 *     progress gives up at once, and call pgcluster_stop before exiting,
 *     also on errors.
 *
 * Errors: -1 and one sentence in err (no trailing period), quoting the log's
 * most telling line when a child failed. Pure C and POSIX plus a few
 * Linux-only calls (prctl, close_range, /proc to find a killed server's
 * children): no libbenchtop, builds with musl-gcc. */
#ifndef BT_PGCLUSTER_H
#define BT_PGCLUSTER_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

struct pgcluster;

/* Seconds allowed for the server to accept connections after it starts. */
#define PGCLUSTER_START_TIMEOUT 30
/* Seconds allowed for a fast shutdown before the server is killed. */
#define PGCLUSTER_STOP_TIMEOUT 15

/* Creates the directory, runs initdb, creates the database and starts the
 * server; returns once it accepts connections. On success *out owns the
 * cluster (release it with pgcluster_stop). cancel may be NULL; otherwise it
 * is polled while waiting (every 50 ms at most): once non-zero, start kills
 * what it started, removes the directory and fails with "interrupted". On
 * failure everything started is stopped and removed, *out is NULL. */
int pgcluster_start(struct pgcluster **out, const volatile sig_atomic_t *cancel, char *err,
		    size_t errlen);

/* libpq connection string: "host=DIR port=5432 dbname=benchtop user=postgres". */
const char *pgcluster_conninfo(const struct pgcluster *c);
/* The temporary directory (the socket's directory). */
const char *pgcluster_dir(const struct pgcluster *c);
/* The postmaster's pid (our child). */
pid_t pgcluster_pid(const struct pgcluster *c);

/* Fast shutdown (SIGINT to the postmaster), waits up to
 * PGCLUSTER_STOP_TIMEOUT s, then SIGKILL to it and to its children (by pid);
 * removes the directory and frees c. Returns -1 with a sentence when the
 * server had to be killed or the directory could not be removed; c is freed
 * either way. NULL is a no-op. Clients should have disconnected (a fast
 * shutdown ends their sessions anyway). */
int pgcluster_stop(struct pgcluster *c, char *err, size_t errlen);

#endif
