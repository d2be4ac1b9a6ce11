#!/usr/bin/env python3
"""Validates JSON reports (`scrubjay report --format json`) against docs/schemas/report.schema.json.

usage: validate_report.py REPORT.json...   (exit 1 and the first error on failure)
Used by the Swift tests, so that every JSON report the test suite writes is checked.
"""
import sys
from validate_manifest import validate

validate('report.schema.json', sys.argv[1:])
