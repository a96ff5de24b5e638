"""``make demo``: write a generated example recording, inspect it and measure serve and return
under two turn rules (and do the same for the real LENA day if ``../shared/data`` is next to the
repository); end with an HTML report of the generated recording and a simulated coded
Still-Face dyad, print its path and the next commands to copy, with the demo's own files."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import numpy as np

from attunement.cli import app

OUT = Path("demo-output")
REAL_ITS = Path("../shared/data/real/lena/e20160420_165405_010572.its")


def generated_rttm(path: Path, hours: float = 1.0, seed: int = 7) -> Path:
    """A VTC-style RTTM of a synthetic hour: child vocalisations, some answered by an adult
    within a second or two, with other voices and noise in between. Seeded, so reproducible."""
    rng = np.random.default_rng(seed)
    lines, t = [], 0.0
    end = hours * 3600
    while t < end:
        t += rng.exponential(8.0)
        child = rng.uniform(0.4, 1.6)
        lines.append((t, child, "KCHI"))
        if rng.random() < 0.45:
            gap = rng.uniform(0.2, 2.0)
            label = "FEM" if rng.random() < 0.7 else "MAL"
            lines.append((t + child + gap, rng.uniform(0.8, 3.0), label))
        if rng.random() < 0.1:
            lines.append((t + rng.uniform(0, 4), rng.uniform(0.5, 2), "CHI"))
        t += child
    text = "".join(
        f"SPEAKER demo_day 1 {onset:.3f} {dur:.3f} <NA> <NA> {label} <NA> <NA>\n"
        for onset, dur, label in sorted(lines)
    )
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    OUT.mkdir(exist_ok=True)
    files = [str(generated_rttm(OUT / "generated_day.rttm"))]
    if REAL_ITS.exists():
        files.append(str(REAL_ITS))
    print(f"attunement demo: inspecting {', '.join(files)}\n", flush=True)
    app(["inspect", *files], prog_name="attunement", standalone_mode=False)
    plot = ["--plot", str(OUT / "turns.png")]
    for rule, extra in (("lena", plot), ("window", ["--window-s", "1"])):
        print(f"\nattunement turns --rule {rule} {' '.join(extra)}\n", flush=True)
        app(
            ["turns", *files, "--rule", rule, *extra], prog_name="attunement", standalone_mode=False
        )
    print(f"\nreport: {demo_report(Path(files[0]), OUT / 'report.html')}", flush=True)
    print("\n" + "\n".join(next_steps(files)), flush=True)


def next_steps(files: list[str]) -> list[str]:
    """What to type next: commands to copy, with the files the demo read and wrote."""
    exe = _executable()
    day, last = shlex.quote(files[0]), shlex.quote(files[-1])
    return [
        "Next, copy one of these (or run `. .venv/bin/activate` once, then type `attunement ...`):",
        f"  {exe} inspect {last}",
        f"  {exe} turns {day} --rule window --window-s 1 --json",
        f"  {exe} report {last} -o {shlex.quote(str(OUT / 'my-report.html'))}",
        f"  {exe} --help",
        f"Open {OUT / 'report.html'} in a browser to read the demo's report.",
    ]


def _executable() -> str:
    """The ``attunement`` command next to this Python (``.venv/bin/attunement`` after ``make
    demo``), relative to the current folder when it is inside it."""
    exe = Path(sys.executable).with_name("attunement")
    if not exe.exists():
        return "attunement"
    return shlex.quote(str(exe.relative_to(Path.cwd()) if exe.is_relative_to(Path.cwd()) else exe))


def demo_report(rttm: Path, path: Path) -> Path:
    """The HTML report of the generated day and of a simulated coded Still-Face dyad (so the
    timeline, turns, latency, grid and repair sections all show), with the coach view first."""
    from attunement.io import read
    from attunement.report.build import recording_report, write
    from attunement.simulate.coded_dyad import Phase, coded_dyad

    dyad = coded_dyad(
        phases=[Phase("FF", 120, 0.7, 0.3), Phase("SF", 120, 0.3, 0.1), Phase("RE", 120, 0.6, 0.2)],
        seed=1,
        recording_id="still_face_dyad",
    ).recording
    return write(recording_report([read(rttm), dyad], coach_view=True), path)


if __name__ == "__main__":
    sys.exit(main())
