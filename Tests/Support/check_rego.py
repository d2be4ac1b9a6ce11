#!/usr/bin/env python3
"""Evaluates Policies/rego/scrubjay.rego on a facts file (`scrubjay facts` output) with a
Scrubjay policy file as data, the way `conftest test facts.json --policy Policies/rego
--data POLICY.yml` does, using regopy (Microsoft's rego-cpp, an independent Rego engine).

usage: check_rego.py FACTS.json POLICY.yml   prints {"deny": [...], "warn": [...]} as JSON
Used by the Swift tests, so that the Rego that docs/POLICIES.md shows keeps working.
"""
import json, os, sys
import regopy, yaml

facts_path, policy_path = sys.argv[1], sys.argv[2]
rego_path = os.path.join(os.path.dirname(__file__), '..', '..', 'Policies', 'rego', 'scrubjay.rego')
interpreter = regopy.Interpreter()
interpreter.add_module('scrubjay', open(rego_path).read())
interpreter.add_data_json(json.dumps(yaml.safe_load(open(policy_path)), default=str))
interpreter.set_input_term(open(facts_path).read())
out = {}
for rule in ('deny', 'warn'):
    result = json.loads(str(interpreter.query('data.main.%s' % rule)))
    if 'expressions' not in result:
        sys.exit('%s: %s' % (rule, result))
    out[rule] = sorted(result['expressions'][0])
print(json.dumps(out))
