#!/bin/bash
# The sysroots containers/build-sysroot.sh built (BT_SYSROOT): the manifest
# is complete, both OpenBLAS builds share one TARGET, a cblas_sgemm/dgemm
# program linked against each gives the right numbers and names the same
# core under glibc and musl, and a static musl libpq program links and runs.
# Skipped (77) when BT_SYSROOT is unset or holds no manifest.

# The benchtop binary is not needed here; lib.sh insists on a value.
: "${BENCHTOP:=/nonexistent/benchtop}"
export BENCHTOP
. "$(dirname "$0")/lib.sh"

SYSROOT=${BT_SYSROOT:-}
if [ -z "$SYSROOT" ] || [ ! -f "$SYSROOT/manifest" ]; then
	echo "# skipped: BT_SYSROOT is unset or has no manifest (build it with containers/build-sysroot.sh DIR)"
	exit 77
fi
if [ "$(sed -n 's/^source=//p' "$SYSROOT/manifest")" != debian-source ]; then
	echo "# skipped: $SYSROOT/manifest points at distribution packages, not built sysroots"
	exit 77
fi

for tool in gcc musl-gcc readelf; do
	if ! command -v "$tool" >/dev/null; then
		echo "# skipped: $tool is not installed (tools/install-deps.sh installs it)"
		exit 77
	fi
done

# field KEY: the value of KEY in the manifest (empty when absent).
field() { sed -n "s/^$1=//p" "$SYSROOT/manifest" | head -n 1; }

for key in manifest_version openblas_version openblas_target openblas_make_flags \
	libpq_version musl_version cc_glibc cc_musl inputs_hash; do
	check "manifest has $key" test -n "$(field "$key")"
done
target=$(field openblas_target)
check "openblas_make_flags name the manifest's TARGET ($target)" \
	grep -qx "openblas_make_flags=TARGET=$target .*" "$SYSROOT/manifest"
check "openblas_make_flags have DYNAMIC_ARCH off" \
	grep -q '^openblas_make_flags=.* DYNAMIC_ARCH=0 ' "$SYSROOT/manifest"
for libc in glibc musl; do
	check "$libc: libopenblas.a exists" test -f "$SYSROOT/$libc/lib/libopenblas.a"
	check "$libc: cblas.h and openblas_config.h exist" \
		test -f "$SYSROOT/$libc/include/cblas.h" -a -f "$SYSROOT/$libc/include/openblas_config.h"
done
# The TARGET is compiled into openblas_config.h: the same file means the
# same TARGET and configuration for both libcs.
check "both OpenBLAS builds have the same openblas_config.h" \
	cmp -s "$SYSROOT/glibc/include/openblas_config.h" "$SYSROOT/musl/include/openblas_config.h"
check "openblas_config.h names the manifest's TARGET" \
	grep -q "OPENBLAS_CHAR_CORENAME \"$target\"" "$SYSROOT/glibc/include/openblas_config.h"

# The sgemm/dgemm check: odd shapes (no kernel-friendly multiples), a
# transposed operand, alpha/beta not 1/0, compared with a naive triple loop.
cat >"$TMP/gemm.c" <<'EOF'
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { M = 67, N = 45, K = 129 };

static double next_value(unsigned long long *state)
{
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*state >> 40) / (double)(1ULL << 24) - 0.5;
}

int main(void)
{
	static float as[M * K], bs[N * K], cs[M * N];
	static double ad[M * K], bd[N * K], cd[M * N], want[M * N];
	unsigned long long state = 42;
	double err_s = 0, err_d = 0;

	for (int i = 0; i < M * K; i++)
		as[i] = (float)(ad[i] = next_value(&state));
	for (int i = 0; i < N * K; i++)
		bs[i] = (float)(bd[i] = next_value(&state));
	for (int i = 0; i < M * N; i++)
		cs[i] = (float)(cd[i] = next_value(&state));
	/* want = 1.5 * A * B^T + 0.5 * C, A row-major M x K, B row-major N x K */
	for (int i = 0; i < M; i++)
		for (int j = 0; j < N; j++) {
			double sum = 0;
			for (int k = 0; k < K; k++)
				sum += ad[i * K + k] * bd[j * K + k];
			want[i * N + j] = 1.5 * sum + 0.5 * cd[i * N + j];
		}
	openblas_set_num_threads(2);
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.5f, as, K, bs, K, 0.5f, cs, N);
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.5, ad, K, bd, K, 0.5, cd, N);
	for (int i = 0; i < M * N; i++) {
		err_s = fmax(err_s, fabs(cs[i] - want[i]));
		err_d = fmax(err_d, fabs(cd[i] - want[i]));
	}
	printf("core %s\n", openblas_get_corename());
	printf("config %s\n", openblas_get_config());
	printf("sgemm_max_error %g\ndgemm_max_error %g\n", err_s, err_d);
	if (err_s > 1e-4 || err_d > 1e-10) {
		fprintf(stderr, "gemm results differ from the naive product\n");
		return 1;
	}
	return 0;
}
EOF

# gemm_check LIBC CC LINKFLAGS...: build, run, and check the gemm program.
gemm_check() {
	local libc=$1 cc=$2
	shift 2
	if ! "$cc" -std=gnu11 -O2 -I"$SYSROOT/$libc/include" "$TMP/gemm.c" -o "$TMP/gemm-$libc" \
		"$@" -L"$SYSROOT/$libc/lib" -lopenblas -lpthread -lm 2>"$TMP/gemm-$libc.cc"; then
		notok "$libc: the gemm program links against the sysroot: $(head -n 5 "$TMP/gemm-$libc.cc")"
		return
	fi
	ok "$libc: the gemm program links against the sysroot"
	if timeout 60 "$TMP/gemm-$libc" >"$TMP/gemm-$libc.out" 2>&1; then
		ok "$libc: cblas_sgemm and cblas_dgemm match the naive product"
	else
		notok "$libc: the gemm program failed: $(cat "$TMP/gemm-$libc.out")"
	fi
}
gemm_check glibc gcc
gemm_check musl musl-gcc -static
# is_static FILE: FILE is an executable without a program interpreter.
is_static() {
	[ -x "$1" ] && readelf -l "$1" >"$TMP/readelf.out" 2>&1 &&
		! grep -q 'Requesting program interpreter' "$TMP/readelf.out"
}
check "musl: the gemm program is statically linked" is_static "$TMP/gemm-musl"
core_glibc=$(sed -n 's/^core //p' "$TMP/gemm-glibc.out" 2>/dev/null)
core_musl=$(sed -n 's/^core //p' "$TMP/gemm-musl.out" 2>/dev/null)
check "glibc and musl report the same OpenBLAS core ('$core_glibc', '$core_musl')" \
	test -n "$core_glibc" -a "$core_glibc" = "$core_musl"
check "the core is the manifest's TARGET" \
	test "$(echo "$core_glibc" | tr "[:lower:]" "[:upper:]")" = "$target"

# The libpq check: the library version, and a clean error (not a crash or a
# hang) from a server that cannot exist.
check "musl: libpq.a, libpgcommon_shlib.a and libpgport_shlib.a exist" \
	test -f "$SYSROOT/musl/lib/libpq.a" -a -f "$SYSROOT/musl/lib/libpgcommon_shlib.a" \
	-a -f "$SYSROOT/musl/lib/libpgport_shlib.a"
cat >"$TMP/pq.c" <<'EOF'
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	char conninfo[512];

	if (argc != 2)
		return 2;
	printf("libpq %d\n", PQlibVersion());
	snprintf(conninfo, sizeof conninfo, "host=%s dbname=none connect_timeout=5", argv[1]);
	PGconn *conn = PQconnectdb(conninfo);
	if (conn == NULL)
		return 3;
	int bad = PQstatus(conn) == CONNECTION_BAD;
	printf("error %s", PQerrorMessage(conn));
	PQfinish(conn);
	return bad && PQlibVersion() >= 150000 ? 0 : 1;
}
EOF
libpq_libs=$(field libpq_libs)
: "${libpq_libs:=-lpq -lpgcommon_shlib -lpgport_shlib}"
# shellcheck disable=SC2086 # libpq_libs is a list of linker flags
if musl-gcc -static -std=gnu11 -O2 -I"$SYSROOT/musl/include" "$TMP/pq.c" -o "$TMP/pq-musl" \
	-L"$SYSROOT/musl/lib" $libpq_libs 2>"$TMP/pq.cc"; then
	ok "musl: a libpq program links statically against the sysroot"
	if timeout 30 "$TMP/pq-musl" "$TMP/no-such-dir" >"$TMP/pq.out" 2>&1; then
		ok "musl: PQlibVersion works and PQconnectdb fails cleanly without a server"
	else
		notok "musl: the libpq program failed: $(cat "$TMP/pq.out")"
	fi
	check "musl: the error names the missing socket" grep -q "no-such-dir/.s.PGSQL.5432" "$TMP/pq.out"
	check "musl: PQlibVersion matches the manifest's libpq_version" \
		test "$(sed -n 's/^libpq //p' "$TMP/pq.out")" = \
		"$(field libpq_version | awk -F'[.-]' '{printf "%d%04d", $1, $2}')"
else
	notok "musl: a libpq program links statically against the sysroot: $(head -n 5 "$TMP/pq.cc")"
fi

finish
