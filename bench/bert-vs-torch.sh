#!/usr/bin/env bash
# bench bert-vs-torch: BERT-mini pretraining throughput (L4 H256 A4 FFN1024, vocab 30522, seq 128, batch 32, MLM with
# 19 masked positions per sequence + NSP, Adam) on ONE core: PyTorch 1.13 (../shared/peers/torch_bert_mini.py) beside our
# DL4J BertModel with the SameDiff blocks (BertTransformerBlock, "before") and the fused blocks
# (BertFusedTransformerBlock, "after"), each run wrapped by contention.sh; the MLM decoder is the fused BertMlmOutputLayer
# in both, plus one run with fused blocks and DL4J's RnnOutputLayer decoder (fused_dl4jmlm_L4, the MLM "before"). Also: the per-block cost from L=4 minus L=1
# runs, the fused block's time per stage (-Dbert.fused.profile=true) and a JFR sample profile of each L=4 run
# (bench/jfr-summary.py). Writes docs/BENCHMARKS.md section "bert-vs-torch" through bench/write-section.py.
#
# FLOPs: the peer's analytic count (27.5 MFLOP per token for BERT-mini with 19 predictions; forward + backward =
# 3 x forward matmul FLOPs; embeddings, norms, softmax, optimizer not counted). MFU is quoted against this core's
# measured ND4J sgemm rate for the FFN shape [4096, 256] x [256, 1024] (BertThroughputBench prints it).
#
# Usage: bench/bert-vs-torch.sh
# Environment:
#   STEPS (default 10) timed steps per run, WARMUP (default 3); THREADS (default 1)
#   BREAKDOWN=0  skip the L=1 runs; JFR=0  skip the JFR profiles
#   SHARED, BENCH_DIR (default /tmp/pretrain-bench), TARGET_DIR (default target-bench), CLASSES (prebuilt classes)
#   NO_DOCS=1  do not touch docs/BENCHMARKS.md
# Natives: Nd4jNatives picks the fastest ND4J build on the model's runtime classpath that this CPU runs (the generic one,
# unless built with -Pisa-natives; ND4J_NATIVE_BUILD=generic|avx2|avx512 forces one) and the section names it with the
# CPU flags.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/lib.sh"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
BENCH_DIR="${BENCH_DIR:-/tmp/pretrain-bench}"
TARGET_DIR="${TARGET_DIR:-target-bench}"
STEPS="${STEPS:-10}"; WARMUP="${WARMUP:-3}"; THREADS="${THREADS:-1}"
BREAKDOWN="${BREAKDOWN:-1}"; JFR="${JFR:-1}"
PEERS="$SHARED/peers"
OUT="$BENCH_DIR/bert"
mkdir -p "$OUT"
model_classpath
JOPTS=(-Xmx8g --add-modules jdk.incubator.vector -Dpretrain.nd4j.build="${ND4J_NATIVE_BUILD:-auto}")
natives="$(echo "$ND4J_NATIVES" | sed 's/^nd4j_natives=\([^ ;]*\).*/\1/')"   # the build's folder name, for the tables
export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS"

machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1) (family $(sed -n 's/^cpu family[^0-9]*//p' /proc/cpuinfo | head -1)), $(grep -c ^processor /proc/cpuinfo) logical CPUs, $(free -g | awk '/^Mem:/{print $2}') GiB RAM"
jver="$(java -version 2>&1 | head -1)"
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
field() { grep -o "$2=[^ ]*" "$1" | tail -1 | cut -d= -f2; }
run() {   # run NAME CMD...: runs CMD under contention.sh, log in $OUT/NAME.log
  local name="$1"; shift
  local shown="$*"
  echo "== $name: ${shown//$CP/\$CP}"
  bash "$PEERS/contention.sh" "$@" 2>&1 | grep -v '^WARNING: Using incubator\|^WARN \|^INFO \|Added differentiated op' \
    | tee "$OUT/$name.log" | grep -E '^(RESULT|run|CONTENTION|PROFILE|bench|torch)' || true
}
ours() {  # ours NAME BLOCKS LAYERS [extra JVM options...]
  local name="$1" blocks="$2" layers="$3"; shift 3
  run "$name" java "${JOPTS[@]}" "$@" -cp "$CP" dev.pretrain.model.bert.bench.BertThroughputBench --blocks "$blocks" \
    --layers "$layers" --warmup "$WARMUP" --steps "$STEPS" --mlm "${MLM:-fused}"
}
jfr_opt() { [ "$JFR" = 1 ] && echo "-XX:StartFlightRecording=filename=$OUT/$1.jfr,settings=profile" || echo "-Dno.jfr=1"; }

run torch /usr/bin/python3 "$PEERS/torch_bert_mini.py" --threads "$THREADS" --steps "$STEPS" --warmup "$WARMUP" --repeat 1
# the same with its clock switched to process CPU time: sequences per CPU-second (bench/torch_cpu_clock.py)
run torch_cpu /usr/bin/python3 "$ROOT/bench/torch_cpu_clock.py" "$PEERS/torch_bert_mini.py" --threads "$THREADS" \
  --steps "$STEPS" --warmup "$WARMUP" --repeat 1
ours samediff_L4 samediff 4 "$(jfr_opt samediff_L4)"
ours fused_L4 fused 4 -Dbert.fused.profile=true "$(jfr_opt fused_L4)"
MLM=dl4j ours fused_dl4jmlm_L4 fused 4 "$(jfr_opt fused_dl4jmlm_L4)"
if [ "$BREAKDOWN" = 1 ]; then
  ours samediff_L1 samediff 1
  ours fused_L1 fused 1
fi
load1="$(cut -d' ' -f1-3 /proc/loadavg)"

t_seq=$(field "$OUT/torch.log" 'best_seq/s'); t_gf=$(field "$OUT/torch.log" 'best_GFLOP/s')
t_ms=$(grep -o '[0-9]* ms/step' "$OUT/torch.log" | tail -1 | cut -d' ' -f1); t_fc=$(field "$OUT/torch.log" foreign_cores)
t_cpu=$(field "$OUT/torch_cpu.log" 'best_seq/s')
cpu_ms() { echo "1000 * 32 / $1" | bc; }   # ms of CPU per step of batch 32
sgemm=$(field "$OUT/fused_L4.log" 'sgemm_GFLOP/s')
t_gfc=$(echo "scale=1; $t_cpu * 3516 / 1000" | bc)
rows=("| PyTorch $(grep -o 'torch [0-9.a-z+]*' "$OUT/torch.log" | head -1 | cut -d' ' -f2) (peer) | nn.TransformerEncoderLayer | $t_seq | $t_cpu | $(field "$OUT/torch.log" 'best_tokens/s') | $t_gf | $t_gfc | $t_ms | $(cpu_ms "$t_cpu") | $(echo "scale=2; $t_gfc / $sgemm" | bc) (vs our sgemm) | $t_fc / $(field "$OUT/torch_cpu.log" foreign_cores) |")
for name in samediff_L4 fused_dl4jmlm_L4 fused_L4; do
  f="$OUT/$name.log"
  rows+=("| ours, DL4J $natives | $(field "$f" blocks), MLM $(field "$f" mlm) | $(field "$f" 'best_seq/s') | $(field "$f" 'best_seq/cpu_s') | $(field "$f" 'best_tokens/s') | $(field "$f" 'best_GFLOP/s') | $(field "$f" 'GFLOP/cpu_s') | $(field "$f" 'ms/step') | $(cpu_ms "$(field "$f" 'best_seq/cpu_s')") | $(field "$f" 'MFU_cpu_vs_sgemm') (sgemm $(field "$f" 'sgemm_GFLOP/s') GFLOP/CPU-s) | $(field "$f" foreign_cores) |")
done
ratio() { echo "scale=2; $1 / $2" | bc; }
sd_seq=$(field "$OUT/samediff_L4.log" 'best_seq/s'); fu_seq=$(field "$OUT/fused_L4.log" 'best_seq/s')
sd_cpu=$(field "$OUT/samediff_L4.log" 'best_seq/cpu_s'); fu_cpu=$(field "$OUT/fused_L4.log" 'best_seq/cpu_s')
ratios=("- ours / PyTorch on $THREADS thread(s), sequences per CPU-second (robust to other load): SameDiff blocks $(ratio "$sd_cpu" "$t_cpu")x, fused blocks $(ratio "$fu_cpu" "$t_cpu")x; fused / SameDiff $(ratio "$fu_cpu" "$sd_cpu")x; fused blocks with DL4J's RnnOutputLayer MLM decoder $(ratio "$(field "$OUT/fused_dl4jmlm_L4.log" 'best_seq/cpu_s')" "$t_cpu")x (fused MLM decoder / RnnOutputLayer: $(ratio "$fu_cpu" "$(field "$OUT/fused_dl4jmlm_L4.log" 'best_seq/cpu_s')")x)."
        "- the same in wall-clock sequences/s (valid only when foreign_cores are similar and small): SameDiff $(ratio "$sd_seq" "$t_seq")x, fused $(ratio "$fu_seq" "$t_seq")x.")
breakdown=()
if [ "$BREAKDOWN" = 1 ]; then
  for impl in samediff fused; do
    m4=$(cpu_ms "$(field "$OUT/${impl}_L4.log" 'best_seq/cpu_s')"); m1=$(cpu_ms "$(field "$OUT/${impl}_L1.log" 'best_seq/cpu_s')")
    blk=$(echo "($m4 - $m1) / 3" | bc); rest=$(echo "$m1 - $blk" | bc)
    breakdown+=("| $impl | $m4 | $m1 | $blk | $(echo "4 * $blk" | bc) ($(echo "400 * $blk / $m4" | bc)%) | $rest ($(echo "100 * $rest / $m4" | bc)%) | $(field "$OUT/${impl}_L1.log" foreign_cores) |")
  done
fi
stages=()
while read -r line; do
  st=$(echo "$line" | sed 's/.*stage="\([^"]*\)".*/\1/'); ms=$(echo "$line" | grep -o 'ms/step=[0-9.]*' | cut -d= -f2)
  stages+=("| $st | $ms |")
done < <(grep '^PROFILE' "$OUT/fused_L4.log")
printf '%s\n' "${rows[@]}" "${ratios[@]}" "${breakdown[@]}"
[ "${NO_DOCS:-0}" = 1 ] && exit 0

DOC="$ROOT/docs/BENCHMARKS.md"
[ -f "$DOC" ] || printf '# Benchmarks\n\nOne section per benchmark; each names the exact command, the machine and how loaded it was.\n' > "$DOC"
begin="<!-- bench:bert-vs-torch -->"; end="<!-- /bench:bert-vs-torch -->"
section="$OUT/section.md"
{
  echo "$begin"
  echo "## BERT-mini training throughput vs PyTorch, one core ($(date -u +%Y-%m-%d))"
  echo
  echo "Command: \`STEPS=$STEPS WARMUP=$WARMUP THREADS=$THREADS bench/bert-vs-torch.sh\`. Config: L4 H256 A4 FFN1024, vocab 30522,"
  echo "seq 128, batch 32, 19 masked positions per sequence (round(0.15 x 128), the peer's count) + NSP, random token ids,"
  echo "no padding, Adam(W). Peer: \`/usr/bin/python3 ../shared/peers/torch_bert_mini.py --threads $THREADS --steps $STEPS"
  echo "--warmup $WARMUP --repeat 1\`. Ours: \`BertThroughputBench --blocks samediff|fused --mlm fused|dl4j\` (BertModel, \`net.fit\` per step),"
  echo "OMP/OpenBLAS threads = $THREADS, ND4J natives $natives, Vector API kernels in the fused block."
  echo "Machine: $machine; $jver. Load average before/after: $load0 / $load1."
  echo "GFLOP/s: the peer's analytic count (27.5 MFLOP/token). seq/CPU-s: timed sequences / CPU seconds of the process"
  echo "over the timed steps (ours: OperatingSystemMXBean process CPU time; PyTorch: its own timer switched to"
  echo "time.process_time by bench/torch_cpu_clock.py, a second run); with other processes on the cores this is the figure"
  echo "to compare. MFU: GFLOP per CPU-second / this core's ND4J sgemm GFLOP per CPU-second ([4096,256]x[256,1024],"
  echo "measured in the same JVM; the peer's MFU on the same scale: its GFLOP/CPU-s / the fused run's sgemm rate). foreign_cores: CPU other processes"
  echo "took meanwhile (contention.sh; PyTorch: wall run / CPU-clock run); runs with foreign_cores > 0.05 are not clean"
  echo "wall-clock timings."
  echo
  echo "| tool | blocks | seq/s (wall) | seq/CPU-s | tokens/s (wall) | GFLOP/s (wall) | GFLOP/CPU-s | ms/step (wall) | CPU ms/step | MFU (per CPU-s, vs sgemm) | foreign_cores |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  printf '%s\n' "${ratios[@]}"
  if [ "$BREAKDOWN" = 1 ]; then
    echo
    echo "Where a step goes, by model depth (CPU ms per step): per-block time = (L=4 - L=1) / 3 (forward, backward and"
    echo "update of one block); rest = embeddings, MLM and NSP heads, updater, graph bookkeeping."
    echo
    echo "| blocks | CPU ms/step L=4 | CPU ms/step L=1 | ms per block | 4 blocks | rest | foreign_cores (L=1) |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s\n' "${breakdown[@]}"
  fi
  echo
  echo "Fused block, thread CPU time per stage summed over the 4 blocks (-Dbert.fused.profile=true), ms per step:"
  echo
  echo "| stage | CPU ms/step |"
  echo "|---|---|"
  printf '%s\n' "${stages[@]}"
  if [ "$JFR" = 1 ]; then
    for name in samediff_L4 fused_dl4jmlm_L4 fused_L4; do
      echo
      echo "JFR sample profile, $name (whole run incl. start-up and warm-up; main thread; each sample attributed to the"
      echo "innermost frame naming a model part; native time is charged to the Java frame that called it):"
      echo
      echo "| part | samples (10 ms) | share |"
      echo "|---|---|---|"
      python3 "$ROOT/bench/jfr-summary.py" "$OUT/$name.jfr"
    done
  fi
  echo "$end"
} > "$section"
python3 "$ROOT/bench/write-section.py" "$DOC" "$section" "$begin" "$end"
echo "== wrote $begin section into $DOC"
