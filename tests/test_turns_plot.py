"""The turns figure shows the numbers of the result it draws."""

from datetime import datetime

import pytest
from typer.testing import CliRunner

from attunement.cli import app
from attunement.measures.turns import turns
from attunement.report.turns_plot import plot_turns, turns_figure
from tests.turn_helpers import rec


def _result():
    rows = []
    for hour, n in ((0, 3), (1, 1)):
        for i in range(n):
            t = hour * 3600 + i * 60
            rows += [(t, t + 1, "CHI"), (t + 2, t + 3, "FEM")]
    return turns(rec(rows, start=datetime(2024, 1, 1, 9), duration_s=7200), "lena", n_resamples=5)


def test_bars_are_turns_per_recorded_hour_and_median_is_marked():
    res = _result()
    fig = turns_figure(res)
    day, latency = fig.axes
    assert [round(p.get_height(), 6) for p in day.patches] == [3.0, 1.0]
    assert latency.lines[0].get_xdata()[0] == pytest.approx(res.latency_median_s)
    assert "4 turns" in day.get_title()


def test_plot_file_and_cli_option(tmp_path):
    path = plot_turns(_result(), tmp_path / "t.svg")
    assert path.read_text().startswith("<?xml")
    rttm = tmp_path / "a.rttm"
    rttm.write_text(
        "SPEAKER a 1 0 1 <NA> <NA> KCHI <NA> <NA>\nSPEAKER a 1 1.5 2 <NA> <NA> FEM <NA> <NA>\n"
        "SPEAKER b 1 0 1 <NA> <NA> KCHI <NA> <NA>\n"
    )
    result = CliRunner().invoke(app, ["turns", str(rttm), "--plot", str(tmp_path / "p.png")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p-a.png").stat().st_size > 0 and (tmp_path / "p-b.png").exists()
