from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attunement.errors import ReadError
from attunement.io import eaf, textgrid
from tests.conftest import REAL, need
from tests.fuzz import fuzz, mutations


def _read(path, roles=None, keep_text=True):
    (rec,) = textgrid.read(
        Path(path), role_map={**textgrid.DEFAULT_ROLES, **(roles or {})}, keep_text=keep_text
    )
    return rec


def _q(text):
    return '"' + text.replace('"', '""') + '"'


def long_format(xmax, tiers):
    """A long ("text file") TextGrid; ``tiers`` is [(name, [(start, end, label)] or
    [(time, mark)], is_interval)]. Gaps are filled with empty intervals as Praat does."""
    out = [
        'File type = "ooTextFile"',
        'Object class = "TextGrid"',
        "",
        "xmin = 0 ",
        f"xmax = {xmax} ",
        "tiers? <exists> ",
        f"size = {len(tiers)} ",
        "item []: ",
    ]
    for i, (name, entries, interval) in enumerate(tiers, start=1):
        out += [f"    item [{i}]:"]
        out += [f'        class = "{"IntervalTier" if interval else "TextTier"}" ']
        out += [f"        name = {_q(name)} ", "        xmin = 0 ", f"        xmax = {xmax} "]
        if interval:
            entries = _filled(entries, xmax)
            out += [f"        intervals: size = {len(entries)} "]
            for j, (start, end, label) in enumerate(entries, start=1):
                out += [f"        intervals [{j}]:", f"            xmin = {start} "]
                out += [f"            xmax = {end} ", f"            text = {_q(label)} "]
        else:
            out += [f"        points: size = {len(entries)} "]
            for j, (time, mark) in enumerate(entries, start=1):
                out += [f"        points [{j}]:", f"            number = {time} "]
                out += [f"            mark = {_q(mark)} "]
    return "\n".join(out) + "\n"


def short_format(xmax, tiers):
    out = ['File type = "ooTextFile short"', '"TextGrid"', "", "0", str(xmax), "<exists>"]
    out += [str(len(tiers))]
    for name, entries, interval in tiers:
        out += ['"IntervalTier"' if interval else '"TextTier"', _q(name), "0", str(xmax)]
        entries = _filled(entries, xmax) if interval else entries
        out += [str(len(entries))]
        for entry in entries:
            out += [str(v) for v in entry[:-1]] + [_q(entry[-1])]
    return "\n".join(out) + "\n"


def _filled(entries, xmax):
    out, last = [], 0
    for start, end, label in sorted(entries):
        if start > last:
            out.append((last, start, ""))
        out.append((start, end, label))
        last = end
    if last < xmax:
        out.append((last, xmax, ""))
    return out


TIERS = [
    ("  CHI ", [(0.5, 1.2345, "ba ba"), (3.0, 3.25, "0.")], True),
    ("Mother", [(1.0, 2.5, 'look "here"'), (2.5, 2.75, "héllo")], True),
    ("events", [(1.0, "bang"), (2.0, "door")], False),
]


def test_long_format_times_names_gaps_and_point_tier(tmp_path):
    path = tmp_path / "long.TextGrid"
    path.write_text(long_format(4.0, TIERS), encoding="utf-8")
    rec = _read(path)
    frame = rec.segments
    assert rec.id == "long" and rec.format == "textgrid" and rec.duration_ms == 4000
    assert frame["segment_onset"].to_list() == [500, 1000, 2500, 3000]
    assert frame["segment_offset"].to_list() == [1234, 2500, 2750, 3250]  # 1234.5 as a float
    assert frame["speaker_id"].to_list() == ["CHI", "Mother", "Mother", "CHI"]
    assert frame["speaker_type"].cast(str).to_list() == ["CHI", "FEM", "FEM", "CHI"]
    assert frame["text"].to_list() == ["ba ba", 'look "here"', "héllo", "0."]
    assert set(frame["kind"].cast(str)) == {"vocal"}
    assert frame["source_line"].null_count() == 4
    assert rec.warnings == [
        "1 point tier(s) hold instants, not stretches, and were not read (2 point(s)): 'events' ×2"
    ]
    assert [(p.id, p.speaker_type) for p in rec.participants] == [("CHI", "CHI"), ("Mother", "FEM")]


def test_short_format_and_utf16_give_the_same_table(tmp_path):
    long = tmp_path / "long.TextGrid"
    long.write_text(long_format(4.0, TIERS), encoding="utf-8")
    short = tmp_path / "short.TextGrid"
    short.write_text(short_format(4.0, TIERS), encoding="utf-8")
    utf16 = tmp_path / "utf16.TextGrid"
    utf16.write_bytes(long_format(4.0, TIERS).encode("utf-16"))  # with BOM, as Praat writes
    latin = tmp_path / "latin.TextGrid"
    latin.write_bytes(short_format(4.0, TIERS).encode("latin-1"))
    expected = _read(long).segments
    for path in (short, utf16, latin):
        assert _read(path).segments.equals(expected), path.name
    assert _read(utf16).extra["encoding"] == "utf-16"
    assert any("ISO Latin-1" in w for w in _read(latin).warnings)


def test_unknown_tier_is_unk_and_user_map_names_it(tmp_path):
    path = tmp_path / "u.TextGrid"
    tiers = [("Nanny", [(0, 1, "hi"), (2, 3, "there")], True), ("CHI", [(1, 2, "a")], True)]
    path.write_text(long_format(3, tiers), encoding="utf-8")
    rec = _read(path)
    assert rec.segments["speaker_type"].cast(str).to_list() == ["UNK", "CHI", "UNK"]
    assert len(rec.warnings) == 1 and "'Nanny' ×2" in rec.warnings[0]
    mapped = _read(path, roles={"Nanny": "FEM"})
    assert mapped.segments["speaker_type"].cast(str).to_list() == ["FEM", "CHI", "FEM"]
    assert mapped.warnings == []


def test_privacy_mode_keeps_no_text(tmp_path):
    path = tmp_path / "p.TextGrid"
    tiers = [("Grandpa", [(0, 1, "secret words")], True), ("notes", [(0, 1, "private")], True)]
    path.write_text(long_format(1, tiers), encoding="utf-8")
    rec = _read(path, keep_text=False)
    assert rec.segments["text"].null_count() == 2
    assert rec.segments["kind"].cast(str).to_list() == ["vocal", "episode"]
    assert "secret" not in " ".join(rec.warnings) and "private" not in " ".join(rec.warnings)


def test_repeated_tier_names_are_one_speaker(tmp_path):
    path = tmp_path / "d.TextGrid"
    tiers = [("MOT", [(0, 1, "a")], True), ("MOT", [(1, 2, "b")], True)]
    path.write_text(long_format(2, tiers), encoding="utf-8")
    rec = _read(path)
    assert rec.segments["speaker_id"].to_list() == ["MOT", "MOT"]
    assert rec.segments["speaker_type"].cast(str).to_list() == ["FEM", "FEM"]
    assert any("used by more than one tier" in w for w in rec.warnings)


@pytest.mark.parametrize("fmt", [long_format, short_format])
def test_truncated_file_is_an_error_not_a_shorter_table(tmp_path, fmt):
    text = fmt(4.0, TIERS)
    path = tmp_path / "t.TextGrid"
    for cut in (text.index("Mother") - 40, text.rindex("ba ba") + 8, len(text) - 30):
        path.write_text(text[:cut], encoding="utf-8")
        with pytest.raises(ReadError) as info:
            _read(path)
        assert info.value.path == str(path)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b'File type = "ooTextFile"\nObject class = "TextGrid"\n', "praatio could not read"),
        (b"ooBinaryFile\x08TextGrid\x00\x00\x01", "binary TextGrid"),
        (b'File type = "ooTextFile"\n\x00\x01\x02', "binary file"),
        (b"\xff\xfeF\x00i\x00\x00\xd8", "UTF-16"),
    ],
)
def test_bad_files_raise_read_error(tmp_path, data, problem):
    path = tmp_path / "bad.TextGrid"
    path.write_bytes(data)
    with pytest.raises(ReadError) as info:
        _read(path)
    assert problem in info.value.problem


def test_sniff():
    assert textgrid.sniff(long_format(1, []).encode())
    assert textgrid.sniff(short_format(1, []).encode("utf-16")[:101])  # odd cut of UTF-16
    assert not textgrid.sniff(b"<ANNOTATION_DOCUMENT>")


def test_textgrid_built_from_the_real_eaf_matches_the_eaf_reader(tmp_path):
    (rec,) = eaf.read(need(REAL / "elan/example.eaf"), role_map=eaf.DEFAULT_ROLES)
    frame = rec.segments
    tiers = [
        (
            name,
            [
                (on / 1000, off / 1000, text)
                for on, off, text in frame.filter(pl.col("speaker_id") == name)
                .select("segment_onset", "segment_offset", "text")
                .iter_rows()
            ],
            True,
        )
        for name in frame["speaker_id"].unique(maintain_order=True)
    ]
    path = tmp_path / "example.TextGrid"
    path.write_text(long_format(rec.duration_ms / 1000, tiers), encoding="utf-8")
    got = _read(path).segments
    columns = ["segment_onset", "segment_offset", "speaker_type", "speaker_id", "text"]
    key = ["segment_onset", "speaker_id"]
    assert got.height == 296
    assert got.select(columns).sort(key).equals(frame.select(columns).sort(key))


@fuzz(80)
@given(data=st.data(), short=st.booleans())
def test_mutated_bytes_give_read_error_or_a_recording(tmp_path, data, short):
    source = (short_format if short else long_format)(4.0, TIERS).encode("utf-8")
    path = tmp_path / "mutated.TextGrid"
    path.write_bytes(data.draw(mutations(source, [b'"', b"\n", b"="])))
    try:
        rec = _read(path)
    except ReadError as exc:
        assert exc.path == str(path) and exc.problem
    else:
        assert rec.segments.height <= 9  # the intervals of TIERS, gaps included
