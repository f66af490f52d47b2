#!/usr/bin/env python3
"""Summarises a JFR recording of a BertThroughputBench run: `jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample`
stacks, each sample attributed to the innermost frame that names a model part (fused block, SameDiff layer, MLM decoder,
embeddings, updater, ...). Usage: jfr-summary.py RECORDING.jfr [--other]  (prints markdown table rows: part | samples | share)."""
import collections
import subprocess
import sys

PARTS = [
    ('dev.pretrain.model.bert.BertFusedVectorKernels', 'fused blocks: Java SIMD kernels'),
    ('dev.pretrain.model.bert.BertFusedBlockLayer', 'fused blocks: gemm + permutes (ND4J calls)'),
    ('dev.pretrain.model.bert.BertMlmVectorKernels', 'MLM decoder (fused layer): Java SIMD softmax/loss/grad'),
    ('dev.pretrain.model.bert.BertMlmOutputLayerImpl', 'MLM decoder (fused layer): gemm + copies (ND4J calls)'),
    ('org.deeplearning4j.nn.layers.samediff.', 'SameDiff layers (executor + ops)'),
    ('org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer', 'MLM decoder + softmax + loss'),
    ('org.deeplearning4j.nn.layers.BaseOutputLayer', 'output layers (MLM decoder, NSP) + loss'),
    ('org.deeplearning4j.nn.layers.feedforward.embedding.', 'token/segment embeddings'),
    ('org.deeplearning4j.nn.updater.', 'updater: Adam, weight decay, clipping'),
    ('org.deeplearning4j.nn.layers.feedforward.dense.', 'pooler dense'),
    ('org.deeplearning4j.nn.graph.vertex.', 'graph vertices (merge, subset, reverse)'),
    ('org.deeplearning4j.nn.graph.ComputationGraph', 'ComputationGraph bookkeeping'),
    ('org.nd4j.linalg.api.memory', 'workspaces'),
]


def main():
    out = subprocess.run(['jfr', 'print', '--events', 'jdk.ExecutionSample,jdk.NativeMethodSample', '--stack-depth', '96',
                          sys.argv[1]], capture_output=True, text=True, check=True).stdout
    counts = collections.Counter()
    total = 0
    other = collections.Counter()
    for ev in out.split('\njdk.')[1:]:
        if 'BertThroughputBench' not in ev:
            continue   # other threads
        # the profile settings sample Java code every 10 ms and native code every 20 ms: weight by period
        w = 2 if ev.startswith('NativeMethodSample') else 1
        frames = [l.strip() for l in ev.splitlines() if '(' in l and 'line:' in l]
        part = 'other'
        for f in frames:
            hit = next((name for key, name in PARTS if f.startswith(key)), None)
            if hit:
                part = hit
                break
        counts[part] += w
        total += w
        if part == 'other' and frames:
            other[frames[min(len(frames) - 1, 0)].split('(')[0]] += w
    for part, c in counts.most_common():
        print(f'| {part} | {c} | {100.0 * c / max(total, 1):.1f}% |')
    print(f'| total (main thread, 10 ms units) | {total} | 100% |')
    if len(sys.argv) > 2:
        for f, c in other.most_common(15):
            print('other:', c, f)


if __name__ == '__main__':
    main()
