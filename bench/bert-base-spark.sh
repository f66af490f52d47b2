#!/usr/bin/env bash
# bench bert-base-spark: BERT-base (L12 H768 A12, 110M parameters with a 30k vocab) through the Spark trainer on a
# small machine: `pretrain train-bert --model base` on the README pipeline's IMDB MLM + NSP instances (seq 128),
# 2 workers in Spark local[2], ROUNDS averaging rounds of F minibatches of B per worker; peak RSS of the JVM
# (/usr/bin/time), seconds per round (rounds.jsonl), the Spark sizing warnings; then the trained model is exported to
# HuggingFace's layout (HfBertExport) and checked against a plain PyTorch BertForPreTraining
# (model/src/test/python/check_hf_export.py, tolerance TOL). Writes docs/BENCHMARKS.md section "bert-base-spark"
# (unless NO_DOCS=1).
#
# Usage: bench/bert-base-spark.sh [EXAMPLES_DIR VOCAB]   (default: runs/demo/examples/mlm runs/demo/vocab/vocab.txt)
# Environment: ROUNDS (default 3), F (default 2), B (default 4), HEAP (driver -Xmx, default 13g), OFFHEAP (ND4J off-heap, default 8G; 21G physical in all), TOL (default 1e-3),
#   BENCH_DIR (default /tmp/pretrain-bench-bert-base), TARGET_DIR (default target-bench), NO_DOCS=1
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
EX="${1:-$ROOT/runs/demo/examples/mlm}"; VOCAB="${2:-$ROOT/runs/demo/vocab/vocab.txt}"
[ -d "$EX/train" ] || { echo "no MLM examples under $EX (run the README's first command, or pass EXAMPLES_DIR VOCAB)" >&2; exit 2; }
W="${BENCH_DIR:-/tmp/pretrain-bench-bert-base}"; TARGET_DIR="${TARGET_DIR:-target-bench}"
ROUNDS="${ROUNDS:-3}"; F="${F:-2}"; B="${B:-4}"; HEAP="${HEAP:-13g}"; TOL="${TOL:-1e-3}"
mkdir -p "$W"
source "$ROOT/bench/lib.sh"
echo "== build (mvn -o -pl corpus-prep,model,jobs -Dtarget.dir=$TARGET_DIR test-compile)"
(cd "$ROOT" && mvn -o -q -pl corpus-prep,model,jobs -Dtarget.dir="$TARGET_DIR" test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$W/cp.txt" > "$W/build.log" 2>&1) || { cat "$W/build.log" >&2; exit 1; }
CP="$ROOT/jobs/$TARGET_DIR/classes:$ROOT/model/$TARGET_DIR/test-classes:$(cat "$W/cp.txt")"
spark_opens
nd4j_natives
# SparkSizing's figures for BERT-base with 2 workers (Kryo buffer 1589m, maxResultSize 3306m), as system properties:
# in local mode the session's SparkConf reads spark.* properties
JVM=(java "-Xmx$HEAP" $OPENS --add-modules jdk.incubator.vector -Dorg.bytedeco.javacpp.maxbytes=${OFFHEAP:-8G}
     -Dorg.bytedeco.javacpp.maxphysicalbytes=21G -Dspark.kryoserializer.buffer.max=1700m -Dspark.driver.maxResultSize=4g -Dlog4j2.configurationFile="$ROOT/cluster-conf/log4j2.properties")
examples=$((ROUNDS * 2 * F * B))
out="$W/run"; rm -rf "$out" "$W/check"
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "== train-bert --model base: 2 workers x $F minibatches x $B examples, $ROUNDS rounds ($examples examples)"
set +e
OMP_NUM_THREADS=1 /usr/bin/time -v -o "$W/time.txt" bash "$SHARED/peers/contention.sh" "${JVM[@]}" -cp "$CP" \
  dev.pretrain.jobs.cli.PretrainCli train-bert --master 'local[2]' --examples "$EX" --vocab "$VOCAB" --output "$out" \
  --model base --workers 2 --batch-size "$B" --averaging-frequency "$F" --max-train-examples "$examples" \
  --max-heldout-examples 16 --validation-examples 0 --eval-every-rounds 0 --warmup-steps 2 --learning-rate 1e-4 \
  --report "$W/report.json" > "$W/train.log" 2>&1
rc=$?
set -e
load1="$(cut -d' ' -f1-3 /proc/loadavg)"
[ $rc = 0 ] || { tail -40 "$W/train.log" >&2; echo "train-bert exit $rc" >&2; }
check="not run (training failed)"
if [ $rc = 0 ]; then
  echo "== export + PyTorch check"
  OMP_NUM_THREADS=2 "${JVM[@]}" -cp "$CP" dev.pretrain.model.export.HfExportCaseMain "$out" "$W/check" > "$W/export.log" 2>&1 \
    || { tail -20 "$W/export.log" >&2; exit 1; }
  set +e
  /usr/bin/python3 "$ROOT/model/src/test/python/check_hf_export.py" "$W/check" "$TOL" > "$W/check.log" 2>&1
  crc=$?
  set -e
  cat "$W/check.log"
  check="$( [ $crc = 0 ] && echo PASS || echo "FAIL (exit $crc)" ): $(grep -E '^HF-EXPORT-CHECK tensors' "$W/check.log" | tail -1)"
fi
python3 - "$W" "$rc" "$check" "$load0 / $load1" "ROUNDS=$ROUNDS F=$F B=$B HEAP=$HEAP TOL=$TOL bench/bert-base-spark.sh" > "$W/section.md" <<'PY'
import json, os, re, sys
w, rc, check, load, cmd = sys.argv[1:6]
tv = open(f'{w}/time.txt').read()
rss = int(re.search(r'Maximum resident set size \(kbytes\): (\d+)', tv).group(1)) / 1024 / 1024
wall = re.search(r'Elapsed \(wall clock\) time.*: (.*)', tv).group(1)
logtxt = open(f'{w}/train.log').read()
fc = re.findall(r'foreign_cores=([-0-9.]+)', logtxt)
warn = [l.split('WARN', 1)[-1].strip() for l in logtxt.splitlines() if 'SparkSizing' in l or 'too small' in l][:3]
print('<!-- bench:bert-base-spark -->')
print('## BERT-base through the Spark trainer on a 2-core machine (bench/bert-base-spark.sh)')
print()
print(f'Command: `{cmd}` on the README pipeline\'s IMDB MLM + NSP instances (seq 128). `train-bert --model base '
      '--master local[2] --workers 2`, OMP_NUM_THREADS=1, DL4J parameter averaging (parameters + Adam moments); '
      'driver and both workers share one JVM (local mode), so its peak RSS holds three model replicas, the broadcast '
      'and the collected results. Then HfBertExport of the trained model and a plain PyTorch BertForPreTraining '
      'forward over the export (check_hf_export.py: last encoder layer, MLM and NSP log-probabilities on 3 seeded '
      'seq-128 examples).')
print(f'Load average before / after: {load}; foreign_cores: {fc[-1] if fc else "?"}.')
print()
if rc == '0':
    rep = json.load(open(f'{w}/report.json'))
    rounds = [json.loads(l) for l in open(f'{w}/run/rounds.jsonl')]
    print('| parameters | rounds completed | examples | s/round (each) | peak RSS GiB | JVM wall | held-out MLM loss step 0 -> end | MB broadcast + collected /round | export check |')
    print('|---|---|---|---|---|---|---|---|---|')
    secs = ', '.join(f"{r['round_seconds']:.0f}" for r in rounds)
    mb = (rounds[0].get('sync_bytes_broadcast', 0) + rounds[0].get('sync_bytes_collected', 0)) / 1e6
    print(f"| {rep['parameters']:,} | {len(rounds)} | {rounds[-1]['examples_seen']} | {secs} | {rss:.1f} | {wall} | "
          f"{rep['heldout_mlm_loss_step0']:.4f} -> {rep['heldout_mlm_loss_final']:.4f} | {mb:.0f} | {check} |")
    if warn:
        print()
        print('Sizing warnings printed: ' + ' / '.join(f'`{x}`' for x in warn))
else:
    print(f'**train-bert failed (exit {rc}); peak RSS {rss:.1f} GiB, wall {wall}.** Last lines:')
    print()
    for l in logtxt.splitlines()[-8:]:
        print('    ' + l[:200])
print('<!-- /bench:bert-base-spark -->')
PY
cat "$W/section.md"
if [ "${NO_DOCS:-0}" != 1 ]; then
  python3 "$ROOT/bench/write-section.py" "$ROOT/docs/BENCHMARKS.md" "$W/section.md" \
    "<!-- bench:bert-base-spark -->" "<!-- /bench:bert-base-spark -->"
fi
[ $rc = 0 ]
