from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attunement.errors import ReadError
from attunement.io import eaf
from attunement.segments import validate
from tests.conftest import REAL, need
from tests.fuzz import fuzz, mutations

EXAMPLE = REAL / "elan/example.eaf"


def _read(path, roles=None, keep_text=True):
    (rec,) = eaf.read(
        Path(path), role_map={**eaf.DEFAULT_ROLES, **(roles or {})}, keep_text=keep_text
    )
    return rec


def _eaf(slots, tiers, types="", header='TIME_UNITS="milliseconds"'):
    """A small EAF: ``slots`` {id: ms or None}, ``tiers`` raw <TIER> elements."""
    order = "".join(
        f'<TIME_SLOT TIME_SLOT_ID="{k}"' + ("" if v is None else f' TIME_VALUE="{v}"') + "/>"
        for k, v in slots.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ANNOTATION_DOCUMENT AUTHOR="" DATE="2024-01-01T00:00:00+00:00" FORMAT="3.0" '
        'VERSION="3.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd">\n'
        f'<HEADER MEDIA_FILE="" {header}/>\n<TIME_ORDER>{order}</TIME_ORDER>\n'
        + "\n".join(tiers)
        + '\n<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="default-lt" TIME_ALIGNABLE="true"/>\n'
        + types
        + "</ANNOTATION_DOCUMENT>\n"
    )


def _tier(name, *annotations, parent=None, participant=None):
    attrs = f'TIER_ID="{name}" LINGUISTIC_TYPE_REF="{"dep" if parent else "default-lt"}"'
    if parent:
        attrs += f' PARENT_REF="{parent}"'
    if participant:
        attrs += f' PARTICIPANT="{participant}"'
    return f"<TIER {attrs}>" + "".join(annotations) + "</TIER>"


def _align(aid, ts1, ts2, value):
    return (
        f'<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="{aid}" TIME_SLOT_REF1="{ts1}" '
        f'TIME_SLOT_REF2="{ts2}"><ANNOTATION_VALUE>{value}</ANNOTATION_VALUE>'
        "</ALIGNABLE_ANNOTATION></ANNOTATION>\n"
    )


def _ref(aid, ref, value):
    return (
        f'<ANNOTATION><REF_ANNOTATION ANNOTATION_ID="{aid}" ANNOTATION_REF="{ref}">'
        f"<ANNOTATION_VALUE>{value}</ANNOTATION_VALUE></REF_ANNOTATION></ANNOTATION>\n"
    )


SYMBOLIC = (
    '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="dep" CONSTRAINTS="Symbolic_Association" '
    'TIME_ALIGNABLE="false"/>\n'
)


def _write(tmp_path, text, name="small.eaf"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _counts(frame, column):
    return dict(frame.group_by(column).len().drop_nulls().iter_rows())


def test_real_aclew_file_speakers_times_and_dependent_columns():
    rec = _read(need(EXAMPLE))
    frame = rec.segments
    assert rec.id == "example" and rec.format == "eaf"
    assert _counts(frame, "speaker_id") == {
        "CHI": 134,
        "FA1": 91,
        "UC2": 30,
        "FA2": 18,
        "UC1": 18,
        "UC3": 5,
    }
    types = _counts(frame.with_columns(pl.col("speaker_type").cast(str)), "speaker_type")
    assert types == {"CHI": 134, "FEM": 109, "OCH": 53}
    assert frame["segment_onset"].min() == 3150
    assert frame["segment_offset"].max() == 300_113
    assert rec.duration_ms == 300_113
    first = frame.row(0, named=True)
    assert (first["segment_onset"], first["segment_offset"], first["speaker_id"]) == (
        3150,
        3332,
        "CHI",
    )
    assert first["text"] == "0." and first["source_line"] == 604
    fa1 = frame.filter(pl.col("speaker_id") == "FA1")
    assert _counts(fa1, "xds") == {"C": 82, "A": 8, "U": 1}
    chi = frame.filter(pl.col("speaker_id") == "CHI")
    assert _counts(chi, "lex") == {"W": 120, "0": 14}
    assert _counts(chi, "mwu") == {"M": 49, "1": 71}  # mwu@CHI hangs on lex@CHI, not on CHI
    assert chi["mwu"].null_count() == 14 and chi["xds"].null_count() == 134
    assert set(chi["text"]) == {"0."}
    assert set(frame["kind"].cast(str)) == {"vocal"}  # this file has no vcm@CHI tier
    assert rec.warnings == []
    assert [p.id for p in rec.participants] == ["CHI", "FA1", "UC2", "FA2", "UC1", "UC3"]
    assert frame["source_line"].is_not_null().all()


def test_real_file_privacy_mode_keeps_codes_but_no_text():
    rec = _read(need(EXAMPLE), keep_text=False)
    assert rec.segments["text"].null_count() == rec.segments.height == 296
    assert _counts(rec.segments, "xds") == {"C": 86, "A": 42, "U": 34}  # closed vocabulary
    assert all(p.name is None for p in rec.participants)
    assert "media_url" not in rec.extra


def test_user_map_names_a_mother_tier_and_unknown_tiers_become_unk(tmp_path):
    slots = {"ts1": 0, "ts2": 1000, "ts3": 1500, "ts4": 2500}
    text = _eaf(
        slots,
        [
            _tier("Mother", _align("a1", "ts1", "ts2", "look!"), participant="Anna"),
            _tier("CHI", _align("a2", "ts3", "ts4", "ba")),
            _tier("Visitor", _align("a3", "ts2", "ts3", "hi"), _align("a4", "ts3", "ts4", "yo")),
        ],
    )
    path = _write(tmp_path, text)
    plain = _read(path)
    assert plain.segments["speaker_type"].cast(str).to_list() == ["UNK", "UNK", "CHI", "UNK"]
    assert len(plain.warnings) == 1
    assert "'Visitor' ×2" in plain.warnings[0] and "'Mother' ×1" in plain.warnings[0]
    mapped = _read(path, roles={"Mother": "FEM"})
    frame = mapped.segments
    assert frame["speaker_id"].to_list() == ["Mother", "Visitor", "CHI", "Visitor"]
    assert frame["speaker_type"].cast(str).to_list() == ["FEM", "UNK", "CHI", "UNK"]
    assert frame["segment_onset"].to_list() == [0, 1000, 1500, 1500]
    assert frame["text"].to_list() == ["look!", "hi", "ba", "yo"]
    assert "3 segment(s)" not in mapped.warnings[0] and "'Visitor' ×2" in mapped.warnings[0]
    mother = next(p for p in mapped.participants if p.id == "Mother")
    assert (mother.speaker_type, mother.name) == ("FEM", "Anna")
    private = _read(path, roles={"Mother": "FEM"}, keep_text=False)
    assert private.segments["text"].null_count() == 4
    assert all(p.name is None for p in private.participants)
    assert not any(word in " ".join(private.warnings) for word in ("look", "hi", "yo", "Anna"))


def test_vcm_gives_cry_and_vegetative_kinds(tmp_path):
    slots = {f"ts{i}": 1000 * i for i in range(1, 9)}
    chi = _tier(
        "CHI",
        _align("a1", "ts1", "ts2", "0."),
        _align("a2", "ts3", "ts4", "0."),
        _align("a3", "ts5", "ts6", "0."),
        _align("a4", "ts7", "ts8", "0."),
    )
    vcm = _tier(
        "vcm@CHI",
        _ref("a5", "a1", "Y"),
        _ref("a6", "a2", "L"),
        _ref("a7", "a3", "C"),
        _ref("a8", "a4", "N"),
        parent="CHI",
    )
    rec = _read(_write(tmp_path, _eaf(slots, [chi, vcm], types=SYMBOLIC)))
    assert rec.segments["vcm"].to_list() == ["Y", "L", "C", "N"]
    assert rec.segments["kind"].cast(str).to_list() == ["cry", "vegetative", "vocal", "vocal"]
    assert rec.warnings == []


def test_time_aligned_dependents_match_by_time_and_unmatched_are_counted(tmp_path):
    # "words" is a core column, so the tier's column is "tier_words"
    slots = {"ts1": 0, "ts3": None, "ts2": 2000, "ts5": 6000, "ts6": 7000}
    fa1 = _tier("FA1", _align("a1", "ts1", "ts2", "hello there"))
    words = _tier(
        "words@FA1",
        _align("a2", "ts1", "ts3", "hello"),
        _align("a3", "ts3", "ts2", "there"),
        _align("a4", "ts5", "ts6", "stray"),
        parent="FA1",
    )
    types = (
        '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="dep" CONSTRAINTS="Time_Subdivision" '
        'TIME_ALIGNABLE="true"/>\n'
    )
    path = _write(tmp_path, _eaf(slots, [fa1, words], types=types))
    rec = _read(path)
    assert rec.segments["tier_words"].to_list() == ["hello there"]
    assert rec.segments["words"].to_list() == [None]
    assert rec.segments["segment_offset"].to_list() == [2000]
    assert any(
        "1 dependent-tier annotation(s)" in w and "'words@FA1' ×1" in w for w in rec.warnings
    )
    assert rec.duration_ms == 7000
    private = _read(path, keep_text=False)
    assert "tier_words" not in private.segments.columns  # free text, no controlled vocabulary
    assert any("1 free-text dependent tier(s) not kept" in w for w in private.warnings)
    assert not any("words@FA1" in w for w in private.warnings)  # a tier name is file content


def test_aclew_non_speaker_tiers_are_episode_rows_and_counted(tmp_path):
    slots = {"ts1": 0, "ts2": 60_000, "ts3": 1000, "ts4": 2000}
    code = _tier("code", _align("a1", "ts1", "ts2", "1"))
    notes = _tier("notes", _align("a2", "ts3", "ts4", "dog barks"))
    chi = _tier("CHI", _align("a3", "ts3", "ts4", "0."))
    rec = _read(_write(tmp_path, _eaf(slots, [code, notes, chi])))
    frame = rec.segments
    assert frame["kind"].cast(str).to_list() == ["episode", "episode", "vocal"]
    assert frame["code"].to_list() == ["code", "notes", None]
    assert frame["speaker_type"].cast(str).to_list() == ["UNK", "UNK", "CHI"]
    assert len(rec.warnings) == 1
    assert "2 segment(s) on ACLEW non-speaker tier(s)" in rec.warnings[0]
    private = _read(tmp_path / "small.eaf", keep_text=False)
    assert "dog" not in " ".join(private.warnings)
    assert private.segments["text"].null_count() == 3


def test_unaligned_top_level_annotation_is_kept_untimed(tmp_path):
    slots = {"ts1": 0, "ts2": 1000, "ts3": None, "ts4": None}
    tiers = [_tier("FA1", _align("a1", "ts1", "ts2", "hi"), _align("a2", "ts3", "ts4", "?"))]
    rec = _read(_write(tmp_path, _eaf(slots, tiers)))
    assert rec.segments["segment_onset"].to_list() == [0, None]
    assert rec.n_untimed == 1
    assert any("1 annotation(s) have a time slot without a time" in w for w in rec.warnings)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("<ANNOTATION_DOCUMENT><HEADER", "malformed XML"),
        ("<html><body/></html>", "not an ELAN file"),
        (
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "boom">]>'
            "<ANNOTATION_DOCUMENT>&x;</ANNOTATION_DOCUMENT>",
            "entities",
        ),
        ("<ANNOTATION_DOCUMENT VERSION='3.0'><TIME_ORDER/></ANNOTATION_DOCUMENT>", "pympi-ling"),
        (
            _eaf({"ts1": 0, "ts2": 10}, [_tier("A", _align("a1", "ts1", "ts9", "x"))]),
            "time slot not in TIME_ORDER",
        ),
        (
            _eaf({"ts1": 50, "ts2": 10}, [_tier("A", _align("a1", "ts1", "ts2", "x"))]),
            "runs backwards",
        ),
        (
            _eaf(
                {"ts1": 0, "ts2": 10},
                [
                    _tier("A", _align("a1", "ts1", "ts2", "x")),
                    _tier("B", _align("a1", "ts1", "ts2", "y")),
                ],
            ),
            "used more than once",
        ),
        (
            _eaf({"ts1": 0, "ts2": 10}, [_tier("A", _align("a1", "ts1", "ts2", "x"), parent="Z")]),
            "parent tier that is not in the file",
        ),
        (_eaf({}, [], header='TIME_UNITS="frames"'), "TIME_UNITS"),
    ],
)
def test_bad_files_raise_read_error(tmp_path, text, problem):
    path = _write(tmp_path, text, "bad.eaf")
    with pytest.raises(ReadError) as info:
        _read(path)
    assert problem in info.value.problem
    assert info.value.path == str(path)


def test_sniff():
    assert eaf.sniff(b'<?xml version="1.0"?>\n<ANNOTATION_DOCUMENT AUTHOR="">')
    assert not eaf.sniff(b'File type = "ooTextFile"\nObject class = "TextGrid"\n')


@fuzz(60)
@given(data=st.data())
def test_mutated_real_file_gives_read_error_or_a_recording(tmp_path, data):
    path = tmp_path / "mutated.eaf"
    path.write_bytes(data.draw(mutations(need(EXAMPLE).read_bytes(), [b"<", b">", b'"', b"&"])))
    try:
        rec = _read(path)
    except ReadError as exc:
        assert exc.path == str(path) and exc.problem
    else:
        validate(rec.segments)  # whatever was read satisfies the segments-table contract
