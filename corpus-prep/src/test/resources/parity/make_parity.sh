#!/usr/bin/env bash
# Regenerates the HF-tokenizers parity digests in this folder (see README.md).
# Needs the peers (bash /work/shared/peers/setup.sh). Usage: make_parity.sh [SHARED_DIR]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SHARED="${1:-$HERE/../../../../../../shared}"
D="$SHARED/data"; PEERS="$SHARED/peers"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
# inputs: must match ParityTest's readers exactly
cp "$D/bert/sample_text.txt" "$TMP/sample_text.txt"
head -3000 "$D/corpora/moby-dick.txt" > "$TMP/moby-dick-3000.txt"
head -1000 "$D/corpora/wikitext-2-raw-test.hf-crlf.raw" > "$TMP/wikitext-1000.txt"
tail -n +2 "$D/sst2/dev.tsv" | cut -f1 > "$TMP/sst2-dev.txt"
set +o pipefail  # head closes the pipe early
zcat "$D/corpora/imdb-aclImdb-v1-unsup-50k.tsv.gz" | tail -n +2 | head -2000 | cut -f5- | sed 's#<br */\?># #g' > "$TMP/imdb-unsup-2000.txt"
set -o pipefail
# every code point U+0001..U+2FFFF (no surrogates, no '\n') in the line "x{c}y {c} {c}z A{c}É"
python3 - "$TMP/unicode.txt" <<'PY'
import sys
with open(sys.argv[1], 'w', encoding='utf-8', newline='') as f:
    for c in range(1, 0x30000):
        if 0xD800 <= c <= 0xDFFF or c == 10: continue
        ch = chr(c); f.write(f"x{ch}y {ch} {ch}z A{ch}\u00c9\n")
PY
for name in sample_text moby-dick-3000 wikitext-1000 sst2-dev imdb-unsup-2000 unicode; do
  for c in uncased cased; do
    opt=(); [ "$c" = cased ] && opt=(--cased 1)
    node "$PEERS/hf_wordpiece.js" encode "$D/bert/bert-base-$c-vocab.txt" "$TMP/$name.txt" "$TMP/$name.$c.ids" "${opt[@]}" > /dev/null
    # one CRC-32 (hex) of each output line (ids joined by ' '); for 'unicode' one CRC per block of 256 lines
    python3 - "$TMP/$name.$c.ids" "$HERE/$name.$c.crc32" "$name" <<'PY'
import sys, zlib
lines = open(sys.argv[1], encoding='ascii').read().split('\n')[:-1]
block = 256 if sys.argv[3] == 'unicode' else 1
with open(sys.argv[2], 'w') as out:
    for i in range(0, len(lines), block):
        out.write('%08x\n' % zlib.crc32('\n'.join(lines[i:i + block]).encode('ascii')))
PY
  done
done
ls -la "$HERE"
