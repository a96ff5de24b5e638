"""End to end in a real headless Chromium (Debian's ``chromium`` driven by Playwright's Python
package; never ``playwright install``): upload the real .its through the form, read its report,
move a simulation slider and see the plot change.

Expected numbers: LENA's own count for ``lena/e20160420_165405_010572.its`` is CTC = 370
(``shared/data/real/README.md``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from attunement.web import create_app
from tests.conftest import REAL, need
from tests.web_helpers import running

pytestmark = pytest.mark.slow  # a real browser: seconds per page
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ITS = REAL / "lena" / "e20160420_165405_010572.its"

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright Python package is not installed"
)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium to run the browser tests")
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    app = create_app(tmp_path_factory.mktemp("browser") / "data")
    with running(app) as url:
        yield url


def test_upload_its_and_read_its_report(browser, base_url):
    its = need(ITS)
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{base_url}/upload")
    page.set_input_files("#file", str(its))
    with page.expect_navigation(timeout=60_000):
        page.click("#upload-form button[type=submit]")
    assert re.search(r"/recordings/[0-9a-f]{32}$", page.url)
    assert page.locator('td[data-measure="turns"]').inner_text() == "370"
    assert page.locator("h1").inner_text() == its.name
    page.click("a.report-link")
    page.wait_for_load_state("load")
    assert "/report/0" in page.url
    body = page.locator("body").inner_text()
    assert "370" in body
    assert page.locator("svg").count() >= 1
    assert page.locator("svg path").count() > 10  # drawn plots, not empty boxes
    assert all(u.startswith(base_url) for u in requests), "no request may leave the server"
    page.close()


def test_moving_a_slider_redraws_the_plots(browser, base_url):
    page = browser.new_page()
    page.goto(f"{base_url}/simulate?responsiveness=0.5&repair=0.5")
    page.wait_for_function("window.htmx !== undefined")
    assert page.locator("#outcome svg").count() == 3
    before_svg = page.locator("#repair-plot svg").inner_html()
    before = page.locator('#repair-plot [data-measure="mismatch_episodes"]').inner_text()
    page.locator("#repair").fill("0.9")  # fires input and change, as dragging does
    page.wait_for_selector('p.setting[data-repair="0.9"]', timeout=30_000)
    after = page.locator('#repair-plot [data-measure="mismatch_episodes"]').inner_text()
    assert int(after) > int(before)  # faster repair: more, shorter ruptures in 10 minutes
    assert page.locator("#repair-plot svg").inner_html() != before_svg
    assert page.url.endswith("responsiveness=0.5&repair=0.5")  # swapped in place, no reload
    page.close()
