#!/usr/bin/env python3
"""Puts a benchmark's section into docs/BENCHMARKS.md: replaces the text between the BEGIN and END marker
lines if both are there, else appends the section. Usage: write-section.py DOC SECTION_FILE BEGIN END"""
import sys

doc, sec, b, e = sys.argv[1:]
text = open(doc, encoding='utf-8').read()
new = open(sec, encoding='utf-8').read().rstrip('\n')
if b in text and e in text:
    i = text.index(b); j = text.index(e) + len(e)
    text = text[:i] + new + text[j:]
else:
    text = text.rstrip('\n') + '\n\n' + new + '\n'
open(doc, 'w', encoding='utf-8').write(text)
