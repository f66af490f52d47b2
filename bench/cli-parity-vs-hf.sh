#!/usr/bin/env bash
# CLI contract parity: the real command line `bin/pretrain tokenize --vocab V --input F --output O --ids-text
# [--cased]` (Spark local mode, part files concatenated in name order) against HuggingFace tokenizers 0.23.2
# (`node hf_wordpiece.js encode`, BertTokenizerFast pipeline, lines split on '\n' only) on the corpora of
# bench/parity-vs-hf.sh, with both Google BERT vocabularies; reports the share of identical output lines and
# writes a section into docs/BENCHMARKS.md ("cli-parity-vs-hf").
#
# Usage: bench/cli-parity-vs-hf.sh [uncased|cased|both]      (default both)
# Environment:
#   SHARED      shared folder with data/ and peers/ (default ../shared next to the repository)
#   PARITY_DIR  scratch folder (default /tmp/pretrain-cli-parity)
#   CORPORA     space-separated subset of: imdb-unsup imdb-labeled wikitext-2-test enwiki-xml moby-dick lee brown
#               sst2-train sst2-dev sst2-test (default: all)
#   BUILD=1     run `mvn -q -o -DskipTests package` first (bin/pretrain runs jobs/target/jobs-*-all.jar)
#   NO_DOCS=1   do not touch docs/BENCHMARKS.md
# Exit status 1 when any line differs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
D="$SHARED/data"
W="${PARITY_DIR:-/tmp/pretrain-cli-parity}"
WHICH="${1:-both}"
mkdir -p "$W/in" "$W/out"
if [ "${BUILD:-0}" = 1 ]; then
  (cd "$ROOT" && mvn -q -o -DskipTests package)
fi
ls "$ROOT"/jobs/target/jobs-*-all.jar > /dev/null 2>&1 \
  || { echo "bin/pretrain needs jobs/target/jobs-*-all.jar: run with BUILD=1 or mvn -q -o -DskipTests package" >&2; exit 2; }

# --- inputs (the same bytes as bench/parity-vs-hf.sh)
C="$D/corpora"
mk() { [ -s "$W/in/$1.txt" ] || { echo "making $1"; "${@:2}" > "$W/in/$1.txt"; }; }
imdb() { zcat "$1" | tail -n +2 | cut -f5- | sed 's#<br */\?># #g'; }
brown() { tar xzf "$C/brown-corpus-nltk-tagged.tar.gz" -O $(tar tzf "$C/brown-corpus-nltk-tagged.tar.gz" | grep -E '^\./c[a-r][0-9]+$' | sort); }
ALL=(imdb-unsup imdb-labeled wikitext-2-test enwiki-xml moby-dick lee brown sst2-train sst2-dev sst2-test)
read -r -a NAMES <<< "${CORPORA:-${ALL[*]}}"
for n in "${NAMES[@]}"; do
  case "$n" in
    imdb-unsup) mk "$n" imdb "$C/imdb-aclImdb-v1-unsup-50k.tsv.gz" ;;
    imdb-labeled) mk "$n" imdb "$C/imdb-aclImdb-v1-labeled-50k.tsv.gz" ;;
    wikitext-2-test) mk "$n" cat "$C/wikitext-2-raw-test.hf-crlf.raw" ;;
    enwiki-xml) mk "$n" bzcat "$C/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2" ;;
    moby-dick) mk "$n" cat "$C/moby-dick.txt" ;;
    lee) mk "$n" cat "$C/lee_background.cor" ;;
    brown) mk "$n" brown ;;
    sst2-train) mk "$n" bash -c "tail -n +2 '$D/sst2/train.tsv' | cut -f1" ;;
    sst2-dev) mk "$n" bash -c "tail -n +2 '$D/sst2/dev.tsv' | cut -f1" ;;
    sst2-test) mk "$n" bash -c "tail -n +2 '$D/sst2/test.tsv' | cut -f2" ;;
    *) echo "unknown corpus $n" >&2; exit 2 ;;
  esac
done

fail=0
summary=""
for casing in uncased cased; do
  [ "$WHICH" = both ] || [ "$WHICH" = "$casing" ] || continue
  V="$D/bert/bert-base-$casing-vocab.txt"
  jopt=(); hopt=(); [ "$casing" = cased ] && { jopt=(--cased); hopt=(--cased 1); }
  for n in "${NAMES[@]}"; do
    in="$W/in/$n.txt"; o="$W/out/$n.$casing"
    rm -rf "$o.cli.d"
    "$ROOT/bin/pretrain" tokenize --vocab "$V" --input "$in" --output "$o.cli.d" --ids-text "${jopt[@]}" > "$o.cli.log" 2>&1 \
      || { tail -20 "$o.cli.log" >&2; exit 1; }
    cat $(ls "$o.cli.d"/part-* | sort) > "$o.cli"
    TOKENIZERS_PARALLELISM=false node "$SHARED/peers/hf_wordpiece.js" encode "$V" "$in" "$o.hf" "${hopt[@]}" > "$o.hf.log"
    hl=$(wc -l < "$o.hf"); cl=$(wc -l < "$o.cli")
    # id lines hold digits and spaces only: a tab separates the two sides safely
    same=$(paste "$o.cli" "$o.hf" | awk -F '\t' '$1 == $2' | wc -l)
    pct=$(echo "scale=4; 100 * $same / $hl" | bc)
    if cmp -s "$o.cli" "$o.hf"; then r="identical"; else
      r="DIFFERENT (first differing line: $(paste "$o.cli" "$o.hf" | awk -F '\t' '$1 != $2 {print NR; exit}'))"; fail=1; fi
    echo "CLI-PARITY $casing $n bytes=$(wc -c < "$in") lines_hf=$hl lines_cli=$cl identical_lines=$same (${pct}%) $r"
    summary+="| $n | $casing | $(wc -c < "$in") | $hl | $cl | ${pct}% | $r |"$'\n'
  done
done
table="| corpus | vocabulary | bytes | lines (HF) | lines (CLI) | identical lines | files |"$'\n'"|---|---|---|---|---|---|---|"$'\n'"$summary"
echo
printf '%s' "$table"
if [ "${NO_DOCS:-0}" != 1 ]; then
  DOC="$ROOT/docs/BENCHMARKS.md"
  [ -f "$DOC" ] || printf '# Benchmarks\n\nOne section per benchmark; each names the exact command, the machine and how loaded it was.\n' > "$DOC"
  begin="<!-- bench:cli-parity-vs-hf -->"; end="<!-- /bench:cli-parity-vs-hf -->"
  section="$W/section.md"
  {
    echo "$begin"
    echo "## tokenize CLI (--ids-text) vs HuggingFace tokenizers, line by line ($(date -u +%Y-%m-%d))"
    echo
    echo "Command: \`CORPORA='${NAMES[*]}' bench/cli-parity-vs-hf.sh $WHICH\`: \`bin/pretrain tokenize --vocab V --input F --output O"
    echo "--ids-text [--cased]\` (Spark local[2], part files concatenated) vs \`node peers/hf_wordpiece.js encode V F O [--cased 1]\`"
    echo "(HF tokenizers 0.23.2, lines split on '\\n' only). Inputs as in \`bench/parity-vs-hf.sh\`; vocabularies \`bert/bert-base-{uncased,cased}-vocab.txt\`."
    echo "Machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores."
    echo
    printf '%s' "$table"
    echo "$end"
  } > "$section"
  python3 "$(dirname "${BASH_SOURCE[0]}")/write-section.py" "$DOC" "$section" "$begin" "$end"
  echo "== wrote $DOC"
fi
exit $fail
