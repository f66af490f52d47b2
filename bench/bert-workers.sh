#!/usr/bin/env bash
# bench bert-workers: does parameter averaging over 2 workers reach the held-out loss of 1 worker on the same
# examples? `pretrain train-bert` twice on the same MLM + NSP instances (same count, order, seed, learning rate,
# warm-up, steps): (a) 1 worker, batch B; (b) 2 workers, batch B/2 each, averaging every F minibatches (DL4J
# ParameterAveragingTrainingMaster), so both take the same number of steps of the same global batch and see the
# same examples. Compares the final held-out MLM loss (and MLM accuracy, NSP loss/accuracy) and writes the curves
# into docs/BENCHMARKS.md (section "bert-workers").
#
# Usage: bench/bert-workers.sh [EXAMPLES_DIR VOCAB]   (default: runs/demo/examples/mlm runs/demo/vocab/vocab.txt,
#                                                      i.e. the README's first command)
# Environment: MODEL (tiny|mini, default tiny), EXAMPLES (training instances, default 16000), B (global batch,
#   default 32), F (averaging frequency, default 10), HELDOUT (held-out instances, default 1000), EVAL_EVERY
#   (rounds between evaluations, default 10), LR (default 1e-3), WARMUP (steps, default 50), SEED (default 12345),
#   BENCH_DIR (default /tmp/pretrain-bench-bert-workers), TARGET_DIR (default target-bench), NO_DOCS=1
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
EX="${1:-$ROOT/runs/demo/examples/mlm}"; VOCAB="${2:-$ROOT/runs/demo/vocab/vocab.txt}"
[ -d "$EX/train" ] || { echo "no MLM examples under $EX (run the README's first command, or pass EXAMPLES_DIR VOCAB)" >&2; exit 2; }
W="${BENCH_DIR:-/tmp/pretrain-bench-bert-workers}"; TARGET_DIR="${TARGET_DIR:-target-bench}"
MODEL="${MODEL:-tiny}"; EXAMPLES="${EXAMPLES:-16000}"; B="${B:-32}"; F="${F:-10}"; HELDOUT="${HELDOUT:-1000}"
EVAL_EVERY="${EVAL_EVERY:-10}"; LR="${LR:-1e-3}"; WARMUP="${WARMUP:-50}"; SEED="${SEED:-12345}"
[ $((B % 2)) = 0 ] || { echo "B must be even" >&2; exit 2; }
source "$ROOT/bench/lib.sh"
jobs_classpath "$W"
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
run() {  # name workers batch-per-worker
  local out="$W/$1"; rm -rf "$out"
  echo "== $1: $2 worker(s), batch $3 each, averaging every $F"
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=1 bash "$SHARED/peers/contention.sh" java -Xmx10g $OPENS --add-modules jdk.incubator.vector \
    -Dorg.bytedeco.javacpp.maxbytes=6G -Dorg.bytedeco.javacpp.maxphysicalbytes=20G \
    -Dlog4j2.configurationFile="$ROOT/cluster-conf/log4j2.properties" -cp "$CP" dev.pretrain.jobs.cli.PretrainCli \
    train-bert --master 'local[2]' --examples "$EX" --vocab "$VOCAB" --output "$out" --model "$MODEL" \
    --workers "$2" --batch-size "$3" --averaging-frequency "$F" --max-train-examples "$EXAMPLES" \
    --max-heldout-examples "$HELDOUT" --validation-examples 0 --eval-every-rounds "$EVAL_EVERY" \
    --learning-rate "$LR" --warmup-steps "$WARMUP" --seed "$SEED" --report "$W/$1.json" > "$W/$1.log" 2>&1 \
    || { tail -30 "$W/$1.log" >&2; exit 1; }
  grep -E 'foreign_cores' "$W/$1.log" || true
}
run one 1 "$B"
run two 2 $((B / 2))
load1="$(cut -d' ' -f1-3 /proc/loadavg)"
machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM"
python3 - "$W" "$MODEL $EXAMPLES $B $F $HELDOUT $EVAL_EVERY $LR $WARMUP $SEED" "$machine" "$load0 / $load1" > "$W/section.md" <<'PY'
import json, re, sys
w, params, machine, load = sys.argv[1:5]
model, examples, b, f, heldout, every, lr, warmup, seed = params.split()
rep = {n: json.load(open(f'{w}/{n}.json')) for n in ('one', 'two')}
fc = {}
for n in ('one', 'two'):
    m = re.findall(r'foreign_cores=([-0-9.]+)', open(f'{w}/{n}.log').read())
    fc[n] = m[-1] if m else '?'
def final(n, k): return rep[n]['rounds'][-1][k]
l1, l2 = final('one', 'heldout_mlm_loss'), final('two', 'heldout_mlm_loss')
diff = 100.0 * (l2 - l1) / l1
print('<!-- bench:bert-workers -->')
print('## BERT: parameter averaging over 2 workers vs 1 worker, same examples')
print()
print(f'Command: `MODEL={model} EXAMPLES={examples} B={b} F={f} HELDOUT={heldout} EVAL_EVERY={every} LR={lr} '
      f'WARMUP={warmup} bench/bert-workers.sh` on the README pipeline\'s IMDB MLM + NSP instances (`runs/demo`, '
      'max_seq_length 128, bert-base-uncased vocab). `train-bert --master local[2]`, OMP_NUM_THREADS=1; (a) 1 worker, '
      f'batch {b}; (b) 2 workers, batch {int(b)//2} each, DL4J parameter averaging every {f} minibatches (parameters '
      'and Adam state): the same examples in the same order, the same global batch, learning-rate schedule, seed and '
      'number of steps. Held-out: the first ' + heldout + ' held-out instances, evaluated every ' + every + ' rounds.')
print(f'Machine: {machine}. Load average before / after: {load}; foreign_cores: 1 worker {fc["one"]}, 2 workers {fc["two"]}.')
print()
print('| examples seen | 1 worker MLM loss | 2 workers MLM loss | 1 worker MLM acc | 2 workers MLM acc | 1 worker NSP acc | 2 workers NSP acc |')
print('|---|---|---|---|---|---|---|')
for a, c in zip(rep['one']['rounds'], rep['two']['rounds']):
    print(f"| {a['examples_seen']} | {a['heldout_mlm_loss']:.4f} | {c['heldout_mlm_loss']:.4f} | {a['heldout_mlm_accuracy']:.4f} | "
          f"{c['heldout_mlm_accuracy']:.4f} | {a['heldout_nsp_accuracy']:.3f} | {c['heldout_nsp_accuracy']:.3f} |")
print()
print(f"Training seconds: 1 worker {rep['one']['rounds'][-1]['seconds']}, 2 workers {rep['two']['rounds'][-1]['seconds']}. "
      f"Baselines on the held-out set: MLM unigram accuracy {rep['one'].get('heldout_mlm_unigram_accuracy', float('nan')):.4f}, "
      f"NSP majority {rep['one'].get('heldout_nsp_majority_accuracy', float('nan')):.3f}.")
print()
verdict = 'within' if abs(diff) <= 2.0 else 'outside'
print(f'**Final held-out MLM loss: 1 worker {l1:.4f}, 2 workers {l2:.4f}: {diff:+.2f}% ({verdict} the +-2% of the acceptance).**')
print('<!-- /bench:bert-workers -->')
PY
cat "$W/section.md"
[ "${NO_DOCS:-0}" = 1 ] && exit 0
python3 "$ROOT/bench/write-section.py" "$ROOT/docs/BENCHMARKS.md" "$W/section.md" "<!-- bench:bert-workers -->" "<!-- /bench:bert-workers -->"
echo "== wrote bert-workers section into docs/BENCHMARKS.md"
