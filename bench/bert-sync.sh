#!/usr/bin/env bash
# bench bert-sync: local SGD for BERT. Does training over 2 workers that synchronize every H inner steps reach the
# held-out loss of 1 worker on the same examples, and how much faster is it? `pretrain train-bert` on the same MLM + NSP
# instances (same count, seed, learning rate, warm-up and number of steps of the same global batch B):
#   (a) 1 worker, batch B (one averaging round per H_ONE steps: nothing to average, only the round's fixed cost);
#   (b) 2 workers, batch B/2 each, for every H in HS and every outer optimizer in OUTERS (average = DL4J parameter
#       averaging; nesterov = DiLoCo's outer Nesterov momentum, lr 0.7, momentum 0.9).
# Then the machine's ceiling without Spark: BertThroughputBench (same model, seq 128, batch B/2, one thread) alone, then
# two at once. Writes docs/BENCHMARKS.md section "bert-sync" (unless NO_DOCS=1).
#
# Usage: bench/bert-sync.sh [EXAMPLES_DIR VOCAB]   (default: runs/demo/examples/mlm runs/demo/vocab/vocab.txt, the
#                                                   README's first command)
# Environment: MODEL (tiny|mini, default tiny), EXAMPLES (default 16000), B (default 32), HS (default "10 50 100 500"),
#   OUTERS (default "average nesterov"), NESTEROV_HS (H values that also run nesterov, default "100 500"), H_ONE (1-worker
#   round length, default 500), HELDOUT (default 1000), LR (1e-3), WARMUP (50), SEED (12345), CEILING_STEPS (default 30),
#   BENCH_DIR (default /tmp/pretrain-bench-bert-sync), TARGET_DIR (default target-bench), NO_DOCS=1,
#   EXECUTORS (cluster, the default: Spark master local-cluster[workers,1,EXEC_MB], each worker a separate executor JVM
#   of one core as on a cluster, the driver a third JVM; local: local[2], driver and workers in one JVM),
#   EXEC_MB (executor memory in MiB, default 4096), EXEC_OFFHEAP (executors' javacpp maxbytes, default 3G)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
EX="${1:-$ROOT/runs/demo/examples/mlm}"; VOCAB="${2:-$ROOT/runs/demo/vocab/vocab.txt}"
[ -d "$EX/train" ] || { echo "no MLM examples under $EX (run the README's first command, or pass EXAMPLES_DIR VOCAB)" >&2; exit 2; }
W="${BENCH_DIR:-/tmp/pretrain-bench-bert-sync}"; TARGET_DIR="${TARGET_DIR:-target-bench}"
MODEL="${MODEL:-tiny}"; EXAMPLES="${EXAMPLES:-16000}"; B="${B:-32}"; HS="${HS:-10 50 100 500}"
NESTEROV_HS="${NESTEROV_HS:-100 500}"; H_ONE="${H_ONE:-500}"; HELDOUT="${HELDOUT:-1000}"
LR="${LR:-1e-3}"; WARMUP="${WARMUP:-50}"; SEED="${SEED:-12345}"; CEILING_STEPS="${CEILING_STEPS:-30}"
[ $((B % 2)) = 0 ] || { echo "B must be even" >&2; exit 2; }
case "$MODEL" in
  tiny) dims=(--layers 2 --hidden 128 --heads 2 --ffn 512) ;;
  mini) dims=(--layers 4 --hidden 256 --heads 4 --ffn 1024) ;;
  *) echo "MODEL must be tiny or mini" >&2; exit 2 ;;
esac
source "$ROOT/bench/lib.sh"
jobs_classpath "$W"
JVM=(java -Xmx10g $OPENS --add-modules jdk.incubator.vector -Dorg.bytedeco.javacpp.maxbytes=6G
     -Dorg.bytedeco.javacpp.maxphysicalbytes=20G -Dlog4j2.configurationFile="$ROOT/cluster-conf/log4j2.properties")
EXECUTORS="${EXECUTORS:-cluster}"; EXEC_MB="${EXEC_MB:-4096}"; EXEC_OFFHEAP="${EXEC_OFFHEAP:-3G}"
TIME_SOURCE=-Dorg.deeplearning4j.spark.time.TimeSource=org.deeplearning4j.spark.time.SystemClockTimeSource
SH="$W/spark-home"
if [ "$EXECUTORS" = cluster ]; then
  # local-cluster needs a SPARK_HOME: its jars/ links the jobs module's runtime classpath (ND4J natives included);
  # the project's classes reach the executors through spark.executor.extraClassPath
  rm -rf "$SH"; mkdir -p "$SH/jars" "$SH/conf"
  tr ':' '\n' < "$W/cp.txt" | while read -r j; do if [ -f "$j" ]; then ln -sf "$j" "$SH/jars/"; fi; done
  # the classes folders: jobs, and the reactor's corpus-prep and model classes on the runtime classpath
  EXEC_CP="$ROOT/jobs/$TARGET_DIR/classes$(tr ':' '\n' < "$W/cp.txt" | while read -r j; do if [ -d "$j" ]; then printf ':%s' "$j"; fi; done)"
fi

load0="$(cut -d' ' -f1-3 /proc/loadavg)"
run() {  # name workers batch-per-worker H outer
  local out="$W/$1"; rm -rf "$out"
  echo "== $1: $2 worker(s), batch $3 each, H = $4, outer $5"
  local master='local[2]' extra=()
  if [ "$EXECUTORS" = cluster ]; then
    master="local-cluster[$2,1,$EXEC_MB]"
    extra=("-Dspark.executor.memory=${EXEC_MB}m" "-Dspark.executor.extraClassPath=$EXEC_CP"
           "-Dspark.executorEnv.OMP_NUM_THREADS=1"
           "-Dspark.executor.extraJavaOptions=$OPENS --add-modules=jdk.incubator.vector -Dorg.bytedeco.javacpp.maxbytes=$EXEC_OFFHEAP -Dorg.bytedeco.javacpp.maxphysicalbytes=$((EXEC_MB / 1024 + 4))G $TIME_SOURCE")
  fi
  SPARK_HOME="$SH" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1 OMP_NUM_THREADS=1 \
    bash "$SHARED/peers/contention.sh" "${JVM[@]}" "$TIME_SOURCE" "${extra[@]}" -cp "$CP" dev.pretrain.jobs.cli.PretrainCli \
    train-bert --master "$master" --examples "$EX" --vocab "$VOCAB" --output "$out" --model "$MODEL" \
    --workers "$2" --batch-size "$3" --averaging-frequency "$4" --outer-optimizer "$5" --max-train-examples "$EXAMPLES" \
    --max-heldout-examples "$HELDOUT" --validation-examples 0 --eval-every-rounds 0 \
    --learning-rate "$LR" --warmup-steps "$WARMUP" --seed "$SEED" --report "$W/$1.json" > "$W/$1.log" 2>&1 \
    || { tail -30 "$W/$1.log" >&2; exit 1; }
  grep -E 'foreign_cores' "$W/$1.log" | tail -1 || true
}
names=()
run one 1 "$B" "$H_ONE" average; names+=(one)
for h in $HS; do
  for o in ${OUTERS:-average nesterov}; do
    if [ "$o" = nesterov ] && [[ " $NESTEROV_HS " != *" $h "* ]]; then continue; fi
    run "two-h$h-$o" 2 $((B / 2)) "$h" "$o"; names+=("two-h$h-$o")
  done
done
# the ceiling: one single-thread trainer, then two at once (what each worker runs), no Spark
tp=("${JVM[@]}" -cp "$CP" dev.pretrain.model.bert.bench.BertThroughputBench "${dims[@]}" --seq 128 --batch $((B / 2))
    --warmup 3 --steps "$CEILING_STEPS")
echo "== ceiling: BertThroughputBench ${dims[*]} --batch $((B / 2)) alone, then two at once"
OMP_NUM_THREADS=1 bash "$SHARED/peers/contention.sh" "${tp[@]}" 2>&1 | grep -e '^RESULT' -e 'foreign_cores' > "$W/ceiling.solo.log"
{ OMP_NUM_THREADS=1 bash "$SHARED/peers/contention.sh" "${tp[@]}" 2>&1 | grep -e '^RESULT' -e 'foreign_cores' > "$W/ceiling.p0.log" & }
OMP_NUM_THREADS=1 bash "$SHARED/peers/contention.sh" "${tp[@]}" 2>&1 | grep -e '^RESULT' -e 'foreign_cores' > "$W/ceiling.p1.log"
wait
cat "$W/ceiling.solo.log" "$W/ceiling.p0.log" "$W/ceiling.p1.log"
load1="$(cut -d' ' -f1-3 /proc/loadavg)"
cmd="EXECUTORS=$EXECUTORS MODEL=$MODEL EXAMPLES=$EXAMPLES B=$B HS=\"$HS\" NESTEROV_HS=\"$NESTEROV_HS\" H_ONE=$H_ONE HELDOUT=$HELDOUT LR=$LR WARMUP=$WARMUP bench/bert-sync.sh"
python3 - "$W" "$cmd" "$load0 / $load1" "$B" "$EXECUTORS" "$EXEC_MB" "${names[@]}" > "$W/section.md" <<'PY'
import json, re, sys
w, cmd, load, b, executors, exec_mb = sys.argv[1:7]
names = sys.argv[7:]
def fcores(path):
    m = re.findall(r'foreign_cores=([-0-9.]+)', open(path).read())
    return float(m[-1]) if m else float('nan')
def seqs(path):
    m = re.search(r'RESULT bert_throughput .*?seq/s=([0-9.]+)', open(path).read())
    return float(m.group(1)) if m else float('nan')
solo, p0, p1 = seqs(f'{w}/ceiling.solo.log'), seqs(f'{w}/ceiling.p0.log'), seqs(f'{w}/ceiling.p1.log')
ceiling = (p0 + p1) / solo
rows = []
base = None
for n in names:
    rep = json.load(open(f'{w}/{n}.json'))
    rounds = [json.loads(l) for l in open(f'{w}/{n}/rounds.jsonl')]
    secs = rounds[-1]['train_seconds']
    loss = rep['heldout_mlm_loss_final']
    t = rep['training']
    steps_per_round = t['averagingFrequency']
    rs = [r['round_seconds'] for r in rounds]
    row = dict(name=n, workers=t['workers'], h=t['averagingFrequency'], outer=rep.get('outer_optimizer', 'average'),
               rounds=len(rounds), secs=secs, loss=loss, acc=rep['heldout_mlm_accuracy_final'],
               round_s=sum(rs) / len(rs), bcast=rounds[0].get('sync_bytes_broadcast', 0),
               coll=rounds[0].get('sync_bytes_collected', 0), fc=fcores(f'{w}/{n}.log'), params=rep.get('parameters'))
    rows.append(row)
    if n == 'one':
        base = row
# per-step time of one worker alone from the 1-worker run; a 2-worker round's compute is H steps of batch B/2 at the
# pair rate of the ceiling bench, the rest of its seconds is the round's synchronization and Spark cost
step_pair = 1.0 / ((p0 + p1) / 2) * (int(b) // 2)   # seconds per B/2 batch when two trainers run at once
print('<!-- bench:bert-sync -->')
print('## BERT local SGD: 2 workers synchronizing every H steps vs 1 worker, same examples (bench/bert-sync.sh)')
print()
print(f'Command: `{cmd}` on the README pipeline\'s IMDB MLM + NSP instances (`runs/demo`, max_seq_length 128). '
      + (f'`train-bert --master local-cluster[workers,1,{exec_mb}]` (each worker a separate executor JVM of one core, '
         'the driver a third JVM that averages, as on a cluster; in-process standalone Master/Worker)'
         if executors == 'cluster' else '`train-bert --master local[2]` (driver and workers in one JVM)')
      + ', OMP_NUM_THREADS=1, evaluation only at the end (excluded from train s). '
      f'1 worker: batch {b}; 2 workers: batch {int(b)//2} each, every H inner Adam steps the driver averages parameters '
      'and Adam moments (DL4J) and applies the outer optimizer (average = plain averaging; nesterov = DiLoCo, outer '
      'lr 0.7, Nesterov momentum 0.9). Same examples, global batch, learning-rate schedule, seed and steps.')
print(f'Load average before / after: {load}.')
print()
print('| run | workers | H | outer | rounds | train s | speed-up | % of ceiling | held-out MLM loss | vs 1 worker | MLM acc | s/round | sync overhead s/round | MB broadcast + collected /round | foreign_cores |')
print('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
for r in rows:
    sp = base['secs'] / r['secs']
    pct = 100 * sp / ceiling
    d = 100 * (r['loss'] - base['loss']) / base['loss']
    over = r['round_s'] - r['h'] * step_pair if r['workers'] == 2 else float('nan')
    mb = (r['bcast'] + r['coll']) / 1e6
    print(f"| {r['name']} | {r['workers']} | {r['h']} | {r['outer']} | {r['rounds']} | {r['secs']:.1f} | {sp:.2f}x | "
          f"{pct:.0f}% | {r['loss']:.4f} | {d:+.2f}% | {r['acc']:.4f} | {r['round_s']:.2f} | "
          f"{'' if over != over else f'{over:.2f}'} | {mb:.1f} | {r['fc']:.2f} |")
print()
print(f'**Ceiling without Spark:** BertThroughputBench (same model, seq 128, batch {int(b)//2}, one thread) alone '
      f'{solo:.2f} seq/s; two at once {p0:.2f} + {p1:.2f} seq/s: ceiling {ceiling:.2f}x. Speed-up = 1-worker train s / '
      '2-worker train s; % of ceiling = speed-up / ceiling. Sync overhead per round = mean round seconds minus H steps '
      f'at the pair rate ({step_pair:.3f} s per batch of {int(b)//2}). Parameters: {base["params"]:,}; each round the '
      'driver broadcasts parameters + Adam moments (float32) and collects them from each worker.')
print('<!-- /bench:bert-sync -->')
PY
cat "$W/section.md"
if [ "${NO_DOCS:-0}" != 1 ]; then
  python3 "$ROOT/bench/write-section.py" "$ROOT/docs/BENCHMARKS.md" "$W/section.md" \
    "<!-- bench:bert-sync -->" "<!-- /bench:bert-sync -->"
fi
