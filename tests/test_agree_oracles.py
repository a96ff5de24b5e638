"""Segment-level agreement equals the field's reference implementations: pyannote.metrics
(DetectionErrorRate, IdentificationErrorRate, DetectionPrecisionRecallFMeasure per class, with
and without collars) and the krippendorff package, on random annotations with every kind of
overlap and on the real ACLEW annotation against a degraded copy. Where our definition differs
(two segments of one class at once count once), the test shows both."""

import warnings

import numpy as np
import pytest

import attunement
from attunement.measures.agreement import agree
from attunement.measures.agreement.corrupt import corrupt
from attunement.measures.agreement.frames import frame_pieces, labels
from attunement.measures.agreement.timeline import class_intervals
from tests.agreement_helpers import CLASSES, planted, pyannote_annotation, random_recording
from tests.conftest import REAL, need

pytest.importorskip("pyannote.metrics")


def _oracle(ref, hyp, region_s, collar_s):
    from pyannote.core import Segment, Timeline
    from pyannote.metrics.detection import (
        DetectionErrorRate,
        DetectionPrecisionRecallFMeasure,
    )
    from pyannote.metrics.identification import IdentificationErrorRate

    uem = Timeline([Segment(a, b) for a, b in region_s])
    r, h = pyannote_annotation(ref), pyannote_annotation(hyp)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        der = DetectionErrorRate(collar=collar_s)(r, h, uem=uem, detailed=True)
        ier = IdentificationErrorRate(collar=collar_s)(r, h, uem=uem, detailed=True)
        per = {}
        for c in CLASSES:
            metric = DetectionPrecisionRecallFMeasure(collar=collar_s)
            metric(r.subset([c]), h.subset([c]), uem=uem)
            per[c] = metric.compute_metrics()
    return der, ier, per


def _check(ours, der, ier, per):
    assert ours.detection_error_rate == pytest.approx(der["detection error rate"], abs=1e-9)
    assert ours.false_alarm_s == pytest.approx(der["false alarm"], abs=1e-6)
    assert ours.missed_detection_s == pytest.approx(der["miss"], abs=1e-6)
    assert ours.reference_speech_s == pytest.approx(der["total"], abs=1e-6)
    assert ours.identification_error_rate == pytest.approx(
        ier["identification error rate"], abs=1e-9
    )
    assert ours.reference_s == pytest.approx(ier["total"], abs=1e-6)
    assert ours.correct_s == pytest.approx(ier["correct"], abs=1e-6)
    assert ours.confusion_s == pytest.approx(ier["confusion"], abs=1e-6)
    assert ours.identification_missed_s == pytest.approx(ier["missed detection"], abs=1e-6)
    assert ours.identification_false_alarm_s == pytest.approx(ier["false alarm"], abs=1e-6)
    for c in CLASSES:
        p, r, f = per[c]
        got = ours.per_class[c]
        assert (got["precision"], got["recall"], got["f1"]) == pytest.approx((p, r, f), abs=1e-9)
    matrix = ours.confusion_matrix_s
    off = sum(matrix[a][b] for a in CLASSES for b in CLASSES if a != b)
    assert off == pytest.approx(ours.confusion_s, abs=1e-6)
    assert sum(matrix[c]["none"] for c in CLASSES) == pytest.approx(
        ours.identification_missed_s, abs=1e-6
    )
    if ours.collar_s:  # per-class scores use the class's own collars, the matrix everyone's
        return
    for c in CLASSES:  # rows sum to the reference time of the class, columns to the hypothesis's
        assert sum(matrix[c].values()) == pytest.approx(ours.per_class[c]["reference_s"], abs=1e-6)
        column = sum(matrix[a][c] for a in matrix)
        assert column == pytest.approx(ours.per_class[c]["hypothesis_s"], abs=1e-6)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("collar_s", [0.0, 0.5])
def test_random_annotations_equal_pyannote(seed, collar_s):
    ref = random_recording(seed, name="ref")
    hyp = random_recording(seed + 100, name="hyp")
    clips = [(10.0, 200.0), (250.0, 590.0)] if seed % 2 else None
    ours = agree(ref, hyp, collar_s=collar_s, clips=clips)
    region = clips or [(ours_span(ref, hyp))]
    _check(ours, *_oracle(ref, hyp, region, collar_s))


def ours_span(ref, hyp):
    from attunement.measures.agreement.timeline import span

    (a0, a1), (b0, b1) = span(ref.segments), span(hyp.segments)
    return max(a0, b0) / 1000, min(a1, b1) / 1000


@pytest.mark.parametrize("collar_s", [0.0, 0.25])
def test_real_aclew_annotation_against_a_degraded_copy_equals_pyannote(collar_s):
    ref = attunement.read(need(REAL / "elan" / "example.eaf"))
    hyp = corrupt(ref, planted(), seed=3)
    ours = agree(ref, hyp, collar_s=collar_s)
    _check(ours, *_oracle(ref, hyp, [ours_span(ref, hyp)], collar_s))
    assert 0.1 < ours.identification_error_rate < 0.6


def test_two_voices_of_one_class_count_once_where_pyannote_counts_twice():
    """The ACLEW file has overlapping FA1 and FA2 (both FEM) and UC1-UC3 (OCH): pyannote on the
    raw segments counts two women speaking at once twice in its total; ours (and pyannote on
    the merged classes) once."""
    from pyannote.core import Segment, Timeline
    from pyannote.metrics.identification import IdentificationErrorRate

    ref = attunement.read(need(REAL / "elan" / "example.eaf"))
    ours = agree(ref, ref)
    uem = Timeline([Segment(*ours_span(ref, ref))])
    raw = pyannote_annotation(ref, merged=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        twice = IdentificationErrorRate()(raw, raw, uem=uem, detailed=True)
        once = IdentificationErrorRate()(
            pyannote_annotation(ref), pyannote_annotation(ref), uem=uem, detailed=True
        )
    assert once["total"] == pytest.approx(ours.reference_s, abs=1e-6)
    assert twice["total"] > once["total"] + 1.0  # seconds of same-class overlap
    assert ours.identification_error_rate == 0 == twice["identification error rate"]


def _frame_labels(recs, region_ms, frame_ms):
    sides = [class_intervals(r.segments, CLASSES) for r in recs]
    p = frame_pieces(sides, region_ms, frame_ms)
    lab = labels(p)  # per piece; expand to frames
    return np.repeat(lab, p.duration.astype(int), axis=1)


@pytest.mark.parametrize("seed", range(4))
def test_alpha_equals_the_krippendorff_package_for_two_and_three_annotators(seed):
    import krippendorff

    recs = [random_recording(seed + 10 * k, name=f"r{k}") for k in range(3)]
    two = agree(recs[0], recs[1], frame_s=0.05, clips=[(0.0, 590.0)])
    three = agree(*recs, frame_s=0.05, clips=[(0.0, 590.0)])
    region = np.array([[0.0, 590_000.0]])
    data = _frame_labels(recs, region, 50.0)
    assert data.shape == (3, 11_800)
    assert two.krippendorff_alpha == pytest.approx(
        krippendorff.alpha(data[:2], level_of_measurement="nominal"), abs=1e-10
    )
    assert three.krippendorff_alpha == pytest.approx(
        krippendorff.alpha(data, level_of_measurement="nominal"), abs=1e-10
    )
    assert three.annotators == 3 and len(three.others) == 1
    assert three.others[0].hypothesis == "r2.csv"


def test_frames_follow_childproject_segments_to_grid_by_hand():
    """ChildProject's rule: frames floor(on / f) up to, not including, floor(off / f): a
    segment 15-34 ms on 10 ms frames marks frames 1 and 2 (10-30 ms)."""
    from attunement.measures.agreement.frames import to_frames

    got = to_frames(
        np.array([[15.0, 34.0], [0.0, 9.0], [95.0, 120.0]]), np.array([[0.0, 100.0]]), 10
    )
    assert got.tolist() == [[1.0, 3.0], [9.0, 10.0]]  # 0-9 ms marks nothing; clipped at 100 ms


def test_kappa_by_hand():
    """Two annotations of 100 s, 10 ms frames: CHI in 0-40 s (ref) and 20-60 s (hyp). Frames:
    both 2000, ref only 2000, hyp only 2000, neither 4000: p_o = .6, p_e = .4 x .4 + .6 x .6 =
    .52, kappa = .08 / .48 = 1/6."""
    from attunement import segments as seg
    from attunement.recording import Recording

    def rec(on, off, name):
        frame = seg.build(
            {
                "segment_onset": [on, 99_000],
                "segment_offset": [off, 100_000],
                "speaker_type": ["CHI", "SIL"],
                "speaker_id": ["CHI", "SIL"],
                "kind": ["vocal", "vocal"],
            }
        )
        return Recording(id=name, path=name, format="table", segments=frame)

    a, b = rec(0, 40_000, "a"), rec(20_000, 60_000, "b")
    res = agree(a, b, clips=[(0.0, 100.0)])
    assert res.kappa["CHI"] == pytest.approx(1 / 6)
    # without clips the compared part starts where both have begun (20 s): 2000 both, 0 ref
    # only, 2000 hyp only, 4000 neither: p_o = .75, p_e = .5, kappa = .5
    assert agree(a, b).kappa["CHI"] == pytest.approx(0.5)
    assert res.kappa["FEM"] is None and "FEM: no segment in the reference" in res.warnings[0]
