#!/usr/bin/env bash
# BERT held-out quality with the per-layer learning-rate fix (RoundSchedule on every layer, SameDiff ones included):
# runs train-bert with the pipeline's bert defaults (3,200 training instances, batch 16 x 2 workers, averaging every
# 10 minibatches = 100 steps per worker, eval every 2 rounds on 256 held-out instances) for a few peak learning rates
# and writes the held-out MLM loss / MLM accuracy / NSP accuracy per evaluation into docs/BENCHMARKS.md.
# Usage: bench/bert-lr-fix.sh RUN_DIR [LR ...]    (RUN_DIR: a pipeline run with examples/mlm and vocab/vocab.txt)
# Env: PRETRAIN_CP_PREFIX  classpath put before the fat jar (e.g. another build's model classes, to compare builds)
#      BENCH_OUT (default /tmp/bert-lr-fix) output folder; SKIP_DOC=1 leaves docs/BENCHMARKS.md alone
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run="${1:?usage: bert-lr-fix.sh RUN_DIR [LR ...]}"; shift
lrs=("${@:-1e-3}")
[[ ${#lrs[@]} -eq 0 ]] && lrs=(1e-3)
out="${BENCH_OUT:-/tmp/bert-lr-fix}"
mkdir -p "$out"
sec="$out/section.md"
{
  echo "<!-- BEGIN bert-lr-fix -->"
  echo "## BERT learning rate per layer (RoundSchedule fix)"
  echo
  echo "\`bench/bert-lr-fix.sh $run ${lrs[*]}\`: train-bert with the pipeline's bert defaults, validation off; held-out (256 instances) after every 2 averaging rounds (20 steps per worker)."
  echo
  echo "| peak lr | steps/worker | held-out MLM loss | MLM acc | NSP acc |"
  echo "|---|---|---|---|---|"
} > "$sec"
for lr in "${lrs[@]}"; do
  rm -rf "$out/lr-$lr"
  PRETRAIN_JAVA_OPTS="${PRETRAIN_JAVA_OPTS:-}" "$here/../shared/peers/contention.sh" \
    env CLASSPATH_PREFIX="${PRETRAIN_CP_PREFIX:-}" bash -c '
      here="$1"; shift
      jar="$(ls "$here"/jobs/target/jobs-*-all.jar | head -n 1)"
      exec java -Xmx6g -XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false \
        -Dorg.bytedeco.javacpp.maxbytes=6G -Dorg.bytedeco.javacpp.maxphysicalbytes=20G \
        -Dorg.deeplearning4j.spark.time.TimeSource=org.deeplearning4j.spark.time.SystemClockTimeSource \
        -Dlog4j2.configurationFile="$here/cluster-conf/log4j2.properties" \
        -cp "${CLASSPATH_PREFIX:+$CLASSPATH_PREFIX:}$jar:$(cat "$here/jobs/target/spark-classpath.txt")" \
        dev.pretrain.jobs.cli.PretrainCli train-bert "$@"' _ "$here" \
      --examples "$run/examples/mlm" --vocab "$run/vocab/vocab.txt" --output "$out/lr-$lr" \
      --max-train-examples 3200 --max-heldout-examples 256 --validation-examples 0 --eval-every-rounds 2 \
      --learning-rate "$lr" 2>&1 | grep -E "CONTENTION|BERT evaluation|ERROR" | tee "$out/lr-$lr.log"
  python3 - "$out/lr-$lr/metrics.jsonl" "$lr" >> "$sec" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(f"| {sys.argv[2]} | {r['examples_seen'] // 32} | {r['heldout_mlm_loss']:.3f} | {r['heldout_mlm_accuracy']:.3f} | {r['heldout_nsp_accuracy']:.3f} |")
PY
done
echo "<!-- END bert-lr-fix -->" >> "$sec"
[[ -n "${SKIP_DOC:-}" ]] || python3 "$here/bench/write-section.py" "$here/docs/BENCHMARKS.md" "$sec" "<!-- BEGIN bert-lr-fix -->" "<!-- END bert-lr-fix -->"
cat "$sec"
