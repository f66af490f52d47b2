#!/usr/bin/env bash
# bench sgns-nd4j-vs-java: the ND4J SGNS engine (Nd4jSgnsTrainer: batched gather / batched matmul / scatter-add,
# nd4j-native here, nd4j-cuda with MVN_ARGS=-Pcuda) against the plain-Java kernel (SgnsTrainer) on the same corpus
# prefix, same hyper-parameters (skip-gram, size 100, window 5, negative 5, sample 1e-4, min-count 5, alpha 0.025
# to 0.0001) and the same number of epochs, through Word2VecBench --engine java|nd4j; each run wrapped by
# contention.sh. The Java kernel runs once per seed of SEEDS: the spread of its scores over seeds is the noise
# band that the ND4J engine's scores are judged against (the ND4J engine draws the same pairs as the Java kernel
# for a given seed; it differs by its mini-batch update order). Writes docs/BENCHMARKS.md section
# "sgns-nd4j-vs-java" through bench/write-section.py.
#
# Usage: bench/sgns-nd4j-vs-java.sh
# Environment:
#   PREFIX_WORDS  words of the corpus prefix (whole lines until this many tokens; default 2000000; 0 = all)
#   ITER          epochs (default 1)
#   SEEDS         seeds of the Java kernel runs (default "1 2 3")
#   ND4J_SEEDS    seeds of the ND4J runs (default "1")
#   BATCHES       ND4J pairs per batch, one run each (default "1024 4096 8192")
#   ND4J_OMP      OMP_NUM_THREADS for the ND4J runs (default 1: on a loaded 2-core machine libnd4j's OpenMP
#                 threads spin-wait and 2 threads ran 4x slower than 1; set 2 on a quiet machine)
#   MVN_ARGS      extra Maven arguments for the build, e.g. "-Pcuda" to run on nd4j-cuda (GPU)
#   SHARED, BENCH_DIR (default /tmp/pretrain-bench), TARGET_DIR (default target-bench)
#   CLASSES       use these compiled model classes instead of building (only without MVN_ARGS)
#   NO_DOCS=1     do not touch docs/BENCHMARKS.md
#   REUSE=1       keep a run whose log in $BENCH_DIR/sgns-nd4j/ already has its RESULT lines (re-render the section)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/lib.sh"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
BENCH_DIR="${BENCH_DIR:-/tmp/pretrain-bench}"
TARGET_DIR="${TARGET_DIR:-target-bench}"
PREFIX_WORDS="${PREFIX_WORDS:-2000000}"; ITER="${ITER:-1}"; SEEDS="${SEEDS:-1 2 3}"; ND4J_SEEDS="${ND4J_SEEDS:-1}"
BATCHES="${BATCHES:-1024 4096 8192}"; ND4J_OMP="${ND4J_OMP:-1}"; MVN_ARGS="${MVN_ARGS:-}"
PEERS="$SHARED/peers"; DATA="$SHARED/data"
OUT="$BENCH_DIR/sgns-nd4j"
mkdir -p "$OUT"
FULL="$BENCH_DIR/imdb-text8.txt"
[ -s "$FULL" ] || bash "$PEERS/make_corpus.sh" imdb-text8 "$FULL"
if [ "$PREFIX_WORDS" = 0 ]; then
  CORPUS="$FULL"
else
  CORPUS="$OUT/imdb-prefix-$PREFIX_WORDS.txt"
  [ -s "$CORPUS" ] || awk -v max="$PREFIX_WORDS" '{ n += NF; print; if (n >= max) exit }' "$FULL" > "$CORPUS"
fi
if [ -n "$MVN_ARGS" ]; then
  echo "== build (mvn -o -pl model $MVN_ARGS -Dtarget.dir=$TARGET_DIR compile)"
  # shellcheck disable=SC2086
  (cd "$ROOT" && mvn -o -q -pl model $MVN_ARGS -Dtarget.dir="$TARGET_DIR" compile dependency:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile="$OUT/model-cp.txt" > "$OUT/build.log" 2>&1) \
    || { cat "$OUT/build.log" >&2; exit 1; }
  CP="$ROOT/model/$TARGET_DIR/classes:$(cat "$OUT/model-cp.txt")"
else
  model_classpath
fi

machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM"
gpu="$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 || true)"
jver="$(java -version 2>&1 | head -1)"
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
field() { { grep -o "$2=[^ ]*" "$1" || true; } | tail -1 | cut -d= -f2 | tr -d '%k'; }
rows=()
scores="$OUT/scores.tsv"; : > "$scores"
run() { # engine seed batch
  local engine=$1 seed=$2 batch=$3 log="$OUT/$1.s$2.b$3.log"
  local cmd=(java -Xmx6g -XX:+UseParallelGC --add-modules jdk.incubator.vector -cp "$CP"
             dev.pretrain.model.word2vec.bench.Word2VecBench --corpus "$CORPUS" --iter "$ITER" --seed "$seed"
             --data "$DATA" --engine "$engine" --save-text "$OUT/$1.s$2.b$3.vec")
  if [ "$engine" = nd4j ]; then cmd+=(--batch-pairs "$batch"); fi
  echo "== $engine seed $seed batch $batch: java ... Word2VecBench ${cmd[*]:8}"
  if [ "${REUSE:-0}" = 1 ] && grep -q '^RESULT ours_eval' "$log" 2>/dev/null; then
    echo "(reusing $log)"
  elif [ "$engine" = nd4j ]; then
    OMP_NUM_THREADS="$ND4J_OMP" bash "$PEERS/contention.sh" "${cmd[@]}" 2>&1 | grep -v '^WARNING: Using incubator' > "$log"
  else
    bash "$PEERS/contention.sh" "${cmd[@]}" 2>&1 | grep -v '^WARNING: Using incubator' > "$log"
  fi
  grep -E '^(RESULT|CONTENTION|kernel)' "$log"
  local backend; backend=$({ grep -o 'backend=[^ ]*' "$log" || true; } | tail -1 | cut -d= -f2); [ -z "$backend" ] && backend="-"
  local acc sem syn ws sl men
  acc=$(field "$log" analogy); sem=$(field "$log" sem); syn=$(field "$log" syn)
  ws=$(field "$log" ws353_spearman); sl=$(field "$log" simlex999_spearman); men=$(field "$log" men_spearman)
  rows+=("| $engine | $backend | $([ "$engine" = nd4j ] && echo "$batch" || echo -) | $seed | $(field "$log" 'words/thread/cpu_s') | $(field "$log" 'in_vocab_words/s') | $(field "$log" train_s) | $acc | $sem | $syn | $ws | $sl | $men | $(field "$log" foreign_cores) |")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$engine" "$batch" "$seed" "$acc" "$ws" "$sl" "$men" "$OUT/$1.s$2.b$3.vec" >> "$scores"
}
for s in $SEEDS; do run java "$s" 0; done
for b in $BATCHES; do for s in $ND4J_SEEDS; do run nd4j "$s" "$b"; done; done
load1="$(cut -d' ' -f1-3 /proc/loadavg)"
# Noise band: the Java kernel's min..max over seeds, widened by half its range on both sides (3 seeds
# under-estimate the spread); an ND4J score inside it is "equal within noise".
verdict=$(python3 - "$scores" <<'PY'
import sys
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1]) if l.strip()]
names = ['analogy %', 'WS-353', 'SimLex', 'MEN']
java = [r for r in rows if r[0] == 'java']
out = []
if java:
    band = []
    for i in range(4):
        v = [float(r[3 + i]) for r in java]
        lo, hi = min(v), max(v); w = (hi - lo) / 2
        band.append((lo - w, hi + w, sum(v) / len(v)))
    out.append('Java kernel over seeds ' + ' '.join(r[2] for r in java) + ': ' + '; '.join(
        f'{n} mean {m:.4g}, band [{lo:.4g}, {hi:.4g}]' for n, (lo, hi, m) in zip(names, band)))
    for r in rows:
        if r[0] != 'nd4j':
            continue
        flags = []
        for i, n in enumerate(names):
            x = float(r[3 + i]); lo, hi, m = band[i]
            flags.append(f'{n} {x:.4g} ({"inside" if lo <= x <= hi else ("ABOVE" if x > hi else "BELOW")})')
        out.append(f'- nd4j batch {r[1]} seed {r[2]}: ' + ', '.join(flags))
print('\n'.join(out))
PY
)
# Agreement with the first Java run (same seed as the first ND4J seed): Pearson r of the pairwise cosines of the
# 1,000 most frequent words, and the mean overlap of their 10 nearest neighbours among the 10,000 most frequent.
agreement=$(python3 - "$scores" <<'PY'
import sys
import numpy as np
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1]) if l.strip()]
def load(path, n):
    with open(path, encoding='utf-8') as f:
        f.readline()
        vs = [np.array(l.rstrip('\n').split(' ')[1:], dtype=np.float32) for _, l in zip(range(n), f)]
    m = np.stack(vs)
    return m / np.linalg.norm(m, axis=1, keepdims=True)
ref = next(r for r in rows if r[0] == 'java')
a = load(ref[7], 10000)
iu = np.triu_indices(1000, 1)
ca = (a[:1000] @ a[:1000].T)[iu]
na = np.argsort(-(a[:1000] @ a.T), axis=1)[:, 1:11]
print(f'Agreement with java seed {ref[2]} (r: Pearson of pairwise cosines, top 1,000 words; NN@10: mean overlap of the'
      ' 10 nearest neighbours of the top 1,000 words among the top 10,000):')
for r in rows:
    if r is ref:
        continue
    b = load(r[7], 10000)
    cb = (b[:1000] @ b[:1000].T)[iu]
    nb = np.argsort(-(b[:1000] @ b.T), axis=1)[:, 1:11]
    nn = np.mean([len(set(x) & set(y)) / 10 for x, y in zip(na, nb)])
    name = f'{r[0]} seed {r[2]}' + (f' batch {r[1]}' if r[0] == 'nd4j' else '')
    print(f'- {name}: r = {np.corrcoef(ca, cb)[0, 1]:.3f}, NN@10 = {nn:.3f}')
PY
)
printf '%s\n' "${rows[@]}"; echo "$verdict"; echo "$agreement"
[ "${NO_DOCS:-0}" = 1 ] && exit 0

DOC="$ROOT/docs/BENCHMARKS.md"
[ -f "$DOC" ] || printf '# Benchmarks\n\nOne section per benchmark; each names the exact command, the machine and how loaded it was.\n' > "$DOC"
begin="<!-- bench:sgns-nd4j-vs-java -->"; end="<!-- /bench:sgns-nd4j-vs-java -->"
section="$OUT/section.md"
{
  echo "$begin"
  echo "## SGNS: ND4J engine vs plain-Java kernel ($(date -u +%Y-%m-%d))"
  echo
  echo "Command: \`PREFIX_WORDS=$PREFIX_WORDS ITER=$ITER SEEDS=\"$SEEDS\" ND4J_SEEDS=\"$ND4J_SEEDS\" BATCHES=\"$BATCHES\" ND4J_OMP=$ND4J_OMP${MVN_ARGS:+ MVN_ARGS=\"$MVN_ARGS\"} bench/sgns-nd4j-vs-java.sh\`."
  echo "Corpus: the first lines of \`make_corpus.sh imdb-text8\` up to $PREFIX_WORDS tokens ($(wc -w < "$CORPUS") words, $(wc -l < "$CORPUS") lines)."
  echo "Hyper-parameters: skip-gram, size 100, window 5, negative 5, sample 1e-4, min-count 5, alpha 0.025 to 0.0001,"
  echo "$ITER epoch(s); Java kernel 1 thread (Vector API). ND4J engine: \`Nd4jSgnsTrainer\`, same sampled pairs, mini-batch"
  echo "update (every pair of a batch reads the pre-batch weights; repeated rows add), OMP_NUM_THREADS=$ND4J_OMP."
  echo "Machine: $machine${gpu:+; GPU $gpu}; $jver. Load average before/after: $load0 / $load1."
  echo
  echo "words/CPU-s: in-vocab words / process CPU-s of training; words/s: in-vocab words x epochs / training wall-s."
  echo "foreign_cores: CPU other processes took meanwhile (contention.sh); runs with foreign_cores > 0.05 are not clean timings."
  echo
  echo "| engine | backend | batch pairs | seed | words/CPU-s | words/s (wall) | train s | analogy % | sem % | syn % | WS-353 rho | SimLex rho | MEN rho | foreign_cores |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Equal within noise = inside the Java kernel's min..max over its seeds, widened by half that range on each side."
  echo
  echo "$verdict"
  echo
  echo "$agreement"
  echo
  echo "An ND4J run with seed s draws the same pairs from the same initial weights as the Java run with seed s, so its"
  echo "agreement with that run should exceed the seed-to-seed agreement of the Java kernel; below it, the mini-batch"
  echo "update moved the embeddings further than re-seeding does (the cost of stale updates at that batch size)."
  echo "$end"
} > "$section"
python3 "$ROOT/bench/write-section.py" "$DOC" "$section" "$begin" "$end"
echo "== wrote $begin section into $DOC"
