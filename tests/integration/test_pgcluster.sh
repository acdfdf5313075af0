#!/bin/bash
# The throwaway PostgreSQL cluster (src/pgcluster), through its test driver
# (tests/integration/pgcluster_drive) and through bt-pgio: it serves on a
# private unix socket only, as an unprivileged user when we are root; stop,
# SIGINT and SIGTERM (also in the middle of initdb, of a load and of a query
# phase) leave no server process and no directory behind; after a SIGKILL
# the server stops by itself and the next start removes the directory; a
# failing initdb or server, and a server that cannot be reached, get one
# sentence.
. "$(dirname "$0")/lib.sh"

DRIVE=${PGCLUSTER_DRIVE:-$(dirname "$BENCHTOP")/tests/integration/pgcluster_drive}
BIN=${BENCHTOP_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n | tail -1)}
[ -n "$BIN" ] || BIN=$(dirname "$(command -v initdb 2>/dev/null || echo /x/none)")
if [ ! -x "$BIN/initdb" ] || [ ! -x "$BIN/postgres" ]; then
	echo "# skip: no PostgreSQL server found (install postgresql-15 or set BENCHTOP_PG_BINDIR)"
	exit 77
fi
PGUSER_OS=$(id -un)
if [ "$(id -u)" = 0 ]; then
	PGUSER_OS=postgres
	id postgres >/dev/null 2>&1 || PGUSER_OS=nobody
fi

# TMPDIR of the clusters (reachable by the server's user), and fake bindirs.
TT=$(mktemp -d /tmp/bt-pgct.XXXXXX)
FAKE=$(mktemp -d /tmp/bt-pgfake.XXXXXX)
chmod 755 "$TT" "$FAKE"
mkdir -m 1777 "$FAKE/run"
pc_cleanup() {
	exec 7>&- 2>/dev/null
	rm -rf "$TT" "$FAKE"
	cleanup
}
trap pc_cleanup EXIT

# none_alive PID...: none of them runs (a zombie left to init counts as gone).
none_alive() {
	local p
	for p in "$@"; do
		[ -r "/proc/$p/stat" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$p/stat" 2>/dev/null && return 1
	done
	return 0
}
# postmaster_of PID: the server PID runs (its child "postgres -D ... -p").
postmaster_of() {
	local p
	for p in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -q '/postgres -D .* -p ' && { echo "$p"; return; }
	done
}
# server_pids PID: the postmaster of PID and its children, once all are up.
server_pids() {
	local pm= i
	for ((i = 0; i < 200; i++)); do
		pm=$(postmaster_of "$1")
		[ -n "$pm" ] && [ -n "$(ps -o pid= --ppid "$pm")" ] && break
		sleep 0.05
	done
	[ -n "$pm" ] && echo "$pm" $(ps -o pid= --ppid "$pm")
}
# wait_line FILE REGEX SECONDS
wait_line() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
tt_empty() { test -z "$(ls -A "$TT")"; }

# ---- The driver: a cluster held open, then stopped ------------------------
if [ -x "$DRIVE" ]; then
	# hold_start TAG: start the driver with stdin from a fifo held open on fd 7.
	hold_start() {
		rm -f "$TMP/hold" "$TMP/$1.out"
		mkfifo "$TMP/hold"
		TMPDIR=$TT "$DRIVE" <"$TMP/hold" >"$TMP/$1.out" 2>"$TMP/$1.err" &
		DP=$!
		BG_PIDS+=("$DP")
		exec 7>"$TMP/hold"
		wait_line "$TMP/$1.out" '^conninfo ' 30 || notok "$1: the driver started a cluster ($(cat "$TMP/$1.err"))"
		DIR=$(awk '$1 == "dir" { print $2 }' "$TMP/$1.out")
		PM=$(awk '$1 == "pid" { print $2 }' "$TMP/$1.out")
		CONNINFO=$(sed -n 's/^conninfo //p' "$TMP/$1.out")
	}

	hold_start drive
	check "the directory is a fresh one under TMPDIR ($DIR)" test -d "$DIR" -a "${DIR#$TT/bt-pg.}" != "$DIR"
	check "the socket is in it" test -S "$DIR/.s.PGSQL.5432"
	check "the directory is private (mode 700)" test "$(stat -c %a "$DIR")" = 700
	check "the server runs as $PGUSER_OS, the directory is its" \
		test "$(ps -o user= -p "$PM")" = "$PGUSER_OS" -a "$(stat -c %U "$DIR")" = "$PGUSER_OS"
	check "the server is in a session of its own (a terminal's Ctrl-C does not reach it)" \
		test "$(ps -o sid= -p "$PM" | tr -d ' ')" = "$PM"
	check "it listens on no TCP address (postmaster.pid line 6 is empty)" \
		test -z "$(sed -n 6p "$DIR/data/postmaster.pid")"
	check "conninfo names the directory, the database and the user" \
		test "$CONNINFO" = "host=$DIR port=5432 dbname=benchtop user=postgres"
	if [ -x "$BIN/psql" ]; then
		check "psql reaches the database through the socket" \
			test "$("$BIN/psql" -X -Atq -h "$DIR" -p 5432 -U postgres -d benchtop -c 'SELECT current_database() || 1')" = benchtop1
	fi
	servers=$(server_pids "$DP")
	exec 7>&-
	check "closing stdin stops the cluster within 20 s" wait_gone "$DP" 20
	wait "$DP"
	rc=$?
	check "the driver exits 0 ($rc; $(cat "$TMP/drive.err"))" test $rc -eq 0
	check "it says stopped" grep -qx stopped "$TMP/drive.out"
	check "no server process is left ($servers)" none_alive $servers
	check "the directory is removed" test ! -e "$DIR"

	# SIGTERM to the holder: the same cleanup, then it dies of the signal.
	hold_start term
	servers=$(server_pids "$DP")
	kill -TERM "$DP"
	check "SIGTERM: the driver ends within 20 s" wait_gone "$DP" 20
	wait "$DP"
	rc=$?
	exec 7>&-
	check "SIGTERM: it dies of the signal after cleaning up ($rc)" test $rc -eq 143
	check "SIGTERM: no server process is left ($servers)" none_alive $servers
	check "SIGTERM: the directory is removed" test ! -e "$DIR"

	# SIGKILL to the holder: its server stops by itself (parent-death
	# signal); its directory stays until the next start sweeps it away.
	hold_start kill9
	servers=$(server_pids "$DP")
	kill -KILL "$DP"
	wait "$DP" 2>/dev/null
	exec 7>&-
	for ((i = 0; i < 100; i++)); do none_alive $servers && break; sleep 0.1; done
	check "SIGKILL: the orphaned server stops by itself within 10 s ($servers)" none_alive $servers
	check "SIGKILL: its directory is left behind" test -d "$DIR"
	stale=$DIR
	hold_start sweep
	check "the next start removes the stale directory ($stale)" test ! -e "$stale"
	check "but not its own ($DIR)" test -d "$DIR"
	exec 7>&-
	wait "$DP"

	# Fake server programs: a slow initdb (to interrupt), a failing initdb,
	# and a server that fails to start.
	mkdir -m 755 "$FAKE/slow" "$FAKE/fail" "$FAKE/nostart"
	printf '#!/bin/sh\necho $$ >%s/run/slow.pid\nexec sleep 30\n' "$FAKE" >"$FAKE/slow/initdb"
	printf '#!/bin/sh\necho "initdb: error: simulated failure" >&2\nexit 1\n' >"$FAKE/fail/initdb"
	printf '#!/bin/sh\nexec %s/initdb "$@"\n' "$BIN" >"$FAKE/nostart/initdb"
	printf '#!/bin/sh\n[ "$1" = --single ] && exec %s/postgres "$@"\necho "FATAL:  simulated start failure" >&2\nexit 1\n' \
		"$BIN" >"$FAKE/nostart/postgres"
	cp "$FAKE/nostart/postgres" "$FAKE/slow/postgres"
	cp "$FAKE/nostart/postgres" "$FAKE/fail/postgres"
	chmod 755 "$FAKE"/*/*

	# SIGINT in the middle of initdb.
	BENCHTOP_PG_BINDIR=$FAKE/slow TMPDIR=$TT "$DRIVE" </dev/null >"$TMP/slow.out" 2>"$TMP/slow.err" &
	DP=$!
	BG_PIDS+=("$DP")
	wait_file "$FAKE/run/slow.pid" 10
	kill -INT "$DP"
	check "SIGINT during initdb: the driver ends within 5 s" wait_gone "$DP" 5
	wait "$DP"
	rc=$?
	check "SIGINT during initdb: it dies of SIGINT ($rc)" test $rc -eq 130
	check "SIGINT during initdb: initdb is killed" none_alive "$(cat "$FAKE/run/slow.pid")"
	check "SIGINT during initdb: the directory is removed" tt_empty

	BENCHTOP_PG_BINDIR=/nonexistent "$DRIVE" </dev/null >/dev/null 2>"$TMP/nobin.err"
	rc=$?
	check "a bindir without PostgreSQL: exit 1 ($rc) and one sentence ($(cat "$TMP/nobin.err"))" \
		test $rc -eq 1 -a "$(cat "$TMP/nobin.err")" = \
		"pgcluster_drive: BENCHTOP_PG_BINDIR (/nonexistent) does not hold the initdb and postgres programs."

	BENCHTOP_PG_BINDIR=$FAKE/fail TMPDIR=$TT "$DRIVE" </dev/null >/dev/null 2>"$TMP/fail.err"
	rc=$?
	check "a failing initdb: exit 1 ($rc)" test $rc -eq 1
	check "a failing initdb: one sentence quoting it ($(cat "$TMP/fail.err"))" \
		test "$(wc -l <"$TMP/fail.err")" = 1 -a -n "$(grep 'initdb failed.*its output says: initdb: error: simulated failure\.$' "$TMP/fail.err")"
	check "a failing initdb: the directory is removed" tt_empty

	BENCHTOP_PG_BINDIR=$FAKE/nostart TMPDIR=$TT "$DRIVE" </dev/null >/dev/null 2>"$TMP/nostart.err"
	rc=$?
	check "a server that does not start: exit 1 ($rc)" test $rc -eq 1
	check "a server that does not start: one sentence quoting its log ($(cat "$TMP/nostart.err"))" \
		test "$(wc -l <"$TMP/nostart.err")" = 1 -a -n "$(grep 'the server stopped while starting; its log says: FATAL:  simulated start failure\.$' "$TMP/nostart.err")"
	check "a server that does not start: the directory is removed" tt_empty
else
	echo "# no driver at $DRIVE (set PGCLUSTER_DRIVE): its checks skipped"
fi

# ---- bt-pgio: signals in the middle of a run, a bad --pg ---------------------
ran=0
for v in glibc musl; do
	B=${BT_WL_DIR:-/nonexistent}/$v/bt-pgio
	[ -x "$B" ] || { echo "# $v: no $B, skipped"; continue; }
	ran=1
	for case in "INT load 130" "TERM query 143" "INT query 130"; do
		set -- $case
		tag="$v SIG$1 during the $2 phase"
		rm -f "$TMP/sig.proto"
		BENCHTOP_RESULT_FD=3 TMPDIR=$TT "$B" --users 30000 --batch 200 --rounds 1000000 \
			3>"$TMP/sig.proto" >/dev/null 2>"$TMP/sig.err" &
		bp=$!
		BG_PIDS+=("$bp")
		servers=$(server_pids "$bp")
		wait_line "$TMP/sig.proto" "^phase $2" 30 || notok "$tag: the $2 phase was reached"
		kill -"$1" "$bp"
		check "$tag: bt-pgio ends within 10 s" wait_gone "$bp" 10
		wait "$bp"
		rc=$?
		check "$tag: it dies of the signal ($rc)" test $rc -eq "$3"
		check "$tag: it says so in one line ($(cat "$TMP/sig.err"))" \
			test "$(wc -l <"$TMP/sig.err")" = 1 -a -n "$(grep 'stopped by signal .*the throwaway server was stopped and removed' "$TMP/sig.err")"
		check "$tag: its server was seen" test -n "$servers"
		check "$tag: no server process is left ($servers)" none_alive $servers
		check "$tag: no directory is left" tt_empty
	done

	for bad in "host=$TMP/nowhere" "host=$TMP port=notaport"; do
		"$B" --pg "$bad" --users 10 --batch 1 --rounds 1 >/dev/null 2>"$TMP/bad.err"
		rc=$?
		check "$v --pg '$bad': exit 1 ($rc)" test $rc -eq 1
		check "$v --pg '$bad': one sentence ($(cat "$TMP/bad.err"))" \
			test "$(wc -l <"$TMP/bad.err")" = 1 -a -n "$(grep '^bt-pgio: could not connect to the server: .*\.$' "$TMP/bad.err")"
	done
done
[ $ran = 1 ] || echo "# no bt-pgio in \$BT_WL_DIR/{glibc,musl}: its checks skipped"
finish
