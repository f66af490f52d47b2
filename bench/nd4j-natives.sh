#!/usr/bin/env bash
# bench nd4j-natives: which of ND4J's CPU native builds (generic x86-64, AVX2, AVX-512; Nd4jNatives picks the fastest
# this CPU runs among those on the classpath; the jar ships generic only unless -Pisa-natives) is fastest here, for the two ND4J workloads of the project, each run forced to one build
# with -Dpretrain.nd4j.build and wrapped by contention.sh, the builds interleaved (A B C A B C ...):
#   - BERT-mini training (BertThroughputBench: fused blocks, fused MLM decoder, L4 H256, seq 128, batch 32, Adam):
#     sequences per process CPU-second (best step);
#   - SGNS with the ND4J engine (Word2VecBench --engine nd4j --batch-pairs 4096, one epoch of an IMDB prefix):
#     in-vocabulary words per process CPU-second.
# One thread (OMP_NUM_THREADS=1). Builds this CPU cannot run are skipped (the forced choice is refused). Writes
# docs/BENCHMARKS.md section "nd4j-natives" through bench/write-section.py.
#
# Usage: bench/nd4j-natives.sh
# Environment: REPEAT (default 2) rounds; STEPS (default 6) BERT steps timed, WARMUP (default 2);
#   PREFIX_WORDS (default 1000000) words of the IMDB text8 corpus for SGNS; BUILDS (default "generic avx2 avx512");
#   SHARED, BENCH_DIR (default /tmp/pretrain-bench), TARGET_DIR (default target-bench), CLASSES; NO_DOCS=1
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/lib.sh"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
BENCH_DIR="${BENCH_DIR:-/tmp/pretrain-bench}"
TARGET_DIR="${TARGET_DIR:-target-bench}"
REPEAT="${REPEAT:-2}"; STEPS="${STEPS:-6}"; WARMUP="${WARMUP:-2}"; PREFIX_WORDS="${PREFIX_WORDS:-1000000}"
BUILDS="${BUILDS:-generic avx2 avx512}"
PEERS="$SHARED/peers"
OUT="$BENCH_DIR/nd4j-natives"
mkdir -p "$OUT"
model_classpath
# the AVX2 and AVX-512 builds are test-scoped (not in the deployed jar unless -Pisa-natives): the test classpath has all
(cd "$ROOT" && mvn -o -q -pl model -Dtarget.dir="$TARGET_DIR" dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$OUT/model-test-cp.txt" > /dev/null)
CP="$CLASSES:$(cat "$OUT/model-test-cp.txt")"
export ND4J_NATIVES="nd4j_natives=each build forced in turn (the table)"   # the section's machine line
FULL="$BENCH_DIR/imdb-text8.txt"
[ -s "$FULL" ] || bash "$PEERS/make_corpus.sh" imdb-text8 "$FULL"
CORPUS="$OUT/imdb-prefix-$PREFIX_WORDS.txt"
[ -s "$CORPUS" ] || awk -v max="$PREFIX_WORDS" '{ n += NF; print; if (n >= max) exit }' "$FULL" > "$CORPUS"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
field() { { grep -o "$2=[^ ]*" "$1" || true; } | tail -1 | cut -d= -f2; }
runs=()
for b in $BUILDS; do
  if java -Dpretrain.nd4j.build="$b" -cp "$CP" dev.pretrain.model.natives.Nd4jNatives > "$OUT/probe-$b.log" 2>&1; then
    runs+=("$b")
  else
    echo "== $b: not runnable here: $(grep -o 'this CPU lacks.*' "$OUT/probe-$b.log" | head -1)"
  fi
done
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$REPEAT"); do
  for b in "${runs[@]}"; do
    echo "== round $r, $b: BERT-mini"
    bash "$PEERS/contention.sh" java -Xmx6g --add-modules jdk.incubator.vector -Dpretrain.nd4j.build="$b" -cp "$CP" \
      dev.pretrain.model.bert.bench.BertThroughputBench --blocks fused --mlm fused --layers 4 --warmup "$WARMUP" \
      --steps "$STEPS" > "$OUT/bert-$b-$r.log" 2>&1
    grep -E '^(RESULT|CONTENTION|bench natives)' "$OUT/bert-$b-$r.log" || true
    echo "== round $r, $b: SGNS nd4j engine"
    bash "$PEERS/contention.sh" java -Xmx6g --add-modules jdk.incubator.vector -Dpretrain.nd4j.build="$b" -cp "$CP" \
      dev.pretrain.model.word2vec.bench.Word2VecBench --corpus "$CORPUS" --iter 1 --engine nd4j --batch-pairs 4096 \
      --no-eval > "$OUT/sgns-$b-$r.log" 2>&1
    grep -E '^(RESULT|CONTENTION)' "$OUT/sgns-$b-$r.log" || true
  done
done
load1="$(cut -d' ' -f1-3 /proc/loadavg)"
best() { sort -g | tail -1; }   # the best of the rounds
median() { sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
rows=(); base_bert=""; base_sgns=""
for b in "${runs[@]}"; do
  bert=$(for r in $(seq 1 "$REPEAT"); do field "$OUT/bert-$b-$r.log" 'best_seq/cpu_s'; done | median)
  sgns=$(for r in $(seq 1 "$REPEAT"); do field "$OUT/sgns-$b-$r.log" 'words/thread/cpu_s'; done | median)
  fc=$(for r in $(seq 1 "$REPEAT"); do field "$OUT/bert-$b-$r.log" foreign_cores; field "$OUT/sgns-$b-$r.log" foreign_cores; done | best)
  [ -n "$base_bert" ] || { base_bert=$bert; base_sgns=$sgns; }
  rows+=("| $b | $bert | $(echo "scale=3; $bert / $base_bert" | bc) | $sgns | $(echo "scale=3; $sgns / $base_sgns" | bc) | $fc |")
done
section="$OUT/section.md"
{
  echo "<!-- bench:nd4j-natives -->"
  echo "## ND4J native builds: generic vs AVX2 vs AVX-512 (bench/nd4j-natives.sh)"
  echo
  echo "Command: \`bench/nd4j-natives.sh\` (REPEAT=$REPEAT, STEPS=$STEPS, PREFIX_WORDS=$PREFIX_WORDS), $(date -u +%Y-%m-%d)."
  echo "One thread, each build forced with \`-Dpretrain.nd4j.build\`, builds interleaved, medians of $REPEAT rounds;"
  echo "load average before/after: $load0 / $load1. Builds this CPU cannot run are left out."
  echo
  echo "| build | BERT-mini seq/CPU-s | vs first | SGNS nd4j words/CPU-s | vs first | max foreign_cores |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Shipped by default: the generic build only (the others are test-scoped; \`-Pisa-natives\` puts them in the jar)."
  echo
  echo "BERT-mini's time is mostly OpenBLAS sgemm (its own runtime CPU dispatch, the same in every build) and the"
  echo "Vector API kernels of the fused layers (JIT-compiled for this CPU): the libnd4j build touches only the"
  echo "element-wise ops, Adam and the embedding gathers. The ND4J SGNS engine is libnd4j gathers, batched matmul and"
  echo "scatter-adds."
  echo "<!-- /bench:nd4j-natives -->"
} > "$section"
cat "$section"
if [ "${NO_DOCS:-0}" != 1 ]; then
  python3 "$ROOT/bench/write-section.py" "$ROOT/docs/BENCHMARKS.md" "$section" "<!-- bench:nd4j-natives -->" \
    "<!-- /bench:nd4j-natives -->"
fi
