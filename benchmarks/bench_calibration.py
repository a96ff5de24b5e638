"""The full calibration (ABC-SMC, ``attunement simulate calibrate``) timed on this machine.
Issue target: under 20 minutes on the 2-core machine; ``--quick`` (the tests' mode) under 2.

    python benchmarks/bench_calibration.py [--quick] [--seed 0]

Writes benchmarks/results/calibration[_quick].json: the seconds, the simulations per block,
the load average before and after (the machine is shared: a loaded run is slower), the posterior
means and the whole target table.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numba

from _common import RESULTS, machine
from attunement.simulate.calibration import calibrate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    target = 120.0 if args.quick else 1200.0
    calibrate(args.seed, quick=True, particles=4, rounds=1, predictive_draws=1)  # compile once
    load_before = os.getloadavg()
    start = time.perf_counter()
    result = calibrate(args.seed, quick=args.quick)
    seconds = time.perf_counter() - start
    load_after = os.getloadavg()
    out = {
        "quick": args.quick,
        "seed": args.seed,
        "seconds": round(seconds, 1),
        "target_s": target,
        "target_met": seconds < target,
        "numba_threads": numba.get_num_threads(),
        "load_average_before_after": [round(x, 2) for x in (*load_before, *load_after)],
        "simulations": result.settings["simulations"],
        "tolerances": result.settings["tolerances"],
        "posterior_mean": result.fitted,
        "posterior_interval": result.settings["posterior_interval"],
        "table": result.rows(),
        "machine": machine(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "calibration_quick.json" if args.quick else "calibration.json"
    (RESULTS / name).write_text(json.dumps(out, indent=2) + "\n")
    print(
        f"calibration{' --quick' if args.quick else ''}: {seconds:.0f} s (target < {target:.0f} s: "
        f"{'met' if seconds < target else 'NOT met'}); load average {load_before[0]:.1f} -> "
        f"{load_after[0]:.1f}"
    )


if __name__ == "__main__":
    main()
