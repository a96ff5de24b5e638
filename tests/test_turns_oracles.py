"""Turn counts against the field's own numbers: LENA's (per conversation block) and
serve-return 0.1.0's (the `alternation` rule) on real recordings."""

import polars as pl
import pytest

import attunement
from attunement.measures.turns import turns
from tests.conftest import REAL, need


def lena(path):
    return turns(attunement.read(need(REAL / path)), "lena", n_resamples=0, bins=False)


def test_lena_rule_on_real_its_gives_370_in_every_block():
    res = lena("lena/e20160420_165405_010572.its")
    assert res.turns == 370
    agreement = res.lena_agreement
    assert agreement["blocks"] == 655
    assert agreement["blocks_agreeing"] == 655
    assert agreement["lena_turns"] == 370
    assert res.warnings == []


def test_lena_rule_on_childproject_csv_gives_526_in_every_block():
    res = lena("lena/childproject_lena_its.csv")
    assert res.turns == 526
    assert res.lena_agreement["blocks"] == 1257
    assert res.lena_agreement["disagreements"] == []


def test_lena_rule_on_test_its_gives_zero():
    res = lena("lena/test.its")
    assert res.turns == 0
    assert res.child_units == 0
    assert res.lena_agreement["blocks"] == 30
    assert res.lena_agreement["blocks_agreeing"] == 30


def test_disagreement_with_lena_is_reported():
    rec = attunement.read(need(REAL / "lena/childproject_lena_its.csv"))
    res = turns(rec, "lena", n_resamples=0, bins=False, window_s=2.0)
    assert res.turns < 526
    assert res.lena_agreement["blocks_agreeing"] < 1257
    assert any("differs from LENA's own turn tags" in w for w in res.warnings)


def _serve_return_count(rec, window=5.0):
    sr = pytest.importorskip("serve_return.rule")
    vocal = rec.segments.filter(
        pl.col("kind") == "vocal",
        pl.col("speaker_type").cast(pl.String).is_in(["CHI", "FEM", "MAL", "ADU"]),
        pl.col("segment_onset").is_not_null(),
    )
    utterances = [
        sr.Utterance(start=on / 1000, end=off / 1000, speaker=t, text="x")
        for on, off, t in vocal.select(
            "segment_onset", "segment_offset", pl.col("speaker_type").cast(pl.String)
        ).iter_rows()
    ]
    return sr.count_turns(utterances, sr.Roles.of(["FEM", "MAL", "ADU"], ["CHI"]), window=window)


@pytest.mark.parametrize(
    "path",
    [
        "lena/childproject_lena_its.csv",
        "lena/e20160420_165405_010572.its",
        "rttm/example_metrics.rttm",
        "chat/brent/f1-1106.cha",
        "elan/example.eaf",
    ],
)
@pytest.mark.parametrize("window", [5.0, 1.0])
def test_alternation_equals_serve_return_on_real_data(path, window):
    rec = attunement.read(need(REAL / path))
    ours = turns(rec, "alternation", window_s=window, n_resamples=0, bins=False).turns
    assert ours == _serve_return_count(rec, window)
    assert ours > 0
