#!/usr/bin/env bash
# bench scale: is every stage's cost linear in its input, and its memory bounded, at a fixed executor heap?
# IMDB unsup (50,000 reviews, 67.5 MB decompressed) at 1x, 4x and 16x: copy k > 0 prefixes every review with
# "[copy k] " (distinct document ids); each scale is ONE TSV file (so ingest's reading has to split it). For each
# scale, one JVM per stage (Spark local[2], -Xmx$HEAP: the driver is the executor in local mode):
#   ingest -> vocab -> tokenize -> examples mlm -> train-word2vec (1 epoch) -> train-bert (BERT-tiny, 2 workers,
#   BERT_SECONDS of training on all of the scale's training instances: seconds per averaging round).
# Per stage: the stage's own seconds (its report; Spark start excluded), seconds per input MB (raw corpus MB),
# peak RSS (/usr/bin/time: the executor's memory as a cluster manager sees it; the heap is fixed and pre-touched, so
# RSS - heap is the stage's off-heap memory) and G1's heap occupancy after GC (-Xlog:gc). Writes docs/BENCHMARKS.md section "scale"
# (unless NO_DOCS=1) with the acceptance ratios of issue 16.
#
# Usage: bench/scale.sh     Environment: SCALES (default "1 4 16"), HEAP (default 3g), BERT_HEAP (train-bert's heap, default HEAP), BERT_SECONDS (default 120),
#   BENCH_DIR (default /tmp/pretrain-bench-scale), TARGET_DIR (default target-bench), STAGES (default
#   "ingest vocab tokenize mlm word2vec bert"), SECTION (default scale: the docs section's name), NO_DOCS=1,
#   REPORT_ONLY=1 (rebuild the section from the last runs)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
W="${BENCH_DIR:-/tmp/pretrain-bench-scale}"; TARGET_DIR="${TARGET_DIR:-target-bench}"
SCALES="${SCALES:-1 4 16}"; HEAP="${HEAP:-3g}"; BERT_HEAP="${BERT_HEAP:-$HEAP}"; BERT_SECONDS="${BERT_SECONDS:-120}"
STAGES_SET="${STAGES:+1}"; SECTION_SET="${SECTION:+1}"
STAGES="${STAGES:-ingest vocab tokenize mlm word2vec bert}"
SECTION="${SECTION:-scale}"  # docs/BENCHMARKS.md section (bench:$SECTION markers)
SRC="$SHARED/data/corpora/imdb-aclImdb-v1-unsup-50k.tsv.gz"
mkdir -p "$W"
source "$ROOT/bench/lib.sh"
if [ "${REPORT_ONLY:-0}" != 1 ]; then
  jobs_classpath "$W"
  # a fixed executor heap, as on a cluster: -Xms = -Xmx, every page touched at start (-XX:+AlwaysPreTouch), so the
  # resident set is the heap plus what the stage holds off the heap; G1 with its default settings
  JVM=(java -XX:+AlwaysPreTouch -XX:+UseG1GC $OPENS --add-modules jdk.incubator.vector
       -Dorg.bytedeco.javacpp.maxbytes=2G -Dorg.bytedeco.javacpp.maxphysicalbytes=6G
       -Dlog4j2.configurationFile="$ROOT/cluster-conf/log4j2.properties")
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
    local log="$W/$s-$name.log" heap="$HEAP"
    [ "$name" = bert ] && heap="$BERT_HEAP"
    echo "== ${s}x $name"
    OMP_NUM_THREADS=1 /usr/bin/time -v -o "$W/$s-$name.time" bash "$SHARED/peers/contention.sh" "${JVM[@]}" "-Xms$heap" "-Xmx$heap" \
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
        # min_count 5 x scale: a word n times in 1x is n x scale times in the copies, so the vocabulary (the model's
        # size) is the same at every scale and the run measures the corpus's cost, not a larger model's
        word2vec) stage "$s" word2vec train-word2vec --documents "$r/documents" --output "$r/word2vec" --epochs 1 \
                    --min-count $((5 * s)) ;;
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
cmd="SCALES=\"$SCALES\" HEAP=$HEAP${BERT_HEAP:+ BERT_HEAP=$BERT_HEAP} BERT_SECONDS=$BERT_SECONDS${STAGES_SET:+ STAGES=\"$STAGES\"}${SECTION_SET:+ SECTION=$SECTION} bench/scale.sh"
python3 - "$W" "$cmd" "$(cat "$W/load.txt" 2>/dev/null || echo ?)" "$HEAP" "$BERT_HEAP" "$SECTION" $SCALES > "$W/section.md" <<'PY'
import json, os, re, sys
w, cmd, load, heap, bert_heap, section = sys.argv[1:7]
scales = [int(x) for x in sys.argv[7:]]
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
def heap_mib(h):
    m = re.fullmatch(r'(\d+)([gGmM])', h)
    return int(m.group(1)) * (1024 if m.group(2) in 'gG' else 1)
def heap_of(key):
    return heap_mib(bert_heap if key == 'bert' else heap)
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
print(f'## Scale: every stage at 1x, 4x and 16x IMDB, fixed {heap} heap' + (f' (train-bert {bert_heap})' if bert_heap != heap else '') + ' (bench/scale.sh)')
print()
print(f'Command: `{cmd}`. Input: IMDB unsup (50,000 reviews) repeated n times in ONE TSV file, copy k > 0 prefixed '
      '"[copy k] " (distinct document ids); ingest without near-duplicate detection. One JVM per stage, Spark '
      f'local[2] (in local mode the driver is the executor), a fixed executor heap as on a cluster: -Xms{heap} '
      f'-Xmx{heap} -XX:+AlwaysPreTouch (all of it resident from the start), G1 defaults, OMP_NUM_THREADS=1. Stage s = '
      'the stage\'s report seconds (Spark start excluded); s/MB = stage seconds per MB of raw corpus; peak RSS = the '
      'process\'s peak resident set (/usr/bin/time), the memory a cluster manager enforces; off-heap = peak RSS - '
      'heap; heap after GC = G1\'s largest occupancy after a GC (-Xlog:gc; G1 leaves old garbage until the heap is '
      '45% full, so this follows the run\'s length as much as its live data). train-word2vec: 1 epoch, min_count '
      '5 x scale (the same vocabulary at every scale); '
      f'train-bert: BERT-tiny, 2 workers x batch 16 x 10 steps per round, stopped after the first round past the time '
      'limit; s/round = median round seconds (first round excluded).')
print(f'Load average before / after: {load}.')
print()
print('| stage | scale | raw MB | stage s | s/MB | peak RSS MiB | off-heap MiB | heap after GC MiB | foreign_cores | notes |')
print('|---|---|---|---|---|---|---|---|---|---|')
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
        elif key == 'word2vec':
            note = f"vocab {rep.get('vocab_size', '?'):,} (min_count {rep.get('min_count', '?')})"
        elif key == 'bert':
            lay = r['layout']
            note = (f"{r['train']} train instances; {r['rounds']} rounds; s/round {r['round_s']:.2f}"
                    + (f"; layout {lay[2]} s, {lay[0]} buckets" if lay else ''))
        print(f"| {label} | {s}x | {mb(s):.1f} | {r['seconds']:.1f} | {r['seconds'] / mb(s):.3f} | {r['rss']:.0f} | "
              f"{r['rss'] - heap_of(key):.0f} | {r['gc']:.0f} | {r['fc']:.2f} | {note} |")
print()
if len(scales) >= 3:
    a, b, c = scales[0], scales[1], scales[2]
    print(f'Acceptance (issue 16): s/MB at {c}x over {b}x (<= 1.25), peak executor memory (RSS) at {c}x over {b}x '
          f'(<= 1.2), train-bert s/round at {c}x over {a}x (<= 1.10); off-heap and heap-after-GC ratios for reading:')
    print()
    print('| stage | s/MB ratio | peak RSS ratio | off-heap ratio | heap after GC ratio | s/round ratio |')
    print('|---|---|---|---|---|---|')
    for key, label in names:
        rb, rc_ = res.get((b, key)), res.get((c, key))
        if not rb or not rc_: continue
        sr = (rc_['seconds'] / mb(c)) / (rb['seconds'] / mb(b))
        hr = rc_['gc'] / rb['gc'] if rb['gc'] else float('nan')
        br = ''
        if key == 'bert' and res.get((a, key)):
            br = f"{rc_['round_s'] / res[(a, key)]['round_s']:.2f}"
        rr = rc_['rss'] / rb['rss'] if rb['rss'] else float('nan')
        orr = (rc_['rss'] - heap_of(key)) / (rb['rss'] - heap_of(key)) if rb['rss'] > heap_of(key) else float('nan')
        print(f'| {label} | {sr:.2f} | {rr:.2f} | {orr:.2f} | {hr:.2f} | {br} |')
print(f'<!-- /bench:{section} -->')
PY
cat "$W/section.md"
if [ "${NO_DOCS:-0}" != 1 ]; then
  python3 "$ROOT/bench/write-section.py" "$ROOT/docs/BENCHMARKS.md" "$W/section.md" "<!-- bench:$SECTION -->" "<!-- /bench:$SECTION -->"
fi
