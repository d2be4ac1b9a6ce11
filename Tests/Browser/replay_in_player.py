#!/usr/bin/env python3
"""Replays rrweb recordings in rrweb-player inside headless Chromium.

usage: replay_in_player.py RECORDING.json...
       replay_in_player.py --corpus SCRUBJAY_BINARY FIXTURES_DIR [--redact]

The second form packs every recording under FIXTURES_DIR with `scrubjay pack` (with
`--redact`: `scrubjay redact` with the default packs, so the redacted replays are checked), exports
each window with `scrubjay export --format rrweb-json --window ID`, and replays those
that a player can start (a Meta and a FullSnapshot event, not a mobile wireframe recording).

For each recording (an rrweb JSON array, as `scrubjay export --format rrweb-json` writes):
builds an offline page with rrweb-player's script and stylesheet inlined (from the
django-rrweb PyPI package), fast-forwards the replayer to the end, and checks that
  - the last event was cast (the replay reached it) and the replayer said "finish",
  - no script error happened (uncaught exceptions and console errors; a resource that
    fails to load, such as an image the recording points at, is not a script error).
Prints one line per recording and a closing "N passed, N failed" line; exits 1 on any failure.
"""
import json, os, re, sys, tempfile, time

import django_rrweb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chromium import browser, recordings  # noqa: E402

STATIC = os.path.join(os.path.dirname(django_rrweb.__file__), 'static', 'django-rrweb')
PLAYER_JS = open(os.path.join(STATIC, 'rrweb-player-0-7-14.js'), encoding='utf-8').read()
PLAYER_CSS = open(os.path.join(STATIC, 'rrweb-player-0-7-14-style.css'), encoding='utf-8').read()

PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>%(css)s</style></head><body>
<script>
window.__errors = [];
window.addEventListener('error', function (e) { window.__errors.push('uncaught: ' + e.message); });
window.addEventListener('unhandledrejection', function (e) { window.__errors.push('unhandled rejection: ' + e.reason); });
var origError = console.error;
console.error = function () { window.__errors.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); origError.apply(console, arguments); };
</script>
<script>%(js)s</script>
<script id="events" type="application/json">%(events)s</script>
<script>
window.__done = false; window.__finished = false; window.__lastCast = null;
try {
  var events = JSON.parse(document.getElementById('events').textContent);
  var player = new rrwebPlayer({ target: document.body, props: { events: events, autoPlay: false, width: 800, height: 500 } });
  var replayer = player.getReplayer();
  replayer.on('event-cast', function (e) { window.__lastCast = e.timestamp; });
  replayer.on('finish', function () { window.__finished = true; });
  var meta = replayer.getMetaData();
  window.__expectedLast = events[events.length - 1].timestamp;
  window.__total = meta.totalTime;
  replayer.play(Math.max(0, meta.totalTime - 20));
} catch (e) { window.__errors.push('setup: ' + e); }
window.__done = true;
</script></body></html>"""


def check(driver, path, workdir):
    events = json.load(open(path, encoding='utf-8'))
    # Keep '</script>' inside the JSON from closing the tag.
    payload = json.dumps(events).replace('</', '<\\/')
    page = os.path.join(workdir, 'replay.html')
    with open(page, 'w', encoding='utf-8') as f:
        f.write(PAGE % {'css': PLAYER_CSS, 'js': PLAYER_JS, 'events': payload})
    driver.get('file://' + page)
    deadline = time.time() + 30
    state = {}
    while time.time() < deadline:
        state = driver.execute_script('return {done: window.__done, finished: window.__finished, last: window.__lastCast,'
                                      ' expected: window.__expectedLast, errors: window.__errors}')
        if state['done'] and (state['finished'] or state['errors']):
            break
        time.sleep(0.1)
    errors = list(state.get('errors') or [])
    for entry in driver.get_log('browser'):
        message = entry['message']
        if entry['level'] != 'SEVERE' or 'Failed to load resource' in message or 'net::ERR_' in message:
            continue
        # Chromium's report of an attribute value it cannot parse (posthog/docs.json was
        # recorded with truncated SVG path data): a rendering complaint about the page's
        # own data, present when the original recording is replayed too; not a script error.
        if re.search(r'Error: <\w+> attribute [\w:-]+: ', message):
            continue
        errors.append('browser: ' + message)
    problems = []
    if errors:
        problems.append('script errors: ' + '; '.join(e[:200] for e in errors[:3]))
    if not state.get('finished'):
        problems.append('the replayer did not finish')
    if state.get('last') != state.get('expected'):
        problems.append('last cast event %r, expected %r' % (state.get('last'), state.get('expected')))
    return problems


def main(paths):
    driver = browser(eager=True)
    passed = failed = 0
    try:
        with tempfile.TemporaryDirectory() as workdir:
            for p in paths:
                problems = check(driver, p, workdir)
                if problems:
                    failed += 1
                    print('FAIL %s: %s' % (p, ' | '.join(problems)))
                else:
                    passed += 1
                    print('ok   %s' % p)
    finally:
        driver.quit()
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


def validate_manifest(manifest, source):
    """Every manifest written here is checked against docs/schemas/package-manifest.schema.json."""
    import jsonschema
    here = os.path.dirname(os.path.abspath(__file__))
    schema = json.load(open(os.path.join(here, '..', '..', 'docs', 'schemas', 'package-manifest.schema.json')))
    try:
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(manifest)
    except jsonschema.ValidationError as e:
        sys.exit('%s: the package manifest does not match the schema: %s' % (source, e.message))


def corpus(binary, fixtures, workdir, command='pack'):
    """Exports every playable window of every recording in `fixtures`, packed or redacted
    by `command`; returns the paths."""
    import subprocess
    out = []
    for src, rel in recordings(fixtures):
        base = os.path.join(workdir, rel.replace('/', '__'))
        subprocess.run([binary, command, src, '-o', base + '.zip'], check=True, stdout=subprocess.DEVNULL)
        info = json.loads(subprocess.run([binary, 'inspect', '--json', base + '.zip'], check=True,
                                         capture_output=True, text=True).stdout)
        manifest = info['manifest']
        validate_manifest(manifest, src)
        if 'mobile' in manifest['recording']['channels']:
            continue
        for i, w in enumerate(manifest['recording']['windows']):
            dest = '%s.window%d.json' % (base, i)
            subprocess.run([binary, 'export', base + '.zip', '-o', dest, '--format', 'rrweb-json', '--window', w['id']], check=True)
            events = json.load(open(dest, encoding='utf-8'))
            types = {e.get('type') for e in events}
            if 2 in types and 4 in types:
                out.append(dest)
    return out


if __name__ == '__main__':
    if sys.argv[1:2] == ['--corpus']:
        with tempfile.TemporaryDirectory() as work:
            command = 'redact' if '--redact' in sys.argv[4:] else 'pack'
            paths = corpus(sys.argv[2], sys.argv[3], work, command)
            print('replaying %d exported windows (%s)' % (len(paths), command))
            sys.exit(main(paths))
    sys.exit(main(sys.argv[1:]))
