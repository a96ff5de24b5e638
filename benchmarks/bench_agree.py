"""Agreement on a 16-hour pair, side by side: attunement's agree against pyannote.metrics
(IdentificationErrorRate + DetectionPrecisionRecallFMeasure per class) and ChildProject 0.4.6's
grid path (segments_to_grid for both sides at 10 ms, conf_matrix, grid_to_vector), on the real
16 h LENA CSV against a copy degraded by a stated error model; the numbers must be identical.
Then the error-model interval of one 16 h day with 200 simulated days.

Usage (inside .venv-bench, which holds ChildProject and pyannote.metrics):
``python benchmarks/bench_agree.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from tests.agreement_helpers import planted, pyannote_annotation  # noqa: E402

import attunement  # noqa: E402
from attunement.measures.agreement import agree  # noqa: E402
from attunement.measures.agreement.corrupt import corrupt  # noqa: E402
from attunement.measures.agreement.timeline import span  # noqa: E402

CLASSES = ("CHI", "FEM", "MAL", "OCH")
DATA = HERE.parent.parent / "shared" / "data" / "real" / "lena" / "childproject_lena_its.csv"


def best(f, repeats):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    ref = attunement.read(DATA)
    hyp = corrupt(ref, planted(), seed=1)
    (a0, a1), (b0, b1) = span(ref.segments), span(hyp.segments)
    lo, hi = max(a0, b0), min(a1, b1)
    agree(ref, hyp)  # warm imports
    ours_s, ours = best(lambda: agree(ref, hyp), args.repeats)

    from pyannote.core import Segment, Timeline
    from pyannote.metrics.detection import DetectionPrecisionRecallFMeasure
    from pyannote.metrics.identification import IdentificationErrorRate

    r, h = pyannote_annotation(ref), pyannote_annotation(hyp)
    uem = Timeline([Segment(lo / 1000, hi / 1000)])

    def pyannote_run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ier = IdentificationErrorRate()(r, h, uem=uem, detailed=True)
            per = {}
            for c in CLASSES:
                m = DetectionPrecisionRecallFMeasure()
                m(r.subset([c]), h.subset([c]), uem=uem)
                per[c] = m.compute_metrics()
        return ier, per

    py_s, (ier, per) = best(pyannote_run, 1)
    assert abs(ier["identification error rate"] - ours.identification_error_rate) < 1e-9
    for c in CLASSES:
        assert np.allclose(per[c], [ours.per_class[c][k] for k in ("precision", "recall", "f1")])

    import pandas as pd
    from ChildProject.metrics import conf_matrix, grid_to_vector, segments_to_grid

    def frame(rec):
        s = rec.segments.select("segment_onset", "segment_offset", "speaker_type", "kind")
        s = s.filter(s["kind"].cast(str).is_in(["vocal", "cry", "vegetative"]))
        return pd.DataFrame(
            {
                "segment_onset": s["segment_onset"].to_numpy(),
                "segment_offset": s["segment_offset"].to_numpy(),
                "speaker_type": s["speaker_type"].cast(str).to_list(),
            }
        )

    fr, fh = frame(ref), frame(hyp)

    def childproject_run():
        g1 = segments_to_grid(fr, int(lo), int(hi), 10, "speaker_type", list(CLASSES), overlap=True)
        g2 = segments_to_grid(fh, int(lo), int(hi), 10, "speaker_type", list(CLASSES), overlap=True)
        labels = [*CLASSES, "overlap", "none"]
        vectors = grid_to_vector(g1, labels), grid_to_vector(g2, labels)
        return g1, g2, conf_matrix(g1, g2), vectors

    cp_s, (g1, g2, _, _) = best(childproject_run, 1)
    for j, c in enumerate(CLASSES):  # kappa of the grid columns equals ours
        a, b = g1[:, j].astype(bool), g2[:, j].astype(bool)
        n = len(a)
        po = (a == b).mean()
        pe = a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean())
        kappa = (po - pe) / (1 - pe)
        assert abs(kappa - ours.kappa[c]) < 1e-9, (c, kappa, ours.kappa[c])
    assert n == round((hi - lo) / 10)

    t = time.perf_counter()
    res = attunement.turns(ref, n_resamples=0, bins=False)
    base = time.perf_counter() - t
    t = time.perf_counter()
    res = attunement.turns(ref, n_resamples=200, error_model=planted(), bins=False)
    interval = time.perf_counter() - t - base
    print(
        f"16 h pair: {ref.segments.height:,} and {hyp.segments.height:,} segments, "
        f"{(hi - lo) / 3.6e6:.1f} h compared, {n:,} frames of 10 ms"
    )
    print(f"attunement agree (all figures incl. kappa and alpha): {ours_s:.3f} s")
    print(f"pyannote.metrics IER + 4 x per-class F: {py_s:.3f} s  ({py_s / ours_s:.1f}x)")
    print(
        f"ChildProject 0.4.6 segments_to_grid x2 + conf_matrix + grid_to_vector x2: "
        f"{cp_s:.3f} s  ({cp_s / ours_s:.1f}x)"
    )
    print(
        "identical numbers: IER, per-class precision/recall/F1 (pyannote), kappa per class "
        "(ChildProject's grids)"
    )
    print(
        f"error-model interval, one 16 h day, 200 simulated days: {interval:.2f} s "
        f"(turns {res.turns}, 95% range {res.turns_low}-{res.turns_high})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
