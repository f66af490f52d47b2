#!/usr/bin/python3
"""Runs ../shared/peers/torch_bert_mini.py (path = first argument, the rest its arguments) with time.perf_counter
replaced by time.process_time, so its seq/s figures become sequences per CPU-second of the process (all threads):
the figure to compare with BertThroughputBench's seq/cpu_s when other processes share the cores."""
import runpy
import sys
import time

time.perf_counter = time.process_time
script = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(script, run_name='__main__')
