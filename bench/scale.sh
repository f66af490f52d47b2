#!/usr/bin/env bash
# bench scale: is every stage's cost linear in its input, and its memory bounded, at a fixed executor heap?
# IMDB unsup (50,000 reviews, 67.5 MB decompressed) at 1x, 4x and 16x: copy k > 0 prefixes every review with
# "[copy k] " (distinct document ids); each scale is ONE TSV file (so ingest's reading has to split it). For each
# scale, one JVM per stage (Spark local[2], -Xmx$HEAP: the driver is the executor in local mode):
#   ingest -> vocab -> tokenize -> examples mlm -> train-word2vec (1 epoch) -> train-bert (BERT-tiny, 2 workers,
#   BERT_SECONDS of training on all of the scale's training instances: seconds per averaging round).
# Per stage: the stage's own seconds (its report; Spark start excluded), seconds per input MB (raw corpus MB),
# peak JVM heap after GC (G1, -Xlog:gc) and peak RSS (/usr/bin/time). Writes docs/BENCHMARKS.md section "scale"
# (unless NO_DOCS=1) with the acceptance ratios of issue 16.
#
# Usage: bench/scale.sh     Environment: SCALES (default "1 4 16"), HEAP (default 3g), BERT_SECONDS (default 60),
#   BENCH_DIR (default /tmp/pretrain-bench-scale), TARGET_DIR (default target-bench), STAGES (default
#   "ingest vocab tokenize mlm word2vec bert"), SECTION (default scale: the docs section's name), NO_DOCS=1,
#   REPORT_ONLY=1 (rebuild the section from the last runs)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
W="${BENCH_DIR:-/tmp/pretrain-bench-scale}"; TARGET_DIR="${TARGET_DIR:-target-bench}"
SCALES="${SCALES:-1 4 16}"; HEAP="${HEAP:-3g}"; BERT_SECONDS="${BERT_SECONDS:-60}"
STAGES_SET="${STAGES:+1}"; SECTION_SET="${SECTION:+1}"
STAGES="${STAGES:-ingest vocab tokenize mlm word2vec bert}"
SECTION="${SECTION:-scale}"  # docs/BENCHMARKS.md section (bench:$SECTION markers)
SRC="$SHARED/data/corpora/imdb-aclImdb-v1-unsup-50k.tsv.gz"
mkdir -p "$W"
source "$ROOT/bench/lib.sh"
if [ "${REPORT_ONLY:-0}" != 1 ]; then
  jobs_classpath "$W"
  # G1 with a fixed initiating heap occupancy of 10%: G1's adaptive default lets old-generation garbage pile up to
  # about 45% of the heap before it marks, so "heap after GC" measured the run's length (a longer run reaches the
  # threshold) more than its live data; at 10% the garbage a young GC leaves behind is at most ~0.3 GiB of 3 GiB
  JVM=(java "-Xmx$HEAP" -XX:+UseG1GC -XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=10 $OPENS --add-modules jdk.incubator.vector -Dorg.bytedeco.javacpp.maxbytes=2G
       -Dorg.bytedeco.javacpp.maxphysicalbytes=6G -Dlog4j2.configurationFile="$ROOT/cluster-conf/log4j2.properties")
  # the corpus of each scale: one file, the header once
  [ -s "$W/imdb.tsv" ] || { zcat "$SRC" > "$W/imdb.tsv.tmp" && mv "$W/imdb.tsv.tmp" "$W/imdb.tsv"; }
  for s in $SCALES; do
    f="$W/corpus-${s}x/imdb.tsv"
    [ -s "$f" ] && continue
    mkdir -p "$W/corpus-${s}x"
    { head -1 "$W/imdb.tsv"
      for ((k = 0; k < s; k++)); do
        tail -n +2 "$W/imdb.tsv" | awk -v k="$k" 'BEGIN{FS=OFS="\t"} { if (k > 0) $5 = "[copy " k "] " $5; print }'
      done; } > "$f.tmp"
    mv "$f.tmp" "$f"
  done
  load0="$(cut -d' ' -f1-3 /proc/loadavg)"
  stage() {  # scale name args...
    local s=$1 name=$2; shift 2
    local log="$W/$s-$name.log"
    echo "== ${s}x $name"
    OMP_NUM_THREADS=1 /usr/bin/time -v -o "$W/$s-$name.time" bash "$SHARED/peers/contention.sh" "${JVM[@]}" \
      "-Xlog:gc:file=$W/$s-$name.gc" -cp "$CP" dev.pretrain.jobs.cli.PretrainCli "$@" --master 'local[2]' \
      --report "$W/$s-$name.json" --overwrite > "$log" 2>&1 || { tail -30 "$log" >&2; echo "FAILED: ${s}x $name" >&2; return 1; }
    grep -o 'foreign_cores=[-0-9.]*' "$log" | tail -1 || true
  }
  for s in $SCALES; do
    r="$W/run-${s}x"
    for st in $STAGES; do
      case "$st" in
        ingest) stage "$s" ingest ingest --output "$r/documents" --no-near-dup \
                  --source "name=imdb,uri=$W/corpus-${s}x/imdb.tsv,format=tsv,column=4,header=true,html=true" ;;
        vocab) stage "$s" vocab vocab --documents "$r/documents" --output "$r/vocab" ;;
        tokenize) stage "$s" tokenize tokenize --input "$r/documents" --vocab "$r/vocab/vocab.txt" --output "$r/tokenized" ;;
        mlm) stage "$s" mlm examples mlm --tokenized "$r/tokenized" --vocab "$r/vocab/vocab.txt" --output "$r/mlm" ;;
        word2vec) stage "$s" word2vec train-word2vec --documents "$r/documents" --output "$r/word2vec" --epochs 1 ;;
        bert) stage "$s" bert train-bert --examples "$r/mlm" --vocab "$r/vocab/vocab.txt" --output "$r/bert" \
                --model tiny --workers 2 --batch-size 16 --averaging-frequency 10 --max-train-examples 0 \
                --max-heldout-examples 64 --validation-examples 0 --eval-every-rounds 0 \
                --time-limit-seconds "$BERT_SECONDS" ;;
      esac
    done
  done
  load1="$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "$load0 / $load1" > "$W/load.txt"
fi
cmd="SCALES=\"$SCALES\" HEAP=$HEAP BERT_SECONDS=$BERT_SECONDS${STAGES_SET:+ STAGES=\"$STAGES\"}${SECTION_SET:+ SECTION=$SECTION} bench/scale.sh"
python3 - "$W" "$cmd" "$(cat "$W/load.txt" 2>/dev/null || echo ?)" "$HEAP" "$SECTION" $SCALES > "$W/section.md" <<'PY'
import json, os, re, sys
w, cmd, load, heap, section = sys.argv[1:6]
scales = [int(x) for x in sys.argv[6:]]
names = [('ingest', 'ingest'), ('vocab', 'vocab'), ('tokenize', 'tokenize'), ('mlm', 'examples mlm'),
         ('word2vec', 'train-word2vec'), ('bert', 'train-bert')]
def mb(s):
    return os.path.getsize(f'{w}/corpus-{s}x/imdb.tsv') / 1e6
def gc_peak(path):
    best = 0.0
    if not os.path.exists(path): return float('nan')
    for m in re.finditer(r'(\d+)M->(\d+)M\((\d+)M\)', open(path).read()):
        best = max(best, float(m.group(2)))
    return best
def rss(path):
    if not os.path.exists(path): return float('nan')
    m = re.search(r'Maximum resident set size \(kbytes\): (\d+)', open(path).read())
    return int(m.group(1)) / 1024 if m else float('nan')
def fc(path):
    if not os.path.exists(path): return float('nan')
    m = re.findall(r'foreign_cores=([-0-9.]+)', open(path).read())
    return float(m[-1]) if m else float('nan')
res = {}
for s in scales:
    for key, label in names:
        p = f'{w}/{s}-{key}.json'
        if not os.path.exists(p): continue
        rep = json.load(open(p))
        row = dict(seconds=rep.get('seconds', float('nan')), gc=gc_peak(f'{w}/{s}-{key}.gc'),
                   rss=rss(f'{w}/{s}-{key}.time'), fc=fc(f'{w}/{s}-{key}.log'), rep=rep)
        if key == 'bert':
            rounds = [json.loads(l) for l in open(f'{w}/run-{s}x/bert/rounds.jsonl')]
            rs = sorted(r['round_seconds'] for r in rounds[1:]) or [rounds[0]['round_seconds']]
            row['round_s'] = rs[len(rs) // 2]
            row['rounds'] = len(rounds)
            row['train'] = rep.get('train_instances')
            lay = re.findall(r'laid out in (\d+) buckets of about (\d+) examples \(([0-9.]+) s\)', open(f'{w}/{s}-bert.log').read())
            row['layout'] = lay[0] if lay else None
        res[(s, key)] = row
print(f'<!-- bench:{section} -->')
print(f'## Scale: every stage at 1x, 4x and 16x IMDB, fixed {heap} heap (bench/scale.sh)')
print()
print(f'Command: `{cmd}`. Input: IMDB unsup (50,000 reviews) repeated n times in ONE TSV file, copy k > 0 prefixed '
      '"[copy k] " (distinct document ids); ingest without near-duplicate detection. One JVM per stage, Spark '
      f'local[2], -Xmx{heap} (in local mode the driver is the executor), G1 with a fixed initiating heap occupancy of '
      '10% (-XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=10: old-generation garbage is collected early, '
      'so the heap left after a GC follows the live data, not the run\'s length), OMP_NUM_THREADS=1. Stage s = the '
      'stage\'s report seconds (Spark start excluded); s/MB = stage seconds per MB of raw corpus; heap = largest '
      'heap occupancy after a GC (-Xlog:gc), RSS = peak resident set (/usr/bin/time). train-word2vec: 1 epoch; '
      f'train-bert: BERT-tiny, 2 workers x batch 16 x 10 steps per round, stopped after the first round past the time '
      'limit; s/round = median round seconds (first round excluded).')
print(f'Load average before / after: {load}.')
print()
print('| stage | scale | raw MB | stage s | s/MB | heap after GC MiB | peak RSS MiB | foreign_cores | notes |')
print('|---|---|---|---|---|---|---|---|---|')
for key, label in names:
    for s in scales:
        r = res.get((s, key))
        if not r: continue
        note = ''
        rep = r['rep']
        if key == 'ingest':
            note = f"{rep.get('documents_kept', '?'):,} docs kept; 1 file read in {rep.get('read_tasks', '?')} tasks"
        elif key == 'mlm':
            c = rep.get('config', {})
            sh = c.get('shards', {})
            note = (f"shards train {sh.get('train', '?')} / held-out {sh.get('heldout', '?')}; largest train shard "
                    f"{c.get('input', {}).get('train', {}).get('largest_shard_tokens', '?'):,} tokens")
        elif key == 'bert':
            lay = r['layout']
            note = (f"{r['train']} train instances; {r['rounds']} rounds; s/round {r['round_s']:.2f}"
                    + (f"; layout {lay[2]} s, {lay[0]} buckets" if lay else ''))
        print(f"| {label} | {s}x | {mb(s):.1f} | {r['seconds']:.1f} | {r['seconds'] / mb(s):.3f} | {r['gc']:.0f} | "
              f"{r['rss']:.0f} | {r['fc']:.2f} | {note} |")
print()
if len(scales) >= 3:
    a, b, c = scales[0], scales[1], scales[2]
    print(f'Acceptance (issue 16): s/MB at {c}x over {b}x (<= 1.25), heap after GC at {c}x over {b}x (<= 1.2), '
          f'train-bert s/round at {c}x over {a}x (<= 1.10):')
    print()
    print('| stage | s/MB ratio | heap ratio | RSS ratio | s/round ratio |')
    print('|---|---|---|---|---|')
    for key, label in names:
        rb, rc_ = res.get((b, key)), res.get((c, key))
        if not rb or not rc_: continue
        sr = (rc_['seconds'] / mb(c)) / (rb['seconds'] / mb(b))
        hr = rc_['gc'] / rb['gc'] if rb['gc'] else float('nan')
        br = ''
        if key == 'bert' and res.get((a, key)):
            br = f"{rc_['round_s'] / res[(a, key)]['round_s']:.2f}"
        rr = rc_['rss'] / rb['rss'] if rb['rss'] else float('nan')
        print(f'| {label} | {sr:.2f} | {hr:.2f} | {rr:.2f} | {br} |')
print(f'<!-- /bench:{section} -->')
PY
cat "$W/section.md"
if [ "${NO_DOCS:-0}" != 1 ]; then
  python3 "$ROOT/bench/write-section.py" "$ROOT/docs/BENCHMARKS.md" "$W/section.md" "<!-- bench:$SECTION -->" "<!-- /bench:$SECTION -->"
fi
