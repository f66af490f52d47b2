#!/usr/bin/env bash
# bench examples-memory: MLM/NSP generation over IMDB (both aclImdb TSVs, 100k reviews) at dupe_factor 5 in Spark
# local mode inside ONE JVM of -Xmx2g (driver and the executor's task slots share that heap, so this is stricter
# than a 2 GiB executor). Records peak RSS (/usr/bin/time -v), wall time, the CPU other processes took meanwhile
# (contention.sh), the instance counts, and writes the section "examples-memory" of docs/BENCHMARKS.md.
#
# Usage: bench/examples-memory.sh
# Environment:
#   SHARED       shared folder with data/ and peers/ (default: ../shared next to the repository)
#   BENCH_DIR    scratch folder for documents, tokenized shards and examples (default /tmp/pretrain-bench-mlm)
#   TARGET_DIR   Maven build folder name (default target-bench-mlm); SKIP_BUILD=1 reuses its jar
#   HEAP         heap of the measured JVM (default 2g); DUPE (default 5); MASTER (default local[2]); SHARDS (16)
#   EXTRA        extra flags for 'examples mlm' (e.g. "--task sop --bin-size 32")
#   NO_DOCS=1    do not touch docs/BENCHMARKS.md
# Needs: Maven with ~/.m2 populated, java 17+, GNU time (/usr/bin/time).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
BENCH_DIR="${BENCH_DIR:-/tmp/pretrain-bench-mlm}"
TARGET_DIR="${TARGET_DIR:-target-bench-mlm}"
HEAP="${HEAP:-2g}"; DUPE="${DUPE:-5}"; MASTER="${MASTER:-local[2]}"; SHARDS="${SHARDS:-16}"; EXTRA="${EXTRA:-}"
VOCAB="$SHARED/data/bert/bert-base-uncased-vocab.txt"
D="$SHARED/data/corpora"
mkdir -p "$BENCH_DIR"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== build (mvn -o -pl corpus-prep,model,jobs -Dtarget.dir=$TARGET_DIR -DskipTests package)"
  (cd "$ROOT" && mvn -o -q -pl corpus-prep,model,jobs -Dtarget.dir="$TARGET_DIR" -DskipTests package \
    > "$BENCH_DIR/build.log" 2>&1) || { tail -50 "$BENCH_DIR/build.log" >&2; exit 1; }
fi
JAR="$(ls "$ROOT"/jobs/"$TARGET_DIR"/jobs-*-all.jar | head -1)"
CP="$JAR:$(cat "$ROOT/jobs/$TARGET_DIR/spark-classpath.txt")"
source "$ROOT/bench/lib.sh"
spark_opens
LOG4J="-Dlog4j2.configurationFile=$ROOT/cluster-conf/log4j2.properties"
cli() { local heap="$1"; shift; java -Xmx"$heap" $OPENS $LOG4J -cp "$CP" dev.pretrain.jobs.cli.PretrainCli "$@"; }

# inputs: ingest + tokenize (not measured), reused when present
if [ ! -d "$BENCH_DIR/tokenized" ]; then
  echo "== inputs: ingest both IMDB files, tokenize with bert-base-uncased"
  rm -rf "$BENCH_DIR/documents"
  cli 4g ingest --master "$MASTER" --output "$BENCH_DIR/documents" \
    --source "name=imdb-unsup,uri=$D/imdb-aclImdb-v1-unsup-50k.tsv.gz,format=tsv,column=4,header=true,html=true" \
    --source "name=imdb-labeled,uri=$D/imdb-aclImdb-v1-labeled-50k.tsv.gz,format=tsv,column=4,header=true,html=true" \
    --report "$BENCH_DIR/ingest.json" > "$BENCH_DIR/ingest.log" 2>&1
  cli 4g tokenize --master "$MASTER" --input "$BENCH_DIR/documents" --vocab "$VOCAB" \
    --output "$BENCH_DIR/tokenized" --report "$BENCH_DIR/tokenize.json" > "$BENCH_DIR/tokenize.log" 2>&1
fi

OUT="$BENCH_DIR/examples"
rm -rf "$OUT"
CMD=(java -Xmx"$HEAP" $OPENS $LOG4J -cp '$CP' dev.pretrain.jobs.cli.PretrainCli examples mlm --master "$MASTER"
  --tokenized "$BENCH_DIR/tokenized" --vocab "$VOCAB" --output "$OUT" --dupe-factor "$DUPE" --shards "$SHARDS"
  --format parquet --report "$BENCH_DIR/examples.json" $EXTRA)
echo "== measured: java -Xmx$HEAP ... PretrainCli examples mlm --dupe-factor $DUPE --shards $SHARDS $EXTRA"
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
set +e
bash "$SHARED/peers/contention.sh" /usr/bin/time -v java -Xmx"$HEAP" $OPENS $LOG4J -cp "$CP" \
  dev.pretrain.jobs.cli.PretrainCli examples mlm --master "$MASTER" --tokenized "$BENCH_DIR/tokenized" \
  --vocab "$VOCAB" --output "$OUT" --dupe-factor "$DUPE" --shards "$SHARDS" --format parquet \
  --report "$BENCH_DIR/examples.json" $EXTRA > "$BENCH_DIR/examples.log" 2>&1
rc=$?
set -e
load1="$(cut -d' ' -f1-3 /proc/loadavg)"
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$BENCH_DIR/examples.log")
wall=$(grep -o 'wall_s=[0-9.]*' "$BENCH_DIR/examples.log" | cut -d= -f2)
fc=$(grep -o 'foreign_cores=[0-9.]*' "$BENCH_DIR/examples.log" | cut -d= -f2)
oom=$(grep -c 'OutOfMemoryError' "$BENCH_DIR/examples.log" || true)
docs=$(python3 -c "import json;r=json.load(open('$BENCH_DIR/tokenize.json'));print(r.get('documents', r.get('statistics',{}).get('documents','?')))" 2>/dev/null || echo '?')
read -r train held ttokens < <(python3 - "$BENCH_DIR/examples.json" <<'PY' 2>/dev/null || echo "? ? ?"
import json, sys
s = json.load(open(sys.argv[1]))["statistics"]
print(s["train"]["instances"], s["heldout"]["instances"], s["train"]["tokens"])
PY
)
echo "RESULT rc=$rc oom_lines=$oom peak_rss_MiB=$((rss_kb / 1024)) wall_s=$wall foreign_cores=$fc train=$train heldout=$held"
[ "$rc" = 0 ] || { tail -40 "$BENCH_DIR/examples.log" >&2; }
[ "${NO_DOCS:-0}" = 1 ] && exit "$rc"

DOC="$ROOT/docs/BENCHMARKS.md"
begin="<!-- bench:examples-memory -->"; end="<!-- /bench:examples-memory -->"
machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM"
{
  echo "$begin"
  echo "## examples mlm memory: IMDB 100k reviews, dupe_factor $DUPE, -Xmx$HEAP ($(date -u +%Y-%m-%d))"
  echo
  echo "Command: \`bench/examples-memory.sh\` (HEAP=$HEAP DUPE=$DUPE MASTER=$MASTER SHARDS=$SHARDS EXTRA='$EXTRA')."
  echo "Input: both aclImdb TSVs (unsup 50k + labeled 50k) ingested and tokenized with bert-base-uncased"
  echo "(documents: $docs); Spark $MASTER in one JVM, so the driver and both task slots share the $HEAP heap."
  echo "Machine: $machine; $(java -version 2>&1 | head -1). Load average before/after: $load0 / $load1;"
  echo "CPU taken by other processes meanwhile (\`contention.sh\` foreign_cores): $fc."
  echo
  echo "| exit code | OutOfMemoryError lines | peak RSS (MiB) | wall (s) | train instances | held-out instances | train tokens |"
  echo "|---|---|---|---|---|---|---|"
  echo "| $rc | $oom | $((rss_kb / 1024)) | $wall | $train | $held | $ttokens |"
  echo
  echo "Exact command (\`\$CP\` = the jobs fat jar + jobs/$TARGET_DIR/spark-classpath.txt):"
  echo
  echo "    /usr/bin/time -v ${CMD[*]}" | sed "s#$ROOT/##g"
  echo "$end"
} > "$BENCH_DIR/section.md"
python3 "$ROOT/bench/write-section.py" "$DOC" "$BENCH_DIR/section.md" "$begin" "$end"
echo "== wrote $DOC"
exit "$rc"
