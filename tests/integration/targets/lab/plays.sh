# shellcheck shell=bash
# What the lab's and the fleet's runme.sh share (sourced): playbook runs, each logged with its
# changed count and wall time, and expectations that show the last log when they fail. The
# sourcing script calls plays_use LOGS_DIR ARGS... (ARGS: the inventory and what every run takes),
# and declares the variables play() sets that it reads (run_no, changed, elapsed).
plays_use() { PLAY_LOGS=$1; shift; PLAY_ARGS=("$@"); }
# play NAME [ansible-playbook args]: sets $changed (summed over the hosts of the recap) and
# $elapsed (seconds); returns the playbook's exit code.
play() {
  local name=$1; shift
  run_no=$((run_no + 1))
  local log="$PLAY_LOGS/$run_no-$name.log" rc=0 start end
  echo "== $run_no $name: ansible-playbook $*"
  start=$(date +%s.%N)
  ANSIBLE_NOCOLOR=1 ansible-playbook "${PLAY_ARGS[@]}" "$@" >"$log" 2>&1 || rc=$?
  end=$(date +%s.%N)
  elapsed=$(awk "BEGIN { printf \"%.1f\", $end - $start }")
  changed=$(sed -n 's/.* changed=\([0-9]*\) .*/\1/p' "$log" | awk '{ n += $1 } END { print n + 0 }')
  echo "   rc=$rc changed=${changed:-?} (${elapsed}s)"
  return $rc
}
shown() { tail -n 40 "$PLAY_LOGS/$run_no-"*.log; }
expect() {  # expect DESCRIPTION CONDITION...
  local what=$1; shift
  if ! "$@"; then echo "FAILED: $what"; shown; exit 1; fi
}
fails() { ! "$@"; }
