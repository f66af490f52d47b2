#!/usr/bin/env bash
# bench gensim-load-check: exports our SGNS vectors in word2vec text and binary format (Word2VecFormat) and
# loads both with gensim's KeyedVectors.load_word2vec_format, asserting that
#   - both loads have the vocabulary of the text file, in the file's order (most frequent first);
#   - every vector equals the text file's numbers (max |diff| < 1e-6), for the text AND the binary load;
#   - the text and binary loads are bit-identical float32 arrays;
#   - gensim reads the same number of words and the same dimension as the header says.
# The vectors come from a short real training run (Word2VecBench on the first SENTENCES lines of the IMDB
# text8 corpus, ITER epochs), or from existing files: VEC_TXT=... VEC_BIN=... bench/gensim-load-check.sh
#
# Usage: bench/gensim-load-check.sh
# Environment:
#   SHARED      shared folder with data/ and peers/ (default: ../shared next to the repository)
#   BENCH_DIR   scratch folder (default /tmp/pretrain-bench)
#   TARGET_DIR  Maven build folder for the model module (default target-bench)
#   CLASSES     use these compiled classes instead of building (path to a classes folder)
#   SENTENCES / ITER   size of the training run (default 5000 lines / 1 epoch)
# Needs: gensim 4.2 for /usr/bin/python3 (bash $SHARED/peers/setup.sh), Maven with ~/.m2 populated, java 17+.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/lib.sh"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
BENCH_DIR="${BENCH_DIR:-/tmp/pretrain-bench}"
TARGET_DIR="${TARGET_DIR:-target-bench}"
SENTENCES="${SENTENCES:-5000}"; ITER="${ITER:-1}"
mkdir -p "$BENCH_DIR"
VEC_TXT="${VEC_TXT:-}"; VEC_BIN="${VEC_BIN:-}"
if [ -z "$VEC_TXT" ] || [ -z "$VEC_BIN" ]; then
  CORPUS="$BENCH_DIR/imdb-text8.txt"
  [ -s "$CORPUS" ] || bash "$SHARED/peers/make_corpus.sh" imdb-text8 "$CORPUS"
  model_classpath
  VEC_TXT="$BENCH_DIR/ours.vectors.txt"; VEC_BIN="$BENCH_DIR/ours.vectors.bin"
  echo "== train + export: Word2VecBench --max-sentences $SENTENCES --iter $ITER"
  java -Xmx4g --add-modules jdk.incubator.vector -cp "$CP" \
    dev.pretrain.model.word2vec.bench.Word2VecBench --corpus "$CORPUS" --max-sentences "$SENTENCES" \
    --iter "$ITER" --no-eval --save-text "$VEC_TXT" --save-binary "$VEC_BIN" 2>&1 | grep -v '^WARNING: Using incubator'
fi
echo "== gensim: KeyedVectors.load_word2vec_format on $VEC_TXT (binary=False) and $VEC_BIN (binary=True)"
/usr/bin/python3 - "$VEC_TXT" "$VEC_BIN" <<'PY'
import sys
import numpy as np
import gensim
from gensim.models import KeyedVectors

txt, binf = sys.argv[1], sys.argv[2]
# Reference: parse the text file directly (no gensim).
with open(txt, encoding='utf-8') as f:
    v, dim = map(int, f.readline().split())
    words, rows = [], []
    for line in f:
        p = line.rstrip('\n').split(' ')
        words.append(p[0]); rows.append([float(x) for x in p[1:]])
ref = np.array(rows, dtype=np.float64)
assert len(words) == v and ref.shape == (v, dim), f'text file header {v} {dim} vs {ref.shape}'
ok = True
loaded = {}
for name, path, binary in (('text', txt, False), ('binary', binf, True)):
    kv = loaded[name] = KeyedVectors.load_word2vec_format(path, binary=binary)
    same_order = list(kv.index_to_key) == words
    diff = float(np.max(np.abs(kv.vectors.astype(np.float64) - ref))) if kv.vectors.shape == ref.shape else float('inf')
    good = same_order and kv.vectors.shape == (v, dim) and diff < 1e-6
    ok &= good
    print(f'RESULT gensim_load format={name} gensim={gensim.__version__} words={len(kv)} dim={kv.vector_size} '
          f'vocab_order_equal={same_order} max_abs_diff_vs_text={diff:.3g} {"OK" if good else "FAIL"}')
# Float.toString round-trips float32, so the two files hold bit-identical float32 vectors.
same = np.array_equal(loaded['text'].vectors, loaded['binary'].vectors)
ok &= same
print(f'RESULT gensim_load text_vs_binary_float32_identical={same} {"OK" if same else "FAIL"}')
# Sanity: the most similar words come out of gensim's own code on our vectors.
kv = KeyedVectors.load_word2vec_format(binf, binary=True)
for w in ('movie', 'good'):
    if w in kv.key_to_index:
        print(f'  gensim most_similar({w!r}): ' + ', '.join(x for x, _ in kv.most_similar(w, topn=5)))
sys.exit(0 if ok else 1)
PY
