"""The definitions version: pinned fingerprints of every built-in figure and parameter default,
so that a changed definition cannot ship under the same version number."""

from __future__ import annotations

from dataclasses import replace

from attunement.measures import definitions, registry


def test_every_pinned_definition_matches_the_catalogue():
    stale = definitions.changed()
    assert not stale, (
        f"definitions changed since version {definitions.VERSION} was pinned: {stale}. If "
        "released numbers now mean something else, raise VERSION in measures/definitions.py; "
        "then re-pin: python -m attunement.measures.definitions --pin"
    )
    assert definitions.pinned()["version"] == definitions.VERSION


def test_a_changed_definition_or_default_is_caught(monkeypatch):
    before = definitions.digest()
    turns = registry.family("turns")
    figures = tuple(
        replace(f, definition=f.definition + " (changed)") if f.name == "turns_per_hour" else f
        for f in turns.figures
    )
    parameters = tuple(
        replace(p, default=2.0) if p.name == "min_shift_s" else p for p in turns.parameters
    )
    changed = replace(turns, figures=figures, parameters=parameters)
    monkeypatch.setitem(registry._FAMILIES, "turns", changed)
    assert definitions.changed() == ["turns.min_shift_s", "turns.turns_per_hour"]
    assert definitions.digest() != before


def test_a_new_figure_needs_no_new_version(monkeypatch):
    turns = registry.family("turns")
    extra = replace(turns.figures[0], name="a_new_figure")
    monkeypatch.setitem(
        registry._FAMILIES, "turns", replace(turns, figures=(*turns.figures, extra))
    )
    assert definitions.changed() == []
