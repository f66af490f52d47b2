#!/usr/bin/env bash
# bench sgns-vs-peers: our plain-Java SGNS trainer (Word2VecBench) against word2vec C (w2v_c.sh) and gensim 4.2
# (gensim_w2v.py), side by side in one run on the same corpus bytes (make_corpus.sh imdb-text8) with the same
# hyper-parameters (skip-gram, size 100, window 5, negative 5, sample 1e-4, min-count 5, alpha 0.025, ITER
# epochs), at each thread count of THREADS; each run wrapped by contention.sh. Writes the figures into
# docs/BENCHMARKS.md (section "sgns-vs-peers") through bench/write-section.py.
#
# Speed conventions (both quoted, in-vocabulary words before subsampling):
#   words/thread/CPU-s  word2vec C's own "Words/thread/sec" (its clock() is process CPU time); ours: words /
#                       process CPU seconds of the training phase
#   words/s (wall)      gensim's: words * epochs / training wall seconds; "/thread" divides by the threads
# Quality: analogy = 3CosAdd over the 30,000 most frequent words (compute-accuracy M 30000 for C, gensim's
# evaluate_word_analogies(restrict_vocab=30000) for gensim, AnalogyEvaluator for ours); Spearman rho on
# WordSim-353, SimLex-999, MEN (gensim evaluate_word_pairs / WordSimilarityEvaluator).
#
# Usage: bench/sgns-vs-peers.sh
# Environment:
#   ITER        epochs (default 5; about 25 min for all runs at 5 epochs on a quiet 2-core machine)
#   THREADS     thread counts (default "1 2")
#   TOOLS       subset of "c gensim ours" (default all three)
#   SHARED, BENCH_DIR (default /tmp/pretrain-bench), TARGET_DIR (default target-bench)
#   CLASSES     use these compiled model classes instead of building
#   NO_DOCS=1   do not touch docs/BENCHMARKS.md
# Needs: the peers (bash $SHARED/peers/setup.sh), Maven with ~/.m2 populated, java 17+ (jdk.incubator.vector).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/lib.sh"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
BENCH_DIR="${BENCH_DIR:-/tmp/pretrain-bench}"
TARGET_DIR="${TARGET_DIR:-target-bench}"
ITER="${ITER:-5}"; THREADS="${THREADS:-1 2}"; TOOLS="${TOOLS:-c gensim ours}"
PEERS="$SHARED/peers"; DATA="$SHARED/data"
mkdir -p "$BENCH_DIR/sgns"
CORPUS="$BENCH_DIR/imdb-text8.txt"
[ -s "$CORPUS" ] || bash "$PEERS/make_corpus.sh" imdb-text8 "$CORPUS"
model_classpath
MEN="$DATA/similarity/MEN_dataset_natural_form_full.txt"

machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM"
jver="$(java -version 2>&1 | head -1)"
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
field() { grep -o "$2=[^ ]*" "$1" | tail -1 | cut -d= -f2 | tr -d '%k'; }
rows=()
for T in $THREADS; do
  for tool in $TOOLS; do
    log="$BENCH_DIR/sgns/$tool.T$T.log"
    case "$tool" in
      c) cmd=(env W2V_ITER="$ITER" bash "$PEERS/w2v_c.sh" "$CORPUS" "$T" "$BENCH_DIR/sgns/w2v_c_T$T") ;;
      gensim) cmd=(/usr/bin/python3 "$PEERS/gensim_w2v.py" "$CORPUS" --workers "$T" --iter "$ITER" --men "$MEN") ;;
      ours) cmd=(java -Xmx6g -XX:+UseParallelGC --add-modules jdk.incubator.vector -cp "$CP"
                 dev.pretrain.model.word2vec.bench.Word2VecBench --corpus "$CORPUS" --threads "$T" --iter "$ITER"
                 --data "$DATA" --sections) ;;
      *) echo "unknown tool $tool" >&2; exit 2 ;;
    esac
    echo "== $tool, $T thread(s): ${cmd[*]}"
    bash "$PEERS/contention.sh" "${cmd[@]}" 2>&1 | grep -v '^WARNING: Using incubator' | tee "$log"
    fc=$(field "$log" foreign_cores)
    case "$tool" in
      c)
        cpu=$(echo "$(field "$log" 'words/thread/sec(tool)') * 1000 / 1" | bc)
        wall="-"; wallt="-"
        acc=$(grep -o 'Total accuracy: [0-9.]*' "$log" | awk '{print $3}')
        sem=$(grep -o 'Semantic accuracy: [0-9.]*' "$log" | awk '{print $3}')
        syn=$(grep -o 'Syntactic accuracy: [0-9.]*' "$log" | awk '{print $3}')
        ws="-"; sl="-"; men="-"
        wall_s=$(grep '^RESULT w2v_c ' "$log" | grep -o 'wall_s=[0-9.]*' | cut -d= -f2)
        wall="$(field "$log" 'wall_words/s') (incl. vocab)"; wallt=$(field "$log" 'wall_words/s/thread') ;;
      gensim)
        cpu="-"; wall=$(field "$log" 'in_vocab_words/s'); wallt=$(field "$log" 'in_vocab_words/s/worker')
        acc=$(field "$log" analogy); sem=$(field "$log" sem); syn=$(field "$log" syn)
        ws=$(field "$log" ws353_spearman); sl=$(field "$log" simlex999_spearman); men=$(field "$log" men_spearman)
        wall_s=$(field "$log" train_s) ;;
      ours)
        cpu=$(field "$log" 'words/thread/cpu_s'); wall=$(field "$log" 'in_vocab_words/s'); wallt=$(field "$log" 'in_vocab_words/s/thread')
        acc=$(field "$log" analogy); sem=$(field "$log" sem); syn=$(field "$log" syn)
        ws=$(field "$log" ws353_spearman); sl=$(field "$log" simlex999_spearman); men=$(field "$log" men_spearman)
        wall_s=$(field "$log" train_s) ;;
    esac
    rows+=("| $tool | $T | $cpu | $wall | $wallt | $wall_s | $acc | $sem | $syn | $ws | $sl | $men | $fc |")
    eval "cpu_${tool}_$T=\"$cpu\"; wallt_${tool}_$T=\"$wallt\""
  done
done
load1="$(cut -d' ' -f1-3 /proc/loadavg)"
ratios=()
for T in $THREADS; do
  o_cpu="$(eval echo "\${cpu_ours_$T:-}")"; c_cpu="$(eval echo "\${cpu_c_$T:-}")"
  o_w="$(eval echo "\${wallt_ours_$T:-}")"; g_w="$(eval echo "\${wallt_gensim_$T:-}")"
  r1="-"; r2="-"
  [ -n "$o_cpu" ] && [ -n "$c_cpu" ] && [ "$c_cpu" != "-" ] && r1=$(echo "scale=2; $o_cpu / $c_cpu" | bc)
  [ -n "$o_w" ] && [ -n "$g_w" ] && [ "$g_w" != "-" ] && r2=$(echo "scale=2; $o_w / $g_w" | bc)
  ratios+=("- $T thread(s): ours / word2vec C (words/thread/CPU-s) = ${r1}x; ours / gensim (wall words/s per thread) = ${r2}x")
done
printf '%s\n' "${rows[@]}" "${ratios[@]}"
[ "${NO_DOCS:-0}" = 1 ] && exit 0

DOC="$ROOT/docs/BENCHMARKS.md"
[ -f "$DOC" ] || printf '# Benchmarks\n\nOne section per benchmark; each names the exact command, the machine and how loaded it was.\n' > "$DOC"
# one section per epoch count (the 1-epoch run is the quiet speed comparison, 5 epochs the issue's quality setting)
begin="<!-- bench:sgns-vs-peers-${ITER}ep -->"; end="<!-- /bench:sgns-vs-peers-${ITER}ep -->"
section="$BENCH_DIR/sgns/section.md"
{
  echo "$begin"
  echo "## SGNS word2vec vs word2vec C and gensim, $ITER epoch(s) ($(date -u +%Y-%m-%d))"
  echo
  echo "Command: \`ITER=$ITER THREADS=\"$THREADS\" bench/sgns-vs-peers.sh\`. Corpus: \`make_corpus.sh imdb-text8\`"
  echo "($(wc -w < "$CORPUS") words, $(wc -l < "$CORPUS") lines). Hyper-parameters: skip-gram, size 100, window 5, negative 5,"
  echo "sample 1e-4, min-count 5, alpha 0.025 to 0.0001, $ITER epochs. Peers: word2vec C (npm word2vec@1.1.5 sources,"
  echo "gcc -O3 -march=native), gensim 4.2.0 (Debian). Ours: \`Word2VecBench\`, SgnsTrainer with the Vector API kernel."
  echo "Machine: $machine; $jver. Load average before/after: $load0 / $load1."
  echo
  echo "words/thread/CPU-s: word2vec C's own Words/thread/sec (in-vocab words / process CPU-s); ours the same."
  echo "words/s (wall): in-vocab words x epochs / training wall-seconds (gensim's figure; word2vec C's includes vocab"
  echo "building). analogy: 3CosAdd over the top 30,000 words. foreign_cores: CPU other processes took (contention.sh);"
  echo "runs with foreign_cores > 0.05 are not clean timings."
  echo
  echo "| tool | threads | words/thread/CPU-s | words/s (wall) | words/s/thread (wall) | train s | analogy % | sem % | syn % | WS-353 rho | SimLex rho | MEN rho | foreign_cores |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  printf '%s\n' "${ratios[@]}"
  echo "$end"
} > "$section"
python3 "$ROOT/bench/write-section.py" "$DOC" "$section" "$begin" "$end"
echo "== wrote $begin section into $DOC"
