#!/usr/bin/env bash
# Short AFL++ run of every fuzz target in fuzz/ (see fuzz/README.md), for CI and by hand.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 60)
#
# 1. Installs what is missing: a C compiler and make (Debian's build-essential, through apt-get,
#    as root), then cargo-afl from crates.io, whose install also builds AFL++ from the source it
#    bundles. Stable Rust only: no nightly, no LLVM plugins.
# 2. Builds the targets with `cargo afl build --release` (fuzz/ is its own cargo package).
# 3. For each target (one per fuzz/src/bin/*.rs): replays the kept corpus fuzz/corpus/<target>,
#    the seeds fuzz/seeds/<target> and the regressions fuzz/regressions/<target>, then runs
#    afl-fuzz for SECONDS_PER_TARGET seconds from the kept corpus, one target at a time.
# 4. Exits 1 if any kept input or regression fails, or if afl-fuzz saved a crash; the crashing
#    inputs' paths are printed (reproduce with `fuzz/target/release/<target> < FILE`). Hangs are
#    printed but do not fail the run: on a loaded machine they can be slowness, not a bug.
#
# Environment:
#   FUZZ_TARGETS="tokenize jsonl"  only these targets (default: every fuzz/src/bin/*.rs)
#   FUZZ_OUT=DIR                   AFL's output directories (default fuzz/out, ignored by git)
#   FUZZ_UPDATE_CORPUS=1           after each run, keep in fuzz/corpus/<target> the inputs it
#                                  started from and those that found new coverage (for
#                                  maintainers: commit the result)
#
# Time on this project's machines (2 cores), from nothing installed: cargo-afl install with its
# AFL++ build about 70 s, first build of the targets about 50 s; then 4 targets x SECONDS plus a
# few seconds each for the replays and afl-fuzz's start. `scripts/fuzz.sh 30` from a clean state
# took 4 min 30 s in all (see fuzz/README.md).
set -euo pipefail

SECS="${1:-60}"
case "$SECS" in
  '' | *[!0-9]*)
    echo "usage: $0 [SECONDS_PER_TARGET]" >&2
    exit 2
    ;;
esac

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FUZZ="$ROOT/fuzz"
OUT="${FUZZ_OUT:-$FUZZ/out}"
# The version of cargo-afl to install; keep it equal to the `afl` crate in fuzz/Cargo.lock.
CARGO_AFL_VERSION=0.18.2
start=$SECONDS

section() { echo "== fuzz: $*"; }

section "tools"
if ! command -v cc >/dev/null || ! command -v make >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential
  else
    echo "a C compiler (cc) and make are needed to build AFL++" >&2
    exit 1
  fi
fi
if ! cargo afl --version 2>/dev/null | grep -q "^cargo-afl $CARGO_AFL_VERSION "; then
  t=$SECONDS
  cargo install --locked --force cargo-afl --version "$CARGO_AFL_VERSION"
  echo "cargo-afl installed in $((SECONDS - t)) s"
fi
# AFL++ and its runtime are built per Rust toolchain; the install builds them for the default one.
if cargo afl fuzz -h 2>&1 | grep -q "was not built"; then
  cargo afl config --build
fi
cargo afl --version

section "build"
t=$SECONDS
(cd "$FUZZ" && cargo afl build --release)
echo "built in $((SECONDS - t)) s"

if [ -n "${FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  targets=()
  for f in "$FUZZ"/src/bin/*.rs; do
    targets+=("$(basename "$f" .rs)")
  done
fi

# The index target's directories, removed at the end whatever happens: afl-fuzz kills targets
# mid-call, which would leave them in /tmp.
REPRINT_FUZZ_TMP="$(mktemp -d)"
export REPRINT_FUZZ_TMP
trap 'rm -rf "$REPRINT_FUZZ_TMP"' EXIT

failed=()  # inputs that fail their checks
hangs=()
summary=()

# Value of one field of an afl-fuzz fuzzer_stats file.
afl_stat() { sed -n "s/^$2 *: *//p" "$1" | head -n 1; }

for t in "${targets[@]}"; do
  bin="$FUZZ/target/release/$t"
  section "$t: replay kept inputs"
  n=0
  err="$(mktemp)"
  for dir in corpus seeds regressions; do
    [ -d "$FUZZ/$dir/$t" ] || continue
    for f in "$FUZZ/$dir/$t"/*; do
      [ -f "$f" ] && [ "$(basename "$f")" != README.md ] || continue
      n=$((n + 1))
      if ! timeout 60 "$bin" <"$f" >/dev/null 2>"$err"; then
        echo "FAILS: $f"
        tail -n 5 "$err" | sed 's/^/    /'
        failed+=("$f")
      fi
    done
  done
  rm -f "$err"
  echo "$n inputs replayed"

  section "$t: afl-fuzz for $SECS s"
  in="$FUZZ/corpus/$t"
  if ! compgen -G "$in/*" >/dev/null; then in="$FUZZ/seeds/$t"; fi
  if ! compgen -G "$in/*" >/dev/null; then
    in="$(mktemp -d)"
    printf 'seed' >"$in/seed"
  fi
  mkdir -p "$OUT"
  rm -rf "${OUT:?}/$t"
  # AFL_NO_UI: no TTY in CI. AFL_SKIP_CPUFREQ and AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES: no root
  # tuning of the machine (CPU governor, core_pattern) is needed. AFL_NO_AFFINITY: another fuzzer
  # (or job) may hold the cores; do not refuse to start. AFL_IGNORE_SEED_PROBLEMS: a kept
  # input that crashes was reported above; fuzz on from the others. The outer timeout only guards
  # against a stuck start.
  rc=0
  AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
    AFL_IGNORE_SEED_PROBLEMS=1 AFL_FAST_CAL=1 \
    timeout $((SECS + 300)) cargo afl fuzz -V "$SECS" -i "$in" -o "$OUT/$t" -- "$bin" \
    >"$OUT/$t.log" 2>&1 || rc=$?
  stats="$OUT/$t/default/fuzzer_stats"
  if [ "$rc" != 0 ] || [ ! -f "$stats" ]; then
    echo "afl-fuzz did not run ($rc); the end of $OUT/$t.log:"
    grep -v "Fuzzing test case" "$OUT/$t.log" | tail -n 25
    failed+=("afl-fuzz run of $t")
    continue
  fi
  line="$(printf '%-9s %5ss %10s execs %8s/s  corpus %5s  edges %5s (%s)  crashes %s  hangs %s' \
    "$t" "$(afl_stat "$stats" run_time)" "$(afl_stat "$stats" execs_done)" \
    "$(afl_stat "$stats" execs_per_sec)" "$(afl_stat "$stats" corpus_count)" \
    "$(afl_stat "$stats" edges_found)" "$(afl_stat "$stats" bitmap_cvg)" \
    "$(afl_stat "$stats" saved_crashes)" "$(afl_stat "$stats" saved_hangs)")"
  echo "$line"
  summary+=("$line")
  for f in "$OUT/$t/default/crashes"/id:*; do
    [ -f "$f" ] || continue
    echo "CRASH: $f"
    "$bin" <"$f" 2>&1 >/dev/null | grep -A 2 panicked | sed 's/^/    /' || true
    failed+=("$f")
  done
  for f in "$OUT/$t/default/hangs"/id:*; do
    [ -f "$f" ] && hangs+=("$f")
  done

  if [ "${FUZZ_UPDATE_CORPUS:-}" = 1 ]; then
    # Kept: the starting inputs and every queue entry that found new coverage (AFL marks them
    # "+cov"). afl-cmin would minimize further, but traces nothing from these persistent-mode
    # targets here, so it is not used.
    section "$t: merge the inputs that found new coverage into fuzz/corpus/$t"
    keep="$(mktemp -d)"
    for f in "$in"/* "$OUT/$t/default/queue"/id:*+cov*; do
      [ -f "$f" ] && cp "$f" "$keep/$(sha1sum "$f" | cut -c1-16)"
    done
    rm -rf "$FUZZ/corpus/$t"
    mkdir -p "$FUZZ/corpus/$t"
    cp "$keep"/* "$FUZZ/corpus/$t/"
    rm -rf "$keep"
    echo "fuzz/corpus/$t: $(find "$FUZZ/corpus/$t" -type f | wc -l) files, $(du -sh "$FUZZ/corpus/$t" | cut -f1)"
  fi
done

section "summary ($((SECONDS - start)) s in all)"
printf '%s\n' "${summary[@]}"
for f in "${hangs[@]}"; do echo "hang (not counted as a failure): $f"; done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "FAILED: ${#failed[@]} crashing inputs or failed runs:"
  printf '  %s\n' "${failed[@]}"
  exit 1
fi
echo "fuzz: no crash"
