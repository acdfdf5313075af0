#!/bin/bash
# bt-pgio (src/workloads/pgio.c), each libc variant in $BT_WL_DIR: against a
# server this test starts itself (initdb + pg_ctl, unix socket only, as the
# postgres user when root) with --pg, then with a throwaway cluster of its
# own. Checks the metrics and protocol lines, that its tables (schema
# bt_pgio) are dropped at the end while the database's own tables stay, that
# a changed or missing row is caught, and that nothing is left behind.
. "$(dirname "$0")/lib.sh"

if [ -z "${BT_WL_DIR:-}" ]; then
	echo "# skip: BT_WL_DIR is not set"
	exit 77
fi
BIN=
if [ -n "${BENCHTOP_PG_BINDIR:-}" ]; then
	BIN=$BENCHTOP_PG_BINDIR
else
	BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n | tail -1)
	[ -n "$BIN" ] || BIN=$(dirname "$(command -v initdb 2>/dev/null || echo /x/none)")
fi
for p in initdb pg_ctl psql; do
	if [ ! -x "$BIN/$p" ]; then
		echo "# skip: no $p in '$BIN' (install postgresql-15 or set BENCHTOP_PG_BINDIR)"
		exit 77
	fi
done

# as_pg CMD...: PostgreSQL will not run as root; the postgres user does.
PGUSER_OS=$(id -un)
if [ "$(id -u)" = 0 ]; then
	PGUSER_OS=postgres
	id postgres >/dev/null 2>&1 || PGUSER_OS=nobody
fi
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$PGUSER_OS" -- "$@"
	else
		"$@"
	fi
}

# The server's directory must be reachable by its user, unlike $TMP (0700).
PGT=$(mktemp -d /tmp/bt-pgtest.XXXXXX)
TT=$(mktemp -d /tmp/bt-pgtt.XXXXXX) # TMPDIR of the throwaway clusters
chmod 755 "$TT"
[ "$(id -u)" = 0 ] && chown "$PGUSER_OS" "$PGT"
pg_cleanup() {
	[ -f "$PGT/data/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$PGT/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$PGT" "$TT"
	cleanup
}
trap pg_cleanup EXIT

as_pg "$BIN/initdb" -D "$PGT/data" -A trust -U postgres -E UTF8 --locale=C -N >"$TMP/initdb.log" 2>&1 ||
	{ notok "initdb for the test's own server: $(tail -1 "$TMP/initdb.log")"; finish; exit; }
as_pg "$BIN/pg_ctl" -D "$PGT/data" -l "$PGT/log" -w -t 30 \
	-o "-c listen_addresses='' -c unix_socket_directories=$PGT -c fsync=off" start >/dev/null 2>&1 ||
	{ notok "the test's own server starts: $(tail -1 "$PGT/log")"; finish; exit; }
CONN="host=$PGT port=5432 dbname=postgres user=postgres"
sql() { "$BIN/psql" "$CONN" -X -Atq -v ON_ERROR_STOP=1 -c "$1"; }
# The database's own table of the same name, which bt-pgio must not touch.
sql "CREATE TABLE public.users (id int); INSERT INTO public.users VALUES (7)"

# metric FILE NAME: the value of a metric line of a protocol file.
metric() { awk -v n="$2" '$1 == "metric" && $2 == n { print $3 }' "$1"; }

# check_run TAG PROTO USERS BATCH ROUNDS PHASES: the protocol of a finished run.
check_run() {
	local tag=$1 f=$2 users=$3 batch=$4 rounds=$5 phases=$6
	check "$tag: phases $phases in order" \
		test "$(awk '$1 == "phase" { printf "%s%s", sep, $2; sep = " " }' "$f")" = "$phases"
	local m
	for m in load_time rows_loaded query_p50 query_p95 query_p99 query_max qps rows_fetched; do
		check "$tag: metric $m reported" test -n "$(metric "$f" $m)"
	done
	check "$tag: rows_loaded = 3 x users" test "$(metric "$f" rows_loaded)" = $((3 * users))
	check "$tag: rows_fetched = rounds x batch" test "$(metric "$f" rows_fetched)" = $((rounds * batch))
	check "$tag: 0 < p50 <= p95 <= p99 <= max" pytrue \
		"0 < $(metric "$f" query_p50) <= $(metric "$f" query_p95) <= $(metric "$f" query_p99) <= $(metric "$f" query_max)"
	check "$tag: load_time and qps are positive" pytrue "$(metric "$f" load_time) > 0 and $(metric "$f" qps) > 0"
	check "$tag: the latencies are in seconds" grep -q '^metric query_p95 [0-9.e+-]* s$' "$f"
}

# postmaster_of PID: the server a bt-pgio runs (its child "postgres -D ... -p").
postmaster_of() {
	local p
	for p in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -q '/postgres -D .* -p ' && { echo "$p"; return; }
	done
}
# none_alive PID...: none of them runs (a zombie left to init counts as gone).
none_alive() {
	local p
	for p in "$@"; do
		[ -r "/proc/$p/stat" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$p/stat" 2>/dev/null && return 1
	done
	return 0
}

ran=0
declare -A digest
for v in glibc musl; do
	B=$BT_WL_DIR/$v/bt-pgio
	if [ ! -x "$B" ]; then
		echo "# $v: no $B, skipped"
		continue
	fi
	ran=1
	for c in 1 2; do
		tag="$v --pg, $c connection(s)"
		BENCHTOP_RESULT_FD=3 "$B" --pg "$CONN" --users 2000 --batch 100 --rounds 3 --connections $c \
			3>"$TMP/$v.$c.proto" >"$TMP/$v.$c.out" 2>"$TMP/$v.$c.err"
		rc=$?
		check "$tag: exit 0 ($rc; $(head -c 300 "$TMP/$v.$c.err"))" test $rc -eq 0
		check_run "$tag" "$TMP/$v.$c.proto" 2000 100 3 "setup load query cleanup"
		check "$tag: nothing on stdout under the protocol" test ! -s "$TMP/$v.$c.out"
		check "$tag: its schema is dropped at the end" test "$(sql "SELECT count(*) FROM pg_namespace WHERE nspname = 'bt_pgio'")" = 0
		check "$tag: the database's own users table is untouched" test "$(sql "SELECT string_agg(id::text, ',') FROM public.users")" = 7
	done

	# By hand: a human summary on stdout.
	"$B" --pg "$CONN" --users 500 --batch 50 --rounds 2 >"$TMP/$v.hand" 2>&1
	check "$v by hand: exit 0 and a summary with query_p95" grep -q 'query_p95 .* s$' "$TMP/$v.hand"

	# Rows changed or removed under a running query phase are caught.
	for tamper in "UPDATE bt_pgio.user_profile SET locale = 'xx_XX'" "DELETE FROM bt_pgio.user_profile"; do
		rm -f "$TMP/tamper.proto"
		BENCHTOP_RESULT_FD=3 "$B" --pg "$CONN" --users 2000 --batch 100 --rounds 1000000 \
			3>"$TMP/tamper.proto" >/dev/null 2>"$TMP/tamper.err" &
		bp=$!
		BG_PIDS+=("$bp")
		for ((i = 0; i < 200; i++)); do
			grep -q '^phase query' "$TMP/tamper.proto" 2>/dev/null && break
			sleep 0.1
		done
		# The data as loaded, to compare across libcs (same seed, same rows).
		[ -z "${digest[$v]:-}" ] && digest[$v]=$(sql "SELECT md5(string_agg(u::text || p::text || f::text, ',' ORDER BY u.id))
			FROM bt_pgio.users u JOIN bt_pgio.user_private p ON p.user_id = u.id
			JOIN bt_pgio.user_profile f ON f.user_id = u.id")
		sql "$tamper" || notok "$v: tampering ($tamper) failed"
		wait_gone "$bp" 20 || kill -KILL "$bp" 2>/dev/null
		wait "$bp"
		rc=$?
		check "$v after '$tamper': exit 1 ($rc)" test $rc -eq 1
		check "$v after '$tamper': one sentence naming the mismatch ($(cat "$TMP/tamper.err"))" \
			test "$(wc -l <"$TMP/tamper.err")" = 1 -a -n "$(grep -E "came back with locale 'xx_XX'|asked for 100 users and got 0 rows" "$TMP/tamper.err")"
		check "$v after '$tamper': the schema is dropped on failure too" test "$(sql "SELECT count(*) FROM pg_namespace WHERE nspname = 'bt_pgio'")" = 0
	done

	# A throwaway cluster of its own, under TMPDIR=$TT.
	BENCHTOP_RESULT_FD=3 TMPDIR=$TT "$B" --users 2000 --batch 100 --rounds 3 --connections 2 \
		3>"$TMP/$v.own.proto" >/dev/null 2>"$TMP/$v.own.err" &
	bp=$!
	BG_PIDS+=("$bp")
	# Its postmaster and the postmaster's children, seen while it runs.
	pm=
	for ((i = 0; i < 400; i++)); do
		pm=$(postmaster_of "$bp")
		[ -n "$pm" ] && [ -n "$(ps -o pid= --ppid "$pm")" ] && break
		kill -0 "$bp" 2>/dev/null || break
		sleep 0.05
	done
	servers="$pm $([ -n "$pm" ] && ps -o pid= --ppid "$pm")"
	wait "$bp"
	rc=$?
	tag="$v throwaway cluster"
	check "$tag: exit 0 ($rc; $(head -c 300 "$TMP/$v.own.err"))" test $rc -eq 0
	check_run "$tag" "$TMP/$v.own.proto" 2000 100 3 "server setup load query cleanup"
	check "$tag: info server says so" grep -q '^info server throwaway cluster' "$TMP/$v.own.proto"
	check "$tag: its postmaster was seen running" test -n "$pm"
	check "$tag: its server processes ($(echo $servers)) are gone" none_alive $servers
	check "$tag: its directory is removed ($(ls "$TT"))" test -z "$(ls -A "$TT")"
done
[ $ran = 1 ] || { echo "# skip: no bt-pgio in $BT_WL_DIR/{glibc,musl}"; exit 77; }
for v in "${!digest[@]}"; do echo "# $v: digest of the loaded rows ${digest[$v]}"; done
if [ -n "${digest[glibc]:-}" ] && [ -n "${digest[musl]:-}" ]; then
	check "glibc and musl load the same rows for the same seed" test "${digest[glibc]}" = "${digest[musl]}"
fi
finish
