#!/usr/bin/env bash
# bench vocab: our WordPiece vocabulary training (the `vocab` CLI path: Spark local[2] word count over a text file,
# then the trainer on the driver) vs HuggingFace tokenizers' WordPiece trainer (hf_wordpiece.js train, Rust, its
# default 2-thread rayon pool on 2 cores), on IMDB-unsup; then tokens per word on IMDB-labeled with each
# vocabulary (ours bpe, ours likelihood, HF's), all three tokenized by our encoder (HF-identical semantics).
# Writes the figures into docs/BENCHMARKS.md (section "vocab-vs-hf").
#
# Fairness: HF's binding trains 30,000 tokens without specials and hf_wordpiece.js writes [PAD] [UNK] [CLS] [SEP]
# [MASK] + the first 29,995 trained tokens = 30,000 lines. Ours: --size 30000 counts the 5 specials, so the files
# have the same number of lines. HF's min_frequency is 0 and it keeps every word: ours runs with
# --min-frequency 0 (all words go to the trainer, every pair count qualifies). Both lowercase + strip accents.
# Timed: HF's train_wall_s is tokenizer.train(files) (file reading, counting, training; node start-up excluded);
# ours is the vocab stage's `seconds` (reading, Spark word count, training, writing vocab.txt and word_counts/;
# JVM and Spark session start-up excluded). Whole-process wall times of both are reported too.
#
# Usage: bench/vocab-vs-hf.sh
# Environment:
#   SHARED       shared folder with data/ and peers/ (default: ../shared next to the repository)
#   BENCH_DIR    scratch folder (default /tmp/pretrain-bench-vocab)
#   TARGET_DIR   Maven build folder name (default target-bench)
#   REPEAT       timed runs of each trainer, best kept (default 3)
#   VIA          bin: the real bin/pretrain (fat jar from `mvn -q -o -DskipTests package`; default when
#                jobs/target/jobs-*-all.jar exists) | classes: jobs/$TARGET_DIR/classes + the dependency jars
#   NO_DOCS=1    do not touch docs/BENCHMARKS.md
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
W="${BENCH_DIR:-/tmp/pretrain-bench-vocab}"
TARGET_DIR="${TARGET_DIR:-target-bench}"
REPEAT="${REPEAT:-3}"
C="$SHARED/data/corpora"
mkdir -p "$W"

# inputs as bench/parity-vs-hf.sh makes them: review column, header skipped, <br /> replaced by a space
imdb() { zcat "$1" | tail -n +2 | cut -f5- | sed 's#<br */\?># #g'; }
[ -s "$W/imdb-unsup.txt" ] || imdb "$C/imdb-aclImdb-v1-unsup-50k.tsv.gz" > "$W/imdb-unsup.txt"
[ -s "$W/imdb-labeled.txt" ] || imdb "$C/imdb-aclImdb-v1-labeled-50k.tsv.gz" > "$W/imdb-labeled.txt"

VIA="${VIA:-$(ls "$ROOT"/jobs/target/jobs-*-all.jar > /dev/null 2>&1 && echo bin || echo classes)}"
echo "== ours via $VIA"
source "$ROOT/bench/lib.sh"
jobs_classpath "$W"
if [ "$VIA" = bin ]; then
  PRETRAIN="$ROOT/bin/pretrain"
  # an untimed first command: after a build it records bin/pretrain's AppCDS archive at its exit (bin/pretrain
  # decides whether the archive is current); the timed runs then all map it
  "$PRETRAIN" vocab --text "$SHARED/data/corpora/moby-dick.txt" --output "$W/cds-warmup" --size 1000 \
    > "$W/cds-warmup.log" 2>&1
else
  # the JVM flags of bin/pretrain (Spark on Java 17), classes from $TARGET_DIR instead of jobs/target's jar
  PRETRAIN="$W/pretrain.sh"
  printf '#!/usr/bin/env bash\nexec java -Xmx8g %s -Dlog4j2.configurationFile=%q -cp %q dev.pretrain.jobs.cli.PretrainCli "$@"\n' \
    "$OPENS" "$ROOT/cluster-conf/log4j2.properties" "$CP" > "$PRETRAIN"
  chmod +x "$PRETRAIN"
fi

machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM"
jver="$(java -version 2>&1 | head -1)"; nver="node $(node --version)"
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
num() { grep -o "\"$2\" *: *[0-9.]*" "$1" | head -1 | sed 's/.*: *//'; }
field() { grep -o "$2=[-0-9.]*" "$1" | tail -1 | cut -d= -f2; }
best() { sort -g | head -1; }

# --- training, alternating the three trainers; best of REPEAT each
: > "$W/times.txt"
for r in $(seq 1 "$REPEAT"); do
  echo "== run $r: HF"
  bash "$SHARED/peers/contention.sh" node "$SHARED/peers/hf_wordpiece.js" train "$W/imdb-unsup.txt" \
    --out "$W/hf.vocab.txt" > "$W/hf.train.$r.log" 2>&1
  echo "hf $r $(field "$W/hf.train.$r.log" train_wall_s) $(field "$W/hf.train.$r.log" wall_s) $(field "$W/hf.train.$r.log" foreign_cores)" | tee -a "$W/times.txt"
  for alg in bpe likelihood; do
    echo "== run $r: ours $alg"
    rm -rf "$W/ours-$alg"
    bash "$SHARED/peers/contention.sh" "$PRETRAIN" vocab --master 'local[2]' --text "$W/imdb-unsup.txt" \
      --output "$W/ours-$alg" --size 30000 --min-frequency 0 --algorithm "$alg" \
      --report "$W/ours-$alg.$r.json" > "$W/ours-$alg.$r.log" 2>&1 || { tail -30 "$W/ours-$alg.$r.log" >&2; exit 1; }
    j="$W/ours-$alg.$r.json"
    echo "$alg $r $(num "$j" seconds) $(field "$W/ours-$alg.$r.log" wall_s) $(field "$W/ours-$alg.$r.log" foreign_cores) $(num "$j" count_seconds) $(num "$j" trainer_seconds)" | tee -a "$W/times.txt"
  done
done
load1="$(cut -d' ' -f1-3 /proc/loadavg)"
col() { awk -v k="$1" -v c="$2" '$1 == k {print $c}' "$W/times.txt"; }
h_t=$(col hf 3 | best); h_w=$(col hf 4 | best); h_fc=$(col hf 5 | sort -g | tail -1)
b_t=$(col bpe 3 | best); b_w=$(col bpe 4 | best); b_fc=$(col bpe 5 | sort -g | tail -1); b_c=$(col bpe 6 | best); b_tr=$(col bpe 7 | best)
l_t=$(col likelihood 3 | best); l_w=$(col likelihood 4 | best); l_fc=$(col likelihood 5 | sort -g | tail -1); l_c=$(col likelihood 6 | best); l_tr=$(col likelihood 7 | best)

# --- tokens per word on IMDB-labeled, our encoder for all three vocabularies
declare -A TPW UNK LINES
for v in bpe likelihood hf; do
  if [ "$v" = hf ]; then vf="$W/hf.vocab.txt"; else vf="$W/ours-$v/vocab.txt"; fi
  java -Xmx2g -cp "$CP" dev.pretrain.corpus.tokenize.bench.EncodeFile --vocab "$vf" --input "$W/imdb-labeled.txt" \
    --output "$W/labeled.$v.ids" > "$W/labeled.$v.log"
  TPW[$v]=$(field "$W/labeled.$v.log" tokens_per_word); UNK[$v]=$(field "$W/labeled.$v.log" unk_rate)
  LINES[$v]=$(wc -l < "$vf")
  echo "tokens/word $v: ${TPW[$v]} (unk_rate ${UNK[$v]}, vocab lines ${LINES[$v]})"
done
words=$(grep -o " words=[0-9]*" "$W/labeled.hf.log" | tail -1 | cut -d= -f2)
overlap_b=$(comm -12 <(sort "$W/ours-bpe/vocab.txt") <(sort "$W/hf.vocab.txt") | wc -l)
t_ratio=$(printf "%.2f" "$(echo "scale=4; $b_t / $h_t" | bc)"); w_ratio=$(printf "%.2f" "$(echo "scale=4; $b_w / $h_w" | bc)")
tpw_ratio=$(echo "scale=4; ${TPW[bpe]} / ${TPW[hf]}" | bc); tpwl_ratio=$(echo "scale=4; ${TPW[likelihood]} / ${TPW[hf]}" | bc)
echo "RATIO ours bpe / HF: stage time ${t_ratio}x, process wall ${w_ratio}x; tokens/word ours bpe / HF ${tpw_ratio}, likelihood / HF ${tpwl_ratio}"
[ "${NO_DOCS:-0}" = 1 ] && exit 0

DOC="$ROOT/docs/BENCHMARKS.md"
[ -f "$DOC" ] || printf '# Benchmarks\n\nOne section per benchmark; each names the exact command, the machine and how loaded it was.\n' > "$DOC"
begin="<!-- bench:vocab-vs-hf -->"; end="<!-- /bench:vocab-vs-hf -->"
section="$W/section.md"
{
  echo "$begin"
  echo "## vocab: WordPiece training vs HuggingFace tokenizers, 2 cores ($(date -u +%Y-%m-%d))"
  echo
  echo "Command: \`bench/vocab-vs-hf.sh\` (REPEAT=$REPEAT, best run of each; ours via VIA=$VIA)."
  echo "Training input: IMDB unsup reviews ($(wc -c < "$W/imdb-unsup.txt") bytes, $(wc -l < "$W/imdb-unsup.txt") lines, \`<br />\` -> space),"
  echo "vocabulary 30,000 lines each (5 specials + 29,995), uncased, min frequency 0 (HF's default)."
  echo "Machine: $machine; $jver; $nver; HF tokenizers 0.23.2 (Node binding, default rayon pool = $(nproc) threads); ours: Spark local[2]."
  echo "Load average before/after: $load0 / $load1; highest \`contention.sh\` foreign_cores among the kept runs: HF $h_fc, ours bpe $b_fc, likelihood $l_fc."
  if [ "$(echo "$h_fc > 0.05 || $b_fc > 0.05 || $l_fc > 0.05" | bc)" = 1 ]; then
    echo "**Taken on a loaded machine (foreign_cores > 0.05): the times are not valid figures; re-run on a quiet one.**"
  fi
  echo
  echo "| trainer | training s (see note) | process wall s | of which word count s | trainer s |"
  echo "|---|---|---|---|---|"
  echo "| HF \`WordPieceTrainer\` (BPE) | $h_t | $h_w | – | – |"
  echo "| ours \`--algorithm bpe\` | $b_t | $b_w | $b_c | $b_tr |"
  echo "| ours \`--algorithm likelihood\` | $l_t | $l_w | $l_c | $l_tr |"
  echo
  echo "**Ratio ours (bpe) / HF: ${t_ratio}x training time, ${w_ratio}x process wall time.** Training s: HF's"
  echo "\`tokenizer.train(files)\`; ours the vocab stage's \`seconds\` (read + Spark word count + trainer + writing"
  if [ "$VIA" = bin ]; then cds=" (bin/pretrain maps its AppCDS archive, recorded by an untimed first run)"; else cds=""; fi
  echo "vocab.txt and word_counts/). Process wall includes node / JVM + Spark start-up$cds. Ours bpe shares $overlap_b of"
  echo "30,000 tokens with HF's (HF breaks count ties in hash order)."
  echo
  echo "Tokens per word on IMDB labeled ($words basic-tokenizer words), every vocabulary through our encoder"
  echo "(\`EncodeFile\`, identical to HF's encoder):"
  echo
  echo "| vocabulary | tokens/word | [UNK] rate | vs HF |"
  echo "|---|---|---|---|"
  echo "| HF trained | ${TPW[hf]} | ${UNK[hf]} | 1 |"
  echo "| ours bpe | ${TPW[bpe]} | ${UNK[bpe]} | $tpw_ratio |"
  echo "| ours likelihood | ${TPW[likelihood]} | ${UNK[likelihood]} | $tpwl_ratio |"
  echo
  echo "Exact commands (per run, under \`peers/contention.sh\`):"
  echo
  echo "    node peers/hf_wordpiece.js train imdb-unsup.txt --out hf.vocab.txt"
  echo "    pretrain vocab --master 'local[2]' --text imdb-unsup.txt --output ours-ALG --size 30000 --min-frequency 0 --algorithm ALG"
  echo "    java -cp \$(cp) dev.pretrain.corpus.tokenize.bench.EncodeFile --vocab V --input imdb-labeled.txt --output O"
  echo "$end"
} > "$section"
python3 "$(dirname "${BASH_SOURCE[0]}")/write-section.py" "$DOC" "$section" "$begin" "$end"
echo "== wrote $DOC"
