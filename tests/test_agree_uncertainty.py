"""Uncertainty on turn results: the simulation-based interval covers the truth in 90-99% of
200 simulated days corrupted by a known error model, and the corrected count's bias is smaller
than the naive one's; no error model, no interval; a perfect error model gives back the count."""

import numpy as np
import pytest

import attunement
from attunement import segments as seg
from attunement.errors import ParameterError
from attunement.measures.agreement.corrupt import corrupt
from attunement.measures.agreement.error_model import ErrorModel, load, preset
from attunement.recording import Recording
from attunement.simulate.session import vocal_stream
from attunement.simulate.specs import SessionParameters
from tests.agreement_helpers import CLASSES, planted

NAMES = (
    "turns_low",
    "turns_high",
    "turns_per_hour_low",
    "turns_per_hour_high",
    "response_rate_low",
    "response_rate_high",
    "turns_bias",
    "turns_corrected",
    "turns_per_hour_corrected",
)


def day(i: int, rng: np.random.Generator, minutes: float = 30) -> Recording:
    params = SessionParameters(
        response_probability=rng.uniform(0.2, 0.9),
        serve_rate_per_min=rng.uniform(1.5, 4),
        adult_talk_per_min=rng.uniform(1, 3),
    )
    on, off, child = vocal_stream(params, minutes=minutes, seed=i)
    kind = np.where(child, "CHI", "FEM")
    frame = seg.build(
        {
            "segment_onset": on,
            "segment_offset": off,
            "speaker_type": kind,
            "speaker_id": kind,
            "kind": ["vocal"] * len(on),
        }
    )
    return Recording(f"d{i}", "", "simulated", frame, duration_ms=round(minutes * 60_000))


def test_vocal_stream_is_the_sessions_vocal_stream():
    from attunement.simulate.session import session

    params = SessionParameters()
    s = session(params, minutes=20, seed=3).recording.segments
    vocal = s.filter(s["kind"] == "vocal")
    on, off, child = vocal_stream(params, minutes=20, seed=3)
    assert sorted(vocal["segment_onset"].to_list()) == sorted(on.tolist())
    assert sorted(vocal["segment_offset"].to_list()) == sorted(off.tolist())
    assert int((vocal["speaker_type"] == "CHI").sum()) == int(child.sum())


def test_no_error_model_no_interval():
    res = attunement.turns(day(0, np.random.default_rng(0)), n_resamples=0)
    assert all(getattr(res, n) is None for n in NAMES) and res.uncertainty is None


def test_a_perfect_error_model_gives_the_count_back():
    perfect = ErrorModel(
        CLASSES,
        dict.fromkeys(CLASSES, 0.0),
        {c: {k: float(k == c) for k in CLASSES} for c in CLASSES},
        dict.fromkeys(CLASSES, 0.0),
        dict.fromkeys(CLASSES),
        0.0,
        "no errors",
    )
    rec = day(1, np.random.default_rng(1), minutes=60)
    res = attunement.turns(rec, n_resamples=100, error_model=perfect, seed=1)
    assert res.turns_low <= res.turns <= res.turns_high
    assert abs(res.turns_bias) < 0.1 * res.turns
    assert res.uncertainty["method"].startswith("regression-adjusted approximate Bayesian")
    assert res.to_dict()["turns_low"] == res.turns_low  # in the JSON by its catalogue name


def test_too_few_resamples_is_a_parameter_error():
    with pytest.raises(ParameterError, match="n_resamples >= 20"):
        attunement.turns(day(2, np.random.default_rng(2)), n_resamples=5, error_model=planted())


def test_presets_cite_their_source_and_are_approximate():
    for name in ("vtc-lavechin2020", "lena-lavechin2020"):
        model = preset(name)
        assert model.approximate and "Lavechin" in model.source and model.notes
        assert load(name).miss_rate == model.miss_rate
    vtc = preset("vtc-lavechin2020")  # Tab. 3: KCHI recall .77, precision .62
    assert vtc.miss_rate["CHI"] == pytest.approx(0.23)
    assert vtc.false_alarm_ratio["CHI"] == pytest.approx(0.77 * 0.38 / 0.62, abs=1e-4)


@pytest.mark.slow
def test_coverage_over_200_simulated_days():
    """Each day: a true day from the session generator, corrupted by the planted model; the
    95% interval for true turns per hour (what the rule counts on the clean day) must contain
    the truth in 90-99% of days; the naive count's bias is reported beside the corrected one."""
    rng = np.random.default_rng(7)
    model = planted()
    hits, naive, corrected = [], [], []
    for i in range(200):
        clean = day(i, rng)
        truth = attunement.turns(clean, n_resamples=0, bins=False)
        observed = corrupt(clean, model, seed=1000 + i)
        res = attunement.turns(observed, n_resamples=100, error_model=model, seed=i, bins=False)
        hits.append(res.turns_per_hour_low <= truth.turns_per_hour <= res.turns_per_hour_high)
        naive.append(res.turns - truth.turns)
        corrected.append(res.turns_corrected - truth.turns)
    coverage = float(np.mean(hits))
    print(
        f"coverage {coverage:.3f}; mean bias naive {np.mean(naive):.1f}, "
        f"corrected {np.mean(corrected):.1f} turns"
    )
    assert 0.90 <= coverage <= 0.99
    assert abs(np.mean(corrected)) < abs(np.mean(naive)) / 3
