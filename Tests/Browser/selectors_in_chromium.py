#!/usr/bin/env python3
"""Differential test of Scrubjay's CSS selector engine against Chromium's querySelectorAll.

usage: selectors_in_chromium.py SCRUBJAY_BINARY BENCH_BINARY FIXTURES_DIR SELECTORS_FILE [EXTRA_PAGE.json...]

Pages: every full snapshot (rrweb event type 2) of every recording under FIXTURES_DIR, read
through Scrubjay's own readers (`scrubjay pack`, then the package's events/*.jsonl), with the
iframe documents that rrweb attaches right after it (mutations with `isAttachIframe`), plus the
EXTRA pages (rrweb JSON arrays, such as Tests/Browser/selector_cases.json, written to probe
case rules). Identical pages are checked once.

Engine side: `scrubjay-bench selectors --match SELECTORS PAGE...` applies each page's events to
a DOMMirror and prints the rrweb ids of the elements each selector matches (every tree: the
page, iframe documents, shadow roots; each element matched within its own tree).

Chromium side (headless, network cut off): each page rebuilt with DOM APIs in a document made
by `document.implementation.createHTMLDocument` (an HTML document in no-quirks mode; the
recorded doctype node is skipped): `createElement` for HTML elements, `createElementNS` with the
SVG namespace when `isSVG`; `setAttribute` for each attribute (a string as recorded; true,
false, numbers and objects as "", which is what the mirror keeps; null skipped); text, comment
and CDATA nodes (CDATA as text: HTML documents have no CDATA sections). An iframe's document
is a second `createHTMLDocument` document; a shadow host's shadow children go into
`attachShadow({mode: 'open'})` (or a detached DocumentFragment when the element cannot host
one). Elements are mapped back to rrweb ids with a JS Map (no attribute is added).
`querySelectorAll` runs on every document and shadow root; the union is compared with the
engine's answer.

Prints one line per page and the totals; exits 1 on any disagreement, listing the selector,
the page and the ids only one side matched.
"""
import hashlib, json, os, subprocess, sys, tempfile, zipfile


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chromium import browser, recordings  # noqa: E402


def read_selectors(path):
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    return [l for l in lines if l.strip() and not l.startswith('# ') and l != '#']


def is_attach_iframe(e):
    d = e.get('data') if isinstance(e, dict) else None
    return (isinstance(d, dict) and e.get('type') == 3 and d.get('source') == 0 and d.get('isAttachIframe') is True
            and all(isinstance(a, dict) and isinstance(a.get('node'), dict) and a['node'].get('type') == 0
                    for a in d.get('adds') or []))


def pages_of(events):
    """Each full snapshot with the iframe documents attached right after it."""
    out = []
    for k, e in enumerate(events):
        if not (isinstance(e, dict) and e.get('type') == 2 and isinstance(e.get('data'), dict)
                and isinstance(e['data'].get('node'), dict)):
            continue
        group = [e]
        j = k + 1
        while j < len(events) and is_attach_iframe(events[j]):
            group.append(events[j])
            j += 1
        out.append((k, group))
    return out


def corpus_pages(binary, fixtures, workdir):
    """(name, events) for every full snapshot in the fixtures, through `scrubjay pack`."""
    out = []
    for src, rel in recordings(fixtures):
        zpath = os.path.join(workdir, rel.replace('/', '__') + '.zip')
        r = subprocess.run([binary, 'pack', src, '-o', zpath], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            print('skip %s: scrubjay pack failed: %s' % (rel, r.stderr.strip()[:200]))
            continue
        with zipfile.ZipFile(zpath) as z:
            for member in sorted(n for n in z.namelist() if n.startswith('events/') and n.endswith('.jsonl')):
                events = [json.loads(line) for line in z.read(member).decode('utf-8').splitlines() if line.strip()]
                window = os.path.basename(member)[:-len('.jsonl')]
                for k, group in pages_of(events):
                    out.append(('%s [%s] event %d' % (rel, window, k), group))
    return out


BUILD_AND_QUERY = r"""
const page = JSON.parse(arguments[0]), selectors = JSON.parse(arguments[1]);
const SVG = 'http://www.w3.org/2000/svg';
const ids = new Map(), byId = new Map(), roots = [], problems = [];
function newDocument() {
  const doc = document.implementation.createHTMLDocument('');
  while (doc.firstChild) doc.removeChild(doc.firstChild);
  if (doc.compatMode !== 'CSS1Compat') problems.push('document not in standards mode');
  roots.push(doc);
  return doc;
}
function setAttr(el, name, value) {
  try { el.setAttribute(name, value); return; } catch (e) {}
  // A name setAttribute rejects (such as "@click") but the HTML parser accepts: take the
  // attribute from a parsed element.
  try {
    const t = el.ownerDocument.createElement('template');
    t.innerHTML = '<div ' + name + '=""></div>';
    const a = t.content.firstChild.attributes[0];
    t.content.firstChild.removeAttributeNode(a);
    a.value = value;
    el.setAttributeNode(a);
  } catch (e) { problems.push('attribute ' + JSON.stringify(name) + ': ' + e.message); }
}
function build(parent, n, doc) {
  if (!n || typeof n !== 'object') return;
  let node = null;
  switch (n.type) {
    case 0: {
      const d = newDocument();
      for (const c of n.childNodes || []) build(d, c, d);
      if (typeof n.id === 'number') byId.set(n.id, d);
      return;
    }
    case 1: return;  // the doctype: the document is in no-quirks mode already
    case 2: {
      let el;
      try { el = n.isSVG ? doc.createElementNS(SVG, n.tagName) : doc.createElement(n.tagName); }
      catch (e) { problems.push('element ' + JSON.stringify(n.tagName) + ': ' + e.message); return; }
      for (const [k, v] of Object.entries(n.attributes || {})) {
        if (v === null || v === undefined) continue;
        setAttr(el, k, typeof v === 'string' ? v : '');
      }
      ids.set(el, n.id);
      byId.set(n.id, el);
      node = el;
      break;
    }
    case 3: case 4: node = doc.createTextNode(typeof n.textContent === 'string' ? n.textContent : ''); break;
    case 5: node = doc.createComment(typeof n.textContent === 'string' ? n.textContent : ''); break;
    default: return;
  }
  if (n.isShadow && parent.nodeType === 1) parent = shadowOf(parent, doc);
  parent.appendChild(node);
  if (n.type === 2) {
    if (n.isShadowHost) shadowOf(node, doc);
    for (const c of n.childNodes || []) build(node, c, doc);
  }
}
const shadows = new Map();
function shadowOf(host, doc) {
  if (shadows.has(host)) return shadows.get(host);
  let root;
  try { root = host.attachShadow({mode: 'open'}); } catch (e) { root = doc.createDocumentFragment(); }
  shadows.set(host, root);
  roots.push(root);
  return root;
}
for (const e of page) {
  if (e.type === 2) build(null, e.data.node, null);
  else for (const a of e.data.adds || []) {
    const iframe = byId.get(a.parentId);
    if (!iframe) { problems.push('iframe ' + a.parentId + ' not found'); continue; }
    build(iframe, a.node, null);
  }
}
const results = [];
for (const s of selectors) {
  try {
    const found = new Set();
    for (const r of roots) for (const el of r.querySelectorAll(s)) found.add(ids.get(el));
    results.push(Array.from(found).sort((a, b) => a - b));
  } catch (e) { results.push({error: e.name}); }
}
return JSON.stringify({results: results, elements: ids.size, problems: problems});
"""


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    binary, bench, fixtures, selectors_file = sys.argv[1:5]
    extra = sys.argv[5:]
    selectors = read_selectors(selectors_file)
    with tempfile.TemporaryDirectory() as work:
        pages = corpus_pages(binary, fixtures, work)
        for path in extra:
            with open(path, encoding='utf-8') as f:
                events = json.load(f)
            for k, group in pages_of(events):
                pages.append(('%s event %d' % (os.path.relpath(path), k), group))
        # Identical pages (the same recording in several containers) are checked once.
        unique, seen = [], set()
        for name, group in pages:
            digest = hashlib.sha256(json.dumps(group, sort_keys=True).encode()).hexdigest()
            if digest not in seen:
                seen.add(digest)
                unique.append((name, group))
        files = []
        for k, (name, group) in enumerate(unique):
            path = os.path.join(work, 'page%03d.json' % k)
            with open(path, 'w', encoding='utf-8') as f:
                json.dump(group, f, ensure_ascii=False)
            files.append(path)
        out = subprocess.run([bench, 'selectors', '--match', selectors_file] + files, check=True,
                             capture_output=True, text=True).stdout
        engine = {}
        for line in out.splitlines():
            obj = json.loads(line)
            engine[obj['page']] = obj
        driver = browser(script_timeout=120)
        driver.get('about:blank')
        disagreements, compared, agreed = [], 0, 0
        matched_somewhere = [False] * len(selectors)
        nontrivial = [False] * len(selectors)
        try:
            for (name, group), path in zip(unique, files):
                chromium = json.loads(driver.execute_script(BUILD_AND_QUERY, json.dumps(group), json.dumps(selectors)))
                mine = engine[path]
                page_bad = 0
                for k, s in enumerate(selectors):
                    a, b = mine['results'][k], chromium['results'][k]
                    compared += 1
                    if isinstance(a, dict) and isinstance(b, dict):
                        agreed += 1
                        continue
                    if a == b:
                        agreed += 1
                        if a:
                            matched_somewhere[k] = True
                            if len(a) < chromium['elements']:
                                nontrivial[k] = True
                        continue
                    page_bad += 1
                    if isinstance(a, dict) or isinstance(b, dict):
                        disagreements.append((s, name, 'engine: %s' % a if isinstance(a, dict) else 'engine matched %d' % len(a),
                                              'chromium: %s' % b if isinstance(b, dict) else 'chromium matched %d' % len(b)))
                    else:
                        only_engine = sorted(set(a) - set(b))
                        only_chromium = sorted(set(b) - set(a))
                        disagreements.append((s, name, 'only in engine: %s' % only_engine[:20], 'only in chromium: %s' % only_chromium[:20]))
                extra_note = ''
                if chromium['elements'] != mine['elements']:
                    extra_note += ' (element count differs: engine %d, chromium %d)' % (mine['elements'], chromium['elements'])
                    page_bad += 1
                if chromium['problems']:
                    extra_note += ' (rebuild problems: %s)' % '; '.join(chromium['problems'][:5])
                print('%s %s: %d elements, %d/%d selectors agree%s' % (
                    'ok  ' if not page_bad else 'FAIL', name, mine['elements'], len(selectors) - page_bad, len(selectors), extra_note))
                if chromium['elements'] != mine['elements']:
                    disagreements.append(('(every selector)', name, 'engine elements %d' % mine['elements'], 'chromium elements %d' % chromium['elements']))
        finally:
            driver.quit()
    print('%d pages, %d selectors, %d (page, selector) pairs: %d agree, %d disagree' % (
        len(unique), len(selectors), compared, agreed, compared - agreed))
    print('%d of %d selectors match at least one element on some page (%d match some but not all elements of a page)' % (
        sum(matched_somewhere), len(selectors), sum(nontrivial)))
    if disagreements:
        by_selector = {}
        for s, page, x, y in disagreements:
            by_selector.setdefault(s, []).append((page, x, y))
        print('\nDisagreements (%d selectors; at most 3 pages each):' % len(by_selector))
        for s, cases in by_selector.items():
            print('  selector %r disagrees on %d pages' % (s, len(cases)))
            for page, x, y in cases[:3]:
                print('    on %s\n      %s\n      %s' % (page, x, y))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
