"""Turn counting side by side: our `lena` and `alternation` rules against serve-return 0.1.0's
`count_turns` and ChildProject 0.4.6's `simple_CTC`, on the real 16 h LENA day (ChildProject's
CSV) and on a synthetic 16 h day of 50,000 segments. Issue target: at least 20x faster.

Each side gets its input in its own form, prepared outside the timing: serve-return a list of
`Utterance` (the key child and adult vocal segments, as its README asks), ChildProject a pandas
frame of the segments; ours the segments table. Every side returns one turn count. The counts
that should agree are checked: our `alternation` equals serve-return's; our `adjacent` (the same
definition) equals ChildProject's. Our sub-millisecond count is timed over enough consecutive
calls to last 20 ms, the peers' slower calls one at a time (``_common.race``, like timeit).
"""

from __future__ import annotations

import pandas as pd
import polars as pl
from ChildProject.pipelines.metricsFunctions import simple_CTC
from serve_return.rule import Roles, Utterance, count_turns

import attunement
from _common import DATA, Comparison, race
from attunement.measures.turns import count_turns as ours_count
from attunement.simulate.daylong import day

TARGET = 20.0


def datasets() -> dict[str, pl.DataFrame]:
    real = attunement.read(DATA / "lena" / "childproject_lena_its.csv").segments
    return {
        "real LENA 16 h (23,289 segments)": real,
        "synthetic 16 h (50,000 segments)": day(50_000, hours=16.0, seed=11),
    }


def serve_return_input(frame: pl.DataFrame) -> list[Utterance]:
    vocal = frame.filter(
        pl.col("kind") == "vocal",
        pl.col("speaker_type").cast(pl.String).is_in(["CHI", "FEM", "MAL"]),
    )
    return [
        Utterance(start=on / 1000, end=off / 1000, speaker=who, text="x")
        for on, off, who in vocal.select(
            "segment_onset", "segment_offset", pl.col("speaker_type").cast(pl.String)
        ).iter_rows()
    ]


def childproject_input(frame: pl.DataFrame) -> pd.DataFrame:
    return frame.select(
        "segment_onset", "segment_offset", pl.col("speaker_type").cast(pl.String)
    ).to_pandas()


def run(repeats: int, warmup: int = 1) -> tuple[list[Comparison], dict]:
    comparisons, counts = [], {}
    roles = Roles.of(["FEM", "MAL"], ["CHI"])
    for label, frame in datasets().items():
        utterances = serve_return_input(frame)
        cp_frame = childproject_input(frame)
        duration = int(frame["segment_offset"].max())
        peers = {
            "serve-return 0.1.0 count_turns": lambda u=utterances: count_turns(u, roles),
            "childproject 0.4.6 simple_CTC": lambda f=cp_frame, d=duration: simple_CTC(f, d)[1],
        }
        counts[label] = {
            "ours lena": ours_count(frame, "lena"),
            "ours alternation": ours_count(frame, "alternation"),
            "ours adjacent": ours_count(frame, "adjacent"),
            "serve-return count_turns": peers["serve-return 0.1.0 count_turns"](),
            "childproject simple_CTC": int(peers["childproject 0.4.6 simple_CTC"]()),
        }
        for rule in ("lena", "alternation"):
            for peer_label, peer in peers.items():
                ours_times, peer_times = race(
                    lambda r=rule, f=frame: ours_count(f, r), peer, repeats, warmup
                )
                comparisons.append(
                    Comparison(
                        name=f"turns `{rule}`, {label}",
                        data=label,
                        ours_label=f"attunement count_turns(rule={rule!r})",
                        peer_label=peer_label,
                        target=TARGET,
                        ours=ours_times,
                        peer=peer_times,
                    )
                )
    return comparisons, {"counts": counts}
