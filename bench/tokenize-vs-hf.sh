#!/usr/bin/env bash
# bench tokenize: our WordPiece encoder vs HuggingFace tokenizers (Rust, via hf_wordpiece.js), one thread each,
# side by side on the same bytes in one run; checks the id outputs are byte-identical and writes the figures
# into docs/BENCHMARKS.md (section "tokenize-vs-hf").
#
# Usage: bench/tokenize-vs-hf.sh [uncased|cased]      (default uncased)
# Environment:
#   SHARED       shared folder with data/ and peers/ (default: ../shared next to the repository)
#   BENCH_DIR    scratch folder for the corpus and id outputs (default /tmp/pretrain-bench)
#   TARGET_DIR   Maven build folder name for corpus-prep (default target-bench)
#   JAVA_WARMUP / JAVA_REPEAT   untimed / timed runs of ours (default 2 / 5)
#   HF_REPEAT    timed runs of the peer (default 2; it warms up on its first batch)
#   NO_DOCS=1    do not touch docs/BENCHMARKS.md
# Needs: the peers (bash $SHARED/peers/setup.sh), Maven with ~/.m2 populated, java 17+, node.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
BENCH_DIR="${BENCH_DIR:-/tmp/pretrain-bench}"
TARGET_DIR="${TARGET_DIR:-target-bench}"
CASING="${1:-uncased}"
JAVA_WARMUP="${JAVA_WARMUP:-2}"; JAVA_REPEAT="${JAVA_REPEAT:-5}"; HF_REPEAT="${HF_REPEAT:-2}"
case "$CASING" in uncased) jopt=(); hopt=() ;; cased) jopt=(--cased); hopt=(--cased 1) ;;
  *) echo "usage: $0 [uncased|cased]" >&2; exit 2 ;; esac
VOCAB="$SHARED/data/bert/bert-base-$CASING-vocab.txt"
mkdir -p "$BENCH_DIR"
INPUT="$BENCH_DIR/imdb-lines.txt"
[ -s "$INPUT" ] || bash "$SHARED/peers/make_corpus.sh" imdb-lines "$INPUT"

echo "== build (mvn -o -pl corpus-prep -Dtarget.dir=$TARGET_DIR compile)"
(cd "$ROOT" && mvn -o -q -pl corpus-prep -Dtarget.dir="$TARGET_DIR" compile dependency:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$BENCH_DIR/cp.txt" > "$BENCH_DIR/build.log" 2>&1) \
  || { cat "$BENCH_DIR/build.log" >&2; exit 1; }
CP="$ROOT/corpus-prep/$TARGET_DIR/classes:$(cat "$BENCH_DIR/cp.txt")"

machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM"
jver="$(java -version 2>&1 | head -1)"; nver="node $(node --version)"
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
JAVA_CMD=(java -Xms4g -Xmx4g -XX:+UseParallelGC -cp "$CP" dev.pretrain.corpus.tokenize.bench.TokenizeBenchmark
  --vocab "$VOCAB" --input "$INPUT" --output "$BENCH_DIR/java.$CASING.ids" --warmup "$JAVA_WARMUP" --repeat "$JAVA_REPEAT" "${jopt[@]}")
HF_CMD=(node "$SHARED/peers/hf_wordpiece.js" encode "$VOCAB" "$INPUT" "$BENCH_DIR/hf.$CASING.ids" --repeat "$HF_REPEAT" "${hopt[@]}")

echo "== ours: ${JAVA_CMD[*]}"
bash "$SHARED/peers/contention.sh" "${JAVA_CMD[@]}" | tee "$BENCH_DIR/java.$CASING.log"
echo "== HF tokenizers: TOKENIZERS_PARALLELISM=false ${HF_CMD[*]}"
TOKENIZERS_PARALLELISM=false bash "$SHARED/peers/contention.sh" "${HF_CMD[@]}" | tee "$BENCH_DIR/hf.$CASING.log"
load1="$(cut -d' ' -f1-3 /proc/loadavg)"

if cmp -s "$BENCH_DIR/java.$CASING.ids" "$BENCH_DIR/hf.$CASING.ids"; then same="identical"; else same="DIFFERENT"; fi
lines="$(wc -l < "$BENCH_DIR/hf.$CASING.ids")"
echo "== outputs: $same ($lines lines; cmp $BENCH_DIR/java.$CASING.ids $BENCH_DIR/hf.$CASING.ids)"

field() { grep -o "$2=[0-9.]*" "$1" | tail -1 | cut -d= -f2; }
jl="$BENCH_DIR/java.$CASING.log"; hl="$BENCH_DIR/hf.$CASING.log"
j_mb=$(field "$jl" 'best_MB/s'); j_tok=$(field "$jl" 'best_tokens/s'); j_emb=$(field "$jl" 'best_encode_MB/s')
j_etok=$(field "$jl" 'best_encode_tokens/s'); j_fc=$(field "$jl" foreign_cores)
h_mb=$(field "$hl" 'best_MB/s'); h_tok=$(field "$hl" 'best_tokens/s'); h_fc=$(field "$hl" foreign_cores)
ratio=$(echo "scale=2; $j_mb / $h_mb" | bc); eratio=$(echo "scale=2; $j_emb / $h_mb" | bc)
echo "RATIO ours/HF (both incl. ids->text) = ${ratio}x; ours encode-only / HF = ${eratio}x; foreign_cores ours=$j_fc HF=$h_fc"
[ "$same" = identical ] || { echo "outputs differ: not writing figures" >&2; exit 1; }
[ "${NO_DOCS:-0}" = 1 ] && exit 0

DOC="$ROOT/docs/BENCHMARKS.md"
[ -f "$DOC" ] || printf '# Benchmarks\n\nOne section per benchmark; each names the exact command, the machine and how loaded it was.\n' > "$DOC"
begin="<!-- bench:tokenize-vs-hf:$CASING -->"; end="<!-- /bench:tokenize-vs-hf:$CASING -->"
section="$BENCH_DIR/section.$CASING.md"
{
  echo "$begin"
  echo "## tokenize vs HuggingFace tokenizers, one thread, $CASING ($(date -u +%Y-%m-%d))"
  echo
  echo "Command: \`bench/tokenize-vs-hf.sh $CASING\` (JAVA_WARMUP=$JAVA_WARMUP JAVA_REPEAT=$JAVA_REPEAT HF_REPEAT=$HF_REPEAT)."
  echo "Input: \`make_corpus.sh imdb-lines\` ($(wc -c < "$INPUT") bytes, $lines lines), vocabulary \`bert/bert-base-$CASING-vocab.txt\`."
  echo "Machine: $machine; $jver; $nver; HF tokenizers 0.23.2 (Node binding, \`TOKENIZERS_PARALLELISM=false\`)."
  echo "Load average before/after: $load0 / $load1; CPU taken by other processes during each run"
  echo "(\`contention.sh\` foreign_cores): ours $j_fc, HF $h_fc."
  echo
  echo "| | MB/s (incl. ids->text) | tokens/s (incl. ids->text) | MB/s (encode only) | tokens/s (encode only) |"
  echo "|---|---|---|---|---|"
  echo "| ours (\`TokenizeBenchmark\`, best of $JAVA_REPEAT) | $j_mb | $j_tok | $j_emb | $j_etok |"
  echo "| HF tokenizers (best of $HF_REPEAT) | $h_mb | $h_tok | – | – |"
  echo
  echo "**Ratio ours / HF: ${ratio}x** (both timings include turning ids into text lines, as the peer's timed loop"
  echo "does; our encode-only figure is ${eratio}x HF's). Outputs: $same, $lines lines (\`cmp\`). MB = 10^6 input"
  echo "bytes; file reading excluded on both sides."
  echo
  echo "Exact commands:"
  echo
  echo "    ${JAVA_CMD[*]}" | sed "s#$ROOT/##g; s#$(cat "$BENCH_DIR/cp.txt")#\$(deps)#"
  echo "    TOKENIZERS_PARALLELISM=false ${HF_CMD[*]}"
  echo "$end"
} > "$section"
python3 "$(dirname "${BASH_SOURCE[0]}")/write-section.py" "$DOC" "$section" "$begin" "$end"
echo "== wrote $DOC"
