#!/usr/bin/env bash
# Starts N data-parallel ranks of a training binary on this machine
# (core/distributed.h): each gets --world_size=N --rank=i and a shared
# --master_port; rank 0's output is shown, the others' go to
# <log_dir>/rank<i>.log. Exits with the first non-zero exit code.
#
#   tools/launch_local.sh N BINARY [FLAGS...]
#   e.g. tools/launch_local.sh 2 bazel-bin/tools/train --method=iae --dataset=fashion_mnist
#
# Across machines, start each rank yourself with the same --world_size,
# --master_addr=<rank 0's address> and --master_port, and --rank=0..N-1.
set -uo pipefail
if [[ $# -lt 2 ]] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 N BINARY [FLAGS...]" >&2
  exit 2
fi
n=$1
shift
log_dir=${LOG_DIR:-$(mktemp -d /tmp/isoae-ranks.XXXXXX)}
port=${MASTER_PORT:-$((20000 + RANDOM % 40000))}
pids=()
for ((r = 1; r < n; r++)); do
  "$@" --world_size="$n" --rank="$r" --master_addr=127.0.0.1 --master_port="$port" \
    >"$log_dir/rank$r.log" 2>&1 &
  pids+=($!)
done
"$@" --world_size="$n" --rank=0 --master_addr=127.0.0.1 --master_port="$port"
rc=$?
for p in "${pids[@]}"; do
  wait "$p" || { r=$?; [[ $rc -eq 0 ]] && rc=$r; }
done
[[ $n -gt 1 ]] && echo "ranks 1..$((n - 1)) logged to $log_dir" >&2
exit $rc
