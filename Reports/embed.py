#!/usr/bin/env python3
"""Compiles the templates in Reports/ into Sources/ScrubjayReport/BuiltinTemplates.swift, so an
installed `scrubjay` carries them. Run after editing a template:  python3 Reports/embed.py
A test (TemplateTests) fails when the generated file and Reports/ disagree."""
import glob, importlib.util, os

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('rules_embed', os.path.join(here, '..', 'Rules', 'embed.py'))
rules_embed = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rules_embed)
rules_embed.embed(glob.glob(os.path.join(here, '*.mustache')), os.path.join(here, '..', 'Sources', 'ScrubjayReport', 'BuiltinTemplates.swift'),
                  'Reports/embed.py from Reports/*.mustache', 'BuiltinTemplates',
                  'The report and viewer templates compiled into the binary, by file name.', 'templates')
