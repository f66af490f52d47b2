#!/usr/bin/env bash
# bench finetune-transfer: does pretraining transfer? `pretrain finetune` fine-tunes a train-bert model on SST-2
# (train -> dev) and on IMDB (labelled file: train rows -> test rows), and the same architecture from random
# initialisation with the same budget (examples, steps, learning rate, seed); writes both accuracies and the gain
# into docs/BENCHMARKS.md (section "finetune-transfer").
#
# Usage: bench/finetune-transfer.sh BERT_DIR        (a train-bert output folder, e.g. runs/demo/bert)
# Environment: SHARED (default ../shared), BENCH_DIR (default /tmp/pretrain-bench-finetune), TARGET_DIR (default
#   target-bench), MAX_TRAIN (training examples per task, default 4000), MAX_EVAL (default 872 = all of SST-2 dev),
#   EPOCHS (default 2), SEQ (max_seq_length, default 64 for SST-2; IMDB uses SEQ_IMDB, default 128),
#   LR (default 1e-4), NO_DOCS=1 (do not touch docs/BENCHMARKS.md), REPORT_ONLY=1 (no fine-tuning: write the section
#   from the reports and logs of the last run in BENCH_DIR)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
BERT="${1:?usage: bench/finetune-transfer.sh BERT_DIR}"
BERT="$(cd "$BERT" && pwd)"
W="${BENCH_DIR:-/tmp/pretrain-bench-finetune}"
TARGET_DIR="${TARGET_DIR:-target-bench}"
MAX_TRAIN="${MAX_TRAIN:-4000}"; MAX_EVAL="${MAX_EVAL:-872}"; EPOCHS="${EPOCHS:-2}"
SEQ="${SEQ:-64}"; SEQ_IMDB="${SEQ_IMDB:-128}"; LR="${LR:-1e-4}"
if [ "${REPORT_ONLY:-0}" != 1 ]; then
  source "$ROOT/bench/lib.sh"
  jobs_classpath "$W"
fi
run() {  # task train eval seq
  local task=$1 log="$W/$1.log"
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=1 bash "$SHARED/peers/contention.sh" java -Xmx8g $OPENS --add-modules jdk.incubator.vector \
    -Dlog4j2.configurationFile="$ROOT/cluster-conf/log4j2.properties" -cp "$CP" dev.pretrain.jobs.cli.PretrainCli \
    finetune --master 'local[2]' --bert "$BERT" --task "$task" --train "$2" ${3:+--eval "$3"} --max-seq-length "$4" \
    --max-train "$MAX_TRAIN" --max-eval "$MAX_EVAL" --epochs "$EPOCHS" --learning-rate "$LR" \
    --report "$W/$task.json" > "$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }
  grep -E '^\[finetune\]|foreign_cores' "$log" || true
}
if [ "${REPORT_ONLY:-0}" = 1 ]; then
  # the settings of the run whose reports these are
  [ -f "$W/params.sh" ] && source "$W/params.sh"
else
  printf 'MAX_TRAIN=%q MAX_EVAL=%q EPOCHS=%q SEQ=%q SEQ_IMDB=%q LR=%q\n' "$MAX_TRAIN" "$MAX_EVAL" "$EPOCHS" "$SEQ" \
    "$SEQ_IMDB" "$LR" > "$W/params.sh"
  run sst2 "$SHARED/data/sst2/train.tsv" "$SHARED/data/sst2/dev.tsv" "$SEQ"
  run imdb "$SHARED/data/corpora/imdb-aclImdb-v1-labeled-50k.tsv.gz" "" "$SEQ_IMDB"
fi
[ "${NO_DOCS:-0}" = 1 ] && exit 0
machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM"
begin="<!-- bench:finetune-transfer -->"; end="<!-- /bench:finetune-transfer -->"
python3 - "$W" "$BERT" "$begin" "$end" "$machine" "$MAX_TRAIN $MAX_EVAL $EPOCHS $SEQ $SEQ_IMDB $LR" > "$W/section.md" <<'PY'
import json, re, sys
w, bert, begin, end, machine, params = sys.argv[1:7]
max_train, max_eval, epochs, seq, seq_imdb, lr = params.split()
cfg = json.load(open(bert + '/config.json'))
print(begin)
print('## Fine-tuning: pretrained encoder vs random initialisation, same budget')
print()
print(f'Command: `MAX_TRAIN={max_train} MAX_EVAL={max_eval} EPOCHS={epochs} SEQ={seq} SEQ_IMDB={seq_imdb} LR={lr} '
      f'bench/finetune-transfer.sh {bert}`. Encoder: L{cfg["num_hidden_layers"]} H{cfg["hidden_size"]} '
      f'A{cfg["num_attention_heads"]}, vocab {cfg["vocab_size"]}. Machine: {machine}; Spark local[2], one ND4J thread.')
try:  # the encoder's own pretraining, from train-bert's round log: its last evaluated round
    rounds = [json.loads(l) for l in open(bert + '/rounds.jsonl') if l.strip()]
    ev = [r for r in rounds if 'heldout_mlm_accuracy' in r][-1]
    print(f'The encoder\'s pretraining (`{bert}/rounds.jsonl`): {ev["examples_seen"]} instances seen in '
          f'{ev["train_seconds"]:.0f} s of training; held-out MLM loss {ev["heldout_mlm_loss"]:.4f}, MLM accuracy '
          f'{ev["heldout_mlm_accuracy"]:.4f}, NSP accuracy {ev["heldout_nsp_accuracy"]:.3f}.')
except (OSError, IndexError, KeyError, ValueError) as e:
    print(f'The encoder\'s pretraining: no round log with held-out metrics under {bert} ({e}).')
print()
print('| task | train / eval examples | steps | majority class | random init | pretrained | gain (points) | foreign_cores |')
print('|---|---|---|---|---|---|---|---|')
gains = {}
for task in ('sst2', 'imdb'):
    r = json.load(open(f'{w}/{task}.json'))
    gains[task] = r['accuracy_gain']
    log = open(f'{w}/{task}.log').read()
    fc = re.findall(r'foreign_cores[=: ]*([0-9.-]+)', log)
    print(f'| {task} | {r["train_examples"]} / {r["eval_examples"]} | {r["steps"]} | {r["majority_class_accuracy"]:.4f} | '
          f'{r["accuracy_random_init"]:.4f} | {r["accuracy_pretrained"]:.4f} | {r["accuracy_gain"]:+.2f} | '
          f'{fc[-1] if fc else "-"} |')
verdict = 'met' if min(gains.values()) >= 5 else 'not met'
print()
print(f'**Gain of the pretrained encoder over random initialisation, same budget: SST-2 dev {gains["sst2"]:+.2f} points, '
      f'IMDB test {gains["imdb"]:+.2f} points ({verdict}: the acceptance asks >= 5 on both).**')
print(end)
PY
python3 "$ROOT/bench/write-section.py" "$ROOT/docs/BENCHMARKS.md" "$W/section.md" "$begin" "$end"
cat "$W/section.md"
