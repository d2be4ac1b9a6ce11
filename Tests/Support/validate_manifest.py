#!/usr/bin/env python3
"""Validates package manifests against docs/schemas/package-manifest.schema.json.

usage: validate_manifest.py MANIFEST.json...   (exit 1 and the first error on failure)
Used by the Swift tests, so that every manifest the test suite writes is checked.
"""
import json, os, sys
import jsonschema

schema_path = os.path.join(os.path.dirname(__file__), '..', '..', 'docs', 'schemas', 'package-manifest.schema.json')
validator = jsonschema.Draft202012Validator(json.load(open(schema_path)), format_checker=jsonschema.FormatChecker())
for path in sys.argv[1:]:
    errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        sys.exit('%s: %s at /%s' % (path, e.message, '/'.join(map(str, e.path))))
