"""Attachment questionnaire scoring on the real ECR file (51,491 respondents, 36 items): read,
score (validation, reverse keying, subscale means, flags), alpha with Feldt's interval and omega
for both subscales, and Brennan et al.'s categories, in one run (target < 1 s). When pingouin is
installed (``.venv-bench``), its ``cronbach_alpha`` on the same complete-case item matrices runs
side by side against our alpha alone.

Usage: ``python benchmarks/bench_attachment.py [--repeats N]``; writes results/attachment.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from _common import DATA, RESULTS, Comparison, machine, race, table
from attunement.attachment import ScoreResult, cronbach_alpha, score

ECR = DATA / "ecr" / "data.csv"


def full_run() -> ScoreResult:
    return score(ECR, "ecr", scale_min=1, scale_max=5, missing=[0], styles="brennan1998")


def run(repeats: int) -> tuple[dict, list[Comparison]]:
    start = time.perf_counter()
    result = full_run()
    first = time.perf_counter() - start
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        full_run()
        runs.append(time.perf_counter() - start)
    ours = {
        "name": "ECR real file: read + score + alpha/CI + omega + categories",
        "target_s": 1.0,
        "first_s": round(first, 4),
        "median_s": round(statistics.median(runs), 4),
        "best_s": round(min(runs), 4),
        "runs_s": [round(r, 4) for r in runs],
        "figures": {
            k: {m: v[m] for m in ("mean", "sd", "alpha", "alpha_low", "alpha_high", "omega", "n")}
            for k, v in result.subscales.items()
        },
    }
    comparisons = []
    try:
        import pandas as pd
        import pingouin
    except ImportError:
        return ours, comparisons
    result = score(ECR, "ecr", scale_min=1, scale_max=5, missing=[0])
    for sub in ("avoidance", "anxiety"):
        block = result.subscale_items(sub)
        frame = pd.DataFrame(block)
        mine, peer = race(
            lambda b=block: cronbach_alpha(b), lambda f=frame: pingouin.cronbach_alpha(f), repeats
        )
        a, p = cronbach_alpha(block), pingouin.cronbach_alpha(frame)
        comparisons.append(
            Comparison(
                name=f"alpha + Feldt CI, {sub}, 46,610 x 18",
                data="ecr/data.csv complete cases",
                ours_label="attunement cronbach_alpha",
                peer_label=f"pingouin {pingouin.__version__} cronbach_alpha",
                target=1.0,
                ours=mine,
                peer=peer,
                notes={
                    "ours": [round(a.alpha, 6), round(a.ci_low, 3), round(a.ci_high, 3)],
                    "peer": [round(float(p[0]), 6), *map(float, p[1])],
                },
            )
        )
    return ours, comparisons


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    ours, comparisons = run(args.repeats)
    print(
        f"{ours['name']}: median {ours['median_s']:.3f} s, best {ours['best_s']:.3f} s, "
        f"first {ours['first_s']:.3f} s (target < {ours['target_s']:g} s)"
    )
    for sub, fig in ours["figures"].items():
        print(f"  {sub}: " + ", ".join(f"{k} {v}" for k, v in fig.items()))
    if comparisons:
        print(table(comparisons))
        for c in comparisons:
            print(f"  {c.name}: ours {c.notes['ours']}, peer {c.notes['peer']}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "attachment.json").write_text(
        json.dumps(
            {
                "machine": machine(),
                "repeats": args.repeats,
                "ours": ours,
                "comparisons": [c.as_dict() for c in comparisons],
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
