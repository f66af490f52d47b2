#!/usr/bin/python3
"""What NSP accuracy do word-overlap cues alone give on these instances? (context for the NSP target)

Usage: /usr/bin/python3 bench/nsp_lexical_baseline.py TRAIN.jsonl HELDOUT.jsonl [--train-n 40000] [--heldout-n 1000]

Instances as JSON lines (ExamplesStage columns, e.g. from bench/bert-learning-vs-torch.sh). For each instance,
segment A and B are the real non-special tokens with segment_ids 0 and 1 ([MASK]ed positions count as [MASK]).
Features: Jaccard overlap of A's and B's token sets, idf-weighted cosine of the shared tokens (idf from the training
instances), how many shared tokens are rare (idf > 5), the largest shared idf, |A|/128, |B|/128, and whether the pair
is short (< 100 tokens). A logistic regression (standardised features, full-batch gradient descent, 4,000 steps)
is fitted on the training instances; prints its accuracy on the training and held-out instances and the held-out
majority baseline. next_sentence_labels: 1 = B is a random segment.
"""
import argparse
import math
from collections import Counter

import numpy as np

from torch_bert_learning import load  # JSON lines, the first n rows (same folder)


def segments(r):
    a = [t for t, s, k in zip(r['input_ids'], r['segment_ids'], r['input_mask']) if k and s == 0 and t > 4]
    b = [t for t, s, k in zip(r['input_ids'], r['segment_ids'], r['input_mask']) if k and s == 1 and t > 4]
    return a, b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('train')
    ap.add_argument('heldout')
    ap.add_argument('--train-n', type=int, default=40000)
    ap.add_argument('--heldout-n', type=int, default=1000)
    a = ap.parse_args()
    train, held = load(a.train, a.train_n), load(a.heldout, a.heldout_n)
    df = Counter()
    for r in train:
        x, y = segments(r)
        df.update(set(x) | set(y))
    idf = lambda t: math.log(len(train) / (1 + df[t]))

    def features(r):
        x, y = segments(r)
        sa, sb = set(x), set(y)
        shared = sa & sb
        wa, wb = sum(idf(t) for t in sa), sum(idf(t) for t in sb)
        return [1.0, len(shared) / max(1, len(sa | sb)), sum(idf(t) for t in shared) / max(1e-9, math.sqrt(wa * wb)),
                sum(1 for t in shared if idf(t) > 5), max((idf(t) for t in shared), default=0.0),
                len(x) / 128, len(y) / 128, float(len(x) + len(y) < 100)]

    xt = np.array([features(r) for r in train])
    yt = np.array([r['next_sentence_labels'] for r in train], float)
    xh = np.array([features(r) for r in held])
    yh = np.array([r['next_sentence_labels'] for r in held], float)
    mu, sd = xt[:, 1:].mean(0), xt[:, 1:].std(0) + 1e-9
    xt[:, 1:] = (xt[:, 1:] - mu) / sd
    xh[:, 1:] = (xh[:, 1:] - mu) / sd
    w = np.zeros(xt.shape[1])
    for _ in range(4000):
        w -= 0.5 * xt.T @ (1 / (1 + np.exp(-xt @ w)) - yt) / len(yt)
    print(f'RESULT nsp_lexical_baseline train_n={len(train)} heldout_n={len(held)} '
          f'train_accuracy={((xt @ w > 0) == yt).mean():.4f} heldout_accuracy={((xh @ w > 0) == yh).mean():.4f} '
          f'heldout_majority={max(yh.mean(), 1 - yh.mean()):.4f}')


if __name__ == '__main__':
    main()
