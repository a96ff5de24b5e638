"""The dashboard through FastAPI's TestClient: every page, the real .its upload and its numbers,
the upload limit, path traversal, escaping, and bad files (a 4xx page with a message, never 5xx).

Expected numbers: LENA's own count for ``lena/e20160420_165405_010572.its`` is CTC = 370
(``shared/data/real/README.md``), which our ``lena`` rule reproduces (``test_turns_oracles``).
"""

from __future__ import annotations

import asyncio
import gzip
import io
import os
import random
import re
import stat
import warnings
import zipfile

import pytest

with warnings.catch_warnings():  # starlette's notice that its test client will move to httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from attunement.corpus import ingest, measure
from attunement.io import read_file
from attunement.measures.registry import family, request
from attunement.measures.turns import turns
from attunement.web import create_app
from attunement.web.limits import ServerLimits
from attunement.web.uploads import UploadRejected, UploadStore
from tests.conftest import REAL, need
from tests.corpus_helpers import make_days
from tests.web_helpers import BASE, upload

ITS = REAL / "lena" / "e20160420_165405_010572.its"
LIMIT = 4 * 1024 * 1024  # the test app's upload limit; the real .its is 2,986,656 bytes


def message(response) -> str:
    """The readable message of an error page."""
    found = re.search(r'class="error-message">([^<]*)<', response.text)
    return found.group(1) if found else ""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    make_days(folder / "files", 3)
    (folder / "files" / "broken.its").write_text("<ITS><ProcessingUnit><Recording num=")
    db = folder / "store.duckdb"
    ingest([folder / "files"], db, jobs=1)
    measure(str(db), [request("turns:n_resamples=0")], jobs=1)
    return db


RTTM = b"".join(  # a small generated recording: these tests need no shared data
    f"SPEAKER day 1 {t:.1f} 0.8 <NA> <NA> {who} <NA> <NA>\n".encode()
    for t, who in zip(range(0, 40, 2), ["KCHI", "FEM"] * 10, strict=True)
)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("web") / "data"


@pytest.fixture(scope="module")
def client(data_dir, corpus):
    app = create_app(data_dir, corpus=corpus, limits=ServerLimits(max_upload_bytes=LIMIT))
    yield TestClient(app, base_url=BASE)
    app.state.workers.close()


@pytest.fixture(scope="module")
def uploaded(client):
    """The real .its uploaded once: the redirect target."""
    its = need(ITS)
    response = upload(client, its.name, its.read_bytes(), follow_redirects=False)
    assert response.status_code == 303
    return response.headers["location"]


def test_data_dir_is_private(client, data_dir):
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "uploads").stat().st_mode) == 0o700


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/upload",
        "/recordings",
        "/corpus",
        "/corpus/recordings/day001",
        "/simulate",
        "/simulate/plots?responsiveness=0.3&repair=0.8",
        "/static/htmx.min.js",
    ],
)
def test_every_page_answers_200(client, url):
    response = client.get(url)
    assert response.status_code == 200, message(response)
    assert response.headers["x-content-type-options"] == "nosniff"


def test_real_its_upload_shows_lena_turn_count(client, uploaded, data_dir):
    page = client.get(uploaded)
    assert page.status_code == 200
    assert re.search(r'data-measure="turns">370<', page.text)
    assert "e20160420_165405_010572.its" in page.text
    report_url = re.search(r'href="(/recordings/[0-9a-f]{32}/report/0)"', page.text).group(1)
    report = client.get(report_url)
    assert report.status_code == 200
    assert "370" in report.text and "<svg" in report.text
    assert report.headers["content-security-policy"].startswith("default-src 'none'")
    coach = client.get(report_url + "?view=coach")
    assert coach.status_code == 200 and 'id="coach"' in coach.text
    assert client.get(report_url + "?view=other").status_code == 400
    listing = client.get("/recordings")
    assert "e20160420_165405_010572.its" in listing.text
    upload_id = uploaded.rsplit("/", 1)[1]
    stored = data_dir / "uploads" / f"{upload_id}.its"
    assert stored.read_bytes() == ITS.read_bytes()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600


def test_upload_over_the_limit_is_413_and_leaves_nothing(client, data_dir):
    before = set(os.listdir(data_dir / "uploads"))
    body = b"<ITS>" + b"x" * (LIMIT + 1)
    response = upload(client, "big.its", body)
    assert response.status_code == 413
    assert f"{LIMIT:,} bytes" in message(response)
    assert set(os.listdir(data_dir / "uploads")) == before


def _body(name: str, payload: bytes, boundary: str = "b0undary") -> bytes:
    return (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + payload
        + f"\r\n--{boundary}--\r\n".encode()
    )


def test_limit_is_enforced_while_streaming(tmp_path):
    """The store stops consuming the body once the file passes the limit (it never reads the
    rest), and a declared Content-Length beyond the limit is refused before any byte is read."""
    store = UploadStore(tmp_path / "d", ServerLimits(max_upload_bytes=1000))
    body = _body("a.its", b"<ITS>" + b"y" * 100_000)
    consumed = []

    async def chunks():
        for start in range(0, len(body), 100):
            consumed.append(start)
            yield body[start : start + 100]

    kind = "multipart/form-data; boundary=b0undary"
    with pytest.raises(UploadRejected) as caught:
        asyncio.run(store.receive(kind, None, chunks()))
    assert caught.value.status == 413
    assert len(consumed) * 100 < 1000 + 400  # the limit plus one chunk and the part headers
    assert os.listdir(store.folder) == []

    async def never():
        raise AssertionError("read although Content-Length was over the limit")
        yield b""

    with pytest.raises(UploadRejected) as caught:
        asyncio.run(store.receive(kind, str(10**9), never()))
    assert caught.value.status == 413


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.its",
        "/etc/passwd.its",
        "..\\..\\windows\\system32\\x.its",
        "a\x00b.its",
        "<script>alert(1)</script>.rttm",
    ],
)
def test_hostile_names_are_metadata_only(client, data_dir, name):
    before = set(os.listdir(data_dir / "uploads"))
    response = upload(client, name.replace(".its", ".rttm"), RTTM)
    assert response.status_code == 200  # followed the redirect to the recording page
    added = set(os.listdir(data_dir / "uploads")) - before
    upload_id = str(response.url).rsplit("/", 1)[1]
    assert re.fullmatch(r"[0-9a-f]{32}", upload_id)
    assert added == {f"{upload_id}.rttm", f"{upload_id}.json"}
    assert not (data_dir / "etc").exists() and not (data_dir.parent / "etc").exists()
    assert "<script>alert" not in response.text
    assert "\x00" not in response.text


def test_hostile_name_is_escaped_in_listing_and_report(client):
    response = upload(client, "<script>alert(1)</script>.rttm", RTTM)
    assert response.status_code == 200  # the recording page, which names the file
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.rttm" in response.text
    assert "<script>alert(1)" not in response.text
    report = client.get(str(response.url) + "/report/0").text
    assert "<script>alert(1)" not in report
    listing = client.get("/recordings").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.rttm" in listing
    assert "<script>alert(1)" not in listing


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("f.cha", "@Begin\n@Languages:\teng\n@End\n")
    return buffer.getvalue()


def _billion_laughs(root: str) -> bytes:
    entities = "".join(
        f'<!ENTITY e{i + 1} "{f"&e{i};" * 10}">' for i in range(9)
    )  # 10^9 copies of "lol" when expanded
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY e0 "lol">{entities}]>\n'
        f"<{root}>&e9;</{root}>\n"
    ).encode()


def _bad_files() -> list[tuple[str, bytes, int]]:
    """(name, content, expected status)."""
    its = need(ITS).read_bytes()
    return [
        ("truncated.its", its[:5000], 422),
        ("bomb.its", _billion_laughs("ITS"), 422),
        ("bomb.eaf", _billion_laughs("ANNOTATION_DOCUMENT"), 422),
        ("garbage.its", random.Random(0).randbytes(3000), 415),
        ("archive.cha", _zip_bytes(), 415),
        ("compressed.its", gzip.compress(its[:20000]), 415),
        ("empty.its", b"", 400),
        ("blank.cha", b"   \n\n", 415),
        ("program.exe", b"MZ\x90\x00" + random.Random(1).randbytes(200), 415),
        ("noextension", b"@Begin\n", 415),
        ("bad.rttm", b"SPEAKER f 1 zero 1.0 <NA> <NA> CHI <NA> <NA>\n", 422),
        ("bad.csv", b"segment_onset,segment_offset,speaker_type\nx,y,CHI\n", 422),
        ("bad.parquet", b"PAR1" + random.Random(2).randbytes(500), 422),
        ("bad.TextGrid", b'File type = "ooTextFile"\nObject class = "TextGrid"\nxmin = ', 422),
        ("latin.cha", b"@Begin\n\xff\xfe\x00garbage\x00\n*CHI:\t\x80\x81\n", 422),
    ]


def test_bad_files_get_a_readable_4xx_never_5xx(client, data_dir):
    before = set(os.listdir(data_dir / "uploads"))
    seen = {}
    for name, content, expected in _bad_files():
        response = upload(client, name, content)
        seen[name] = (response.status_code, message(response))
        assert 400 <= response.status_code < 500, (name, response.status_code)
        assert response.status_code == expected, (name, seen[name])
        assert len(message(response)) > 20, (name, message(response))
    assert set(os.listdir(data_dir / "uploads")) == before  # nothing kept of a refused file
    assert "line 76" in seen["truncated.its"][1]
    assert "entities" in seen["bomb.its"][1]


def test_malformed_requests_are_4xx(client):
    assert client.post("/upload", content=b"not a form").status_code == 400
    response = client.post(
        "/upload",
        content=b"--x\r\nbroken",
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert response.status_code == 400
    assert client.get("/recordings/../../etc/passwd").status_code == 404
    assert client.get("/recordings/" + "0" * 32).status_code == 404
    assert client.get("/simulate?responsiveness=2").status_code == 400
    assert client.get("/corpus/recordings/no-such-recording").status_code == 404


def test_corpus_pages_show_store_contents(client, corpus):
    page = client.get("/corpus").text
    assert "3 recordings" in page
    assert "day000" in page and "day002" in page
    assert "broken.its" in page  # the failure is listed
    detail = client.get("/corpus/recordings/day001").text
    assert "lena" in detail and "CHI" in detail
    # the stored turn figures, under the catalogue's names and labels, on both pages
    expected = turns(read_file(corpus.parent / "files" / "day001.csv")[0], n_resamples=0).turns
    cell = rf'data-measure="turns">{expected:,}<'
    assert re.search(cell, detail) and len(re.findall(r'data-measure="turns"', page)) == 3
    assert family("turns").figure("response_rate").label in page


def test_corpus_missing_store_explains_itself(tmp_path):
    with TestClient(create_app(tmp_path / "d"), base_url=BASE) as fresh:
        page = fresh.get("/corpus")
        assert page.status_code == 200
        assert "No corpus store is open" in page.text


def test_simulation_numbers_follow_the_sliders(client):
    low = client.get("/simulate/plots?responsiveness=0.1&repair=0.1").text
    high = client.get("/simulate/plots?responsiveness=0.9&repair=0.9").text

    def number(text, name):
        return int(re.search(rf'data-measure="{name}">([\d,]+)<', text).group(1).replace(",", ""))

    # faster repair: more, shorter mismatch episodes in the same 10 minutes
    assert number(high, "mismatch_episodes") > number(low, "mismatch_episodes")
    assert low.count("<svg") == high.count("<svg") == 3
    assert 'data-repair="0.9"' in high
