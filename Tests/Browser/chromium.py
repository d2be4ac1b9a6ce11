"""Headless Chromium for the browser tests, with the network cut off: every request goes to a
closed port on loopback (IP literals included) and no host name resolves, so a recording that
points at real sites and addresses reaches none of them. Browser console messages are kept
(`driver.get_log('browser')`); pages may read other local files (the offline player pages).
Also the corpus walk the browser tests share (`recordings`)."""
import os

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service


def browser(eager=False, script_timeout=30):
    """A Chromium driver. `eager`: `get` returns once the document is parsed, without waiting
    for subresources (replays point at images that never load)."""
    options = Options()
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--window-size=1200,1600',
                '--allow-file-access-from-files', '--proxy-server=http://127.0.0.1:9', '--proxy-bypass-list=<-loopback>',
                '--host-resolver-rules=MAP * ~NOTFOUND', '--disable-background-networking', '--no-first-run'):
        options.add_argument(arg)
    if eager:
        options.page_load_strategy = 'eager'
    options.binary_location = '/usr/bin/chromium'
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    driver = webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(script_timeout)
    return driver


def recordings(fixtures):
    """(path, path relative to `fixtures`) of every recording under `fixtures`, in name
    order: the .json and .jsonl files outside the accuracy cases."""
    for root, _, names in sorted(os.walk(fixtures)):
        for name in sorted(names):
            if name.endswith(('.json', '.jsonl')) and 'accuracy' not in root:
                src = os.path.join(root, name)
                yield src, os.path.relpath(src, fixtures)
