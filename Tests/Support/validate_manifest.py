#!/usr/bin/env python3
"""Validates package manifests against docs/schemas/package-manifest.schema.json.

usage: validate_manifest.py MANIFEST.json...   (exit 1 and the first error on failure)
Used by the Swift tests, so that every manifest the test suite writes is checked.
validate_report.py checks JSON reports with `validate` below.
"""
import json, os, sys
import jsonschema


def validate(schema_name, paths):
    """Exits with the first error of any file in `paths` against docs/schemas/`schema_name`."""
    schema_path = os.path.join(os.path.dirname(__file__), '..', '..', 'docs', 'schemas', schema_name)
    validator = jsonschema.Draft202012Validator(json.load(open(schema_path)), format_checker=jsonschema.FormatChecker())
    for path in paths:
        errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(e.path))
        if errors:
            e = errors[0]
            sys.exit('%s: %s at /%s' % (path, e.message, '/'.join(map(str, e.path))))


if __name__ == '__main__':
    validate('package-manifest.schema.json', sys.argv[1:])
