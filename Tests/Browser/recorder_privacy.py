#!/usr/bin/env python3
"""Records a page with rrweb's own recorder in headless Chromium, redacts the recording with
Scrubjay's default packs, and checks that no value the rules target is left and that the
redacted recording replays in rrweb-player to its last event without a script error.

usage: recorder_privacy.py SCRUBJAY_BINARY

The page holds personal data where the privacy-markers pack must find it:
  - form fields the page marks as personal (autocomplete name, email, street-address, cc-number),
    a password field, and a field marked ph-ignore-input, all typed into by the test;
  - elements marked to be blocked (ph-no-capture, and sentry-block added after recording starts)
    and masked (rr-mask, data-private, fs-mask), with text and attributes (title, alt, placeholder);
  - nodes added and changed after the first snapshot, among them an element that only gains its
    rr-mask class later (its text changes after that must be masked);
  - the typed name echoed back by the page in unmarked elements ("Thank you, NAME!", and the
    heading), which only the echo rule (privacy.echoed_value) finds.
rrweb records with its record-time masking turned off (no block, mask or ignore classes, no
password masking), so every value reaches the recording, which the test checks first: a value
missing from the raw recording would make the final check vacuous.

The recorder is rrweb-record 1.1.3 and the player rrweb-player 0.7.14, both from the
django-rrweb PyPI package. Exits 1 on any failure.
"""
import json, os, subprocess, sys, tempfile, time

import django_rrweb
from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import replay_in_player  # noqa: E402  (its offline player page and replay check)
from chromium import browser  # noqa: E402

STATIC = os.path.join(os.path.dirname(django_rrweb.__file__), 'static', 'django-rrweb')
RECORDER_JS = open(os.path.join(STATIC, 'rrweb-record-1-1-3.js'), encoding='utf-8').read()

# What each rule must remove, written into the page or typed by the test.
TYPED = {
    'full-name': 'Marguerite Okonkwo',
    'email': 'zebedee.marchbanks@example.net',
    'address': '12 Quillfeather Lane',
    'card': '4111111111111111',
    'password': 'Tr0ub4dor-Xylophone',
    'ignored': 'Pemberton-Ignorable',
}
IN_PAGE = [
    'Zebulon Frobisher',        # text inside .ph-no-capture (blocked)
    'Frobisher-Tooltip',        # title attribute inside the blocked element
    'Ottoline Quarterman',      # text in .rr-mask
    'Hortensia Vallejo',        # text in [data-private]
    'Bartholomew Quince',       # alt of an image inside .fs-mask
    'Wilhelmina Osei',          # placeholder of a field inside .fs-mask
    'Cressida Fairweather',     # a .sentry-block element added after the first snapshot
    'Ignatius Threlkeld',       # text added later into .rr-mask
    'Persephone Adebayo',       # text changed after its element gained rr-mask
]

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Checkout</title></head><body>
<h1>Checkout</h1>
<form id="checkout">
  <input id="full-name" name="n" autocomplete="name">
  <input id="email" name="e" type="email" autocomplete="email">
  <textarea id="address" name="a" autocomplete="shipping street-address"></textarea>
  <input id="card" name="c" autocomplete="cc-number">
  <input id="password" name="p" type="password">
  <input id="ignored" name="i" class="ph-ignore-input">
</form>
<div class="ph-no-capture" title="Frobisher-Tooltip"><b>Customer</b> Zebulon Frobisher</div>
<p class="rr-mask">Balance for Ottoline Quarterman</p>
<p><span data-private>Hortensia Vallejo</span> is signed in</p>
<div class="fs-mask"><img alt="Bartholomew Quince" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input placeholder="Wilhelmina Osei"></div>
<p id="later">Nothing to see</p>
<div id="feed"></div>
<script>%(recorder)s</script>
<script>
window.__events = [];
rrwebRecord({
  emit: function (e) { window.__events.push(e); },
  // Record-time masking off: Scrubjay must do all of it.
  blockClass: 'sj-record-none', maskTextClass: 'sj-record-none', ignoreClass: 'sj-record-none',
  maskInputOptions: { password: false }
});
</script></body></html>"""

# Changes made after the first snapshot (mutations), one step at a time.
LATER = [
    "var d = document.createElement('div'); d.className = 'sentry-block';"
    " d.textContent = 'Cressida Fairweather'; document.getElementById('feed').appendChild(d);",
    "document.querySelector('.rr-mask').appendChild(document.createTextNode(' and Ignatius Threlkeld'));",
    "document.getElementById('later').className = 'rr-mask';",
    "document.getElementById('later').firstChild.textContent = 'Persephone Adebayo';",
    # The page echoes the typed name where no marker reaches it.
    "var p = document.createElement('p'); p.textContent = 'Thank you, ' + document.getElementById('full-name').value + '!';"
    " document.getElementById('feed').appendChild(p);",
    "document.querySelector('h1').textContent = 'Checkout for ' + document.getElementById('full-name').value;",
]


def record(driver, workdir):
    page = os.path.join(workdir, 'checkout.html')
    with open(page, 'w', encoding='utf-8') as f:
        f.write(PAGE % {'recorder': RECORDER_JS})
    driver.get('file://' + page)
    time.sleep(0.5)
    for field, value in TYPED.items():
        driver.find_element(By.ID, field).send_keys(value)
        time.sleep(0.1)
    for step in LATER:
        driver.execute_script(step)
        time.sleep(0.2)  # each step its own mutation event
    time.sleep(0.3)
    return driver.execute_script('return window.__events;')


def main(binary):
    failures = []
    driver = browser(eager=True)
    try:
        with tempfile.TemporaryDirectory() as work:
            events = record(driver, work)
            raw = json.dumps(events, ensure_ascii=False)
            planted = list(TYPED.values()) + IN_PAGE
            missing = [v for v in planted if v not in raw]
            if missing:
                failures.append('the recording itself lacks %s: the test would prove nothing' % missing)
            recording = os.path.join(work, 'recording.json')
            with open(recording, 'w', encoding='utf-8') as f:
                json.dump(events, f)
            print('recorded %d events (%d bytes)' % (len(events), len(raw)))

            package = os.path.join(work, 'redacted.zip')
            subprocess.run([binary, 'redact', recording, '-o', package], check=True, stdout=subprocess.DEVNULL)
            exported = os.path.join(work, 'redacted.json')
            subprocess.run([binary, 'export', package, '-o', exported, '--format', 'rrweb-json'], check=True)
            out = open(exported, encoding='utf-8').read()
            # Every file of the package too: the report must not echo a value either.
            unpacked = os.path.join(work, 'unpacked')
            subprocess.run(['unzip', '-q', package, '-d', unpacked], check=True)
            texts = [out]
            for root, _, names in os.walk(unpacked):
                for n in names:
                    texts.append(open(os.path.join(root, n), encoding='utf-8', errors='replace').read())
            for value in planted:
                # Whole values, and each word of 5 letters or more (typed values are recorded
                # keystroke by keystroke, so a prefix would leak the start of a value).
                pieces = [value] + [w for w in value.replace('-', ' ').split() if len(w) >= 5]
                for piece in pieces:
                    if any(piece in t for t in texts):
                        failures.append('left after redaction: %r' % piece)
            print('checked %d planted values in %d files' % (len(planted), len(texts)))

            problems = replay_in_player.check(driver, exported, work)
            if problems:
                failures.append('replay of the redacted recording: ' + ' | '.join(problems))
            else:
                print('the redacted recording replays to its last event without a script error')
    finally:
        driver.quit()
    for f in failures:
        print('FAIL ' + f)
    print('%s' % ('ok' if not failures else '%d failures' % len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
