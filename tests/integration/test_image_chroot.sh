#!/bin/bash
# containers/Dockerfile.debian itself, without a Docker engine: debootstrap
# makes a minimal Debian 12 root (--variant=minbase, what debian:bookworm-slim
# is made from, less the slim image's trimming), and dockerfile_chroot.py
# runs the Dockerfile's instructions in copies of it: the build stage's apt-get
# and image-build.sh, the runtime stage's apt-get of runtime-packages, useradd,
# the COPYs. Then the "image" is run as `docker run` would run it: --version,
# info, workloads, the default plan, a record of spin and of k-means (OpenBLAS
# loads), `--user bench`, and the screen in tmux with TERM as `docker run -t`
# sets it. What this is not: the registry's base image, a container's
# namespaces and cgroup, Docker's build cache.
#
# Cost: about 2.5 to 4 minutes on 2 CPUs (the downloads) and ~1.3 GB in /tmp; it downloads a minimal
# Debian and the packages both stages install from the Debian mirror APT
# uses. Skipped (77) when not root or without debootstrap, unshare, setpriv
# or tmux.
set -u
source "$(dirname "$0")/lib.sh"
: "${TOP_SRCDIR:?run through make check, or set TOP_SRCDIR}"

for tool in debootstrap unshare setpriv tmux python3; do
	if ! command -v "$tool" >/dev/null; then
		echo "# skipped: $tool is not installed (tools/install-deps.sh installs what this test needs)"
		exit 77
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	echo "# skipped: debootstrap and chroot need root"
	exit 77
fi
EMU="python3 $TOP_SRCDIR/tests/integration/dockerfile_chroot.py"
# The mirror APT uses here (the first deb entry), else Debian's own.
MIRROR=$(grep -hs -A3 '^Types: deb$' /etc/apt/sources.list.d/*.sources | sed -n 's/^URIs: *\([^ ]*\).*/\1/p' | grep -v security | head -n 1)
[ -n "$MIRROR" ] || MIRROR=$(sed -n 's/^deb \(http[^ ]*\) bookworm .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -n 1)
[ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian

debootstrap --variant=minbase bookworm "$TMP/base" "$MIRROR" >"$TMP/debootstrap.log" 2>&1
rc=$?
check "debootstrap makes a minimal bookworm root from $MIRROR (exit $rc: $(tail -n 2 "$TMP/debootstrap.log" | tr '\n' ' '))" test $rc -eq 0
[ $rc -eq 0 ] || { finish; exit 1; }
copy_context "$TOP_SRCDIR" "$TMP/context" || cp -a "$TOP_SRCDIR/." "$TMP/context"

$EMU build "$TOP_SRCDIR/containers/Dockerfile.debian" "$TMP/context" "$TMP/base" "$TMP/img" >"$TMP/build.log" 2>&1
rc=$?
check "Dockerfile.debian's instructions run in the chroots (exit $rc: $(grep -v '^==' "$TMP/build.log" | tail -n 3 | tr '\n' ' '))" \
	test $rc -eq 0
[ $rc -eq 0 ] || { finish; exit 1; }
RT=$TMP/img/1 # the runtime stage's root
check "the runtime stage has no compiler" test ! -e "$RT/usr/bin/gcc" -a ! -e "$RT/usr/bin/cc"
check "the runtime stage has benchtop and the glibc workloads" test -x "$RT/usr/bin/benchtop" -a -x "$RT/usr/libexec/benchtop/glibc/bt-kmeans"
rm -rf "$TMP/img/0" "$TMP/base" # the build stage and the base are no longer needed

run() { $EMU run "$TMP/img" "$@"; }
check "docker run IMAGE --version" grep -qx "benchtop [0-9.]*" <(run --version 2>&1)
run info --format json >"$TMP/info.json" 2>"$TMP/info.err"
rc=$?
check "docker run IMAGE info exits 0 ($rc: $(cat "$TMP/info.err"))" test $rc -eq 0
check "... and reports the image's glibc 2.36" test "$(json "$TMP/info.json" 'd["libc"]["name"] + " " + d["libc"]["version"]')" = "glibc 2.36"
run workloads --format json >"$TMP/wl.json" 2>"$TMP/wl.err"
check "docker run IMAGE workloads: every built-in for glibc, from /usr/libexec/benchtop" test \
	"$(json "$TMP/wl.json" 'sorted({(b["name"], b["variant"]) for b in d["binaries"]})')" = \
	"[('forest', 'glibc'), ('kmeans', 'glibc'), ('micro', 'glibc'), ('pgio', 'glibc'), ('spin', 'glibc')]"
check "docker run IMAGE record --dry-run: the default plan, 3 runs of k-means on glibc" \
	test "$(run record --dry-run 2>&1 | tail -n 1)" = "3 runs"
run record -q -o spin.bt --reps 2 spin --seconds 0.3 --threads 2 >"$TMP/rec.out" 2>&1
rc=$?
check "docker run IMAGE record -o spin.bt spin exits 0 ($rc: $(head -c 200 "$TMP/rec.out"))" test $rc -eq 0
check "... the trace lands in /traces (the working directory)" test -s "$RT/traces/spin.bt"
"$BENCHTOP" export --summary --format json "$RT/traces/spin.bt" >"$TMP/spin.json"
check "... and the host's benchtop reads it: 2 runs of spin on glibc that exited 0" test \
	"$(json "$TMP/spin.json" '[(r["variant"], r["exit_code"]) for r in d["runs"]]')" = "[('glibc', 0), ('glibc', 0)]"
run record -q -o km.bt kmeans --samples 5000 --features 16 --n-init 1 >"$TMP/km.out" 2>&1
rc=$?
check "a k-means record in the image exits 0 (Debian's OpenBLAS loads; $rc: $(head -c 200 "$TMP/km.out"))" test $rc -eq 0
"$BENCHTOP" export --summary --format json "$RT/traces/km.bt" >"$TMP/km.json"
check "... and records the OpenBLAS core it chose" pytrue \
	"'openblas_core' in str(__import__('json').load(open('$TMP/km.json'))['runs'][0])"
run --user bench info --format json >"$TMP/user.json" 2>/dev/null
check "docker run --user bench IMAGE info: runs, and says run cgroups cannot be created" \
	test "$(json "$TMP/user.json" 'd["cgroup"]["can_create"]')" = False

# The screen: a replay of the spin trace in tmux, TERM as `docker run -t` sets it.
S=bt-img-$$
tmux new-session -d -s "$S" -x 120 -y 36 "$EMU run $TMP/img --tty replay spin.bt; echo EXIT=\$?; sleep 30"
shown=""
for _ in $(seq 1 100); do
	tmux capture-pane -t "$S" -p >"$TMP/screen.txt" 2>/dev/null
	if grep -q "REPLAY" "$TMP/screen.txt"; then
		shown=yes
		break
	fi
	sleep 0.1
done
check "docker run -it IMAGE replay: the screen shows the replay header" test -n "$shown"
check "... with braille graphs (LANG=C.UTF-8 in the image)" pytrue \
	"any(0x2801 <= ord(c) <= 0x28ff for c in open('$TMP/screen.txt', encoding='utf-8', errors='replace').read())"
tmux send-keys -t "$S" q
for _ in $(seq 1 50); do
	tmux capture-pane -t "$S" -p >"$TMP/screen.txt" 2>/dev/null
	grep -q "EXIT=" "$TMP/screen.txt" && break
	sleep 0.1
done
check "... q quits with status 0" grep -q "EXIT=0" "$TMP/screen.txt"
tmux kill-session -t "$S" 2>/dev/null

finish
