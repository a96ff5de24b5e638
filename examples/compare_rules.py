"""The four turn rules on the same real recordings, as a Markdown table for the README.

python examples/compare_rules.py [DATA_DIR] [--only TEXT ...]   # DATA_DIR: ../shared/data/real

--only keeps the rows whose label contains TEXT (tests/test_examples.py runs the small ones).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import attunement
from attunement.measures.turns import RULES

FILES = {
    "LENA .its, 6.3 h, 4-month-old": "lena/e20160420_165405_010572.its",
    "LENA (ChildProject CSV), 16 h": "lena/childproject_lena_its.csv",
    "VTC RTTM, 16 h, Tsimane": "rttm/example_metrics.rttm",
    "CHAT, Brent f1, 75 min, 11 months": "chat/brent/f1-1106.cha",
    "ELAN ACLEW, 5 min": "elan/example.eaf",
}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("root", nargs="?", type=Path, default=Path("../shared/data/real"))
    ap.add_argument("--only", action="append", help="rows whose label contains this (repeat)")
    args = ap.parse_args(argv)
    header = "| recording | " + " | ".join(f"`{r}`" for r in RULES) + " |"
    print(header)
    print("|---|" + "---:|" * len(RULES))
    for label, rel in FILES.items():
        if args.only and not any(text in label for text in args.only):
            continue
        rec = attunement.read(args.root / rel)
        cells = []
        for rule in RULES:
            res = attunement.turns(rec, rule, n_resamples=100, seed=0, bins=False)
            ratio = "" if res.chance_ratio is None else f" ({res.chance_ratio:.1f}× chance)"
            cells.append(f"{res.turns} = {res.turns_per_hour:.0f}/h{ratio}")
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
