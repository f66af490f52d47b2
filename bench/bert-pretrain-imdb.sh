#!/usr/bin/env bash
# bench bert-pretrain-imdb: pretrains BERT-mini (L4 H256 A4) with `pretrain train-bert` on the README pipeline's IMDB
# MLM + NSP instances (runs/demo/examples/mlm: max_seq_length 128, bert-base-uncased vocab, Google
# create_pretraining_data semantics) on this machine's budget, and writes the held-out curves (MLM loss and accuracy
# against the unigram baseline, NSP accuracy against the majority baseline) into docs/BENCHMARKS.md (section
# "bert-pretrain-imdb"). The trained model folder is what bench/finetune-transfer.sh takes.
#
# Usage: bench/bert-pretrain-imdb.sh [EXAMPLES_DIR VOCAB]   (default: runs/demo/examples/mlm runs/demo/vocab/vocab.txt)
# Environment: OUT (default /tmp/bert-mini-imdb; the model goes to $OUT/model), MAX_TRAIN (training instances,
#   default 80000: about 50 minutes on 2 cores), LR (peak, default 5e-4), WARMUP (steps, default 100), B (batch per
#   worker, default 16), F (averaging frequency, default 20), WORKERS (default 2), HELDOUT (default 1000),
#   EVAL_EVERY (rounds, default 25), TARGET_DIR (default target-bench), NO_DOCS=1,
#   REPORT_ONLY=1 (no training: write the section from $OUT/report.json and $OUT/model/*.jsonl)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
EX="${1:-$ROOT/runs/demo/examples/mlm}"; VOCAB="${2:-$ROOT/runs/demo/vocab/vocab.txt}"
OUT="${OUT:-/tmp/bert-mini-imdb}"; TARGET_DIR="${TARGET_DIR:-target-bench}"
MAX_TRAIN="${MAX_TRAIN:-80000}"; LR="${LR:-5e-4}"; WARMUP="${WARMUP:-100}"; B="${B:-16}"; F="${F:-20}"
WORKERS="${WORKERS:-2}"; HELDOUT="${HELDOUT:-1000}"; EVAL_EVERY="${EVAL_EVERY:-25}"
CMD="MAX_TRAIN=$MAX_TRAIN LR=$LR WARMUP=$WARMUP B=$B F=$F WORKERS=$WORKERS HELDOUT=$HELDOUT EVAL_EVERY=$EVAL_EVERY bench/bert-pretrain-imdb.sh"
if [ "${REPORT_ONLY:-0}" != 1 ]; then
  [ -d "$EX/train" ] || { echo "no MLM examples under $EX (run the README's first command, or pass EXAMPLES_DIR VOCAB)" >&2; exit 2; }
  mkdir -p "$OUT"; rm -rf "$OUT/model" "$OUT/ckpt"
  source "$ROOT/bench/lib.sh"
  jobs_classpath "$OUT"
  cut -d' ' -f1-3 /proc/loadavg > "$OUT/load"
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=1 bash "$SHARED/peers/contention.sh" java -Xmx10g $OPENS --add-modules jdk.incubator.vector \
    -Dorg.bytedeco.javacpp.maxbytes=6G -Dorg.bytedeco.javacpp.maxphysicalbytes=20G \
    -Dlog4j2.configurationFile="$ROOT/cluster-conf/log4j2.properties" -cp "$CP" dev.pretrain.jobs.cli.PretrainCli \
    train-bert --master 'local[2]' --examples "$EX" --vocab "$VOCAB" --output "$OUT/model" --model mini \
    --workers "$WORKERS" --batch-size "$B" --averaging-frequency "$F" --max-train-examples "$MAX_TRAIN" \
    --max-heldout-examples "$HELDOUT" --eval-every-rounds "$EVAL_EVERY" --validation-examples 0 \
    --warmup-steps "$WARMUP" --learning-rate "$LR" --checkpoint-dir "$OUT/ckpt" --checkpoint-every "$EVAL_EVERY" \
    --report "$OUT/report.json" > "$OUT/train.log" 2>&1 || { tail -30 "$OUT/train.log" >&2; exit 1; }
  echo "$(cat "$OUT/load") / $(cut -d' ' -f1-3 /proc/loadavg)" > "$OUT/load"
fi
machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM"
python3 - "$OUT" "$CMD" "$machine" > "$OUT/section.md" <<'PY'
import json, re, sys
out, cmd, machine = sys.argv[1:4]
rep = json.load(open(f'{out}/report.json'))
evals = [json.loads(l) for l in open(f'{out}/model/metrics.jsonl') if l.strip()]
rounds = [json.loads(l) for l in open(f'{out}/model/rounds.jsonl') if l.strip()]
t = rep['training']
try:
    load = open(f'{out}/load').read().strip()
except OSError:
    load = '?'
log = open(f'{out}/train.log').read() if __import__('os').path.exists(f'{out}/train.log') else ''
fc = re.findall(r'foreign_cores=([-0-9.]+)', log)
tps = [r['tokens_per_second'] for r in rounds[1:]]
eps = [r['examples_per_second'] for r in rounds[1:]]
print('<!-- bench:bert-pretrain-imdb -->')
print('## BERT-mini pretraining on IMDB: held-out MLM and NSP')
print()
print(f'Command: `{cmd}` (model: BERT-mini, L4 H256 A4, FFN 1024; `train-bert --master local[2]`, OMP_NUM_THREADS=1). '
      f"Data: the README pipeline's MLM + NSP instances from IMDB (`runs/demo/examples/mlm`: max_seq_length 128, "
      f"max_predictions_per_seq 20, bert-base-uncased vocab), the first {rep['train_instances']} training instances, "
      f"one pass; held-out: {rep['heldout_instances']} held-out instances (other documents). "
      f"Budget: {t['workers']} workers x batch {t['batchSizePerWorker']}, parameter averaging every "
      f"{t['averagingFrequency']} minibatches, {len(rounds)} averaging rounds = "
      f"{len(rounds) * t['averagingFrequency']} steps per worker; Adam, peak learning rate {t['learningRate']}, "
      f"{t['warmupSteps']} warm-up steps then linear decay to 0, weight decay {t['weightDecay']}; "
      f"{rounds[-1]['train_seconds']:.0f} s of training ({rep['seconds']:.0f} s with evaluations).")
print(f"Machine: {machine}; load average before / after: {load}"
      + (f"; foreign_cores {fc[-1]}" if fc else '') + f". Throughput: {sum(eps) / len(eps):.1f} sequences/s, "
      f"{sum(tps) / len(tps):.0f} real tokens/s (mean over rounds 2..{len(rounds)}).")
print()
print('| examples seen | training s | held-out MLM loss | MLM accuracy | NSP loss | NSP accuracy |')
print('|---|---|---|---|---|---|')
for e in evals:
    print(f"| {e['examples_seen']} | {e['seconds']:.0f} | {e['heldout_mlm_loss']:.4f} | {e['heldout_mlm_accuracy']:.4f} | "
          f"{e['heldout_nsp_loss']:.4f} | {e['heldout_nsp_accuracy']:.3f} |")
print()
u, m = rep['heldout_mlm_unigram_accuracy'], rep['heldout_nsp_majority_accuracy']
print(f"Baselines on the same held-out instances: MLM unigram {u:.4f} (always the most frequent masked token), NSP "
      f"majority {m:.3f}. **Final: MLM accuracy {rep['heldout_mlm_accuracy_final']:.4f} = "
      f"{rep['heldout_mlm_accuracy_final'] / u:.1f}x the unigram baseline; NSP accuracy "
      f"{rep['heldout_nsp_accuracy_final']:.3f} against the 0.75 asked.**")
print('<!-- /bench:bert-pretrain-imdb -->')
PY
cat "$OUT/section.md"
[ "${NO_DOCS:-0}" = 1 ] && exit 0
python3 "$ROOT/bench/write-section.py" "$ROOT/docs/BENCHMARKS.md" "$OUT/section.md" "<!-- bench:bert-pretrain-imdb -->" "<!-- /bench:bert-pretrain-imdb -->"
echo "== wrote bert-pretrain-imdb section into docs/BENCHMARKS.md"
