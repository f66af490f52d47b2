#!/usr/bin/env bash
# bench sgns-averaging: SGNS word2vec trained on Spark by parameter averaging (ParameterAveragedSgns, the loop of
# train-word2vec) through SparkAveragingBench, on the IMDB text8 corpus (make_corpus.sh imdb-text8).
#
#   quality  (default) one run per partition count of PARTITIONS in Spark local[2]: analogy accuracy (3CosAdd,
#            top 30,000 words), WordSim-353 / SimLex-999 / MEN Spearman and training seconds against the number
#            of partitions; section "sgns-averaging" of docs/BENCHMARKS.md.
#   speedup  the same training with 1 executor (1 partition) and with 2 executors (2 partitions), 1 core each,
#            Spark master local-cluster[N,1,MB] (executors are separate JVMs launched by an in-process standalone
#            Master/Worker; SPARK_HOME is a folder whose jars/ links the model module's runtime classpath);
#            speed-up = training seconds with 1 executor / with 2, same total words; then the machine's ceiling
#            without Spark: Word2VecBench alone on all sentences vs two Word2VecBench processes at once, one per
#            contiguous half (--part 0/2, 1/2); section "sgns-averaging-speedup".
#   all      both.
# Every run is wrapped by contention.sh (foreign_cores = CPU other processes took meanwhile).
#
# Usage: bench/sgns-averaging.sh [quality|speedup|all]
# Environment:
#   ITER         epochs (default 1)
#   PARTITIONS   partition counts of the quality runs (default "1 2 4 8")
#   ROUNDS       averaging rounds per epoch (default 16); RPP rounds per partition (default 0: rounds =
#                max(ROUNDS, RPP * partitions))
#   RULE         bmuf (default) | bmuf_nesterov | scaled_sum | mean; MOMENTUM, BLOCK_LR override
#                the rule's defaults
#   SPEEDUP_ROUNDS rounds per epoch of the speed-up runs (default 16); EXEC_MEM executor memory (default 3g)
#   SHARED, BENCH_DIR (default /tmp/pretrain-bench), TARGET_DIR (default target-bench), CLASSES (skip the build)
#   NO_DOCS=1    do not touch docs/BENCHMARKS.md
#   REPORT_ONLY=1 do not train: rebuild the sections from the logs of the last run in $BENCH_DIR/sgns-averaging
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/lib.sh"
MODE="${1:-quality}"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
BENCH_DIR="${BENCH_DIR:-/tmp/pretrain-bench}"
TARGET_DIR="${TARGET_DIR:-target-bench}"
ITER="${ITER:-1}"; PARTITIONS="${PARTITIONS:-1 2 4 8}"; ROUNDS="${ROUNDS:-16}"; RPP="${RPP:-0}"
RULE="${RULE:-bmuf}"; SPEEDUP_ROUNDS="${SPEEDUP_ROUNDS:-16}"; EXEC_MEM="${EXEC_MEM:-3g}"
PEERS="$SHARED/peers"; DATA="$SHARED/data"
OUT="$BENCH_DIR/sgns-averaging"
mkdir -p "$OUT"
CORPUS="$BENCH_DIR/imdb-text8.txt"
[ -s "$CORPUS" ] || bash "$PEERS/make_corpus.sh" imdb-text8 "$CORPUS"
model_classpath
spark_opens
JVM=(java -Xmx8g -XX:+UseParallelGC --add-modules jdk.incubator.vector $OPENS)
RULE_ARGS=(--rule "$RULE")
[ -n "${MOMENTUM:-}" ] && RULE_ARGS+=(--momentum "$MOMENTUM")
[ -n "${BLOCK_LR:-}" ] && RULE_ARGS+=(--block-lr "$BLOCK_LR")

machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM"
jver="$(java -version 2>&1 | head -1)"
field() { grep '^RESULT' "$1" | grep -o " $2=[^ ]*" | tail -1 | cut -d= -f2 | tr -d '%'; }
fcores() { grep -o 'foreign_cores=[-0-9.]*' "$1" | tail -1 | cut -d= -f2; }
DOC="$ROOT/docs/BENCHMARKS.md"
printcmd() { # the command with $CP and $OPENS (pom.xml spark.jvm.opens) in place of their values
  local out="$*"
  out="${out//"$CP"/\$CP}"; out="${out//"$OPENS"/\$OPENS}"
  echo "$out"
}
write_doc() { # begin end file
  [ "${NO_DOCS:-0}" = 1 ] && return 0
  python3 "$ROOT/bench/write-section.py" "$DOC" "$3" "$1" "$2"
  echo "== wrote $1 section into $DOC"
}

quality() {
  local load0 load1 rows=() cmds=() base=""
  load0="$(cut -d' ' -f1-3 /proc/loadavg)"
  for P in $PARTITIONS; do
    local log="$OUT/quality.p$P.log"
    local cmd=("${JVM[@]}" -cp "$CP" dev.pretrain.model.word2vec.bench.SparkAveragingBench --corpus "$CORPUS"
               --data "$DATA" --partitions "$P" --iter "$ITER" --rounds "$ROUNDS" --rounds-per-partition "$RPP"
               --cores 2 "${RULE_ARGS[@]}")
    echo "== $P partition(s)"
    [ "${REPORT_ONLY:-0}" = 1 ] || bash "$PEERS/contention.sh" "${cmd[@]}" 2>&1 \
      | grep -e '^RESULT' -e '^CONTENTION' -e '^corpus' -e 'Exception' | tee "$log"
    local acc
    acc=$(field "$log" analogy)
    [ -z "$base" ] && base="$acc"
    rows+=("| $P | $(field "$log" rounds) | $(field "$log" rule) | $(field "$log" block_lr) | $(field "$log" momentum) | $acc | $(echo "$acc - $base" | bc | sed 's/^\(-*\)\./\10./') | $(field "$log" sem) | $(field "$log" syn) | $(field "$log" ws353_spearman) | $(field "$log" simlex999_spearman) | $(field "$log" men_spearman) | $(field "$log" train_s) | $(fcores "$log") |")
    cmds+=("    $(printcmd "${cmd[@]}")")
  done
  load1="$(cut -d' ' -f1-3 /proc/loadavg)"
  if [ "${REPORT_ONLY:-0}" = 1 ]; then read -r load0 load1 < <(tr -s ' ' '_' < "$OUT/quality.load" | tr '/' ' '); load0="${load0//_/ }"; load1="${load1//_/ }";
  else echo "$load0/$load1" > "$OUT/quality.load"; fi
  printf '%s\n' "${rows[@]}"
  local begin="<!-- bench:sgns-averaging -->" end="<!-- /bench:sgns-averaging -->" section="$OUT/quality.md"
  {
    echo "$begin"
    echo "## SGNS parameter averaging on Spark: quality against partitions ($(date -u +%Y-%m-%d))"
    echo
    echo "Command: \`ITER=$ITER PARTITIONS=\"$PARTITIONS\" ROUNDS=$ROUNDS RPP=$RPP RULE=$RULE bench/sgns-averaging.sh quality\`."
    echo "Corpus: \`make_corpus.sh imdb-text8\` ($(wc -w < "$CORPUS") words, $(wc -l < "$CORPUS") lines), min-count 5."
    echo "\`ParameterAveragedSgns\` in Spark \`local[2]\`, contiguous partitions (\`parallelize\`), skip-gram size 100,"
    echo "window 5, negative 5, sample 1e-4, alpha 0.025 to 0.0001 linearly over all words (word2vec C), $ITER epoch(s),"
    echo "seed 1. Rule: block momentum (BMUF, Chen & Huo, ICASSP 2016) unless the rule column says otherwise;"
    echo "momentum = eta. analogy: 3CosAdd over the 30,000 most frequent words; rho = Spearman."
    echo "Machine: $machine; $jver. Load average before/after: $load0 / $load1. foreign_cores: CPU other processes"
    echo "took during the run (contention.sh); train s is only a clean timing when it is near 0."
    echo
    echo "Rounds/epoch = max(ROUNDS, RPP x partitions): averaging needs about 16 rounds per partition above 2 partitions"
    echo "(see the ParameterAveragedSgns Javadoc for the rounds and rules measured). zeta = block learning rate,"
    echo "eta = block momentum; delta = analogy % minus the first row's."
    echo
    echo "| partitions | rounds/epoch | rule | zeta | eta | analogy % | delta | sem % | syn % | WS-353 rho | SimLex rho | MEN rho | train s | foreign_cores |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Exact commands (CP = model classes + runtime classpath, OPENS = pom.xml spark.jvm.opens):"
    echo
    printf '%s\n' "${cmds[@]}"
    echo "    $(printcmd "${w2v[@]}")                 # alone"
    echo "    $(printcmd "${w2v[@]}") --part 0/2 & $(printcmd "${w2v[@]}") --part 1/2   # together"
    echo "$end"
  } > "$section"
  write_doc "$begin" "$end" "$section"
}

speedup() {
  # A SPARK_HOME for local-cluster: its jars/ links the runtime classpath; the model classes go to the executors
  # through spark.executor.extraClassPath.
  local sh="$OUT/spark-home" load0 load1 rows=() cmds=() secs=()
  rm -rf "$sh"; mkdir -p "$sh/jars" "$sh/conf"
  tr ':' '\n' < "$BENCH_DIR/model-cp.txt" | while read -r j; do [ -f "$j" ] && ln -sf "$j" "$sh/jars/"; done
  local mem_mb
  mem_mb=$(( $(echo "$EXEC_MEM" | tr -d 'gG') * 1024 ))
  load0="$(cut -d' ' -f1-3 /proc/loadavg)"
  for N in 1 2; do
    local log="$OUT/speedup.e$N.log"
    local cmd=("${JVM[@]}" -cp "$CP" dev.pretrain.model.word2vec.bench.SparkAveragingBench --corpus "$CORPUS"
               --data "$DATA" --partitions "$N" --iter "$ITER" --rounds "$SPEEDUP_ROUNDS" "${RULE_ARGS[@]}"
               --master "local-cluster[$N,1,$mem_mb]"
               --conf "spark.executor.memory=$EXEC_MEM" --conf "spark.executor.extraClassPath=$CLASSES"
               --conf "spark.executor.extraJavaOptions=-XX:+UseParallelGC --add-modules jdk.incubator.vector $OPENS")
    echo "== $N executor(s)"
    [ "${REPORT_ONLY:-0}" = 1 ] || SPARK_HOME="$sh" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1 \
      bash "$PEERS/contention.sh" "${cmd[@]}" 2>&1 | grep -e '^RESULT' -e '^CONTENTION' -e '^corpus' -e 'Exception' | tee "$log"
    secs+=("$(field "$log" train_s)")
    rows+=("| $N | $N | $(field "$log" rounds) | $(field "$log" train_s) | $(field "$log" words_per_s) | $(field "$log" analogy) | $(field "$log" ws353_spearman) | $(fcores "$log") |")
    cmds+=("    SPARK_HOME=$sh SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1 $(printcmd "${cmd[@]}")")
  done
  # The machine's own ceiling, no Spark: one single-thread trainer on all sentences, then 2 at once as separate
  # processes, each on its contiguous half (the same vocabulary; what each executor trains). Two trainers each
  # keep their own 2 x vocab x dim float32 weights, so they share the last-level cache and memory bandwidth.
  local w2v=("${JVM[@]}" -cp "$CP" dev.pretrain.model.word2vec.bench.Word2VecBench --corpus "$CORPUS" --data "$DATA"
             --threads 1 --iter "$ITER" --no-eval)
  if [ "${REPORT_ONLY:-0}" != 1 ]; then
    echo "== ceiling: 1 trainer process on all sentences, then 2 processes on one half each"
    bash "$PEERS/contention.sh" "${w2v[@]}" 2>&1 | grep -e '^RESULT' -e '^CONTENTION' | tee "$OUT/ceiling.solo.log"
    { bash "$PEERS/contention.sh" "${w2v[@]}" --part 0/2 2>&1 | grep -e '^RESULT' -e '^CONTENTION' > "$OUT/ceiling.p0.log" & } 
    bash "$PEERS/contention.sh" "${w2v[@]}" --part 1/2 2>&1 | grep -e '^RESULT' -e '^CONTENTION' > "$OUT/ceiling.p1.log"
    wait
    cat "$OUT/ceiling.p0.log" "$OUT/ceiling.p1.log"
  fi
  local solo p0 p1 pair ceiling eff
  solo=$(field "$OUT/ceiling.solo.log" train_s); p0=$(field "$OUT/ceiling.p0.log" train_s); p1=$(field "$OUT/ceiling.p1.log" train_s)
  pair=$(printf '%s\n%s\n' "$p0" "$p1" | sort -g | tail -1)
  load1="$(cut -d' ' -f1-3 /proc/loadavg)"
  if [ "${REPORT_ONLY:-0}" = 1 ]; then read -r load0 load1 < <(tr -s ' ' '_' < "$OUT/speedup.load" | tr '/' ' '); load0="${load0//_/ }"; load1="${load1//_/ }";
  else echo "$load0/$load1" > "$OUT/speedup.load"; fi
  local ratio
  ratio=$(printf "%.2f" "$(echo "scale=4; ${secs[0]} / ${secs[1]}" | bc)")
  ceiling=$(printf "%.2f" "$(echo "scale=4; $solo / $pair" | bc)")
  eff=$(printf "%.0f" "$(echo "scale=4; 100 * $ratio / $ceiling" | bc)")
  printf '%s\n' "${rows[@]}"; echo "speed-up 2 executors / 1: ${ratio}x; machine ceiling (2 processes, no Spark): ${ceiling}x"
  local begin="<!-- bench:sgns-averaging-speedup -->" end="<!-- /bench:sgns-averaging-speedup -->" section="$OUT/speedup.md"
  {
    echo "$begin"
    echo "## SGNS parameter averaging: speed-up of 2 executors over 1 ($(date -u +%Y-%m-%d))"
    echo
    echo "Command: \`ITER=$ITER SPEEDUP_ROUNDS=$SPEEDUP_ROUNDS RULE=$RULE EXEC_MEM=$EXEC_MEM bench/sgns-averaging.sh speedup\`."
    echo "Same corpus and hyper-parameters as the quality table; Spark master \`local-cluster[N,1,$mem_mb]\`: N executor"
    echo "JVMs of 1 core each (plus the driver JVM, which averages between rounds); N partitions, so the same total"
    echo "words ($ITER epoch(s)) either on 1 executor or split over 2. train s: wall seconds of"
    echo "\`ParameterAveragedSgns.train\` (all rounds: broadcast, training, treeReduce, the driver's combination)."
    echo "Machine: $machine; $jver. Load average before/after: $load0 / $load1. The speed-up needs both cores:"
    echo "it is only valid when foreign_cores is near 0."
    echo
    echo "| executors | partitions | rounds/epoch | train s | words/s | analogy % | WS-353 rho | foreign_cores |"
    echo "|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "**Speed-up, 2 executors over 1: ${ratio}x** (training seconds, same words)."
    echo
    echo "**This machine's ceiling without Spark: ${ceiling}x.** The same single-thread trainer (\`Word2VecBench\`, same"
    echo "vocabulary and hyper-parameters, no averaging, no evaluation) on all sentences took $solo s alone; two such"
    echo "processes started together, each on one contiguous half (\`--part 0/2\`, \`--part 1/2\`: what each executor"
    echo "trains), took $p0 s and $p1 s. Both cores are otherwise idle (CPU-bound work such as \`sha256sum\` runs at"
    echo "the same speed alone or in pairs here): the loss is memory. Each SGNS process updates its own"
    echo "2 x vocab x 100 float32 weights (42 MB) at random rows, and two of them share one 32 MB last-level cache"
    echo "and the memory bandwidth. Spark's averaging reaches ${eff}% of that ceiling: every round also pays a fixed"
    echo "cost (the weights' broadcast, fetched by each executor, the executors' results back to the driver, the"
    echo "driver's combination), the same with 1 or 2 executors, and waits for the slower executor. Fewer, longer"
    echo "rounds (larger corpora per round) bring it closer to the ceiling; the ceiling itself is this machine's."
    echo
    echo "Exact commands (CP = model classes + runtime classpath, OPENS = pom.xml spark.jvm.opens):"
    echo
    printf '%s\n' "${cmds[@]}"
    echo "    $(printcmd "${w2v[@]}")                 # alone"
    echo "    $(printcmd "${w2v[@]}") --part 0/2 & $(printcmd "${w2v[@]}") --part 1/2   # together"
    echo "$end"
  } > "$section"
  write_doc "$begin" "$end" "$section"
}

case "$MODE" in
  quality) quality ;;
  speedup) speedup ;;
  all) quality; speedup ;;
  *) echo "usage: $0 [quality|speedup|all]" >&2; exit 2 ;;
esac
