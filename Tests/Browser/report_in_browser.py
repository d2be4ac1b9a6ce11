#!/usr/bin/env python3
"""Opens Scrubjay's HTML report and viewer page in headless Chromium, with the network cut off.

usage: report_in_browser.py SCRUBJAY_BINARY FIXTURES_DIR

Redacts a few bundled recordings (one window and two windows), then for each:
  - `scrubjay report --format html`: no console error, a screenshot that is not blank (the
    variance of its pixels, measured in the browser from the PNG), the SVG charts and the
    sandboxed preview iframe present;
  - `scrubjay view --player-dir` (rrweb-player inlined from the django-rrweb PyPI package):
    no console error, and for every window in the selector the replay reaches the last event.
Prints one line per page and a closing "N passed, N failed" line; exits 1 on any failure.
"""
import base64, json, os, re, subprocess, sys, tempfile, time

import django_rrweb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chromium import browser  # noqa: E402

PLAYER_DIR = os.path.join(os.path.dirname(django_rrweb.__file__), 'static', 'django-rrweb')
RECORDINGS = ['posthog/with-pageviews.json', 'posthog/recording_snapshots.json', 'posthog/docs.json',
              'rrweb/integration--record-integration-tests-can-record-form-interactions-1.json']


def console_errors(driver):
    return [e['message'] for e in driver.get_log('browser') if e['level'] == 'SEVERE']


def pixel_variance(driver, png):
    """The variance of the screenshot's grey levels, decoded and measured by the browser."""
    driver.get('about:blank')
    return driver.execute_async_script("""
        var done = arguments[arguments.length - 1], img = new Image();
        img.onload = function () {
          var c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
          var g = c.getContext('2d'); g.drawImage(img, 0, 0);
          var d = g.getImageData(0, 0, c.width, c.height).data, n = 0, sum = 0, sq = 0;
          for (var i = 0; i < d.length; i += 4) { var v = (d[i] + d[i + 1] + d[i + 2]) / 3; sum += v; sq += v * v; n++; }
          var mean = sum / n; done(sq / n - mean * mean);
        };
        img.onerror = function () { done(-1); };
        img.src = 'data:image/png;base64,' + arguments[0];""", base64.b64encode(png).decode())


def check_report(driver, path, findings):
    driver.get('file://' + path)
    time.sleep(0.5)
    problems = ['console: ' + m[:200] for m in console_errors(driver)]
    svgs = driver.execute_script("return document.querySelectorAll('svg.chart').length")
    frames = driver.execute_script("return Array.from(document.querySelectorAll('iframe')).map(f => f.getAttribute('sandbox'))")
    scripts = driver.execute_script("return document.scripts.length")
    # By category and by channel when something was found, and the timeline.
    if svgs < (3 if findings else 1):
        problems.append('%d charts' % svgs)
    if not frames or any(s != '' for s in frames):
        problems.append('preview iframes: %r' % frames)
    if scripts:
        problems.append('%d scripts in the report' % scripts)
    png = driver.get_screenshot_as_png()
    variance = pixel_variance(driver, png)
    if variance < 100:
        problems.append('the screenshot looks blank (variance %.1f)' % variance)
    return problems, 'charts %d, previews %d, variance %.0f' % (svgs, len(frames), variance)


def check_viewer(driver, path, findings):
    driver.get('file://' + path)
    problems = []
    count = driver.execute_script("var s = document.getElementById('window'); return s ? s.options.length : 1")
    for i in range(count):
        driver.execute_script("""
            var s = document.getElementById('window');
            if (s) { s.value = String(arguments[0]); s.dispatchEvent(new Event('change')); }
            var v = window.scrubjayViewer, r = v.player.getReplayer(), events = v.events;
            window.__finished = false; window.__last = null; window.__expected = events[events.length - 1].timestamp;
            r.on('event-cast', function (e) { window.__last = e.timestamp; });
            r.on('finish', function () { window.__finished = true; });
            r.play(Math.max(0, r.getMetaData().totalTime - 20));""", i)
        deadline, state = time.time() + 30, {}
        while time.time() < deadline:
            state = driver.execute_script('return {finished: window.__finished, last: window.__last, expected: window.__expected}')
            if state['finished']:
                break
            time.sleep(0.1)
        if not state.get('finished') or state.get('last') != state.get('expected'):
            problems.append('window %d: last cast %r, expected %r' % (i, state.get('last'), state.get('expected')))
    for m in console_errors(driver):
        # What the recorded page itself asks for (images, fonts) fails to load: not a script error.
        # Chromium's report of an attribute value it cannot parse (posthog/docs.json was
        # recorded with truncated SVG path data), as Tests/Browser/replay_in_player.py says.
        if 'Failed to load resource' in m or 'net::ERR_' in m or re.search(r'Error: <\w+> attribute [\w:-]+: ', m):
            continue
        problems.append('console: ' + m[:200])
    return problems, '%d window(s) replayed to the end' % count


def main(binary, fixtures):
    passed = failed = 0
    driver = browser()
    try:
        with tempfile.TemporaryDirectory() as work:
            for name in RECORDINGS:
                base = os.path.join(work, name.replace('/', '__'))
                subprocess.run([binary, 'redact', os.path.join(fixtures, name), '-o', base + '.zip', '--report-html', base + '.html'],
                               check=True, stdout=subprocess.DEVNULL)
                subprocess.run([binary, 'view', base + '.zip', '-o', base + '.view.html', '--player-dir', PLAYER_DIR], check=True)
                report = json.loads(subprocess.run([binary, 'report', base + '.zip', '--format', 'json'], check=True,
                                                   capture_output=True, text=True).stdout)
                findings = report['counts']['total']
                for kind, path, check in (('report', base + '.html', check_report), ('viewer', base + '.view.html', check_viewer)):
                    problems, summary = check(driver, path, findings)
                    if problems:
                        failed += 1
                        print('FAIL %s %s: %s' % (kind, name, ' | '.join(problems)))
                    else:
                        passed += 1
                        print('ok   %s %s: %s' % (kind, name, summary))
    finally:
        driver.quit()
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
