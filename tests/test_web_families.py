"""The dashboard's coach side (issue 15): the upload form's choices (child, privacy, turn rule,
human-readable limit, where data live), family pages with the coach report in two languages,
and deleting a recording or a whole family with a confirmation and the form token, leaving
nothing of it on disk."""

from __future__ import annotations

import html
import re
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from attunement.measures.families.turns import RULE_MEANINGS, RULE_NAMES
from attunement.web import create_app
from attunement.web.limits import MB, ServerLimits
from attunement.web.pages import size_text
from tests.web_helpers import BASE, form_token

RTTM = b"".join(  # 20 minutes: a child and a woman taking turns every 2 s
    f"SPEAKER day 1 {t:.1f} 0.8 <NA> <NA> {who} <NA> <NA>\n".encode()
    for t, who in zip(range(0, 1200, 2), ["KCHI", "FEM"] * 300, strict=True)
)


@pytest.fixture
def client(tmp_path):
    app = create_app(tmp_path / "data", limits=ServerLimits(max_upload_bytes=4 * MB))
    with TestClient(app, base_url=BASE) as c:
        c.data_dir = tmp_path / "data"
        yield c
    app.state.workers.close()


def send(client, name: str, **fields):
    data = {"csrf": form_token(client), **fields}
    return client.post("/upload", data=data, files={"file": (name, RTTM)}, follow_redirects=False)


def leftovers(data_dir, *ids: str) -> list[str]:
    """Every file under ``data_dir`` whose name holds one of ``ids``."""
    return [str(p) for p in data_dir.rglob("*") if any(i in p.name for i in ids)]


def test_sizes_for_people():
    assert [size_text(n) for n in (200 * MB, 3 * MB // 2, 512 * 1024, 900)] == [
        "200 MB",
        "1.5 MB",
        "512 KB",
        "900 bytes",
    ]


def test_the_upload_form_states_limits_choices_and_where_data_live(client):
    page = client.get("/upload").text
    assert "at most 200 MB" not in page and "at most 4 MB" in page
    assert "4,194,304" not in page
    for name in RULE_NAMES:
        assert f'value="{name}"' in page and html.unescape(page).count(RULE_MEANINGS[name]) == 1
    assert 'name="privacy" value="timing"' in page and 'name="birth_date"' in page
    assert str(client.data_dir) in page  # the retention note says where the data live


@pytest.mark.slow  # analyses in worker processes
def test_visits_group_by_child_and_the_family_page_speaks_two_languages(client):
    first = send(client, "monday.rttm", child_name="Ana", birth_date="2024-01-15", rule="window")
    assert first.status_code == 303, first.text
    families = client.get("/families").text
    (family_id,) = re.findall(r'href="/families/([0-9a-f]{32})"', families)
    assert "Ana" in families
    second = send(client, "friday.rttm", child=family_id, privacy="timing")
    assert second.status_code == 303
    upload_id = second.headers["location"].rsplit("/", 1)[1]
    meta = client.get(f"/recordings/{upload_id}").text
    assert "timing only" in meta and f"/families/{family_id}" in meta
    page = client.get(f"/families/{family_id}").text
    assert page.count('href="/recordings/') == 2
    for lang, title in (
        ("en", "Conversations at home with Ana"),
        ("es", "Conversaciones en casa con Ana"),
    ):
        report = client.get(f"/families/{family_id}/report?lang={lang}")
        assert report.status_code == 200
        assert f'<html lang="{lang}">' in report.text and title in report.text
        # 20 minutes each: below the 4-hour minimum, so the gentle sentence and no rates
        assert report.text.count('class="coach quality"') == 2
    assert client.get(f"/families/{family_id}/report?lang=fr").status_code == 400


@pytest.mark.parametrize(
    "fields",
    [{"rule": "nope"}, {"privacy": "all"}, {"birth_date": "2999-01-01"}, {"child": "0" * 32}],
)
def test_bad_form_choices_are_refused_and_leave_no_file(client, fields):
    response = send(client, "day.rttm", **fields)
    assert response.status_code == 400
    assert list((client.data_dir / "uploads").iterdir()) == []


@pytest.mark.slow  # analyses in worker processes
def test_deleting_a_recording_needs_the_token_and_leaves_nothing(client):
    upload_id = send(client, "day.rttm").headers["location"].rsplit("/", 1)[1]
    assert client.get(f"/recordings/{upload_id}/report/0?view=coach").status_code == 200
    assert len(leftovers(client.data_dir, upload_id)) >= 3  # file, metadata, report
    confirm = client.get(f"/recordings/{upload_id}/delete")
    assert 'id="delete-form"' in confirm.text and "cannot be undone" in confirm.text
    refused = client.post(f"/recordings/{upload_id}/delete", data={"csrf": "0" * 64})
    assert refused.status_code == 403 and leftovers(client.data_dir, upload_id)
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', confirm.text).group(1)
    done = client.post(
        f"/recordings/{upload_id}/delete", data={"csrf": token}, follow_redirects=False
    )
    assert done.status_code == 303
    assert leftovers(client.data_dir, upload_id) == []
    assert client.get(f"/recordings/{upload_id}").status_code == 404


@pytest.mark.slow  # analyses in worker processes
def test_deleting_a_family_removes_its_visits_reports_and_name(client):
    send(client, "a.rttm", child_name="Zoe Canary", birth_date="2023-05-01")
    family_id = re.search(r'href="/families/([0-9a-f]{32})"', client.get("/families").text)[1]
    send(client, "b.rttm", child=family_id)
    other = send(client, "other.rttm").headers["location"].rsplit("/", 1)[1]  # no family
    ids = re.findall(
        r'href="/recordings/([0-9a-f]{32})"', client.get(f"/families/{family_id}").text
    )
    assert len(ids) == 2
    assert client.get(f"/families/{family_id}/report?lang=es").status_code == 200
    confirm = client.get(f"/families/{family_id}/delete").text
    assert "2 recordings" in confirm
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', confirm).group(1)
    done = client.post(
        f"/families/{family_id}/delete", data={"csrf": token}, follow_redirects=False
    )
    assert done.status_code == 303
    assert leftovers(client.data_dir, family_id, *ids) == []
    stored = b"".join(p.read_bytes() for p in client.data_dir.rglob("*") if p.is_file())
    assert b"Zoe Canary" not in stored and b"2023-05-01" not in stored
    assert client.get(f"/recordings/{other}").status_code == 200  # another child's stays


@pytest.mark.slow  # ingests and measures a small store
def test_corpus_pages_sort_by_any_column_and_count_their_pages(tmp_path, monkeypatch):
    from attunement.corpus import ingest, measure
    from attunement.measures.registry import request
    from attunement.web import corpus as corpus_pages
    from tests.corpus_helpers import make_days

    make_days(tmp_path / "files", 3)
    db = tmp_path / "store.duckdb"
    ingest([tmp_path / "files"], db, jobs=1)
    measure(str(db), [request("turns:n_resamples=0")], jobs=1)
    monkeypatch.setattr(corpus_pages, "PAGE_SIZE", 2)
    app = create_app(tmp_path / "data", corpus=db)
    with TestClient(app, base_url=BASE) as client:
        turns = {}
        for page in (0, 1):
            text = client.get(f"/corpus?sort=turns&order=desc&page={page}").text
            for rid, n in re.findall(
                r'recordings/(day\d+)">.*?data-measure="turns">([\d,]+)<', text, re.S
            ):
                turns[rid] = int(n.replace(",", ""))
            if page == 0:
                assert "Recordings 1–2 of 3" in text and 'rel="next"' in text
                assert 'aria-sort="descending"' in text and ">child<" in text
        assert len(turns) == 3
        assert list(turns.values()) == sorted(turns.values(), reverse=True)
        ascending = client.get("/corpus?sort=recording_id&order=asc").text
        assert re.findall(r'recordings/(day\d+)">', ascending) == ["day000", "day001"]
        assert client.get("/corpus?sort=nonsense").status_code == 200  # falls back to the id
        assert client.get("/corpus?order=sideways").status_code == 400
        report = client.get("/corpus/recordings/day001/report")
        assert report.status_code == 200 and "day001" in report.text
    app.state.workers.close()
