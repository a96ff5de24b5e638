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


# -- the coach's pages (issue 15): accessibility, a phone's width, print, families, delete ----

PHONE = {"width": 390, "height": 844}
SERIOUS = ("serious", "critical")


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on ``page``, run from the local copy that
    the axe-playwright-python wheel bundles (never from a network)."""
    axe = pytest.importorskip("axe_playwright_python", reason="axe-playwright-python is missing")
    source = (Path(axe.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
    page.evaluate(source)
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in found["violations"]
        if v["impact"] in SERIOUS
    ]


def overflow(page) -> int:
    """Pixels by which the page is wider than its viewport (0: no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture(scope="module")
def family_pages(tmp_path_factory):
    """The family view of three visits (the real .its and two simulated days at rising
    responsiveness) in English and Spanish, as files."""
    from datetime import date

    from attunement.io import read_file
    from attunement.recording import Recording
    from attunement.report.family import family_report
    from attunement.simulate.daylong import day

    (real,) = read_file(need(ITS))
    days = [
        Recording(
            id=f"v{i}",
            path="",
            format="simulated",
            segments=day(9000, hours=4.5, contingency=c, seed=i),
        )
        for i, c in ((2, 0.3), (3, 0.7))
    ]
    dates = {"v2": date(2016, 5, 14), "v3": date(2016, 6, 11)}
    folder = tmp_path_factory.mktemp("family")
    out = {}
    for lang in ("en", "es"):
        report = family_report([real, *days], lang=lang, child_name="Ana", dates=dates)
        out[lang] = folder / f"family-{lang}.html"
        out[lang].write_text(report.html, encoding="utf-8")
    return out


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_coach_pages_are_accessible_fit_a_phone_and_print_one_page_each(
    browser, family_pages, lang
):
    page = browser.new_page(viewport=PHONE)
    page.goto(family_pages[lang].as_uri())
    assert page.evaluate("document.documentElement.lang") == lang
    assert overflow(page) == 0
    assert axe_violations(page) == []
    labels = page.eval_on_selector_all(
        "section.page figure svg", "els => els.map(e => e.getAttribute('aria-label'))"
    )
    assert len(labels) == 4 and all(
        label and len(label) > 40 for label in labels
    )  # 3 days + progress
    pdf = page.pdf(format="A4")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 4  # 3 visits + progress
    page.close()


def test_dashboard_pages_fit_a_phone_and_pass_axe(browser, base_url):
    page = browser.new_page(viewport=PHONE)
    for path in ("/", "/upload", "/recordings", "/families", "/corpus", "/simulate"):
        page.goto(f"{base_url}{path}")
        assert overflow(page) == 0, path
        assert axe_violations(page) == [], path
    page.close()


def test_the_dashboard_is_keyboard_navigable(browser, base_url):
    page = browser.new_page()
    page.goto(f"{base_url}/upload")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.keyboard.press("Enter")
    focused = []
    for _ in range(8):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.name"))
    assert "child" in focused and "child_name" in focused  # the form, in order, by keyboard
    page.close()


def test_a_family_page_then_deleting_the_family_leaves_nothing(browser, tmp_path):
    its = need(ITS)
    data = tmp_path / "data"
    app = create_app(data)
    with running(app) as url:
        page = browser.new_page(viewport=PHONE)
        page.goto(f"{url}/upload")
        page.fill("#child_name", "Ana")
        page.fill("#birth_date", "2015-11-19")
        page.set_input_files("#file", str(its))
        with page.expect_navigation(timeout=60_000):
            page.click("#upload-form button[type=submit]")
        upload_id = page.url.rsplit("/", 1)[1]
        page.click("text=Ana")
        assert "/families/" in page.url
        family_id = page.url.rsplit("/", 1)[1].split("?")[0]
        assert overflow(page) == 0
        report = browser.new_page(viewport=PHONE, bypass_csp=True)
        report.goto(f"{url}/families/{family_id}/report?lang=es", timeout=120_000)
        assert "Conversaciones en casa con Ana" in report.locator("h1").inner_text()
        assert "4 meses" in report.locator("#visit-1").inner_text()  # 135 days old
        assert overflow(report) == 0 and axe_violations(report) == []
        report.close()
        link = page.locator("a.danger", has_text="Delete this family")
        assert link.get_attribute("href") == f"/families/{family_id}/delete"
        page.goto(f"{url}/families/{family_id}/delete")
        with page.expect_navigation(timeout=60_000):
            page.click("#delete-form button[type=submit]")
        assert page.url == f"{url}/families"
        assert [p for p in data.rglob("*") if upload_id in p.name or family_id in p.name] == []
        assert b"Ana" not in b"".join(p.read_bytes() for p in data.rglob("*") if p.is_file())
        page.close()
    app.state.workers.close()
