"""The family view (issue 15): reliable change, hour slices, strength moments, the data-quality
gate, languages (deny-list in every language, no English left in the Spanish page), and the
command line on three visits (two simulated at rising responsiveness and the real .its)."""

from __future__ import annotations

import json
import math
import re
from datetime import date
from html.parser import HTMLParser
from types import SimpleNamespace

import polars as pl
import pytest
from typer.testing import CliRunner

from attunement import segments as seg
from attunement.cli import app
from attunement.measures.registry import family
from attunement.recording import Recording
from attunement.report import progress, strengths
from attunement.report.family import SHOWN, family_report
from attunement.report.i18n import LANGUAGES, _file, language
from attunement.simulate.daylong import day
from tests.conftest import REAL, need

ITS = REAL / "lena" / "e20160420_165405_010572.its"
HOUR = 3_600_000


def recording(segments: list[tuple[int, int, str]], rid: str = "r", **kw) -> Recording:
    frame = seg.build(
        {
            "segment_onset": [s[0] for s in segments],
            "segment_offset": [s[1] for s in segments],
            "speaker_type": [s[2] for s in segments],
            "speaker_id": [s[2] for s in segments],
            "kind": ["vocal"] * len(segments),
        }
    )
    return Recording(id=rid, path="", format="table", segments=frame, **kw)


def simulated(rid: str, hours: float, contingency: float, seed: int) -> Recording:
    segments = day(int(2000 * hours), hours=hours, contingency=contingency, seed=seed)
    return Recording(id=rid, path="", format="simulated", segments=segments)


# -- reliable change ------------------------------------------------------------------------


def test_reliable_change_against_a_hand_computed_band():
    first = progress.Estimate(100.0, 5.0, "hours")
    half = 1.96 * math.sqrt(5.0**2 + 5.0**2)  # 13.859
    assert progress.band(first, progress.Estimate(120.0, 5.0, "hours")) == pytest.approx(half)
    assert progress.change(first, progress.Estimate(100 + half + 0.01, 5.0, "hours")) == "more"
    assert progress.change(first, progress.Estimate(100 + half - 0.01, 5.0, "hours")) == "same"
    assert progress.change(first, progress.Estimate(100 - half - 0.01, 5.0, "hours")) == "fewer"
    assert progress.change(first, progress.Estimate(150.0, None, None)) == "not_enough_data"
    assert progress.change(None, first) == "not_enough_data"


def test_an_error_models_interval_replaces_the_hourly_error():
    result = SimpleNamespace(turns_per_hour=50.0, turns_per_hour_low=40.0, turns_per_hour_high=60.0)
    hours = [{"turns_per_hour": v} for v in (10.0, 90.0, 50.0)]
    e = progress.estimate(result, "turns_per_hour", hours)
    assert (e.basis, e.se) == ("interval", pytest.approx(20 / 3.92))
    assert e.range() == pytest.approx((40.0, 60.0))
    plain = SimpleNamespace(turns_per_hour=50.0)
    e = progress.estimate(plain, "turns_per_hour", hours)  # SD 40 over 3 hours
    assert (e.basis, e.se) == ("hours", pytest.approx(40 / math.sqrt(3)))
    assert progress.estimate(plain, "turns_per_hour", hours[:2]).se is None  # too few hours


def test_hour_slices_follow_the_recorded_pieces_and_shift_the_segments():
    pieces = [
        {"start_ms": 0, "end_ms": int(1.5 * HOUR), "start_clock": None},
        {"start_ms": int(1.5 * HOUR), "end_ms": int(2.5 * HOUR), "start_clock": None},
    ]
    rec = recording(
        [
            (10_000, 11_000, "CHI"),
            (HOUR + 5_000, HOUR + 6_000, "FEM"),
            (2 * HOUR, 2 * HOUR + 1, "CHI"),
        ],
        duration_ms=int(2.5 * HOUR),
        extra={"recordings": pieces},
    )
    slices = progress.hour_slices(rec)
    assert [s for _, s in slices] == [3600.0, 3600.0, 1800.0]
    assert [sub.segments["segment_onset"].to_list() for sub, _ in slices] == [
        [10_000],
        [5_000],
        [0],
    ]


def test_hour_figures_count_each_full_hour_and_leave_out_the_partial_one():
    # hour 1: three child sounds each answered 1 s later (3 turns); hour 2: none; 30 min more
    talk = []
    for start in (60_000, 600_000, 1_200_000):
        talk += [(start, start + 1000, "CHI"), (start + 2000, start + 3000, "FEM")]
    talk.append((HOUR + 60_000, HOUR + 61_000, "MAL"))
    rec = recording(talk, duration_ms=int(2.5 * HOUR))
    parameters = {"rule": "window", "n_resamples": 0}
    hours = progress.hour_figures(rec, parameters)
    assert [h["turns_per_hour"] for h in hours] == [3.0, 0.0]
    assert hours[0]["response_rate"] == 1.0


# -- strength moments -----------------------------------------------------------------------


def test_strength_moments_merge_close_exchanges_and_subtract_chance():
    pairs = pl.DataFrame(
        {
            # exchange 0 and 1 are 10 s apart (one stretch, 4 turns in 30 s); exchange 2 is alone
            "serve_segment_onset": [0, 5_000, 20_000, 25_000, 600_000],
            "serve_segment_offset": [1_000, 6_000, 21_000, 26_000, 601_000],
            "response_segment_onset": [2_000, 7_000, 22_000, 27_000, 602_000],
            "response_segment_offset": [3_000, 8_000, 23_000, 30_000, 603_000],
            "exchange": [0, 0, 1, 1, 2],
        }
    )
    result = SimpleNamespace(pairs=pairs, recorded_s=3600.0, chance_turns=120.0)
    rec = recording([(0, 1, "CHI")], duration_ms=HOUR)
    (moment,) = strengths.moments(rec, result)
    assert (moment.start_s, moment.duration_s, moment.turns) == (0.0, 30.0, 4)
    assert moment.above_chance == pytest.approx(4 - 120 / 3600 * 30)  # 3.0
    assert moment.to_dict()["start"] == "0:00:00" and moment.clock is None
    busy = SimpleNamespace(pairs=pairs, recorded_s=3600.0, chance_turns=400.0)
    assert strengths.moments(rec, busy) == []  # 4 turns, chance would give 3.3: not twice


# -- the data-quality gate ------------------------------------------------------------------


def test_a_short_recording_gets_the_gentle_sentence_and_no_rates():
    short = simulated("short", 1.0, 0.5, 1)
    for lang in LANGUAGES:
        report = family_report([short], lang=lang, common={"n_resamples": 20})
        (visit,) = report.data["visits"]
        assert visit["quality"] == "short"
        assert visit["turns_per_hour"] is visit["response_rate"] is visit["chance_ratio"] is None
        assert visit["change"] == "not_enough_data"
        gentle = language(lang).sentences("quality")[0]["text"].split("{")[0]
        assert visit["sentences"][0].startswith(gentle)
        assert len(visit["sentences"]) == 1  # nothing about rates
        assert 'class="facts"' not in report.html and "coach-hourly" not in report.html


def test_a_recording_without_the_child_is_not_counted():
    adults = recording([(i * 10_000, i * 10_000 + 900, "FEM") for i in range(100)])
    (visit,) = family_report([adults], common={"n_resamples": 0}).data["visits"]
    assert visit["quality"] == "no_child" and visit["turns_per_hour"] is None


# -- languages ------------------------------------------------------------------------------

DENY = {
    "en": ["brain architecture", "builds the brain", "guarantee", "prove", "cause", "perfect",
           "excellent", "bad parent", "poor", "deficit", "delay", "at risk", "insecure",
           "disorganis", "normal", "below average", "percentile", "norm", "fail", "should have"],
    "es": ["arquitectura del cerebro", "cerebro", "garantiza", "demuestra", "causa", "perfect",
           "excelente", "mal padre", "mala madre", "pobre", "déficit", "retraso", "riesgo",
           "insegur", "desorganiz", "normal", "por debajo", "percentil", "fracas", "debería"],
}  # fmt: skip


def _template_texts(lang: str) -> list[str]:
    data = _file(lang)
    texts = list(data["words"].values()) + list(data["sources"].values())
    texts += [s["text"] for kind in data["sentences"].values() for s in kind]
    return texts


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_sentence_in_any_language_says_a_denied_word(lang):
    assert set(DENY) == set(LANGUAGES)
    for text in _template_texts(lang):
        for word in DENY[lang]:
            assert word not in text.lower(), f"{lang}: {word!r} in {text!r}"


def test_every_language_has_every_key_and_the_catalogues_figures():
    en = _file("en")
    catalogue = {f.name: f.label for f in family("turns").figures}
    shown = set(SHOWN) | set(progress.FIGURES)
    for lang in LANGUAGES:
        data = _file(lang)
        assert set(data["words"]) == set(en["words"]), lang
        assert set(data["sources"]) == set(en["sources"]), lang
        for kind, sentences in en["sentences"].items():
            assert [s["id"] for s in data["sentences"][kind]] == [s["id"] for s in sentences]
        assert set(data["figures"]) <= set(catalogue)  # keyed by the catalogue's names
        assert all(language(lang).label(name) for name in shown)
    assert {name: language("en").label(name) for name in shown} == {
        name: catalogue[name] for name in shown
    }


class _Text(HTMLParser):
    """Visible text, alt texts and labels of a page, without the researcher's section."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("style", "script") or "research" in (attrs.get("class") or ""):
            self.skip += 1
        for name in ("aria-label", "alt", "title"):
            if attrs.get(name):
                self.parts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in ("style", "script", "section") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.parts.append(data.strip())


def _english_fragments() -> set[str]:
    """Every piece of English the coach view could show: template text between its fields,
    and the catalogue's labels; pieces of three words or more."""
    pieces = set()
    for text in [*_template_texts("en"), *(f.label for f in family("turns").figures)]:
        for piece in re.split(r"\{[^}]*\}", text):
            piece = piece.strip(" .,:;()")
            if len(piece.split()) >= 3:
                pieces.add(piece)
    return pieces


@pytest.fixture(scope="module")
def three_visits():
    its = need(ITS)
    from attunement.io import read_file

    (real,) = read_file(its)
    return [real, simulated("v2", 4.5, 0.3, 2), simulated("v3", 4.5, 0.7, 3)]


@pytest.mark.slow
def test_no_english_is_left_in_the_spanish_page(three_visits):
    dates = {"v2": date(2016, 5, 14), "v3": date(2016, 6, 11)}
    report = family_report(three_visits, lang="es", child_name="Ana", dates=dates)
    assert '<html lang="es">' in report.html
    parser = _Text()
    parser.feed(report.html)
    shown = "\n".join(parser.parts)
    left = [p for p in _english_fragments() if p in shown]
    assert left == [], f"untranslated: {left}"
    assert "Conversaciones en casa con Ana" in shown
    assert "2 de abril de 2016" in shown  # Babel's Spanish date
    for sentence in report.data["sentences"]:
        for word in DENY["es"]:
            assert word not in sentence.lower()


# -- the command line -----------------------------------------------------------------------


@pytest.mark.slow
def test_three_visits_in_date_order_with_changes_moments_and_spanish(tmp_path):
    its = need(ITS)
    runner = CliRunner()
    for name, responsiveness, seed in (("v2", 0.3, 1), ("v3", 0.7, 2)):
        done = runner.invoke(
            app,
            ["simulate", "session", "--minutes", "300", "--responsiveness", str(responsiveness),
             "--seed", str(seed), "--out", str(tmp_path / f"{name}.csv")],
        )  # fmt: skip
        assert done.exit_code == 0, done.output
    out = tmp_path / "family.html"
    args = ["report", str(tmp_path / "v3.csv"), str(its), str(tmp_path / "v2.csv"), "--coach"]
    args += ["--lang", "es", "--json", "--child-name", "Ana", "--birth-date", "2015-11-19"]
    args += ["--visit-date", "v2=2016-05-14", "--visit-date", "v3=2016-06-11", "-o", str(out)]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert (data["lang"], data["child_name"], data["ordered_by"]) == ("es", "Ana", "date")
    visits = data["visits"]
    assert [v["date"] for v in visits] == ["2016-04-02", "2016-05-14", "2016-06-11"]
    assert [v["age_days"] for v in visits] == [135, 177, 205]  # the .its says 135 days
    assert visits[0]["turns_per_hour"] == pytest.approx(59.003)  # 370 turns in 6.27 h
    # rising responsiveness: the third visit has reliably more turns per hour than the first;
    # the second is inside the first day's hour-to-hour band
    assert [v["change"] for v in visits] == ["first", "same", "more"]
    assert visits[2]["changes"]["response_rate"] == "more"
    starts = [m["start"] for m in visits[0]["strength_moments"]]
    assert len(starts) == 3 and all(re.fullmatch(r"\d\d:\d\d:\d\d", s) for s in starts)
    assert all(m["turns"] >= 3 for v in visits for m in v["strength_moments"])
    assert any("conversaciones en estas 6,3 horas" in s for s in data["sentences"])
    assert '<html lang="es">' in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "extra",
    [["--lang", "fr", "--coach"], ["--lang", "es"], ["--coach", "--birth-date", "2020-13-01"]],
)
def test_bad_family_options_are_one_line(tmp_path, extra):
    rec = tmp_path / "a.csv"
    rec.write_text("segment_onset,segment_offset,speaker_type\n0,100,CHI\n")
    done = CliRunner().invoke(app, ["report", str(rec), "-o", str(tmp_path / "r.html"), *extra])
    assert done.exit_code == 2
    assert len(done.output.strip().splitlines()) == 1, done.output
