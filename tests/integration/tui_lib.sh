# Helpers for the tests that drive benchtop's screen in tmux (sourced after
# lib.sh): a private tmux server (killed at exit), panes that keep what the
# command left, bounded polls of capture-pane, and checks that the terminal
# was restored. Skips (77) when tmux is missing.
command -v tmux >/dev/null || { echo "# skip: tmux is not installed"; exit 77; }
SOCK=bt-test-$$
tm() { tmux -L "$SOCK" -f "$TMP/tmux.conf" "$@"; }
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; cleanup' EXIT
# Panes stay after their command ends (to read what it left), no status
# line (the pane is the whole window).
printf 'set -g remain-on-exit on\nset -g status off\nset -g default-terminal screen\n' >"$TMP/tmux.conf"

# open NAME COLS ROWS ENV... -- ARGS...: run benchtop ARGS in a new tmux
# session with ENV; when it ends the pane shows EXIT=<status>, `stty -a`
# and END-OF-PANE.
open() {
	local name=$1 cols=$2 rows=$3
	shift 3
	local envs=() args=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	args=("$@")
	printf '%q ' env -u LC_ALL -u NO_COLOR "${envs[@]}" "$BENCHTOP" "${args[@]}" >"$TMP/$name.cmd"
	printf '; echo "EXIT=$?"; stty -a; echo "END""-OF-PANE"\n' >>"$TMP/$name.cmd"
	tm new-session -d -s "$name" -x "$cols" -y "$rows" "sh $TMP/$name.cmd"
}
# cap NAME [-e]: the pane's text (with -e, its attributes and colours too).
cap() { tm capture-pane -p -t "$1" ${2:+"$2"} >"$TMP/$1.txt" 2>/dev/null; cat "$TMP/$1.txt"; }
# wait_for NAME REGEX [SECONDS]: poll the pane until grep -E matches it.
wait_for() {
	local i
	for ((i = 0; i < ${3:-10} * 10; i++)); do
		cap "$1" | grep -Eq -- "$2" && return 0
		sleep 0.1
	done
	echo "# pane $1 never showed /$2/; it shows:"
	sed 's/^/#   /' "$TMP/$1.txt"
	return 1
}
# gone_from NAME REGEX [SECONDS]: poll until the pane no longer matches.
gone_from() {
	local i
	for ((i = 0; i < ${3:-10} * 10; i++)); do
		cap "$1" | grep -Eq -- "$2" || return 0
		sleep 0.1
	done
	echo "# pane $1 still shows /$2/"
	return 1
}
key() { tm send-keys -t "$1" "${@:2}"; }
# press_until NAME KEY REGEX: press KEY (at most 6 times) until the footer
# matches REGEX; each press waits for the footer to change.
press_until() {
	local i before
	for ((i = 0; i < 6; i++)); do
		before=$(cap "$1" | tail -1)
		key "$1" "$2"
		local j
		for ((j = 0; j < 30; j++)); do
			[ "$(cap "$1" | tail -1)" != "$before" ] && break
			sleep 0.1
		done
		tail -1 "$TMP/$1.txt" | grep -Eq -- "$3" && return 0
	done
	echo "# pane $1: pressing $2 never showed /$3/; the footer: $(tail -1 "$TMP/$1.txt")"
	return 1
}
# header NAME: the state line (second row) of the pane.
header() { cap "$1" | sed -n 2p; }
has_braille() { python3 -c 'import sys; t=open(sys.argv[1],encoding="utf-8",errors="replace").read(); sys.exit(0 if any(0x2800<=ord(c)<=0x28ff for c in t) else 1)' "$1"; }
# colour_sgr FILE: true when an escape sets a colour (30-38, 40-48, 90-97,
# 100-107; 39/49 only reset to the default).
colour_sgr() {
	python3 - "$1" <<'EOF'
import re, sys
t = open(sys.argv[1], encoding="utf-8", errors="replace").read()
for m in re.finditer(r"\x1b\[([0-9;]*)m", t):
	for p in m.group(1).split(";"):
		if p and (30 <= int(p) <= 38 or 40 <= int(p) <= 48 or 90 <= int(p) <= 97 or 100 <= int(p) <= 107):
			sys.exit(0)
sys.exit(1)
EOF
}
# restored NAME CODE: the program ended with CODE and the tty is sane
# (read once the pane's command is over, with its scrolled-off lines).
restored() {
	wait_for "$1" "^END-OF-PANE" 20 || return 1
	tm capture-pane -p -S - -t "$1" >"$TMP/$1.txt"
	if ! grep -q "^EXIT=$2\$" "$TMP/$1.txt" || ! grep -Eq '(^| )icanon( |;|$)' "$TMP/$1.txt" ||
		! grep -Eq '(^| )echo( |;|$)' "$TMP/$1.txt" || grep -Eq -- '(^| )-icanon|(^| )-echo( |$)' "$TMP/$1.txt"; then
		echo "# $1 ended with:"
		grep -v '^$' "$TMP/$1.txt" | sed 's/^/#   /'
		return 1
	fi
}

# child_of SESSION: the pid of the benchtop in a session's pane (a child
# of the pane's shell).
child_of() { ps -o pid= --ppid "$(tm display-message -p -t "$1" '#{pane_pid}')" | head -1 | tr -d ' '; }
