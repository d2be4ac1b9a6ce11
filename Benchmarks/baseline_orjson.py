#!/usr/bin/env python3
"""The Python baseline for scrubjay-bench: the same work with orjson.

load: orjson.loads of the whole file; load+dump: loads then dumps (an identity rewrite);
replace: loads, replaces every tenth string value (not keys) with "[redacted]", dumps.
Works on a JSON document or JSON Lines. Prints MB/s (best of --runs) as one JSON object.
"""
import argparse, json, time
import orjson

ap = argparse.ArgumentParser()
ap.add_argument('file'); ap.add_argument('--runs', type=int, default=3)
a = ap.parse_args()
data = open(a.file, 'rb').read()
mb = len(data) / 1e6
try:
    orjson.loads(data)
    lines = False
except orjson.JSONDecodeError:
    lines = True  # JSON Lines: one value per line

def load():
    if lines:
        return [orjson.loads(l) for l in data.splitlines() if l.strip()]
    return orjson.loads(data)

def walk(v, counter):
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, str):
                counter[0] += 1
                if counter[0] % 10 == 0: v[k] = '[redacted]'
            else: walk(x, counter)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            if isinstance(x, str):
                counter[0] += 1
                if counter[0] % 10 == 0: v[i] = '[redacted]'
            else: walk(x, counter)

def best(f):
    t = float('inf')
    for _ in range(a.runs):
        t0 = time.perf_counter(); f(); t = min(t, time.perf_counter() - t0)
    return t

t_load = best(load)
def dump(doc):
    if lines:
        return b'\n'.join(orjson.dumps(v) for v in doc)
    return orjson.dumps(doc)
t_load_dump = best(lambda: dump(load()))
def replace():
    doc = load(); walk(doc, [0]); dump(doc)
t_replace = best(replace)
print(json.dumps({'load_mbps': mb / t_load, 'load_dump_mbps': mb / t_load_dump, 'replace_mbps': mb / t_replace}))
