#!/usr/bin/env bash
# Web ingest: `pretrain ingest` (Spark local[CORES], one JVM) on a WARC of real pages, web filters off and on; the
# share of documents each rule removes on the real web files in $SHARED/data/web; our HTML main-text extraction
# against Common Crawl's own WET text of one page. Writes docs/BENCHMARKS.md section "web-ingest".
#
# (a) Input WARC: the IMDB unsup reviews (TSV, review in column 5) wrapped by Python (gzip, one member per record)
#     as HTML pages with boilerplate (title, nav bar of links, the review in <article><p>, footer with cookie and
#     copyright lines), one WARC/1.0 `response` record each (HTTP/1.1 200, text/html; charset=utf-8), a warcinfo
#     record first, a distinct WARC-Target-URI per review.
# (b) Two runs on it: web filters off (readers + extraction + the default quality filters), then language ID
#     (--languages en) and every filter family at its defaults (--gopher-quality --gopher-repetition --c4 --fineweb
#     --pii; the URL filter needs a block list file and is left off). Near-duplicate detection off in both.
# (c) One run (filters + language ID on) over every file of $SHARED/data/web, one source per file (by_corpus).
# (d) The WET comparison: Common Crawl's whirlwind example (Apache-2.0), WET = the conversion of the page in
#     cc-whirlwind.warc.gz; our text comes from the same WarcReader the ingest uses (bench helper WarcTexts).
# Usage: bench/web-ingest.sh     Environment: SHARED, BENCH_DIR (/tmp/pretrain-bench/web-ingest), TARGET_DIR
# (target-bench-web), CORES (2), REVIEWS (50000), HEAP (8g), WET (the WET file; default: extracted from
# /work/.mirror/commoncrawl+whirlwind-python/repo with git show; absent: part d skipped), NO_DOCS=1 (do not touch
# BENCHMARKS.md), REPORT_ONLY=1 (no runs: rebuild the section from the logs and reports of the last runs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
BENCH_DIR="${BENCH_DIR:-/tmp/pretrain-bench/web-ingest}"
TARGET_DIR="${TARGET_DIR:-target-bench-web}"
CORES="${CORES:-2}"; REVIEWS="${REVIEWS:-50000}"; HEAP="${HEAP:-8g}"
WHIRLWIND_REPO="${WHIRLWIND_REPO:-/work/.mirror/commoncrawl+whirlwind-python/repo}"
mkdir -p "$BENCH_DIR"
SRC="$SHARED/data/corpora/imdb-aclImdb-v1-unsup-50k.tsv.gz"
WEB="$SHARED/data/web"
WARC="$BENCH_DIR/imdb-pages-$REVIEWS.warc.gz"
CC_PAGE="$WEB/cc-whirlwind.warc.gz"

if [ "${REPORT_ONLY:-0}" != 1 ]; then
echo "== build (mvn -o -pl corpus-prep,model,jobs -Dtarget.dir=$TARGET_DIR compile; javac the bench helper)"
(cd "$ROOT" && mvn -o -q -pl corpus-prep,model,jobs -Dtarget.dir="$TARGET_DIR" compile dependency:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$BENCH_DIR/cp.txt" > "$BENCH_DIR/build.log" 2>&1) \
  || { cat "$BENCH_DIR/build.log" >&2; exit 1; }
CP="$ROOT/jobs/$TARGET_DIR/classes:$(cat "$BENCH_DIR/cp.txt")"
rm -rf "$BENCH_DIR/helper"; mkdir -p "$BENCH_DIR/helper"
javac -nowarn -cp "$CP" -d "$BENCH_DIR/helper" "$ROOT/jobs/src/test/java/dev/pretrain/jobs/bench/WarcTexts.java"
source "$ROOT/bench/lib.sh"
spark_opens

# (a) the WARC, built once per REVIEWS
if [ ! -s "$WARC" ]; then
  echo "== building $WARC from $REVIEWS reviews"
  python3 - "$SRC" "$WARC.tmp" "$REVIEWS" <<'EOF'
import gzip, html, sys, uuid
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
NAV = ('<nav><ul class="menu"><li><a href="/">Home</a></li><li><a href="/movies">Movies</a></li>'
       '<li><a href="/reviews">Reviews</a></li><li><a href="/top-250">Top 250</a></li><li><a href="/news">News</a></li>'
       '<li><a href="/login">Sign in</a></li></ul></nav>')
FOOT = ('<footer><p>This site uses cookies to improve your experience. By continuing you accept our cookie policy.</p>'
        '<p>Copyright 2011 Example Movie Reviews. All rights reserved.</p><ul><li><a href="/terms">Terms of use</a>'
        '</li><li><a href="/privacy">Privacy policy</a></li><li><a href="/contact">Contact us</a></li></ul></footer>')
def record(headers, block):
    head = 'WARC/1.0\r\n' + ''.join(f'{k}: {v}\r\n' for k, v in headers) + f'Content-Length: {len(block)}\r\n\r\n'
    return gzip.compress(head.encode('utf-8') + block + b'\r\n\r\n', compresslevel=6)
date = '2011-06-01T12:00:00Z'
with gzip.open(src, 'rt', encoding='utf-8', newline='\n') as f, open(out, 'wb') as w:
    info = b'software: bench/web-ingest.sh\r\nformat: WARC File Format 1.0\r\n'
    w.write(record([('WARC-Type', 'warcinfo'), ('WARC-Record-ID', f'<urn:uuid:{uuid.uuid4()}>'), ('WARC-Date', date),
                    ('Content-Type', 'application/warc-fields')], info))
    next(f)  # header
    i = 0
    for line in f:
        if i >= n:
            break
        cols = line.rstrip('\n').split('\t')
        if len(cols) < 5:
            continue
        review = cols[4]  # HTML-ish already (<br />): kept as markup, the rest escaped by the source
        paras = ''.join(f'<p>{p.strip()}</p>' for p in review.split('<br /><br />') if p.strip())
        title = html.escape(' '.join(review.replace('<br />', ' ').split()[:6]))
        body = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} - Review {i}</title>'
                f'<link rel="stylesheet" href="/site.css"><script>var analytics = {{id: {i}}};</script></head><body>'
                f'<header><a href="/" class="logo">Example Movie Reviews</a>{NAV}</header><main><article>'
                f'<h1>User review {i}</h1>{paras}</article><aside><h2>Related</h2><ul><li><a href="/r/{i + 1}">Next '
                f'review</a></li><li><a href="/r/{max(i - 1, 0)}">Previous review</a></li></ul></aside></main>{FOOT}'
                f'</body></html>').encode('utf-8')
        http = (b'HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n'
                + f'Content-Length: {len(body)}\r\n\r\n'.encode('ascii') + body)
        w.write(record([('WARC-Type', 'response'), ('WARC-Record-ID', f'<urn:uuid:{uuid.uuid4()}>'),
                        ('WARC-Date', date), ('WARC-Target-URI', f'http://reviews.example.com/review/{i}'),
                        ('Content-Type', 'application/http; msgtype=response')], http))
        i += 1
print(f'{i} response records')
EOF
  mv "$WARC.tmp" "$WARC"
fi

run_ingest() { # name, then the ingest arguments after --master
  local name=$1; shift
  rm -rf "$BENCH_DIR/out-$name"
  cmd=(java -Xmx"$HEAP" $OPENS -cp "$CP" dev.pretrain.jobs.cli.PretrainCli ingest --master "local[$CORES]"
    --output "$BENCH_DIR/out-$name/documents" --no-near-dup "$@")
  echo "== ${cmd[*]}" | sed "s#$(cat "$BENCH_DIR/cp.txt")#\$(deps)#" | tee "$BENCH_DIR/cmd-$name.txt"
  bash "$SHARED/peers/contention.sh" "${cmd[@]}" > "$BENCH_DIR/run-$name.log" 2>&1 \
    || { tail -30 "$BENCH_DIR/run-$name.log" >&2; exit 1; }
  grep -E '^\[ingest\] (read [0-9]+ file|wrote|lines removed)|CONTENTION' "$BENCH_DIR/run-$name.log" || true
}
FILTERS=(--gopher-quality --gopher-repetition --c4 --fineweb --pii --languages en)
# (b)
run_ingest off --source "name=pages,uri=$WARC,format=warc"
run_ingest on --source "name=pages,uri=$WARC,format=warc" "${FILTERS[@]}"
# (c)
sources=()
for f in "$WEB"/*; do sources+=(--source "name=$(basename "$f"),uri=$f,format=warc"); done
run_ingest realweb "${sources[@]}" "${FILTERS[@]}"
# (d)
WET="${WET:-$BENCH_DIR/whirlwind.warc.wet.gz}"
rm -f "$BENCH_DIR/ours.txt" "$BENCH_DIR/wet.txt"
if [ ! -s "$WET" ] && [ "$WET" = "$BENCH_DIR/whirlwind.warc.wet.gz" ] && [ -d "$WHIRLWIND_REPO" ]; then
  git -C "$WHIRLWIND_REPO" show HEAD:whirlwind.warc.wet.gz > "$WET.tmp" && mv "$WET.tmp" "$WET" || rm -f "$WET.tmp"
fi
if [ -s "$WET" ] && [ -s "$CC_PAGE" ]; then
  java -cp "$BENCH_DIR/helper:$CP" dev.pretrain.jobs.bench.WarcTexts "$CC_PAGE" "$BENCH_DIR/ours.txt" \
    > "$BENCH_DIR/wet-compare.log" 2>&1
  java -cp "$BENCH_DIR/helper:$CP" dev.pretrain.jobs.bench.WarcTexts "$WET" "$BENCH_DIR/wet.txt" \
    >> "$BENCH_DIR/wet-compare.log" 2>&1
  cat "$BENCH_DIR/wet-compare.log"
fi
fi

machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; $(java -version 2>&1 | head -1)"
python3 - "$BENCH_DIR" "$WARC" "$CORES" "$REVIEWS" "$machine" <<'EOF' > "$BENCH_DIR/body.md"
import collections, gzip, json, os, re, sys
bd, warc, cores, reviews, machine = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
def rep(name):
    return json.load(open(f'{bd}/out-{name}/ingest-report.json'))
def contention(name):
    log = open(f'{bd}/run-{name}.log').read()
    return dict(re.findall(r'(\w+)=(-?[0-9.]+)', re.findall(r'CONTENTION .*', log)[-1]))
def pct(n, d):
    return f'{100 * n / d:.2f}%' if d else '-'
comp = os.path.getsize(warc)
with gzip.open(warc, 'rb') as f:
    raw = sum(len(b) for b in iter(lambda: f.read(1 << 20), b''))
print(f'Machine: {machine}. MB = 10^6 bytes.\n')
print(f'### (b) throughput on {reviews} IMDB reviews as HTML pages\n')
print(f'Input: `{os.path.basename(warc)}`, {comp / 1e6:.1f} MB gzip per record, {raw / 1e6:.1f} MB uncompressed WARC; '
      'built by the script (Python: one `response` record per review, HTTP/1.1 200 `text/html; charset=utf-8`, '
      'page = title, nav bar of links, the review in `<article><p>`, related links, footer with cookie/copyright/'
      'policy lines). Stage seconds = the report\'s `seconds` (Spark start excluded); MB/s per core = MB/s / CORES, '
      'valid only when foreign_cores is ~0.\n')
print('| run | documents in | kept | stage s | JVM wall s | MB/s (gz) | MB/s (raw) | MB/s/core (raw) | docs/s | '
      'JVM CPU s | foreign_cores |')
print('|---|---|---|---|---|---|---|---|---|---|---|')
for name, label in (('off', 'readers + extraction (filters off)'), ('on', 'language ID + all filter families')):
    r, c = rep(name), contention(name)
    s = r['seconds']
    print(f"| {label} | {r['documents_in']:,} | {r['documents_kept']:,} | {s:.1f} | {float(c['wall_s']):.1f} "
          f"| {comp / 1e6 / s:.2f} | {raw / 1e6 / s:.2f} | {raw / 1e6 / s / cores:.2f} | {r['documents_in'] / s:,.0f} "
          f"| {float(c['own_cpu_s']):.1f} | {c['foreign_cores']} |")
print()
for name in ('off', 'on'):
    r = rep(name)
    n = r['documents_in']
    drops = ', '.join(f'{k} {v:,} ({pct(v, n)})' for k, v in sorted(r['dropped'].items(), key=lambda e: -e[1]))
    print(f"Dropped, filters {name} (share of documents in): {drops or 'none'}; exact duplicates "
          f"{r['duplicates_exact']:,}.")
    if r.get('lines_removed'):
        print(f"Lines removed by C4's line rules (kept documents, before de-duplication): "
              + ', '.join(f'{k} {v:,}' for k, v in r['lines_removed'].items()) + '.')
    print()
print('### (c) every file of `shared/data/web`, filters + language ID on\n')
r = rep('realweb')
print('Documents = records that carry a document (response, resource, conversion; warcinfo/request/metadata are '
      'not counted); kept = before de-duplication.\n')
print('| file | documents | kept | dropped by reason/rule | lines removed | file problem |')
print('|---|---|---|---|---|---|')
probs = {os.path.basename(p['file']): p['problem'] for p in r.get('problem_files', [])}
for name, c in sorted(r['by_corpus'].items()):
    n = c.get('documents_in', 0)
    d = ', '.join(f'{k} {v} ({pct(v, n)})' for k, v in sorted(c.get('dropped', {}).items()))
    lr = ', '.join(f'{k} {v}' for k, v in c.get('lines_removed', {}).items())
    print(f"| {name} | {n} | {c.get('kept_before_dedup', 0)} | {d or '-'} | {lr or '-'} | {probs.get(name, '-')} |")
print()
print('### (d) HtmlMainText vs Common Crawl WET on the whirlwind page\n')
ours_p, wet_p = f'{bd}/ours.txt', f'{bd}/wet.txt'
if not (os.path.exists(ours_p) and os.path.exists(wet_p)):
    print('Skipped: no WET file (set WET, or the whirlwind mirror was absent).')
else:
    ours, wet = open(ours_p, encoding='utf-8').read(), open(wet_p, encoding='utf-8').read()
    wo, ww = ours.lower().split(), wet.lower().split()
    co, cw = collections.Counter(wo), collections.Counter(ww)
    common = sum((co & cw).values())
    p, rc = common / max(len(wo), 1), common / max(len(ww), 1)
    f1 = 2 * p * rc / (p + rc) if p + rc else 0
    ol = {l.strip() for l in ours.split('\n') if l.strip()}
    wl = [l.strip() for l in wet.split('\n') if l.strip()]
    gone = [l for l in wl if l not in ol]
    print('Our text: `WarcReader` (the ingest\'s reader: charset detection, jsoup, HtmlMainText) on '
          '`cc-whirlwind.warc.gz`; WET: the `conversion` record of Common Crawl\'s `whirlwind.warc.wet.gz` '
          '(commoncrawl/whirlwind-python, Apache-2.0). Bag-of-words over lowercased white-space words: precision = '
          'shared words / our words, recall = shared / WET words.\n')
    print('| text | characters | words | lines |')
    print('|---|---|---|---|')
    print(f'| ours | {len(ours):,} | {len(wo):,} | {len(ol):,} |')
    print(f'| WET | {len(wet):,} | {len(ww):,} | {len(wl):,} |')
    print(f'\nWord precision {p:.3f}, recall {rc:.3f}, F1 {f1:.3f}. WET lines (non-blank) not among ours: '
          f'{len(gone)} of {len(wl)} ({pct(len(gone), len(wl))}), e.g. '
          + '; '.join(f'`{l[:60]}`' for l in gone[:8]) + '.\n')
    def head(t):
        return t[:300].replace('\n', ' / ').replace('|', '\\|')
    print(f'First 300 characters, ours: "{head(ours)}"\n')
    print(f'First 300 characters, WET: "{head(wet)}"')
EOF
cat "$BENCH_DIR/body.md"
[ "${NO_DOCS:-0}" = 1 ] && exit 0

DOC="$ROOT/docs/BENCHMARKS.md"
[ -f "$DOC" ] || printf '# Benchmarks\n\nOne section per benchmark; each names the exact command, the machine and how loaded it was.\n' > "$DOC"
begin="<!-- bench:web-ingest -->"; end="<!-- /bench:web-ingest -->"
section="$BENCH_DIR/section.md"
{
  echo "$begin"
  echo "## web ingest: a WARC of real pages, filters off/on, real web files, extraction vs WET ($(date -u +%Y-%m-%d))"
  echo
  echo "Command: \`bench/web-ingest.sh\` (CORES=$CORES REVIEWS=$REVIEWS): \`pretrain ingest --master local[$CORES]"
  echo "--no-near-dup\`; filters on = \`${FILTERS[*]:-(see the script)}\`."
  echo
  cat "$BENCH_DIR/body.md"
  echo "$end"
} > "$section"
python3 "$(dirname "${BASH_SOURCE[0]}")/write-section.py" "$DOC" "$section" "$begin" "$end"
echo "== wrote $DOC"
