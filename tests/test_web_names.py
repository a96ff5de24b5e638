"""Names are data, never markup, and query values are bounded: hostile file names, recording ids
and codes reach the pages escaped and the plots as plain text (a 2xx page, never a 500), and
out-of-range, huge or non-numeric query values are 400 or a clamped page, never a 500."""

from __future__ import annotations

import re
import warnings

import pytest
from markupsafe import escape

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from attunement.corpus import ingest
from attunement.web import create_app
from attunement.web.uploads import clean_name
from tests.corpus_helpers import make_days
from tests.web_helpers import BASE, upload

HOSTILE = [
    r"mt_name_$\foo$",
    "$$",
    r"a\$b$c$",
    "{}{0}{name}%s%d%%",
    "<script>alert(1)</script>",
    "\u202eevil\u202c name",
    "n" * 300,
]


def rttm(ids: list[str], label: str = "FEM") -> bytes:
    rows = []
    for fid in ids:
        for t in range(0, 40, 2):
            who = "KCHI" if t % 4 == 0 else label
            rows.append(f"SPEAKER {fid.replace(' ', '_')} 1 {t}.0 0.8 <NA> <NA> {who} <NA> <NA>\n")
    return "".join(rows).encode()


def coded(codes: list[str]) -> bytes:
    rows = ["onset,offset,partner,code"]
    for i in range(30):
        rows.append(f"{2 * i},{2 * i + 2},child,{codes[i % len(codes)]}")
        rows.append(f"{2 * i},{2 * i + 2},caregiver,{codes[(i + 1) % len(codes)]}")
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("names")
    make_days(folder / "files", 3)
    ingest([folder / "files"], folder / "store.duckdb", jobs=1)
    app = create_app(folder / "data", corpus=folder / "store.duckdb")
    yield TestClient(app, base_url=BASE)
    app.state.workers.close()


def reports_of(client, page) -> list:
    links = re.findall(r'href="(/recordings/[0-9a-f]{32}/report/\d+)"', page.text)
    return [client.get(link + view) for link in links for view in ("", "?view=coach")]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_name_is_shown_escaped_and_drawn_plainly(client, name):
    response = upload(client, f"{name}.rttm", rttm(["day"]))
    assert response.status_code == 200  # the recording page, after the redirect
    shown = clean_name(f"{name}.rttm")
    assert str(escape(shown)) in response.text
    assert "<script>alert" not in response.text and "\u202e" not in response.text
    reports = reports_of(client, response)
    assert [r.status_code for r in reports] == [200, 200]
    assert all("<svg" in r.text and "<script>alert" not in r.text for r in reports)
    listing = client.get("/recordings")
    assert listing.status_code == 200 and str(escape(shown)) in listing.text


def test_hostile_recording_ids_and_speaker_labels_in_one_file(client):
    ids = [r"$\foo$", "{}%s", "<b>x</b>"]
    response = upload(client, "several.rttm", rttm(ids, label=r"$\mathrm{MOT}$"))
    assert response.status_code == 200
    for rid in ids:
        assert str(escape(rid)) in response.text
    assert "<b>x</b>" not in response.text
    reports = reports_of(client, response)
    assert len(reports) == 2 * len(ids)
    assert all(r.status_code == 200 and "<svg" in r.text for r in reports)


def test_hostile_codes_reach_the_grid_and_timeline_as_plain_text(client):
    codes = [r"$\foo$", "$$", "{}", "%s", "<script>x</script>", "\u202ex"]
    response = upload(client, "codes.csv", coded(codes))
    assert response.status_code == 200
    reports = reports_of(client, response)
    assert [r.status_code for r in reports] == [200, 200]
    assert all(r.text.count("<svg") >= 2 for r in reports)  # timeline and grid drawn
    assert "<script>x" not in reports[0].text


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/corpus?page=9223372036854775807", {400}),
        ("/corpus?page=99999999999999999999999", {400}),
        ("/corpus?page=-1", {400}),
        ("/corpus?page=abc", {400}),
        ("/corpus?page=1e3", {400}),
        ("/corpus?page=", {400}),
        ("/corpus?page=999999", {200}),  # beyond the last page: the last
        ("/simulate?responsiveness=nan", {400}),
        ("/simulate?responsiveness=inf", {400}),
        ("/simulate?responsiveness=1e309", {400}),
        ("/simulate/plots?repair=-0.0000001", {400}),
        ("/simulate/plots?repair=99999999999999999999999", {400}),
        ("/recordings/" + "0" * 32 + "/report/99999999999999999999999", {404}),
        ("/recordings/" + "0" * 32 + "/report/-1", {404}),
        ("/recordings/%00", {404}),
    ],
)
def test_query_values_out_of_range_are_400_or_clamped(client, url, allowed):
    response = client.get(url)
    assert response.status_code in allowed, (url, response.status_code)


def test_a_page_beyond_the_last_shows_the_last(client):
    page = client.get("/corpus?page=999999")
    assert "day000" in page.text and "day002" in page.text


def test_report_numbers_and_views_are_bounded(client):
    response = upload(client, "day.rttm", rttm(["day"]))
    link = re.search(r'href="(/recordings/[0-9a-f]{32})/report/0"', response.text).group(1)
    assert client.get(f"{link}/report/1").status_code == 404
    assert client.get(f"{link}/report/-1").status_code == 404
    assert client.get(f"{link}/report/99999999999999999999999").status_code == 404
    assert client.get(f"{link}/report/0?view=%3Cscript%3E").status_code == 400
