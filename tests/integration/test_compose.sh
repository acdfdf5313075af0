#!/bin/bash
# containers/compose.yaml and the Dockerfiles, checked without a Docker
# engine: docker-compose (Debian's, 1.29) validates the compose file against
# the Compose schema and resolves it (`config` needs no engine); then what
# the resolved file says is checked: both images get the one set of limits,
# which a change in one place moves for both; they build from the
# Dockerfiles with the repository as context, mount the trace directory on
# the images' working directory, depend on a healthy PostgreSQL 15 and talk
# to it with the credentials it was started with. The Dockerfiles: benchtop
# as entrypoint, the build stage runs image-build.sh, and the Debian build
# stage installs nothing tools/install-deps.sh does not (so the host's
# image-build test builds with what the image has). Skipped (77) without
# docker-compose. A few seconds.
set -u
source "$(dirname "$0")/lib.sh"
: "${TOP_SRCDIR:?run through make check, or set TOP_SRCDIR}"

if ! command -v docker-compose >/dev/null; then
	echo "# skipped: docker-compose is not installed (tools/install-deps.sh installs it)"
	exit 77
fi
# docker-compose's own interpreter has PyYAML (a dependency of the package).
PY=$(head -n 1 "$(command -v docker-compose)" | sed -n 's/^#! *//p' | cut -d' ' -f1)
[ -x "$PY" ] || PY=python3

C=$TOP_SRCDIR/containers
# resolve COMPOSE-FILE OUT: docker-compose config of the file into OUT.
resolve() { (cd "$TMP" && env -u BENCHTOP_TRACES docker-compose -f "$1" config >"$2" 2>"$2.err"); }
resolve "$C/compose.yaml" "$TMP/c.yaml"
rc=$?
check "docker-compose validates and resolves compose.yaml (exit $rc: $(head -c 300 "$TMP/c.yaml.err"))" test $rc -eq 0
if [ $rc -ne 0 ]; then
	finish
	exit 1
fi
# q FILE EXPR: a python expression over the resolved file, s = its services.
q() {
	"$PY" -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); s = d["services"]; print(eval(sys.argv[2]))' "$1" "$2"
}

check "services: debian, alpine and postgres" test "$(q "$TMP/c.yaml" 'sorted(s)')" = "['alpine', 'debian', 'postgres']"
for svc in debian alpine; do
	check "$svc: 6 CPUs, 8g memory, no swap beyond it" \
		test "$(q "$TMP/c.yaml" "[float(s['$svc']['cpus']), s['$svc']['mem_limit'], s['$svc']['memswap_limit']]")" = "[6.0, '8g', '8g']"
	check "$svc: built from containers/Dockerfile.$svc, the repository as context" \
		test "$(q "$TMP/c.yaml" "(s['$svc']['build']['dockerfile'], __import__('os').path.realpath(s['$svc']['build']['context']))")" = \
		"('containers/Dockerfile.$svc', '$(realpath "$TOP_SRCDIR")')"
	check "$svc: the Dockerfile exists" test -f "$TOP_SRCDIR/$(q "$TMP/c.yaml" "s['$svc']['build']['dockerfile']")"
	check "$svc: image benchtop:$svc, host name benchtop-$svc, interactive (stdin open, a tty)" \
		test "$(q "$TMP/c.yaml" "(s['$svc']['image'], s['$svc']['hostname'], s['$svc']['stdin_open'], s['$svc']['tty'])")" = \
		"('benchtop:$svc', 'benchtop-$svc', True, True)"
	check "$svc: traces go to the repository's traces/ through /traces" \
		test "$(q "$TMP/c.yaml" "[v.rsplit(':', 1)[0] if v.endswith(':rw') else v for v in s['$svc']['volumes']]")" = \
		"['$(realpath -m "$TOP_SRCDIR/traces"):/traces']"
	check "$svc: waits for a healthy postgres" \
		test "$(q "$TMP/c.yaml" "s['$svc']['depends_on']")" = "{'postgres': {'condition': 'service_healthy'}}"
	check "$svc: libpq's environment names the postgres service and its credentials" test \
		"$(q "$TMP/c.yaml" "[s['$svc']['environment'][k] for k in ('PGHOST', 'PGUSER', 'PGPASSWORD', 'PGDATABASE')]")" = \
		"$(q "$TMP/c.yaml" "['postgres'] + [s['postgres']['environment'][k] for k in ('POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB')]")"
done
check "postgres: PostgreSQL 15 with a pg_isready health check over TCP" \
	test "$(q "$TMP/c.yaml" "(s['postgres']['image'], s['postgres']['healthcheck']['test'][1:4])")" = \
	"('postgres:15', ['pg_isready', '-h', '127.0.0.1'])"

# One place: change the x-limits block and both images follow.
sed -e 's/^  cpus: 6$/  cpus: 3.5/' -e 's/^  mem_limit: &memory 8g$/  mem_limit: \&memory 3g/' "$C/compose.yaml" >"$TMP/limits.yaml"
resolve "$TMP/limits.yaml" "$TMP/c2.yaml"
check "the limits are in one place: changed there, both images get 3.5 CPUs and 3g" \
	test "$(q "$TMP/c2.yaml" "[(float(s[x]['cpus']), s[x]['mem_limit'], s[x]['memswap_limit']) for x in ('debian', 'alpine')]")" = \
	"[(3.5, '3g', '3g'), (3.5, '3g', '3g')]"
(cd "$TMP" && BENCHTOP_TRACES=/srv/bt-traces docker-compose -f "$C/compose.yaml" config >"$TMP/c3.yaml" 2>/dev/null)
check "BENCHTOP_TRACES moves the trace directory" \
	test "$(q "$TMP/c3.yaml" "s['alpine']['volumes'][0].split(':')[0]")" = /srv/bt-traces

# The Dockerfiles.
for f in debian alpine; do
	D=$C/Dockerfile.$f
	check "Dockerfile.$f: benchtop is the entrypoint" grep -qx 'ENTRYPOINT \["benchtop"\]' "$D"
	check "Dockerfile.$f: the build stage runs containers/image-build.sh" grep -q '^RUN sh containers/image-build.sh ' "$D"
	check "Dockerfile.$f: the runtime stage installs runtime-packages and copies the install" \
		test "$(grep -c -e '/out/runtime-packages' -e '^COPY --from=build /out/root/ /$' "$D")" -eq 2
	check "Dockerfile.$f: /traces is the working directory" grep -qx 'WORKDIR /traces' "$D"
done
# The Debian build stage's packages: the words after --no-install-recommends
# up to the closing &&.
build_pkgs=$(sed -n '/AS build/,/^FROM/p' "$C/Dockerfile.debian" |
	sed -n '/apt-get install/,/&& rm/p' | tr -s '\\ \t' '\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$' |
	grep -vxE 'apt-get|install|rm|rf')
missing=""
for p in $build_pkgs; do
	case $p in gcc | libc6-dev | make) p=build-essential ;; esac
	grep -qw -- "$p" "$TOP_SRCDIR/tools/install-deps.sh" || missing="$missing $p"
done
check "the Debian build stage's packages ($(echo "$build_pkgs" | tr '\n' ' ')) are in tools/install-deps.sh (missing:${missing:- none})" \
	test -n "$build_pkgs" -a -z "$missing"

finish
