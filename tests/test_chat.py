"""CHAT reader: real transcripts (Rollins, Brent, MacWhinney, VanDam), the TalkBank-XML oracle
for di12, edge cases from small inline files, and mutated bytes."""

from collections import Counter
from pathlib import Path
from xml.etree.ElementTree import parse

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attunement.errors import ReadError
from attunement.io import chat
from attunement.segments import validate
from tests.conftest import REAL, need
from tests.fuzz import fuzz, mutations

CHAT = REAL / "chat"
TB = "{http://www.talkbank.org/ns/talkbank}"
HEAD = (
    "@UTF8\n@Begin\n@Languages:\teng\n"
    "@Participants:\tCHI Ann Target_Child , MOT Mother , INV Investigator , SIS Sister\n"
    "@ID:\teng|x|CHI|1;2.15|female|||Target_Child|||\n"
    "@ID:\teng|x|INV||female|||Investigator|||\n"
)


def _read(path, roles=None, keep_text=True):
    (rec,) = chat.read(
        Path(path), role_map={**chat.DEFAULT_ROLES, **(roles or {})}, keep_text=keep_text
    )
    return rec


def _write(tmp_path, text, name="t.cha"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def _source_order(rec):
    return rec.segments.sort("source_line")


def _counts(rec, column="speaker_id"):
    return Counter(rec.segments[column].cast(pl.String).to_list())


# --- real files ---------------------------------------------------------------------------


def test_di12_matches_talkbank_xml_oracle():
    rec = _read(need(CHAT / "rollins/di12.cha"))
    root = parse(need(CHAT / "rollins/di12.xml")).getroot()
    utterances = root.iter(f"{TB}u")
    expected = []
    n_u = 0
    for u in utterances:
        n_u += 1
        media = u.find(f"{TB}media")
        if media is not None:
            assert media.get("unit") == "s"
            start, end = float(media.get("start")), float(media.get("end"))
            expected.append((u.get("who"), round(start * 1000), round(end * 1000)))
    assert n_u == 1083 and len(expected) == 1071
    timed = _source_order(rec).filter(pl.col("segment_onset").is_not_null())
    got = timed.select("speaker_id", "segment_onset", "segment_offset").rows()
    assert got == expected


def test_di12_counts_kinds_and_gems():
    rec = _read(need(CHAT / "rollins/di12.cha"))
    seg = rec.segments
    assert seg.height == 1083
    assert _counts(rec) == {"MOT": 616, "CHI": 467}
    assert (rec.n_timed, rec.n_untimed) == (1071, 12)
    chi = seg.filter(pl.col("speaker_id") == "CHI")
    assert chi.filter(pl.col("kind") == "behaviour").height == 443
    assert any("12 of 1083" in w and "no media bullet" in w for w in rec.warnings)
    # the first CHI action re-uses the MOT bullet 395500_395958 and carries its %act
    first = _source_order(rec).row(1, named=True)
    assert (first["speaker_id"], first["segment_onset"], first["segment_offset"]) == (
        "CHI",
        395500,
        395958,
    )
    assert first["kind"] == "behaviour" and first["act"] == "looking at door"
    assert first["gem"] == "YY" and first["words"] == 0
    assert rec.child_age_days == 365  # 1;0.
    assert rec.start is None  # @Date gives a day, not a clock time
    assert [d["date"] for d in rec.extra["dates"]] == ["1998-12-14"]
    assert rec.extra["media"] == "di12, video"
    assert [(p.id, p.role, p.speaker_type) for p in rec.participants] == [
        ("CHI", "Target_Child", "CHI"),
        ("MOT", "Mother", "FEM"),
    ]
    # untimed rows come last, in source order
    untimed = seg.filter(pl.col("segment_onset").is_null())["source_line"]
    assert untimed.is_sorted() and seg.tail(12)["segment_onset"].null_count() == 12


def test_di06_mixed_timed_and_untimed():
    rec = _read(need(CHAT / "rollins/di06.cha"))
    assert rec.segments.height == 343
    assert _counts(rec) == {"MOT": 317, "CHI": 26}
    assert (rec.n_timed, rec.n_untimed) == (300, 43)
    assert rec.child_age_days == round(365.25 + 8 * 30.4375)  # "1;8." as the source says
    assert rec.start is None and rec.extra["dates"] == []


def test_cy12_has_no_bullets_at_all():
    rec = _read(need(CHAT / "rollins/cy12.cha"))
    assert rec.segments.height == 883
    assert _counts(rec) == {"MOT": 490, "CHI": 393}
    assert rec.n_timed == 0 and rec.duration_ms == 0
    assert rec.extra["media"] is None
    behaviour = rec.segments.filter(pl.col("kind") == "behaviour")
    assert _counts_of(behaviour) == {"CHI": 345, "MOT": 69}
    assert rec.segments["source_line"].is_sorted()


def _counts_of(frame):
    return Counter(frame["speaker_id"].to_list())


def test_brent_child_role_is_the_key_child():
    rec = _read(need(CHAT / "brent/f1-1106.cha"))
    seg = rec.segments
    assert seg.height == 1784 and rec.n_timed == 1784
    assert _counts(rec) == {"MOT": 911, "CHI": 873}
    assert _counts(rec, "speaker_type") == {"FEM": 911, "CHI": 873}
    assert rec.participants[0].role == "Child" and rec.participants[0].speaker_type == "CHI"
    assert rec.participants[0].name == "Dillon_FamilyName"
    assert rec.child_age_days == round(11 * 30.4375 + 6)
    # infant lines are mostly sounds (no words); 7 CHI lines hold words ("Dada .", and a few
    # adult-like lines in the source); no row is dropped
    chi = seg.filter(pl.col("speaker_id") == "CHI")
    assert chi["words"].sum() == 17 and (chi["words"] > 0).sum() == 7
    assert set(chi["kind"].cast(pl.String)) == {"vocal", "cry", "vegetative"}
    first = _source_order(rec).row(0, named=True)
    assert (first["segment_onset"], first["segment_offset"]) == (1827, 4414)
    assert first["words"] == 7  # oh so you decide to go (..) now .
    assert rec.warnings == []


def test_macwhinney_episodes_and_dates():
    rec = _read(need(CHAT / "macwhinney/20a1.cha"))
    seg = rec.segments
    assert seg.height == 806 and rec.n_timed == 806
    assert _counts(rec) == {"FAT": 368, "CHI": 383, "MOT": 55}
    assert _counts(rec, "speaker_type") == {"MAL": 368, "CHI": 383, "FEM": 55}
    assert rec.extra["new_episodes"] == 19
    assert seg["episode"].min() == 0 and seg["episode"].max() == 19
    assert seg["episode"].n_unique() == 20
    assert len(rec.extra["dates"]) == 14
    assert rec.extra["dates"][0] == {"date": "1980-07-12", "episode": 0, "line": 9}
    assert rec.start is None
    first = seg.row(0, named=True)
    assert (first["speaker_id"], first["segment_onset"], first["segment_offset"]) == (
        "FAT",
        0,
        25797,
    )
    assert rec.child_age_days == round(2 * 365.25 + 6 * 30.4375 + 17)


def test_vandam_truncated_with_addressees_and_postcodes():
    path = need(CHAT / "vandam-daylong/vandam.cha")
    assert not path.read_bytes().endswith(b"\n")
    rec = _read(path)
    seg = _source_order(rec)
    assert seg.height == 20 and rec.n_timed == 20
    assert _counts(rec) == {"CHI": 13, "MOT": 7}
    assert any("no @End" in w for w in rec.warnings)
    assert seg.filter(pl.col("addressee").is_not_null())["addressee"].to_list() == [
        "MOT",
        "MOT",
        "CHI",
    ]
    assert seg["postcodes"].to_list()[:8] == ["nc", "nc", "nc", "c", "r", "nc", "id", "nc"]
    last = seg.row(-1, named=True)
    assert (last["segment_onset"], last["segment_offset"]) == (126586, 136789)
    assert last["words"] == 2  # I think xxx xxx xxx .
    assert {p.id: p.speaker_type for p in rec.participants} == {
        "CHI": "CHI",
        "MOT": "FEM",
        "SIS": "OCH",
        "FAT": "MAL",
    }
    assert rec.child_age_days is None


def test_brent_corpus_reads_every_file():
    """Speed is measured in benchmarks/, never asserted here."""
    files = sorted(need(CHAT / "brent-corpus").rglob("*.cha"))
    assert len(files) == 179
    rows = sum(_read(f).segments.height for f in files)
    assert rows == 169_209  # one row per *SPK: main-tier line in the 179 files


def test_privacy_mode_keeps_no_words(tmp_path):
    rec = _read(need(CHAT / "rollins/di12.cha"), keep_text=False)
    seg = rec.segments
    assert seg["text"].null_count() == seg.height
    assert seg["act"].null_count() == seg.height
    assert all(p.name is None for p in rec.participants)
    assert not any("screams" in w or "smack" in w for w in rec.warnings)
    assert seg["words"].sum() > 0  # counts survive, words do not
    named = _read(need(CHAT / "brent/f1-1106.cha"), keep_text=False)
    assert all(p.name is None for p in named.participants)


# --- edge cases -----------------------------------------------------------------------------


def test_roles_sex_and_lookup_order(tmp_path):
    body = "*INV:\thello . \x15100_200\x15\n*SIS:\thi . \x15150_300\x15\n@End\n"
    rec = _read(_write(tmp_path, HEAD + body))
    types = {p.id: p.speaker_type for p in rec.participants}
    assert types == {"CHI": "CHI", "MOT": "FEM", "INV": "FEM", "SIS": "OCH"}
    assert rec.child_age_days == round(365.25 + 2 * 30.4375 + 15)
    # a speaker code beats its role; a role map entry beats the @ID sex
    rec = _read(_write(tmp_path, HEAD + body), roles={"MOT": "MAL", "Investigator": "ADU"})
    types = {p.id: p.speaker_type for p in rec.participants}
    assert types["MOT"] == "MAL" and types["INV"] == "FEM"
    rec = _read(_write(tmp_path, HEAD + body), roles={"Mother": "ADU", "SIS": "FEM"})
    types = {p.id: p.speaker_type for p in rec.participants}
    assert types["MOT"] == "ADU" and types["SIS"] == "FEM"


def test_child_role_is_other_child_when_a_target_child_exists(tmp_path):
    head = "@Begin\n@Participants:\tBRO Child , TGT Target_Child\n"
    rec = _read(_write(tmp_path, head + "*BRO:\tmine !\n*TGT:\tno .\n@End\n"))
    assert {p.id: p.speaker_type for p in rec.participants} == {"BRO": "OCH", "TGT": "CHI"}
    assert rec.extra["key_child"] == "TGT"


def test_unknown_roles_and_undeclared_speakers_are_kept_as_unk(tmp_path):
    head = "@Begin\n@Participants:\tCHI Target_Child , ROB Robot\n"
    rec = _read(_write(tmp_path, head + "*ROB:\tbeep .\n*ROB:\tboop .\n*ZZZ:\thm .\n@End\n"))
    assert _counts(rec, "speaker_type") == {"UNK": 3}
    text = " ".join(rec.warnings)
    assert "'Robot' ×2" in text and "'ZZZ' ×1" in text and "not in @Participants" in text


def test_words_and_kinds(tmp_path):
    lines = [
        "*CHI:\t&=cries .",
        "*CHI:\t&=laughs &=coughs .",
        "*CHI:\t&=babble .",
        "*CHI:\t0 .",
        "*CHI:\t0 [=! laughs] .",
        "*CHI:\t&=cries &=laughs .",
        "*CHI:\t&=points .",
        "*MOT:\t<the doggie> [/] the doggie@c's (.) &=laughs &um xxx 0is gone [+ id] .",
        "*MOT:\tpeek_a_boo , (..) +/.",
        "*MOT:\tyyy .",
    ]
    rec = _read(_write(tmp_path, "@Begin\n" + "\n".join(lines) + "\n@End\n"))
    seg = _source_order(rec)
    assert seg["kind"].cast(pl.String).to_list() == [
        "cry",
        "vegetative",
        "vocal",
        "behaviour",
        "vegetative",
        "cry",
        "vocal",
        "vocal",
        "vocal",
        "vocal",
    ]
    assert seg["words"].to_list() == [0, 0, 0, 0, 0, 0, 0, 5, 1, 0]
    assert seg["postcodes"][7] == "id"
    assert any("'points' ×1" in w and "EVENT_KINDS" in w for w in rec.warnings)


def test_gems_episodes_continuations_and_dependents(tmp_path):
    text = (
        "@UTF8\r\n@Begin\r\n@Participants:\tCHI Target_Child ,\r\n\tMOT Mother\r\n"
        "@Date:\t01-JAN-2020\r\n@Bg:\tbook\r\n*MOT:\tlook at\r\n\tthis . \x15100_900\x15\r\n"
        "%add:\tCHI, FAT\r\n%act:\tpoints\r\n@Eg:\tbook\r\n@New Episode\r\n"
        "@Date:\t02-FEB-2020\r\n*CHI:\t0 .\r\n%act:\tlooks\r\n@End\r\n"
    )
    rec = _read(_write(tmp_path, text))
    rows = _source_order(rec).select(
        "speaker_id", "text", "words", "gem", "episode", "addressee", "act", "source_line"
    )
    assert rows.rows() == [
        ("MOT", "look at this .", 3.0, "book", 0, "CHI,FAT", "points", 7),
        ("CHI", "0 .", 0.0, None, 1, None, "looks", 14),
    ]
    assert [d["date"] for d in rec.extra["dates"]] == ["2020-01-01", "2020-02-02"]
    assert rec.start is None  # no clock time: no made-up midnight


def test_overlapping_and_shared_bullets_sort_by_onset(tmp_path):
    body = (
        "*MOT:\tone . \x15500_900\x15\n*CHI:\t0 . \x15500_900\x15\n"
        "*MOT:\ttwo . \x15100_400\x15\n*CHI:\tuntimed .\n*MOT:\tthree . \x15300_1200\x15\n@End\n"
    )
    seg = _read(_write(tmp_path, "@Begin\n" + body)).segments
    assert seg.select("segment_onset", "source_line").rows() == [
        (100, 4),
        (300, 6),
        (500, 2),
        (500, 3),
        (None, 5),
    ]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("@Begin\n*MOT:\thi . \x15900_100\x15\n@End\n", 2, "ends before it starts"),
        ("@Begin\n@Participants:\tMOT Mother\n*MOT hi .\n@End\n", 3, "*SPK:"),
        ("@Begin\n*MOT:\thi . \x15100_\x15\n@End\n", 2, "malformed media bullet"),
        ("Dear diary,\ntoday we played.\n", 1, "not a CHAT transcript"),
        ("@UTF8\n@Begin\n@Participants:\tCHI Targ", 3, "truncated"),
        (b"\x00\x01\x02binary", 1, "binary"),
        (b"@UTF8\n@Begin\n*MOT:\tcaf\xe9 .\n", 3, "UTF-8"),
        ("@Begin\n*MOT:\thi . \x1599999999999999999_1\x15\n@End\n", 2, "bullet"),
    ],
)
def test_bad_input_is_a_read_error_with_a_line(tmp_path, text, line, words):
    with pytest.raises(ReadError) as err:
        _read(_write(tmp_path, text))
    assert err.value.line == line and words in err.value.problem


def test_empty_file_is_a_read_error(tmp_path):
    with pytest.raises(ReadError, match="empty"):
        _read(_write(tmp_path, "  \n"))


def test_tolerated_oddities_are_warned(tmp_path):
    text = (
        "@Begin\n@Media:\tsomething_else, audio\n*MOT:\thi . \x15100_200\x15\n"
        "stray text\n@Eg:\tnever\n@Bg:\topen\n*MOT:\tbye .\n@End\n*MOT:\tlate .\n"
    )
    rec = _read(_write(tmp_path, text, name="mine.cha"))
    assert rec.id == "mine" and rec.extra["media"] == "something_else, audio"
    assert rec.segments.height == 3
    joined = " | ".join(rec.warnings)
    for words in ("2 of 3", "after @End", "start with none", "@Eg", "never closed"):
        assert words in joined
    empty = _read(_write(tmp_path, "@UTF8\n@Begin\n@End\n"))
    assert empty.segments.height == 0 and "no main tier" in " ".join(empty.warnings)


def test_sniff():
    assert chat.sniff(b"\xef\xbb\xbf@UTF8\n@Begin\n")
    assert chat.sniff(b"  \n@Begin\n")
    assert chat.sniff(b"@Font:\tCAfont:13:0\n@Begin\n")
    assert chat.sniff(b"@PID:\t11312/a\n")
    assert not chat.sniff(b"<?xml version='1.0'?><CHAT/>")
    assert not chat.sniff(b"onset,offset\n1,2\n")


# --- mutated real bytes -------------------------------------------------------------------------

VANDAM = CHAT / "vandam-daylong/vandam.cha"


@fuzz(80)
@given(data=st.data())
def test_mutated_real_file_gives_read_error_or_a_recording(tmp_path, data):
    mutated = data.draw(mutations(need(VANDAM).read_bytes(), [b"\x15", b"\t", b"\n*", b"@"]))
    try:
        rec = _read(_write(tmp_path, mutated))
    except ReadError as err:
        assert err.problem
    else:
        validate(rec.segments)  # whatever was read satisfies the segments-table contract
