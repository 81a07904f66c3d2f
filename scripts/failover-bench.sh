#!/usr/bin/env bash
# Failover figures (docs/benchmarks.md, "Failover"): two daemons on one state database and the sim cloud;
# the leader is killed with SIGKILL once the fleet is up, TRIALS times. Prints, per trial, the seconds
# from the kill to the standby taking the lead and to its first reconcile, as ratios of the lease too;
# then the lease traffic, in claims (one transaction each) per minute per controller, read from each
# daemon's /metrics over a WINDOW-second stretch.
#   SCALECTL=path/to/scalectl LEASE=6s TRIALS=3 WINDOW=30 scripts/failover-bench.sh
set -euo pipefail
SCALECTL=${SCALECTL:-.build/debug/scalectl}
SCALECTL=$(cd "$(dirname "$SCALECTL")" && pwd)/$(basename "$SCALECTL")
LEASE=${LEASE:-6s}
TRIALS=${TRIALS:-3}
WINDOW=${WINDOW:-30}
lease_seconds=${LEASE%s}

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# Each daemon gets a host name of its own (a UTS namespace, as root), so the standby cannot see that the
# leader's process is gone and waits for its lease to run out, as on two hosts. Without root, both share
# this host and the standby takes over at its next claim.
as_host() {
  if [[ $(id -u) == 0 ]] && command -v unshare >/dev/null; then
    exec unshare --uts sh -c 'hostname "$0"; exec "$@"' "$@"
  else
    shift; exec "$@"
  fi
}
mode=$([[ $(id -u) == 0 ]] && command -v unshare >/dev/null && echo "two host names" || echo "one host")

now() { date +%s.%N; }
# Waits until FILE holds TEXT (at most 120 s); prints the moment it was seen.
wait_for() {
  local file=$1 text=$2 deadline=$(( $(date +%s) + 120 ))
  until grep -qF -- "$text" "$file" 2>/dev/null; do
    (( $(date +%s) < deadline )) || { echo "failover-bench: no \"$text\" in $file" >&2; cat "$file" >&2; exit 1; }
    sleep 0.02
  done
  now
}
metric() { curl -s "http://127.0.0.1:$1/metrics" | awk -v name="$2" '$1 ~ "^"name"[{ ]" || $1 == name { print $2 }'; }
port_of() { sed -n 's#.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*#\1#p' "$1" | head -1; }

for trial in $(seq 1 "$TRIALS"); do
  dir=$work/t$trial
  mkdir -p "$dir"
  cat >"$dir/scalectl.toml" <<EOF
[controller]
database = "state.sqlite"
fleet = "bench"
timezone = "UTC"
lead = "10m"
lease = "$LEASE"
drain = "100ms"
poll_interval = "100ms"

[provider]
kind = "sim"
boot_time = "300ms"

[roles.frontal]
count = 3
server_type = "cpx31"
snapshot = { labels = "role=frontal", max_age = "30h" }

[daemon]
interval = "1s"
watch = "200ms"
http = "127.0.0.1:0"
EOF
  start=$(date -u -d "+120 sec" +%Y-%m-%dT%H:%M:%SZ)
  end=$(date -u -d "+3720 sec" +%Y-%m-%dT%H:%M:%SZ)
  "$SCALECTL" calendar add --config "$dir/scalectl.toml" --name Bench --start "$start" --end "$end" >/dev/null
  as_host ctl-a "$SCALECTL" daemon --config "$dir/scalectl.toml" >"$dir/a.out" 2>"$dir/a.err" & a=$!; pids+=("$a")
  wait_for "$dir/a.out" "daemon: leading fleet bench" >/dev/null
  as_host ctl-b "$SCALECTL" daemon --config "$dir/scalectl.toml" >"$dir/b.out" 2>"$dir/b.err" & b=$!; pids+=("$b")
  wait_for "$dir/b.out" "daemon: standing by" >/dev/null
  wait_for "$dir/a.out" "reconcile: done" >/dev/null
  if (( trial == 1 )); then
    pa=$(port_of "$dir/a.out"); pb=$(port_of "$dir/b.out")
    ra=$(metric "$pa" scalectl_lease_renewals_total); rb=$(metric "$pb" scalectl_lease_renewals_total)
    sleep "$WINDOW"  # the measured stretch: claims counted over it
    ra2=$(metric "$pa" scalectl_lease_renewals_total); rb2=$(metric "$pb" scalectl_lease_renewals_total)
    traffic="leader $(echo "($ra2 - $ra) * 60 / $WINDOW" | bc -l | xargs printf '%.1f'), standby $(echo "($rb2 - $rb) * 60 / $WINDOW" | bc -l | xargs printf '%.1f') claims per minute (lease $LEASE)"
  fi
  runs_before=$(grep -c "reconcile (run #" "$dir/b.out" || true)
  killed=$(now)
  kill -9 "$a"; wait "$a" 2>/dev/null || true
  took=$(wait_for "$dir/b.err" "took the lead of fleet bench")
  until (( $(grep -c "reconcile (run #" "$dir/b.out" || true) > runs_before )); do sleep 0.02; done
  acting=$(now)
  lead_s=$(echo "$took - $killed" | bc -l); act_s=$(echo "$acting - $killed" | bc -l)
  printf 'trial %d: standby led after %.2f s (%.2f x lease), reconciled after %.2f s (%.2f x lease)\n' \
    "$trial" "$lead_s" "$(echo "$lead_s / $lease_seconds" | bc -l)" "$act_s" "$(echo "$act_s / $lease_seconds" | bc -l)"
  kill -9 "$b" 2>/dev/null || true; wait "$b" 2>/dev/null || true
done
echo "lease traffic: $traffic"
echo "($mode; lease $LEASE, renewed every third of it)"
