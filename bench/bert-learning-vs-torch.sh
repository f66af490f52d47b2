#!/usr/bin/env bash
# bench bert-learning-vs-torch: does our BERT learn as much per example as a plain PyTorch BERT with the same
# hyper-parameters on the same instances? Dumps the first N training instances and the held-out instances of the
# examples folder to JSON lines (bench/java/DumpInstances.java, Spark's JSON writer, the same `limit` the trainer
# reads), trains bench/torch_bert_learning.py on them with the schedule of a finished `bench/bert-pretrain-imdb.sh`
# run (its report.json: peak learning rate, warm-up, global batch, instances, so the same linear decay), stops after
# STOP_AFTER instances, and compares the held-out curves with that run's metrics.jsonl at the common points. Also
# runs bench/nsp_lexical_baseline.py (word-overlap logistic regression) on the same instances, as context for NSP.
# Writes docs/BENCHMARKS.md section "bert-learning-vs-torch".
#
# Usage: bench/bert-learning-vs-torch.sh RUN_DIR [EXAMPLES_DIR]   (RUN_DIR: a bert-pretrain-imdb OUT, e.g.
#   /tmp/bert-mini-imdb, with report.json and model/metrics.jsonl; EXAMPLES_DIR default runs/demo/examples/mlm)
# Environment: STOP_AFTER (instances, default 16000: about 15 minutes on 2 threads), THREADS (default 2), EVAL_EVERY
#   (torch steps, default 250), BENCH_DIR (default /tmp/pretrain-bench-learning), TARGET_DIR (default target-bench),
#   NO_DOCS=1, REPORT_ONLY=1 (no runs: write the section from $BENCH_DIR/torch.jsonl and lexical.log)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN="${1:?usage: bench/bert-learning-vs-torch.sh RUN_DIR [EXAMPLES_DIR]}"; EX="${2:-$ROOT/runs/demo/examples/mlm}"
W="${BENCH_DIR:-/tmp/pretrain-bench-learning}"; TARGET_DIR="${TARGET_DIR:-target-bench}"
STOP_AFTER="${STOP_AFTER:-16000}"; THREADS="${THREADS:-2}"; EVAL_EVERY="${EVAL_EVERY:-250}"
[ -f "$RUN/report.json" ] && [ -f "$RUN/model/metrics.jsonl" ] || { echo "no report.json / model/metrics.jsonl under $RUN" >&2; exit 2; }
read -r N LR WARMUP BATCH < <(/usr/bin/python3 -c "
import json, sys; r = json.load(open(sys.argv[1])); t = r['training']
print(r['train_instances'], t['learningRate'], t['warmupSteps'], t['batchSizePerWorker'] * t['workers'])" "$RUN/report.json")
if [ "${REPORT_ONLY:-0}" != 1 ]; then
source "$ROOT/bench/lib.sh"
jobs_classpath "$W"
echo "== dump the first $N training and 1000 held-out instances of $EX"
rm -rf "$W/train" "$W/heldout"
# shellcheck disable=SC2086
java $OPENS -cp "$CP" "$ROOT/bench/java/DumpInstances.java" "$EX/train" "$W/train" "$N" "$EX/heldout" "$W/heldout" 1000 \
  > "$W/dump.log" 2>&1 || { tail -20 "$W/dump.log" >&2; exit 1; }
cat "$W"/train/part-*.json > "$W/train.jsonl"; cat "$W"/heldout/part-*.json > "$W/heldout.jsonl"
echo "== PyTorch: $THREADS threads, lr $LR, warm-up $WARMUP, batch $BATCH, decay to 0 at $((N / BATCH)) steps, stop after $STOP_AFTER"
/usr/bin/python3 "$ROOT/bench/torch_bert_learning.py" "$W/train.jsonl" "$W/heldout.jsonl" "$W/torch.jsonl" \
  --threads "$THREADS" --max-train "$N" --stop-after "$STOP_AFTER" --batch "$BATCH" --lr "$LR" --warmup "$WARMUP" \
  --eval-every "$EVAL_EVERY" | tee "$W/torch.log"
/usr/bin/python3 "$ROOT/bench/nsp_lexical_baseline.py" "$W/train.jsonl" "$W/heldout.jsonl" | tee "$W/lexical.log"
fi
CMD="STOP_AFTER=$STOP_AFTER THREADS=$THREADS bench/bert-learning-vs-torch.sh $RUN"
/usr/bin/python3 - "$RUN" "$W" "$CMD" > "$W/section.md" <<'PY'
import json, re, sys
run, w, cmd = sys.argv[1:4]
ours = {e['examples_seen']: e for e in map(json.loads, open(f'{run}/model/metrics.jsonl')) if e}
torch = {e['examples_seen']: e for e in map(json.loads, open(f'{w}/torch.jsonl')) if e}
lex = re.search(r'heldout_accuracy=([0-9.]+) heldout_majority=([0-9.]+)', open(f'{w}/lexical.log').read())
t = json.load(open(f'{run}/report.json'))['training']
print('<!-- bench:bert-learning-vs-torch -->')
print('## BERT: learning per example, ours vs a plain PyTorch BERT on the same instances')
print()
print(f'Command: `{cmd}`. PyTorch 1.13 (`bench/torch_bert_learning.py`): the same BERT-mini (post-LN, no dropout, '
      f'untied MLM decoder, MLM over masked positions + NSP), Adam with decoupled weight decay 0.01, L2 clipping 1.0 '
      f"per layer, peak learning rate {t['learningRate']} after {t['warmupSteps']} warm-up steps then linear decay "
      f"(to 0 at the end of the `{run}` run), global batch {t['batchSizePerWorker'] * t['workers']} (ours: "
      f"{t['workers']} workers x {t['batchSizePerWorker']}, averaging every {t['averagingFrequency']}), the same "
      'instances in its own seeded order; held-out: the same 1000 held-out instances.')
print()
print('| examples seen | ours MLM loss | PyTorch MLM loss | ours MLM acc | PyTorch MLM acc | ours NSP loss | PyTorch NSP loss | ours NSP acc | PyTorch NSP acc |')
print('|---|---|---|---|---|---|---|---|---|')
for n in sorted(set(ours) & set(torch)):
    o, p = ours[n], torch[n]
    print(f"| {n} | {o['heldout_mlm_loss']:.4f} | {p['heldout_mlm_loss']:.4f} | {o['heldout_mlm_accuracy']:.4f} | "
          f"{p['heldout_mlm_accuracy']:.4f} | {o['heldout_nsp_loss']:.4f} | {p['heldout_nsp_loss']:.4f} | "
          f"{o['heldout_nsp_accuracy']:.3f} | {p['heldout_nsp_accuracy']:.3f} |")
print()
only = sorted(set(torch) - set(ours))
if only:
    print('PyTorch only: ' + '; '.join(f"{n}: MLM {torch[n]['heldout_mlm_loss']:.4f} / {torch[n]['heldout_mlm_accuracy']:.4f}, "
                                       f"NSP {torch[n]['heldout_nsp_loss']:.4f} / {torch[n]['heldout_nsp_accuracy']:.3f}" for n in only) + '.')
    print()
if lex:
    print(f'Word-overlap baseline for NSP (`bench/nsp_lexical_baseline.py`: logistic regression on A/B token overlap, '
          f'idf-weighted overlap, rare shared tokens and lengths, fitted on 40,000 of the training instances): '
          f'held-out NSP accuracy **{lex.group(1)}** (majority {lex.group(2)}).')
print('<!-- /bench:bert-learning-vs-torch -->')
PY
cat "$W/section.md"
[ "${NO_DOCS:-0}" = 1 ] && exit 0
python3 "$ROOT/bench/write-section.py" "$ROOT/docs/BENCHMARKS.md" "$W/section.md" "<!-- bench:bert-learning-vs-torch -->" "<!-- /bench:bert-learning-vs-torch -->"
echo "== wrote bert-learning-vs-torch section into docs/BENCHMARKS.md"
