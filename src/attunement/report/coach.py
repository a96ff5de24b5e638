"""The coach view: a short, strengths-based summary for a parent or home visitor.

Its sentences are data (``coach_templates.json``): each has an ``id``, the ``text`` with
``{fact}`` fields, and ``needs`` (facts that must be present and non-zero for the sentence to be
said) or ``needs_none`` (said only when those facts are absent or zero). A home-visiting
programme adapts the wording by giving its own JSON file with the same keys (``load_templates``);
entries it leaves out keep ours. Facts are rounded for people here: whole counts with thousands
separators, whole percentages, times in words. The researcher's numbers are elsewhere.

The serve-and-return framing follows the Center on the Developing Child at Harvard University
("Serve and Return"); rupture and repair follows Tronick & Gianino (1986) and Tronick (1989).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from attunement.errors import ReadError
from attunement.measures.repair import RepairResult
from attunement.measures.turns import TurnResult

Templates = dict[str, Any]


def load_templates(path: str | Path | None = None) -> Templates:
    """Our templates, with the keys of the JSON file at ``path`` (if given) replacing ours; a
    list of sentences replaces ours sentence by sentence (matched on ``id``; new ids are added)."""
    text = resources.files(__package__).joinpath("coach_templates.json").read_text("utf-8")
    templates = json.loads(text)
    if path is None:
        return templates
    try:
        custom = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ReadError(path, f"cannot read the coach templates ({exc})") from None
    if not isinstance(custom, dict):
        raise ReadError(path, "coach templates must be a JSON object")
    for key, value in custom.items():
        if isinstance(value, list) and isinstance(templates.get(key), list):
            merged = {s["id"]: s for s in templates[key]}
            for sentence in value:
                if not isinstance(sentence, dict) or "id" not in sentence or "text" not in sentence:
                    raise ReadError(path, f"each sentence in {key!r} needs an id and a text")
                merged[sentence["id"]] = sentence
            templates[key] = list(merged.values())
        else:
            templates[key] = value
    return templates


def count(value: float | int) -> str:
    """A count for people: a whole number with thousands separators."""
    return f"{round(value):,}"


def percent(share: float) -> str:
    """A share as a whole percentage (no sign)."""
    return f"{round(100 * share)}"


def seconds(value: float) -> str:
    """A duration in words: "about 1 second", "3 seconds", "2 minutes"."""
    if value < 90:
        n = max(1, round(value))
        return f"{n} second" + ("" if n == 1 else "s")
    n = round(value / 60)
    return f"{n} minute" + ("" if n == 1 else "s")


def turn_facts(result: TurnResult) -> dict[str, str]:
    """The rounded facts of a ``TurnResult`` (absent when not measurable)."""
    facts = {
        "listened": "yes",
        "hours": f"{result.recorded_s / 3600:.1f}",
        "turns": count(result.turns),
        "child_serves": count(result.child_serves),
        "child_sounds": count(result.child_units),
        "window_s": f"{result.parameters['window_s']:g}",
        "longest_exchange": count(result.longest_exchange),
    }
    if result.turns_per_hour is not None:
        facts["turns_per_hour"] = count(result.turns_per_hour)
    if result.response_rate is not None:
        facts["answered_pct"] = percent(result.response_rate)
    if result.latency_median_s is not None:
        facts["answer_time"] = seconds(result.latency_median_s)
    bins = result.bins_1h
    if bins is not None and bins.height and bins["turns"].max() > 0:
        best = bins.row(int(bins["turns"].arg_max()), named=True)
        facts["liveliest_turns"] = count(best["turns"])
        facts["liveliest_hour"] = (
            best["bin_start"].strftime("%H:%M")
            if best["bin_start"] is not None
            else f"hour {int(best['elapsed_s'] // 3600) + 1} of the recording"
        )
    return facts


def repair_facts(result: RepairResult) -> dict[str, str]:
    """The rounded facts of a ``RepairResult``."""
    facts = {
        "mismatch_episodes": count(result.mismatch_episodes),
        "repairs": count(result.repairs),
        "child_repairs": count(result.repaired_by_child),
        "caregiver_repairs": count(result.repaired_by_caregiver),
    }
    if result.matching_proportion is not None:
        facts["in_step_pct"] = percent(result.matching_proportion)
    if result.repair_latency_median_s is not None:
        facts["repair_time"] = seconds(result.repair_latency_median_s)
    return facts


FACTS = {"turns": turn_facts, "repair": repair_facts}


def facts(results: dict[str, Any]) -> dict[str, str]:
    """The rounded facts of every result (by family name) that the coach sentences speak of."""
    out: dict[str, str] = {}
    for family, make in FACTS.items():
        if results.get(family) is not None:
            out.update(make(results[family]))
    return out


def _present(facts: dict[str, str], name: str) -> bool:
    value = facts.get(name)
    return value is not None and value.strip("0.,%") != ""


def sentences(facts: dict[str, str], kind: str, templates: Templates | None = None) -> list[str]:
    """The sentences of ``kind`` (``recording``, ``corpus`` or ``scores``) whose conditions the
    ``facts`` meet, filled in, in template order."""
    templates = templates or load_templates()
    said = []
    for sentence in templates.get(kind, []):
        if not all(_present(facts, f) for f in sentence.get("needs", [])):
            continue
        if any(_present(facts, f) for f in sentence.get("needs_none", [])):
            continue
        said.append(sentence["text"].format_map(facts))
    return said
