#!/usr/bin/env bash
# Runs every parser fuzz target (or those named) under libFuzzer with
# AddressSanitizer and UndefinedBehaviorSanitizer, RUNS executions each
# (default 10^6), starting from the target's seeds.
#
#   bash tools/fuzz/run_libfuzzer.sh [target ...]      e.g. idx_fuzz image_fuzz
#
# Builds with clang in a Bazel output base of its own (~/.cache/isoae-fuzz-bazel),
# so the usual gcc build is left alone. A finding stops that target and
# leaves crash-*/oom-*/leak-* files in $OUT/<target>/; turn each into a
# regression test next to the parser's tests. Needs root once to install clang
# and libFuzzer (Debian's clang and libfuzzer-14-dev).
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-1000000}
OUT=${OUT:-/tmp/isoae-fuzz}
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(idx_fuzz npm_json_fuzz cifar10_fuzz svhn_mat_fuzz cmu_mocap_fuzz image_fuzz
           celeba_lists_fuzz checkpoint_fuzz flags_fuzz)
fi

if ! command -v clang >/dev/null || ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  apt-get install -y clang libfuzzer-14-dev
fi

bazel_fuzz() { bazel --output_base="$HOME/.cache/isoae-fuzz-bazel" "$@"; }
labels=()
for t in "${targets[@]}"; do labels+=("//tools/fuzz:$t"); done
bazel_fuzz build --config=fuzz --symlink_prefix=/ "${labels[@]}"
bin=$(bazel_fuzz info --config=fuzz bazel-bin 2>/dev/null)

export ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "${targets[@]}"; do
  dir="$OUT/$t"
  rm -rf "$dir" && mkdir -p "$dir/corpus"
  ISOAE_FUZZ_WRITE_SEEDS="$dir/corpus" "$bin/tools/fuzz/$t" >/dev/null
  start=$(date +%s)
  scratch=$(mktemp -d /dev/shm/isoae-fuzz.XXXXXX)
  if (cd "$dir" && TEST_TMPDIR="$scratch" "$bin/tools/fuzz/$t" -runs="$RUNS" -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 corpus >"$dir/log.txt" 2>&1); then
    result=ok
  else
    result=FINDING
    status=1
  fi
  rm -rf "$scratch"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/log.txt" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$dir/log.txt" | tail -1 || true)
  printf '%-20s %-8s %10s executions  %s  %4ds\n' "$t" "$result" "$execs" "$cov" $(( $(date +%s) - start ))
done
exit $status
