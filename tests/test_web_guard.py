"""Local means local: host names, the access token and cross-site requests (attunement.web.guard).

No analysis runs here: refused requests never reach one, and the accepted uploads are checked
only up to their redirect or the form's own refusal of a bad file type.
"""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from attunement.web import create_app
from attunement.web.guard import host_name
from tests.web_helpers import BASE, form_token

TOKEN = "correct-horse-battery-staple"
NOT_A_RECORDING = ("notes.txt", b"hello")  # refused by type (415) once past the guard


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(tmp_path_factory.mktemp("guard") / "data", hosts=["tablet.local"])


@pytest.fixture
def client(app):
    return TestClient(app, base_url=BASE)


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1:8000", 200),
        ("localhost", 200),
        ("LOCALHOST:1234", 200),
        ("[::1]:8000", 200),
        ("tablet.local:8000", 200),  # added with hosts=
        ("evil.example", 400),
        ("evil.example:8000", 400),
        ("127.0.0.1.evil.example", 400),
        ("localhost.", 400),
        ("", 400),
    ],
)
def test_only_loopback_and_added_host_names_are_answered(client, host, status):
    response = client.get("/", headers={"host": host})
    assert response.status_code == status
    if status == 400:
        assert "only to its own address" in response.text


def test_host_names_are_compared_without_port_and_case():
    assert host_name("[::1]:8000") == host_name("::1") == "[::1]"
    assert host_name("LocalHost:80") == "localhost"
    assert host_name("192.168.1.5:8000") == "192.168.1.5"


def test_cross_site_post_without_token_is_403_and_stores_nothing(client, app):
    before = sorted(app.state.uploads.folder.iterdir())
    name, content = NOT_A_RECORDING
    bare = client.post("/upload", files={"file": (name, content)})
    assert bare.status_code == 403
    assert "upload form" in bare.text
    foreign = TestClient(app, base_url=BASE)  # another browser session's token
    stolen = form_token(foreign)
    other = client.post("/upload", data={"csrf": stolen}, files={"file": (name, content)})
    assert other.status_code == 403
    assert sorted(app.state.uploads.folder.iterdir()) == before


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "http://evil.example"},
        {"origin": "null"},
        {"origin": "http://127.0.0.1:9999"},
        {"referer": "http://evil.example/page.html"},
    ],
)
def test_post_from_another_origin_is_403_even_with_a_valid_token(client, headers):
    token = form_token(client)
    name, content = NOT_A_RECORDING
    response = client.post(
        "/upload", data={"csrf": token}, files={"file": (name, content)}, headers=headers
    )
    assert response.status_code == 403
    assert "another site" in response.text


@pytest.mark.parametrize(
    "headers", [{}, {"origin": BASE}, {"referer": f"{BASE}/upload"}, {"ORIGIN": BASE.upper()}]
)
def test_post_from_the_dashboard_with_its_token_passes_the_guard(client, headers):
    token = form_token(client)
    name, content = NOT_A_RECORDING
    response = client.post(
        "/upload", data={"csrf": token}, files={"file": (name, content)}, headers=headers
    )
    assert response.status_code == 415  # past the guard: refused for its type, not its origin


def test_the_session_cookie_is_httponly_and_samesite(app):
    response = TestClient(app, base_url=BASE).get("/upload")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("attunement_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.fixture(scope="module")
def locked(tmp_path_factory):
    return create_app(tmp_path_factory.mktemp("token") / "data", token=TOKEN)


def test_with_a_token_every_request_must_carry_it(locked):
    client = TestClient(locked, base_url=BASE, follow_redirects=False)
    for url in ("/", "/upload", "/recordings", "/static/style.css", "/corpus"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert "access token" in response.text
    assert client.get("/?token=wrong-token-of-some-length").status_code == 401
    assert client.get("/", headers={"authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_a_token_link_sets_a_cookie_and_drops_the_token_from_the_address(locked):
    client = TestClient(locked, base_url=BASE, follow_redirects=False)
    link = client.get(f"/recordings?token={TOKEN}&x=1")
    assert link.status_code == 303
    assert link.headers["location"] == "/recordings?x=1"
    cookie = link.headers["set-cookie"]
    assert cookie.startswith(f"attunement_access={TOKEN};")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/recordings").status_code == 200  # the cookie is enough from now on
    assert client.get("/static/style.css").status_code == 200


def test_with_a_token_the_host_and_origin_rules_still_hold(locked):
    client = TestClient(locked, base_url=BASE, headers={"authorization": f"Bearer {TOKEN}"})
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    token = form_token(client)
    name, content = NOT_A_RECORDING
    response = client.post(
        "/upload",
        data={"csrf": token},
        files={"file": (name, content)},
        headers={"origin": "http://evil.example"},
    )
    assert response.status_code == 403
