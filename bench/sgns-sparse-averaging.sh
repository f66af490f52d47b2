#!/usr/bin/env bash
# bench sgns-sparse-averaging: ParameterAveragedSgns (the loop of train-word2vec) on a large vocabulary, to measure
# the sparse exchange (each round ships only the rows it changed, merged per row block on the executors): a synthetic
# Zipfian corpus (seeded; word r has probability proportional to r^-ZIPF), VOCAB x DIM SGNS, PARTITIONS partitions
# in Spark local[PARTITIONS] with Kryo, spark.kryoserializer.buffer.max 1g and spark.driver.maxResultSize 1g
# (cluster-conf/spark-defaults.conf), one JVM with -Xmx$XMX. ZipfAveragingBench (model test sources) prints per
# round: seconds, words, rows changed (syn0, syn1neg), rows the workers shipped, MB the driver collected against the
# dense exchange's k x 2 x vocab x dim float32; Spark's shuffle-write and task-result bytes per stage kind; peak heap
# (sampled, and the largest heap in use after a GC), peak RSS (VmHWM) and the largest Spark local dir (shuffle
# files) at a round's end. Wrapped by contention.sh (foreign_cores = CPU other processes took meanwhile). Prints the
# figures; writes no docs. The default size needs about 5 x 2 x vocab x dim x 4 bytes of heap (1M x 300: -Xmx12g ran,
# 2026-12-07, peak RSS 13.6 GB; a 1M x 60 run needed 2400m); the shuffle writes ~3 GB per round.
#
# Usage: bench/sgns-sparse-averaging.sh
# Environment: VOCAB (1000000), DIM (300), WORDS (16000000), ZIPF (1.0), ROUNDS (3), PARTITIONS (2), XMX (12g), GC
#   (JVM GC flags, default G1 with 32 MB regions: the 4 MB broadcast pieces are then ordinary objects, not
#   humongous ones of 2 regions each, and each 1.2 GB matrix copy wastes under one region),
#   SEED (1), BENCH_DIR (/tmp/pretrain-bench), TARGET_DIR (target-bench), SHARED
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/lib.sh"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
BENCH_DIR="${BENCH_DIR:-/tmp/pretrain-bench}"
TARGET_DIR="${TARGET_DIR:-target-bench}"
VOCAB="${VOCAB:-1000000}"; DIM="${DIM:-300}"; WORDS="${WORDS:-16000000}"; ZIPF="${ZIPF:-1.0}"
ROUNDS="${ROUNDS:-3}"; PARTITIONS="${PARTITIONS:-2}"; XMX="${XMX:-12g}"; SEED="${SEED:-1}"; GC="${GC:--XX:+UseG1GC -XX:G1HeapRegionSize=32m}"
OUT="$BENCH_DIR/sgns-sparse-averaging"
mkdir -p "$OUT"
model_test_classpath
spark_opens
LOCAL_DIR="$OUT/spark-local"
rm -rf "$LOCAL_DIR"; mkdir -p "$LOCAL_DIR"
log="$OUT/v$VOCAB.d$DIM.p$PARTITIONS.x$XMX.log"
cmd=(java "-Xmx$XMX" $GC --add-modules jdk.incubator.vector $OPENS -cp "$CP" dev.pretrain.model.word2vec.ZipfAveragingBench
     --vocab "$VOCAB" --dim "$DIM" --words "$WORDS" --zipf "$ZIPF" --rounds "$ROUNDS" --partitions "$PARTITIONS"
     --seed "$SEED" --local-dir "$LOCAL_DIR")
echo "== machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM; avx512f: $(grep -q avx512f /proc/cpuinfo && echo yes || echo no); $(java -version 2>&1 | head -1)"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
shown="${cmd[*]}"; shown="${shown//"$CP"/\$CP}"; shown="${shown//"$OPENS"/\$OPENS}"
echo "== command (CP = model test classes + classes + test classpath, OPENS = pom.xml spark.jvm.opens): $shown"
set +e
bash "$SHARED/peers/contention.sh" "${cmd[@]}" 2>&1 \
  | grep --line-buffered -e '^RESULT' -e '^ROUND' -e '^STAGE' -e '^CONTENTION' -e '^corpus' -e '^exchange' -e 'Exception' -e 'Error' \
  | tee "$log"
rc=${PIPESTATUS[0]}
set -e
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg); log: $log"
rm -rf "$LOCAL_DIR"
exit "$rc"
