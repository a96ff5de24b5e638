"""Count-level agreement: ICC(2,1) and ICC(3,1) with their 95% CIs equal pingouin's
intraclass_corr; Pearson, Spearman and Bland-Altman by hand; counts per clip on the real ACLEW
annotation against a degraded copy, with fixed windows and with ChildProject's clip list."""

import numpy as np
import polars as pl
import pytest

import attunement
from attunement.measures.agreement.clips import read_clips
from attunement.measures.agreement.corrupt import corrupt
from attunement.measures.agreement.counts import agree_counts
from attunement.measures.agreement.stats import bland_altman, icc
from tests.agreement_helpers import planted
from tests.conftest import REAL, need


def _pingouin(ref, hyp):
    import pandas as pd
    import pingouin

    n = len(ref)
    data = pd.DataFrame(
        {
            "clip": np.tile(np.arange(n), 2),
            "rater": np.repeat(["r", "h"], n),
            "count": np.concatenate([ref, hyp]),
        }
    )
    table = pingouin.intraclass_corr(data, targets="clip", raters="rater", ratings="count")
    return table.set_index("Type")


@pytest.mark.parametrize("seed", range(5))
def test_icc_and_its_interval_equal_pingouin(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 40))
    truth = rng.gamma(3, 10, n)
    ref = np.round(truth + rng.normal(0, 3, n))
    hyp = np.round(0.7 * truth + rng.normal(5, 6, n))
    ours = icc(ref, hyp)
    oracle = _pingouin(ref, hyp)
    for name, row in (("icc_a1", "ICC(A,1)"), ("icc_c1", "ICC(C,1)")):
        assert ours[name] == pytest.approx(oracle.loc[row, "ICC"], abs=1e-10)
        low, high = oracle.loc[row, "CI95"]
        # pingouin rounds its interval to 2 decimals
        assert ours[f"{name}_low"] == pytest.approx(low, abs=0.005 + 1e-9)
        assert ours[f"{name}_high"] == pytest.approx(high, abs=0.005 + 1e-9)


def test_bland_altman_by_hand():
    ref, hyp = np.array([10.0, 20, 30, 40]), np.array([12.0, 18, 35, 41])
    got = bland_altman(ref, hyp)  # differences 2, -2, 5, 1: mean 1.5, SD sqrt(8.333) = 2.887
    assert got["bias"] == 1.5 and got["mean_absolute_error"] == 2.5
    sd = np.std([2, -2, 5, 1], ddof=1)
    assert (got["loa_low"], got["loa_high"]) == pytest.approx((1.5 - 1.96 * sd, 1.5 + 1.96 * sd))


def test_real_annotation_against_a_degraded_copy_in_30_s_clips():
    ref = attunement.read(need(REAL / "elan" / "example.eaf"))
    hyp = corrupt(ref, planted(), seed=2)
    results = {r.count: r for r in agree_counts([ref], [hyp], clip_s=30)}
    chi = results["child_vocalisations"]
    assert chi.clips == 9  # 3.15 s to 300.1 s: nine whole 30-s windows
    per = chi.per_clip
    manual = [
        ref.segments.filter(
            (pl.col("speaker_type") == "CHI")
            & (pl.col("kind") == "vocal")
            & (pl.col("segment_onset") >= on * 1000)
            & (pl.col("segment_onset") < off * 1000)
        ).height
        for on, off in zip(per["onset_s"], per["offset_s"], strict=True)
    ]
    assert per["reference"].to_list() == manual
    assert chi.bias == pytest.approx(float((per["hypothesis"] - per["reference"]).mean()))
    assert chi.pearson_r == pytest.approx(np.corrcoef(per["reference"], per["hypothesis"])[0, 1])
    assert -1 <= chi.icc_a1 <= 1 and chi.icc_a1_low <= chi.icc_a1 <= chi.icc_a1_high
    assert results["adult_words"].clips == 0  # the EAF reader gives no word counts
    assert results["turns"].clips == 9


def test_childproject_clip_list_is_accepted():
    root = need(REAL / "childproject" / "valid_raw_data")
    clips = read_clips(root / "annotations" / "input.csv")
    assert {(c.set, c.onset_s, c.offset_s) for c in clips if "example" in c.names} >= {
        ("eaf_basic", 0.0, 300.0)
    }
    ref = attunement.read(root / "annotations" / "eaf_basic" / "raw" / "example.eaf")
    hyp = corrupt(ref, planted(), seed=4)
    got = agree_counts([ref], [hyp], clips=clips, clip_set="eaf_basic")
    assert got[0].clips == 1 and got[0].per_clip["offset_s"].to_list() == [300.0]
    assert "need at least 3" in got[0].warnings[-1]
    metadata = read_clips(root)  # the dataset folder: metadata/annotations.csv
    assert [(c.set, c.onset_s, c.offset_s) for c in metadata][:1] == [("vtc_present", 0.0, 4.0)]
