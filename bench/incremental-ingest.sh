#!/usr/bin/env bash
# Incremental ingestion cost: the IMDB unsup corpus (50,000 reviews) cut into 10 gzipped TSV files of 5,000
# reviews lands in two halves; `pretrain ingest-incremental` ingests the first half (batch 0), then the second
# (batch 1, exact dedup against batch 0), then runs once more with nothing new (a no-op); finally a plain
# `pretrain ingest --no-near-dup` over all 10 files (incremental ingestion does exact dedup only). Checks that
# the batches hold as many documents as the single ingest, and writes the times (each JVM, Spark local[2])
# into docs/BENCHMARKS.md (section "incremental-ingest").
# Usage: bench/incremental-ingest.sh     Environment: SHARED, BENCH_DIR (/tmp/pretrain-bench-incr),
# TARGET_DIR (target-bench), MASTER (local[2]), NO_DOCS=1 (print only).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
BENCH_DIR="${BENCH_DIR:-/tmp/pretrain-bench-incr}"
TARGET_DIR="${TARGET_DIR:-target-bench}"
MASTER="${MASTER:-local[2]}"
rm -rf "$BENCH_DIR/landing" "$BENCH_DIR/out" "$BENCH_DIR/single" "$BENCH_DIR"/*.json
mkdir -p "$BENCH_DIR/landing" "$BENCH_DIR/staged"
(cd "$ROOT" && mvn -o -q -pl jobs -am -Dtarget.dir="$TARGET_DIR" compile \
  dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile="$BENCH_DIR/cp.txt" \
  > "$BENCH_DIR/build.log" 2>&1) || { cat "$BENCH_DIR/build.log" >&2; exit 1; }
CP="$ROOT/jobs/$TARGET_DIR/classes:$ROOT/corpus-prep/$TARGET_DIR/classes:$ROOT/model/$TARGET_DIR/classes:$(cat "$BENCH_DIR/cp.txt")"
source "$ROOT/bench/lib.sh"
spark_opens
# A wrapper script (contention.sh runs a command, not a shell function).
cat > "$BENCH_DIR/pretrain" <<WRAP
#!/usr/bin/env bash
exec java -Xmx6g $OPENS -Dlog4j2.configurationFile="$ROOT/cluster-conf/log4j2.properties" -cp "$CP" \\
  dev.pretrain.jobs.cli.PretrainCli "\$@" --master "$MASTER"
WRAP
chmod +x "$BENCH_DIR/pretrain"

# 10 files of 5,000 reviews, each with the TSV header.
src="$SHARED/data/corpora/imdb-aclImdb-v1-unsup-50k.tsv.gz"
if [ ! -s "$BENCH_DIR/staged/imdb-09.tsv.gz" ]; then
  zcat "$src" | awk -v d="$BENCH_DIR/staged" 'NR==1{h=$0; next} {n=int((NR-2)/5000); f=sprintf("%s/imdb-%02d.tsv", d, n);
    if (!(f in seen)) {print h > f; seen[f]=1} print > f}'
  gzip -f "$BENCH_DIR"/staged/imdb-*.tsv
fi
SRC="name=imdb,uri=$BENCH_DIR/landing,format=tsv,column=4,header=true,html=true"
machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; $(java -version 2>&1 | head -1)"
run() { # name, then the pretrain arguments
  local name="$1"; shift
  echo "== $name: pretrain $*"
  bash "$SHARED/peers/contention.sh" "$BENCH_DIR/pretrain" "$@" --report "$BENCH_DIR/$name.json" > "$BENCH_DIR/$name.log" 2>&1 \
    || { tail -30 "$BENCH_DIR/$name.log" >&2; exit 1; }
  grep CONTENTION "$BENCH_DIR/$name.log"
}
j() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$2)" "$BENCH_DIR/$1.json"; }
c() { grep -o "$2=[0-9.]*" "$BENCH_DIR/$1.log" | cut -d= -f2; }

cp "$BENCH_DIR"/staged/imdb-0[0-4].tsv.gz "$BENCH_DIR/landing/"
run first ingest-incremental --source "$SRC" --output "$BENCH_DIR/out"
cp "$BENCH_DIR"/staged/imdb-0[5-9].tsv.gz "$BENCH_DIR/landing/"
run second ingest-incremental --source "$SRC" --output "$BENCH_DIR/out"
run noop ingest-incremental --source "$SRC" --output "$BENCH_DIR/out"
run single ingest --no-near-dup --source "$SRC" --output "$BENCH_DIR/single/documents"

total="$(j noop "['documents_total']")"; single="$(j single "['documents_kept']")"
[ "$total" = "$single" ] || { echo "batches hold $total documents, the single ingest $single" >&2; exit 1; }
[ "$(j noop "['batch']")" = None ] || { echo "the third run was not a no-op" >&2; exit 1; }
rows=""
for r in first second noop single; do
  case $r in
    first) what="ingest-incremental, files 0-4 (batch 0): $(j first "['documents_committed']") documents";;
    second) what="ingest-incremental, + files 5-9 (batch 1): $(j second "['documents_committed']") documents, $(j second "['duplicates_across_batches']") duplicates of batch 0";;
    noop) what="ingest-incremental, nothing new (no-op)";;
    single) what="ingest --no-near-dup, all 10 files at once: $single documents";;
  esac
  rows+="| $what | $(c $r wall_s) | $(c $r own_cpu_s) | $(j $r "['seconds']") | $(c $r foreign_cores) |"$'\n'
done
printf '%s' "$rows"
[ "${NO_DOCS:-0}" = 1 ] && exit 0
DOC="$ROOT/docs/BENCHMARKS.md"
begin="<!-- bench:incremental-ingest -->"; end="<!-- /bench:incremental-ingest -->"
section="$BENCH_DIR/section.md"
{
  echo "$begin"
  echo "## Incremental ingestion ($(date -u +%Y-%m-%d))"
  echo
  echo "Command: \`bench/incremental-ingest.sh\`: IMDB unsup (50,000 reviews) as 10 gzipped TSV files of 5,000; two"
  echo "\`ingest-incremental\` runs (5 files, then 5 more), a run with nothing new, and one \`ingest --no-near-dup\` of all 10"
  echo "files; Spark $MASTER, one JVM per run. The batches hold the same number of documents as the single ingest"
  echo "($single). Machine: $machine."
  echo
  echo "| run | wall s (JVM) | CPU s (JVM) | stage s (report) | foreign_cores |"
  echo "|---|---|---|---|---|"
  printf '%s' "$rows"
  echo
  echo "The second run ingests half the files and adds the cross-batch dedup (a read of batch 0's doc_id column and"
  echo "an anti-join; the batch is rewritten only when it holds duplicates); a run with nothing new only lists the"
  echo "landing folder and reads the manifest. Figures with foreign_cores near 2 were taken on a saturated machine"
  echo "and do not compare run against run."
  echo "$end"
} > "$section"
python3 "$ROOT/bench/write-section.py" "$DOC" "$section" "$begin" "$end"
echo "wrote section incremental-ingest of $DOC"
