#!/usr/bin/env python3
"""Validates SARIF logs against the OASIS SARIF 2.1.0 JSON schema
(Tests/Support/schemas/sarif-schema-2.1.0.json), and checks what GitHub code scanning
needs beyond the schema: a ruleId on every result that names a rule of the driver, a level,
a message text, at least one location with a URI and a startLine, and fingerprints.

usage: validate_sarif.py LOG.sarif...   (exit 1 and the first error on failure)
Used by the Swift tests of `scrubjay verify --format sarif`.
"""
import json, os, sys
import jsonschema

schema_path = os.path.join(os.path.dirname(__file__), 'schemas', 'sarif-schema-2.1.0.json')
validator = jsonschema.Draft4Validator(json.load(open(schema_path)), format_checker=jsonschema.FormatChecker())
for path in sys.argv[1:]:
    log = json.load(open(path))
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        sys.exit('%s: %s at /%s' % (path, e.message, '/'.join(map(str, e.path))))
    for r, run in enumerate(log['runs']):
        rules = [rule['id'] for rule in run['tool']['driver'].get('rules', [])]
        for i, result in enumerate(run.get('results', [])):
            where = '%s: runs/%d/results/%d' % (path, r, i)
            if result.get('ruleId') not in rules:
                sys.exit('%s: ruleId %r is not a rule of the driver' % (where, result.get('ruleId')))
            if rules.index(result['ruleId']) != result.get('ruleIndex', rules.index(result['ruleId'])):
                sys.exit('%s: ruleIndex does not point at its rule' % where)
            if not result.get('message', {}).get('text'):
                sys.exit('%s: no message text' % where)
            loc = (result.get('locations') or [{}])[0].get('physicalLocation', {})
            if not loc.get('artifactLocation', {}).get('uri') or not loc.get('region', {}).get('startLine'):
                sys.exit('%s: no location with uri and region.startLine' % where)
            if not result.get('partialFingerprints'):
                sys.exit('%s: no partialFingerprints' % where)
