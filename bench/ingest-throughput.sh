#!/usr/bin/env bash
# Ingest throughput: `pretrain ingest` (Spark local[CORES], one JVM) on the IMDB unsup corpus at 1x, 2x and 4x its
# size; documents/s and MB/s (uncompressed input) in total and per core; writes docs/BENCHMARKS.md section
# "ingest-throughput".
#
# Input: the 50,000 unsup reviews, decompressed, one TSV file per copy (so reading, one task per file, is spread
# like the rest). Copy k > 0 prefixes every review with "[copy k] ", so exact de-duplication (on) keeps the
# copies; near-duplicate detection is OFF for the scaling runs (it would rightly remove those copies), and one
# extra 1x run with it ON shows its cost. Quality filters: defaults.
# Usage: bench/ingest-throughput.sh     Environment: SHARED, BENCH_DIR (/tmp/pretrain-bench), TARGET_DIR
# (target-bench-ingest), CORES (2), SCALES ("1 2 4"), NEAR_DUP_RUN (1), HEAP (8g), NO_DOCS=1 (do not touch
# BENCHMARKS.md), REPORT_ONLY=1 (no runs: rebuild the table from the logs and reports of the last runs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
BENCH_DIR="${BENCH_DIR:-/tmp/pretrain-bench}/ingest"
TARGET_DIR="${TARGET_DIR:-target-bench-ingest}"
CORES="${CORES:-2}"; SCALES="${SCALES:-1 2 4}"; NEAR_DUP_RUN="${NEAR_DUP_RUN:-1}"; HEAP="${HEAP:-8g}"
mkdir -p "$BENCH_DIR"
SRC="$SHARED/data/corpora/imdb-aclImdb-v1-unsup-50k.tsv.gz"

if [ "${REPORT_ONLY:-0}" != 1 ]; then
(cd "$ROOT" && mvn -o -q -pl jobs -am -Dtarget.dir="$TARGET_DIR" compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$BENCH_DIR/cp.txt" > "$BENCH_DIR/build.log" 2>&1) \
  || { cat "$BENCH_DIR/build.log" >&2; exit 1; }
CP="$ROOT/jobs/$TARGET_DIR/classes:$ROOT/corpus-prep/$TARGET_DIR/classes:$ROOT/model/$TARGET_DIR/classes:$(cat "$BENCH_DIR/cp.txt")"
source "$ROOT/bench/lib.sh"
spark_opens

# copies: copy-0 is the original text; copy-k prefixes each review (column 5) with a marker
maxs=1; for s in $SCALES; do [ "$s" -gt "$maxs" ] && maxs=$s; done
for ((k = 0; k < maxs; k++)); do
  f="$BENCH_DIR/copies/copy-$k.tsv"
  [ -s "$f" ] && continue
  mkdir -p "$BENCH_DIR/copies"
  if [ "$k" = 0 ]; then zcat "$SRC" > "$f.tmp"
  else zcat "$SRC" | awk -v k="$k" 'BEGIN{FS=OFS="\t"} NR==1{print; next} {sub(/^/, "[copy " k "] ", $5); print}' > "$f.tmp"; fi
  mv "$f.tmp" "$f"
done
fi

machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; $(java -version 2>&1 | head -1)"
rows=""
run_one() { # scale near(0/1)
  local s=$1 near=$2 in="$BENCH_DIR/in-$1x" out="$BENCH_DIR/out-$1x-near$2/documents" log="$BENCH_DIR/run-$1x-near$2.log"
  rm -rf "$in" "$BENCH_DIR/out-$1x-near$2"; mkdir -p "$in"
  for ((k = 0; k < s; k++)); do ln "$BENCH_DIR/copies/copy-$k.tsv" "$in/copy-$k.tsv"; done
  local nd=(); [ "$near" = 0 ] && nd=(--no-near-dup)
  cmd=(java -Xmx"$HEAP" $OPENS -cp "$CP" dev.pretrain.jobs.cli.PretrainCli ingest --master "local[$CORES]"
    --source "name=imdb,uri=$in,format=tsv,column=4,header=true,html=true" --output "$out" "${nd[@]}")
  echo "== ${cmd[*]}" | sed "s#$(cat "$BENCH_DIR/cp.txt")#\$(deps)#"
  bash "$SHARED/peers/contention.sh" "${cmd[@]}" > "$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }
  grep -E '^\[ingest\] (read [0-9]+ file|near|wrote|exact)|CONTENTION' "$log"
  row_one "$s" "$near"
}
row_one() { # scale near(0/1): one table row from the run's report and contention line
  local out="$BENCH_DIR/out-$1x-near$2/documents" log="$BENCH_DIR/run-$1x-near$2.log"
  python3 - "$out/../ingest-report.json" "$log" "$1" "$2" "$CORES" <<'EOF' >> "$BENCH_DIR/rows.md"
import json, re, sys
rep = json.load(open(sys.argv[1])); log = open(sys.argv[2]).read()
c = dict(re.findall(r'(\w+)=([0-9.]+)', re.findall(r'CONTENTION .*', log)[-1]))
wall, cores, cpu = float(c['wall_s']), int(sys.argv[5]), float(c['own_cpu_s'])
stage = rep['seconds']; mb = rep['bytes_in'] / 1e6; docs = rep['documents_in']
print(f"| {sys.argv[3]}x | {'on' if sys.argv[4] == '1' else 'off'} | {docs:,} | {mb:.1f} | {rep['documents_kept']:,} "
      f"| {rep['duplicates_exact']:,} / {rep['duplicates_near']:,} | {rep['shards']} | {stage:.1f} | {wall:.1f} "
      f"| {docs / stage:,.0f} | {docs / stage / cores:,.0f} | {mb / stage:.2f} | {mb / stage / cores:.2f} "
      f"| {cpu:.1f} | {docs / cpu:,.0f} | {mb / cpu:.2f} | {c['foreign_cores']} |")
EOF
  tail -1 "$BENCH_DIR/rows.md"
}
: > "$BENCH_DIR/rows.md"
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${REPORT_ONLY:-0}" = 1 ]; then
  for s in $SCALES; do row_one "$s" 0; done
  [ "$NEAR_DUP_RUN" = 1 ] && row_one 1 1
else
  for s in $SCALES; do run_one "$s" 0; done
  [ "$NEAR_DUP_RUN" = 1 ] && run_one 1 1
fi
load1="$(cut -d' ' -f1-3 /proc/loadavg)"
[ "${REPORT_ONLY:-0}" = 1 ] && { load0="(not recorded: table rebuilt from the run logs)"; load1="-"; }
rows="$(cat "$BENCH_DIR/rows.md")"
[ "${NO_DOCS:-0}" = 1 ] && exit 0

DOC="$ROOT/docs/BENCHMARKS.md"
[ -f "$DOC" ] || printf '# Benchmarks\n\nOne section per benchmark; each names the exact command, the machine and how loaded it was.\n' > "$DOC"
begin="<!-- bench:ingest-throughput -->"; end="<!-- /bench:ingest-throughput -->"
section="$BENCH_DIR/section.md"
{
  echo "$begin"
  echo "## ingest throughput on IMDB at 1x/2x/4x ($(date -u +%Y-%m-%d))"
  echo
  echo "Command: \`bench/ingest-throughput.sh\` (CORES=$CORES SCALES=\"$SCALES\"): \`pretrain ingest --master local[$CORES]\` on the"
  echo "50,000 IMDB unsup reviews, decompressed ($(wc -c < "$BENCH_DIR/copies/copy-0.tsv") bytes), one TSV file per copy; copies"
  echo "k > 0 prefix each review with \`[copy k] \` so exact de-duplication keeps them; near-duplicate detection off except"
  echo "in the last row (there it finds the corpus's own near duplicates). Default quality filters; HTML cleaning, ICU"
  echo "sentence splitting, exact de-duplication, balanced 32 MiB shards, Parquet write all included. Seconds = the"
  echo "stage's own wall time (report \`seconds\`, Spark start excluded); JVM wall = whole command. MB = 10^6 input bytes."
  echo "Machine: $machine. Load average before/after: $load0 / $load1; foreign_cores = CPU taken by other processes"
  echo "during the run (\`contention.sh\`). Per core = per second / CORES, valid only when foreign_cores is ~0; on a"
  echo "shared machine docs/CPU-s (the JVM's own CPU time, Spark start-up included) is the better per-core figure."
  echo
  echo "| input | near-dup | documents in | MB in | kept | duplicates exact / near | shards | stage s | JVM wall s | docs/s | docs/s/core | MB/s | MB/s/core | JVM CPU s | docs/CPU-s | MB/CPU-s | foreign_cores |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  echo "$rows"
  echo "$end"
} > "$section"
python3 "$(dirname "${BASH_SOURCE[0]}")/write-section.py" "$DOC" "$section" "$begin" "$end"
echo "== wrote $DOC"
