#!/usr/bin/env python3
"""The Python baseline for `scrubjay-bench --redact`: the default pack's regexes (with `regex`, else `re`)
over every string of a recording read and written with orjson.

For each event: orjson.loads, visit every string value (keys are left alone), run each
rule whose keywords the string contains (the same keyword and min_digits prefilters
Scrubjay uses, so the comparison is not won by prefiltering alone), mask every match,
orjson.dumps. Validators (Luhn, IBAN...) and channels are not modelled, which only makes
the baseline's work lighter. The patterns are compiled with `regex` (PyPI: `re`'s
superset with PCRE's Unicode properties, branch resets and variable-length lookbehind) when
it is installed, so that every rule runs, else with `re`; PCRE2's `\\x{HHHH}` and `\\z` are
translated (and, for `re`, `\\p{Lu}` and `\\p{Ll}`). A pattern that cannot be compiled is
skipped and named on stderr; "rules" in the output counts those that run.
Prints MB/s (best of --runs) and the counts as one JSON object.
"""
import argparse, json, re, sys, time
import orjson, yaml
try:
    import regex as engine
except ImportError:
    engine = re

ap = argparse.ArgumentParser()
ap.add_argument('file'); ap.add_argument('--rules', default='Rules/default.yml'); ap.add_argument('--runs', type=int, default=3)
a = ap.parse_args()
data = open(a.file, 'rb').read()
mb = len(data) / 1e6

rules = []
for r in yaml.safe_load(open(a.rules))['rules']:
    if 'pattern' not in r: continue
    pat = re.sub(r'\\x\{([0-9A-Fa-f]+)\}', lambda m: '\\U%08x' % int(m.group(1), 16), r['pattern']).replace('\\z', '\\Z')
    if engine is re:
        pat = pat.replace('\\p{Lu}', '[A-ZÀ-Þ]').replace('\\p{Ll}', '[a-zß-ÿ]')
    flags = 0
    for f in r.get('flags', []):
        flags |= {'caseless': engine.I, 'multiline': engine.M, 'dotall': engine.S, 'extended': engine.X}[f]
    try:
        rx = engine.compile(pat, flags)
    except engine.error as e:
        print('baseline: skipping %s: %s' % (r['id'], e), file=sys.stderr)
        continue
    rules.append((rx, [k.lower() for k in r.get('keywords', [])], r.get('min_digits', 0), r.get('group', 0)))

findings = [0]
def mask_match(m, group):
    findings[0] += 1
    s, e = m.span(group)
    whole = m.group(0)
    o = m.start(0)
    return whole[:s - o] + ''.join(c if c.isspace() else '*' for c in whole[s - o:e - o]) + whole[e - o:]

def redact(s):
    low = None
    digits = None
    for rx, kws, min_digits, group in rules:
        if kws:
            if low is None: low = s.lower()
            if not any(k in low for k in kws): continue
        if min_digits:
            if digits is None: digits = sum(c.isdigit() for c in s)
            if digits < min_digits: continue
        s = rx.sub(lambda m: mask_match(m, group), s)
    return s

def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, str): v[k] = redact(x)
            elif isinstance(x, (dict, list)): walk(x)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            if isinstance(x, str): v[i] = redact(x)
            elif isinstance(x, (dict, list)): walk(x)

try:
    orjson.loads(data); lines = False
except orjson.JSONDecodeError:
    lines = True

def run():
    findings[0] = 0
    if lines:
        out = []
        for l in data.splitlines():
            if l.strip():
                doc = orjson.loads(l); walk(doc); out.append(orjson.dumps(doc))
        return b'\n'.join(out)
    doc = orjson.loads(data)
    for e in (doc if isinstance(doc, list) else [doc]): walk(e)
    return orjson.dumps(doc)

t = float('inf')
for _ in range(a.runs):
    t0 = time.perf_counter(); run(); t = min(t, time.perf_counter() - t0)
print('baseline: %d rules with %s' % (len(rules), engine.__name__), file=sys.stderr)
print(json.dumps({'redact_mbps': mb / t, 'findings': findings[0], 'rules': len(rules)}))
