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
#   LR (default 1e-4), NO_DOCS=1 (do not touch docs/BENCHMARKS.md)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
BERT="${1:?usage: bench/finetune-transfer.sh BERT_DIR}"
BERT="$(cd "$BERT" && pwd)"
W="${BENCH_DIR:-/tmp/pretrain-bench-finetune}"
TARGET_DIR="${TARGET_DIR:-target-bench}"
MAX_TRAIN="${MAX_TRAIN:-4000}"; MAX_EVAL="${MAX_EVAL:-872}"; EPOCHS="${EPOCHS:-2}"
SEQ="${SEQ:-64}"; SEQ_IMDB="${SEQ_IMDB:-128}"; LR="${LR:-1e-4}"
mkdir -p "$W"
echo "== build (mvn -o -pl corpus-prep,model,jobs -Dtarget.dir=$TARGET_DIR compile)"
(cd "$ROOT" && mvn -o -q -pl corpus-prep,model,jobs -Dtarget.dir="$TARGET_DIR" compile dependency:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$W/cp.txt" > "$W/build.log" 2>&1) || { cat "$W/build.log" >&2; exit 1; }
CP="$ROOT/jobs/$TARGET_DIR/classes:$(cat "$W/cp.txt")"
opens="$(sed -n 's#.*<spark.jvm.opens>\(.*\)</spark.jvm.opens>.*#\1#p' "$ROOT/pom.xml")"
run() {  # task train eval seq
  local task=$1 log="$W/$1.log"
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=1 bash "$SHARED/peers/contention.sh" java -Xmx8g $opens \
    -Dlog4j2.configurationFile="$ROOT/cluster-conf/log4j2.properties" -cp "$CP" dev.pretrain.jobs.cli.PretrainCli \
    finetune --master 'local[2]' --bert "$BERT" --task "$task" --train "$2" ${3:+--eval "$3"} --max-seq-length "$4" \
    --max-train "$MAX_TRAIN" --max-eval "$MAX_EVAL" --epochs "$EPOCHS" --learning-rate "$LR" \
    --report "$W/$task.json" > "$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }
  grep -E '^\[finetune\]|foreign_cores' "$log" || true
}
run sst2 "$SHARED/data/sst2/train.tsv" "$SHARED/data/sst2/dev.tsv" "$SEQ"
run imdb "$SHARED/data/corpora/imdb-aclImdb-v1-labeled-50k.tsv.gz" "" "$SEQ_IMDB"
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
print()
print('| task | train / eval examples | steps | majority class | random init | pretrained | gain (points) | foreign_cores |')
print('|---|---|---|---|---|---|---|---|')
for task in ('sst2', 'imdb'):
    r = json.load(open(f'{w}/{task}.json'))
    log = open(f'{w}/{task}.log').read()
    fc = re.findall(r'foreign_cores[=: ]*([0-9.-]+)', log)
    print(f'| {task} | {r["train_examples"]} / {r["eval_examples"]} | {r["steps"]} | {r["majority_class_accuracy"]:.4f} | '
          f'{r["accuracy_random_init"]:.4f} | {r["accuracy_pretrained"]:.4f} | {r["accuracy_gain"]:+.2f} | '
          f'{fc[-1] if fc else "-"} |')
print(end)
PY
python3 "$ROOT/bench/write-section.py" "$ROOT/docs/BENCHMARKS.md" "$W/section.md" "$begin" "$end"
cat "$W/section.md"
