#!/usr/bin/env bash
# Full-corpus parity with HuggingFace tokenizers 0.23.2 (BertTokenizerFast pipeline via hf_wordpiece.js): every
# corpus of $SHARED/data/corpora plus SST-2, with both Google BERT vocabularies; our ids must be identical to the
# peer's, line by line. (ParityTest checks slices of these in the test suite.)
#
# Usage: bench/parity-vs-hf.sh [uncased|cased|both]      (default both)
# Environment:
#   SHARED      shared folder with data/ and peers/ (default ../shared next to the repository)
#   PARITY_DIR  scratch folder (default /tmp/pretrain-parity)
#   TARGET_DIR  Maven build folder for corpus-prep (default target-bench)
#   VIA         stream (default: EncodeFile, our streaming encoder, one JVM per file) or cli (bin/pretrain
#               tokenize --ids-text, Spark local mode; needs `mvn -q -o -DskipTests package` first)
# Inputs (one text file each, as the peer reads them: lines split on '\n', '\r' kept as text):
#   imdb-unsup, imdb-labeled  review column of the two IMDB TSVs, header skipped, <br /> replaced by a space
#   wikitext-2-test           wikitext-2-raw-test.hf-crlf.raw as is (CRLF)
#   enwiki-xml                the bz2 MediaWiki XML excerpt, decompressed, as is (markup included)
#   moby-dick, lee            as is (lee has no final newline)
#   brown                     the 500 Brown texts (ca01..cr09) concatenated in name order, word/tag form as is
#   sst2-{train,dev,test}     the sentence column, header skipped
# Exit status 1 when any output differs (the first differing lines are printed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
D="$SHARED/data"
W="${PARITY_DIR:-/tmp/pretrain-parity}"
TARGET_DIR="${TARGET_DIR:-target-bench}"
VIA="${VIA:-stream}"
WHICH="${1:-both}"
mkdir -p "$W/in" "$W/out"

# --- inputs
C="$D/corpora"
mk() { [ -s "$W/in/$1.txt" ] || { echo "making $1"; "${@:2}" > "$W/in/$1.txt"; }; }
imdb() { zcat "$1" | tail -n +2 | cut -f5- | sed 's#<br */\?># #g'; }
brown() { tar xzf "$C/brown-corpus-nltk-tagged.tar.gz" -O $(tar tzf "$C/brown-corpus-nltk-tagged.tar.gz" | grep -E '^\./c[a-r][0-9]+$' | sort); }
mk imdb-unsup imdb "$C/imdb-aclImdb-v1-unsup-50k.tsv.gz"
mk imdb-labeled imdb "$C/imdb-aclImdb-v1-labeled-50k.tsv.gz"
mk wikitext-2-test cat "$C/wikitext-2-raw-test.hf-crlf.raw"
mk enwiki-xml bzcat "$C/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
mk moby-dick cat "$C/moby-dick.txt"
mk lee cat "$C/lee_background.cor"
mk brown brown
mk sst2-train bash -c "tail -n +2 '$D/sst2/train.tsv' | cut -f1"
mk sst2-dev bash -c "tail -n +2 '$D/sst2/dev.tsv' | cut -f1"
mk sst2-test bash -c "tail -n +2 '$D/sst2/test.tsv' | cut -f2"
NAMES=(imdb-unsup imdb-labeled wikitext-2-test enwiki-xml moby-dick lee brown sst2-train sst2-dev sst2-test)

# --- ours
if [ "$VIA" = stream ]; then
  (cd "$ROOT" && mvn -o -q -pl corpus-prep -Dtarget.dir="$TARGET_DIR" compile dependency:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile="$W/cp.txt" > "$W/build.log" 2>&1) \
    || { cat "$W/build.log" >&2; exit 1; }
  CP="$ROOT/corpus-prep/$TARGET_DIR/classes:$(cat "$W/cp.txt")"
fi
ours() { # VOCAB INPUT OUTPUT [--cased]
  if [ "$VIA" = stream ]; then
    java -Xmx1g -cp "$CP" dev.pretrain.corpus.tokenize.bench.EncodeFile --vocab "$1" --input "$2" --output "$3" "${@:4}"
  else
    rm -rf "$3.d"
    "$ROOT/bin/pretrain" tokenize --vocab "$1" --input "$2" --output "$3.d" --ids-text "${@:4}" > "$3.log" 2>&1
    cat $(ls "$3.d"/part-* | sort) > "$3"
  fi
}

fail=0
summary=""
for casing in uncased cased; do
  [ "$WHICH" = both ] || [ "$WHICH" = "$casing" ] || continue
  V="$D/bert/bert-base-$casing-vocab.txt"
  jopt=(); hopt=(); [ "$casing" = cased ] && { jopt=(--cased); hopt=(--cased 1); }
  for n in "${NAMES[@]}"; do
    in="$W/in/$n.txt"; o="$W/out/$n.$casing"
    ours "$V" "$in" "$o.ours" "${jopt[@]}" | sed "s#^#  ours: #"
    TOKENIZERS_PARALLELISM=false node "$SHARED/peers/hf_wordpiece.js" encode "$V" "$in" "$o.hf" "${hopt[@]}" > "$o.hf.log"
    lines=$(wc -l < "$o.hf")
    if cmp -s "$o.ours" "$o.hf"; then
      r="identical"
    else
      # tab-separated (ids lines hold no tab); paste -d '\001' would read "\0" = empty separator
      diffl=$(paste "$o.ours" "$o.hf" | awk -F '\t' '$1 != $2' | wc -l)
      r="DIFFERENT ($diffl lines; first: $(paste "$o.ours" "$o.hf" | awk -F '\t' '$1 != $2 {print NR; exit}'))"
      fail=1
    fi
    echo "PARITY $casing $n lines=$lines bytes=$(wc -c < "$in") $r"
    summary+="| $n | $casing | $lines | $r |"$'\n'
  done
done
echo
echo "| corpus | vocabulary | lines | ids vs HF |"
echo "|---|---|---|---|"
printf '%s' "$summary"
exit $fail
