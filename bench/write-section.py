#!/usr/bin/env python3
"""Puts a benchmark's section into docs/BENCHMARKS.md: replaces the text between the BEGIN and END marker
lines if both are there, else appends the section. Usage: write-section.py DOC SECTION_FILE BEGIN END

Every section gets a line under its heading naming the machine: CPU model, the instruction-set flags that decide
speed (from /proc/cpuinfo) and the ND4J native build the benchmark's JVMs loaded (ND4J_NATIVES, exported by
bench/lib.sh from dev.pretrain.model.natives.Nd4jNatives; "not used" for benchmarks without ND4J)."""
import os
import sys

FLAGS = ['sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512dq', 'avx512vl', 'avx512_bf16', 'amx_bf16']


def machine_line():
    model, flags, cpus = '?', set(), 0
    try:
        for line in open('/proc/cpuinfo', encoding='utf-8'):
            key, _, val = line.partition(':')
            key = key.strip()
            if key == 'model name' and model == '?':
                model = val.strip()
            elif key == 'flags' and not flags:
                flags = set(val.split())
            elif key == 'processor':
                cpus += 1
    except OSError:
        pass
    have = ' '.join(f for f in FLAGS if f in flags) or 'none of ' + ' '.join(FLAGS)
    lacks = ' '.join(f for f in ('avx2', 'avx512f') if f not in flags)
    natives = os.environ.get('ND4J_NATIVES', '').strip()
    natives = natives.split(';')[0].replace('nd4j_natives=', '') if natives else 'not used by this benchmark'
    return (f'_Machine: {model}, {cpus} logical CPUs; CPU flags: {have}' + (f' (no {lacks})' if lacks else '')
            + f'; ND4J natives: {natives}._')

doc, sec, b, e = sys.argv[1:]
text = open(doc, encoding='utf-8').read()
new = open(sec, encoding='utf-8').read().rstrip('\n')
if '_Machine: ' not in new:
    lines = new.split('\n')
    at = next((i + 1 for i, l in enumerate(lines) if l.startswith('#')), 0)
    lines[at:at] = ['', machine_line(), ''] if at else [machine_line(), '']
    new = '\n'.join(lines)
if b in text and e in text:
    i = text.index(b); j = text.index(e) + len(e)
    text = text[:i] + new + text[j:]
else:
    text = text.rstrip('\n') + '\n\n' + new + '\n'
open(doc, 'w', encoding='utf-8').write(text)
