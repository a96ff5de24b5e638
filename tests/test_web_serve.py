"""`attunement serve`: a non-loopback address needs an access token (exit 2 with one line
otherwise), and every limit flag reaches the dashboard. The server itself is not started:
``attunement.web.server.run`` is replaced by a recorder."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from attunement.cli import app
from attunement.web import server
from attunement.web.limits import MB, ServerLimits

TOKEN = "a-token-of-twenty-chars"


@pytest.fixture
def started(monkeypatch):
    calls = []
    monkeypatch.setattr(server, "run", lambda web, host, port: calls.append((web, host, port)))
    monkeypatch.delenv("ATTUNEMENT_TOKEN", raising=False)
    return calls


def serve(tmp_path, *args, env=None):
    options = ["serve", "--data-dir", str(tmp_path / "data"), *args]
    return CliRunner().invoke(app, options, env=env)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "example.org"])
def test_a_network_address_without_a_token_exits_2_with_one_line(tmp_path, started, host):
    result = serve(tmp_path, "--host", host)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "--token" in lines[0] and "ATTUNEMENT_TOKEN" in lines[0]
    assert started == []


def test_a_short_token_is_refused(tmp_path, started):
    result = serve(tmp_path, "--host", "0.0.0.0", "--token", "short")
    assert result.exit_code == 2
    assert "at least 16 characters" in result.stderr
    assert started == []


def test_a_token_from_the_environment_opens_a_network_address(tmp_path, started):
    result = serve(
        tmp_path,
        "--host",
        "0.0.0.0",
        "--allow-host",
        "192.168.1.5",
        env={"ATTUNEMENT_TOKEN": TOKEN},
    )
    assert result.exit_code == 0, result.stderr
    ((web, host, port),) = started
    assert (host, port) == ("0.0.0.0", 8000)
    assert f"http://ADDRESS:8000/?token={TOKEN}" in result.stderr
    guard = next(m for m in web.user_middleware if m.cls.__name__ == "Guard")
    assert guard.kwargs == {"hosts": ["192.168.1.5"], "token": TOKEN}


def test_loopback_needs_no_token_and_every_limit_flag_arrives(tmp_path, started):
    result = serve(
        tmp_path,
        "--analysis-timeout", "30",
        "--analysis-memory-mb", "512",
        "--workers", "3",
        "--max-upload-mb", "5",
        "--max-uploads", "2",
        "--upload-timeout", "60",
        "--upload-idle-timeout", "7",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    ((web, host, _),) = started
    assert host == "127.0.0.1"
    assert web.state.workers.limits == ServerLimits(
        analysis_timeout_s=30,
        analysis_memory_mb=512,
        workers=3,
        max_upload_bytes=5 * MB,
        max_uploads=2,
        upload_timeout_s=60,
        upload_idle_s=7,
    )


@pytest.mark.parametrize(
    "option",
    [
        ["--analysis-timeout", "0"],
        ["--analysis-memory-mb", "1"],
        ["--workers", "1000"],
        ["--max-uploads", "0"],
        ["--upload-timeout", "1e9"],
        ["--max-upload-mb", "1e308"],
    ],
)
def test_limits_out_of_range_exit_2(tmp_path, started, option):
    result = serve(tmp_path, *option)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert started == []
