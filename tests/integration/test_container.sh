#!/bin/bash
# benchtop inside a container, without Docker: the real binary in new mount,
# pid and cgroup namespaces made with unshare(1), in cgroups this test makes
# beneath its own and gives a container's limits (0.5 CPU, 512 MiB).
#   A  cgroup v1 with a cgroup namespace (/proc/self/cgroup says "/"): the
#      limits are read from inside, run cgroups made beneath the namespace's
#      root, nothing left behind.
#   B  the same with the cgroup mounts read-only: one sentence, the runs
#      measured through /proc and the container's own cgroup (its throttling
#      and memory in the summary).
#   C  cgroup v1 without a cgroup namespace: the container's cgroup is
#      bind-mounted over the hierarchy (mountinfo's root is not "/").
#   D  cgroup v2 only, with a cgroup namespace: run cgroups beneath the root
#      of the namespace; a limit whose controller is not delegated is refused
#      with a sentence naming it.
# Skips (77) where namespaces or cgroup v1 are not available.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || { echo "# skip: needs root (namespaces, cgroups)"; exit 77; }
command -v unshare >/dev/null || { echo "# skip: no unshare(1)"; exit 77; }
unshare --mount --pid --fork --cgroup true 2>/dev/null || { echo "# skip: this kernel refuses new namespaces here"; exit 77; }
# A-C build a cgroup v1 container, D a v2 one: each where the host has it.
have_v1=1
for c in cpu cpuacct memory pids; do
	grep -Eq "^[0-9]+:([^:]*,)?$c(,[^:]*)?:" /proc/self/cgroup || have_v1=0
done
grep -q ' - cgroup2 ' /proc/self/mountinfo && have_v2=1 || have_v2=0
[ $have_v1 = 1 ] || [ $have_v2 = 1 ] || { echo "# skip: neither cgroup v1 (cpu, cpuacct, memory, pids) nor cgroup2 is mounted"; exit 77; }

start=$(awk '{print $22}' /proc/$$/stat)
name="benchtop.$$.$start.900" # like a run's: a benchtop would clean it up after a crash
declare -A CG                 # controller -> the container's cgroup directory (host view)
mnt_of() { awk -v c="$1" '$9 == "cgroup" && $NF ~ "(^|,)"c"(,|$)" {print $5; exit}' /proc/self/mountinfo; }
own_of() { sed -n "s/^[0-9]*:\([^:]*,\)\{0,1\}$1\(,[^:]*\)\{0,1\}:\(.*\)$/\3/p" /proc/self/cgroup | head -1; }
for c in cpu cpuacct memory pids; do
	[ $have_v1 = 1 ] || break
	m=$(mnt_of $c)
	o=$(own_of $c)
	[ "$o" = / ] && o=
	CG[$c]="$m$o/$name"
done
V2MNT=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
V2OWN=$(sed -n 's/^0::\(.*\)$/\1/p' /proc/self/cgroup)
[ "$V2OWN" = / ] && V2OWN=
V2T=${V2MNT:+$V2MNT$V2OWN/$name}

remove_cgroups() {
	local d i
	for d in "${CG[@]}" $V2T; do
		[ -d "$d" ] || continue
		for ((i = 0; i < 100; i++)); do
			rmdir "$d" 2>/dev/null && break
			for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
			sleep 0.05
		done
	done
}
trap "remove_cgroups; [ -n \"${KEEP:-}\" ] || cleanup" EXIT

if [ $have_v1 = 1 ]; then
for c in cpu cpuacct memory pids; do mkdir "${CG[$c]}" || exit 1; done
echo 100000 >"${CG[cpu]}/cpu.cfs_period_us"
echo 50000 >"${CG[cpu]}/cpu.cfs_quota_us"
echo $((512 << 20)) >"${CG[memory]}/memory.limit_in_bytes"

# join: the shell line that moves the current process into the container's cgroups.
join="for d in ${CG[cpu]} ${CG[cpuacct]} ${CG[memory]} ${CG[pids]}; do echo \$\$ > \$d/cgroup.procs; done"
# Inside: a fresh cgroup filesystem view, as a container runtime mounts it
# (the host's mounts gone from this mount namespace, not hidden).
mount_v1_ns='umount -R /sys/fs/cgroup && mount -t tmpfs cgroup /sys/fs/cgroup && for c in cpu cpuacct memory pids; do mkdir /sys/fs/cgroup/$c && mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c || exit 1; done'
# runs_left: run cgroups beneath the container's (host view).
runs_left() { find "${CG[@]}" $V2T -mindepth 1 -maxdepth 1 -type d -name 'benchtop.*' 2>/dev/null; }
export BENCHTOP BT_SPIN TMP

# ---- A: v1 with a cgroup namespace ---------------------------------------
bash -c "$join; exec unshare --mount --pid --fork --cgroup --mount-proc --propagation private sh -c '
	$mount_v1_ns
	cat /proc/self/cgroup > \$TMP/A.cgroup
	\$BENCHTOP info --format json > \$TMP/A.info.json
	\$BENCHTOP info > \$TMP/A.info.txt
	\$BENCHTOP record -q -o \$TMP/A.bt --cpus 0.25 --memory 128M -- \$BT_SPIN --threads 2 --seconds 1.5
	echo \$? > \$TMP/A.rc'" >"$TMP/A.out" 2>&1
check "A: inside, /proc/self/cgroup shows the namespace's root" grep -q '^[0-9]*:cpu:/$' "$TMP/A.cgroup"
check "A: info reads the container's CPU limit: 0.5 of 2 CPUs" \
	test "$(json "$TMP/A.info.json" '(d["cpus"]["effective"], d["cpus"]["quota"])')" = "(0.5, 0.5)"
check "A: info reads the container's memory limit: 512 MiB" \
	test "$(json "$TMP/A.info.json" 'd["memory"]["limit_bytes"]')" = $((512 << 20))
check "A: info says so in words" grep -Eq "^CPUs +0\.50 effective of [0-9]+ visible" "$TMP/A.info.txt"
check "A: and run cgroups can be made" test "$(json "$TMP/A.info.json" 'd["cgroup"]["can_create"]')" = True
check "A: record exits 0" test "$(cat "$TMP/A.rc" 2>/dev/null)" = 0
"$BENCHTOP" export --summary --format json "$TMP/A.bt" >"$TMP/A.json" 2>/dev/null
check "A: the run had its limits, in a cgroup directly beneath the namespace's root" \
	pytrue "$(json "$TMP/A.json" 'd["runs"][0]["limits_applied"] and d["runs"][0]["cgroup"].startswith("/sys/fs/cgroup/cpu/benchtop.")')"
check "A: its quota held it (throttled)" pytrue "$(json "$TMP/A.json" 'd["runs"][0]["throttled_periods"] > 0')"
check "A: the container's cgroup keeps no run cgroup" test -z "$(runs_left)"

# ---- B: the same, cgroup mounts read-only ---------------------------------
bash -c "$join; exec unshare --mount --pid --fork --cgroup --mount-proc --propagation private sh -c '
	$mount_v1_ns
	for c in cpu cpuacct memory pids; do mount -o remount,bind,ro /sys/fs/cgroup/\$c || exit 1; done
	\$BENCHTOP info --format json > \$TMP/B.info.json
	\$BENCHTOP record -o \$TMP/B.bt --reps 2 --cpus 1 -- \$BT_SPIN --threads 2 --seconds 1.5 > \$TMP/B.sum 2> \$TMP/B.err
	echo \$? > \$TMP/B.rc'" >"$TMP/B.out" 2>&1
check "B: info says run cgroups cannot be made, and why" \
	pytrue "$(json "$TMP/B.info.json" 'd["cgroup"]["can_create"] is False and "read-only" in d["cgroup"]["cannot_create_reason"]')"
check "B: record still measures (exit 0)" test "$(cat "$TMP/B.rc" 2>/dev/null)" = 0
check "B: it says so once for the two runs" test "$(grep -c 'no cgroup for this run' "$TMP/B.err")" = 1
check "B: in one sentence naming the read-only mount and what is measured" \
	grep -q "read-only): limits not applied, measuring through /proc and benchtop's own cgroup" "$TMP/B.err"
"$BENCHTOP" export --summary --format json "$TMP/B.bt" >"$TMP/B.json" 2>/dev/null
check "B: both runs are in the trace, limits marked as not applied" \
	pytrue "$(json "$TMP/B.json" 'len(d["runs"]) == 2 and not any(r["limits_applied"] for r in d["runs"])')"
check "B: the container's throttling was measured (0.5 CPU, two spinning threads)" \
	pytrue "$(json "$TMP/B.json" 'all(r["own_cgroup_throttled_periods"] > 0 for r in d["runs"])')"
check "B: and its memory" pytrue "$(json "$TMP/B.json" 'all(r["own_cgroup_memory_peak_bytes"] > 0 for r in d["runs"])')"
check "B: the summary shows the container's cgroup against its limit" \
	grep -Eq "benchtop's cgroup +throttled [0-9.]+ % of [0-9]+ periods.*memory peak .* of 512\.0 MiB" "$TMP/B.sum"
check "B: and the process numbers" grep -Eq "CPU +avg [0-9.]+ %" "$TMP/B.sum"
check "B: nothing was created" test -z "$(runs_left)"

# ---- C: v1 without a cgroup namespace -------------------------------------
bash -c "$join; exec unshare --mount --propagation private sh -c '
	mount --bind ${CG[cpu]} $(mnt_of cpu) && mount --bind ${CG[cpuacct]} $(mnt_of cpuacct) &&
	mount --bind ${CG[memory]} $(mnt_of memory) && mount --bind ${CG[pids]} $(mnt_of pids) || exit 1
	cat /proc/self/cgroup > \$TMP/C.cgroup
	\$BENCHTOP info --format json > \$TMP/C.info.json
	\$BENCHTOP record -o \$TMP/C.bt --memory 100M -- \$BT_SPIN --threads 1 --seconds 0.5
	echo \$? > \$TMP/C.rc'" >"$TMP/C.out" 2>&1
check "C: /proc/self/cgroup names the container's path, not /" grep -q ":cpu:.*/$name\$" "$TMP/C.cgroup"
check "C: info still finds the limits (mountinfo's root tells)" \
	test "$(json "$TMP/C.info.json" '(d["cpus"]["effective"], d["memory"]["limit_bytes"])')" = "(0.5, $((512 << 20)))"
check "C: record exits 0" test "$(cat "$TMP/C.rc" 2>/dev/null)" = 0
"$BENCHTOP" export --summary --format json "$TMP/C.bt" >"$TMP/C.json" 2>/dev/null
check "C: the run's cgroup was beneath the container's, with its limit" \
	pytrue "$(json "$TMP/C.json" 'd["runs"][0]["limits_applied"] and d["runs"][0]["cgroup"].startswith("'"$(mnt_of cpu)"'/benchtop.")')"
check "C: nothing left" test -z "$(runs_left)"
else
	echo "# A, B and C skipped: no cgroup v1 cpu, cpuacct, memory and pids hierarchies here"
fi

# ---- D: cgroup v2 only, with a cgroup namespace ----------------------------
if [ -n "$V2T" ] && mkdir "$V2T"; then
	bash -c "echo \$\$ > $V2T/cgroup.procs; exec unshare --mount --cgroup --propagation private sh -c '
		umount -R /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup || exit 1
		\$BENCHTOP info --format json > \$TMP/D.info.json
		\$BENCHTOP record -q -o \$TMP/D.bt -- \$BT_SPIN --threads 1 --seconds 0.5; echo \$? > \$TMP/D.rc
		\$BENCHTOP record -o \$TMP/D2.bt --memory 64M -- \$BT_SPIN --threads 1 --seconds 0.3 > /dev/null 2> \$TMP/D2.err
		echo \$? > \$TMP/D2.rc'" >"$TMP/D.out" 2>&1
	check "D: a v2-only view (not hybrid), own cgroup at the mountpoint" \
		pytrue "$(json "$TMP/D.info.json" 'd["cgroup"]["version"] == 2 and not d["cgroup"]["hybrid"] and d["cgroup"]["own"]["cpuacct"] == "/sys/fs/cgroup"')"
	check "D: record exits 0" test "$(cat "$TMP/D.rc" 2>/dev/null)" = 0
	"$BENCHTOP" export --summary --format json "$TMP/D.bt" >"$TMP/D.json" 2>/dev/null
	check "D: the run had a cgroup beneath the namespace's root, with its CPU time from there" \
		pytrue "$(json "$TMP/D.json" 'd["runs"][0]["cgroup"].startswith("/sys/fs/cgroup/benchtop.") and d["runs"][0]["cpu_source"] == "cgroup" and d["runs"][0]["cpu_s"] > 0')"
	check "D: record --memory exits 0" test "$(cat "$TMP/D2.rc" 2>/dev/null)" = 0
	"$BENCHTOP" export --summary --format json "$TMP/D2.bt" >"$TMP/D2.json" 2>/dev/null
	if grep -qw memory "$V2T/cgroup.controllers"; then
		# memory is delegated: benchtop, alone in its cgroup, moved into a
		# leaf so the controller could be handed down, and moved back.
		check "D: the memory limit applied (benchtop moved into a leaf to hand memory down)" \
			pytrue "$(json "$TMP/D2.json" 'd["runs"][0]["limits_applied"]')"
		check "D: memory handed back (not enabled beneath the container's cgroup)" \
			eval '! grep -qw memory "$V2T/cgroup.subtree_control"'
	else
		check "D: a memory limit without the memory controller: one sentence naming it" \
			grep -q "the memory controller is not delegated to /sys/fs/cgroup" "$TMP/D2.err"
		check "D: that run still measured, limits marked not applied" \
			pytrue "$(json "$TMP/D2.json" 'not d["runs"][0]["limits_applied"]')"
	fi
	check "D: nothing left (no run cgroup, no leaf)" test -z "$(runs_left)"
else
	echo "# D skipped: no cgroup2 mount to make a container cgroup in"
fi
finish
