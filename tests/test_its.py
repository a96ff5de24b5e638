"""LENA .its reader: real LENA Pro exports (numbers checked against LENA's own totals), both
segment layouts, rounding, hardened XML, bad input, and a fuzz test."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.errors import ReadError
from attunement.io import _common, its
from tests.conftest import REAL, need

BIG = REAL / "lena" / "e20160420_165405_010572.its"
SMALL = REAL / "lena" / "test.its"


def read(path, role_map=None, keep_text=True):
    (rec,) = its.read(path, role_map=role_map or its.DEFAULT_ROLES, keep_text=keep_text)
    return rec


def doc(segments: str, *, block_attrs: str = 'turnTaking="0" childUttCnt="0"') -> bytes:
    """A minimal .its with one recording and one conversation holding ``segments``."""
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE ITS SYSTEM "its.dtd" >
<ITS fileName="x" version="4.6.0">
  <ProcessingUnit>
    <ChildInfo dob="2015-01-01" gender="F" chronologicalAge="P1M" />
    <Recording num="1" startClockTime="2015-01-31T09:00:00Z" endClockTime="2015-01-31T09:00:10Z"
               startTime="PT0.00S" endTime="PT10.00S">
      <Conversation num="1" type="CM" {block_attrs} adultWordCnt="0.00"
                    startTime="PT0.00S" endTime="PT10.00S">
{segments}
      </Conversation>
    </Recording>
  </ProcessingUnit>
</ITS>
""".encode()


def write(tmp_path, data: bytes, name: str = "x.its"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def big():
    return read(need(BIG))


def test_big_file_counts(big):
    frame = big.segments
    assert frame.height == 12_732
    counts = dict(frame["speaker_id"].value_counts().iter_rows())
    assert counts == {
        "NOF": 2902,
        "SIL": 2713,
        "CHN": 1779,
        "FAN": 1345,
        "OLN": 1236,
        "OLF": 567,
        "MAN": 555,
        "TVF": 525,
        "NON": 387,
        "FAF": 239,
        "CHF": 184,
        "MAF": 140,
        "CXN": 116,
        "CXF": 36,
        "TVN": 8,
    }
    blocks = pl.DataFrame(big.extra["blocks"])
    assert blocks["type"].value_counts().sort("type").rows() == [
        ("conversation", 655),
        ("pause", 656),
    ]
    assert frame["lena_block_number"].max() == 1311
    assert frame["lena_block_number"].n_unique() == 1311
    assert frame["text"].null_count() == frame.height
    assert big.warnings == []


def test_big_file_matches_lena_totals(big):
    frame = big.segments
    totals = big.extra["lena_totals"]
    # CVC: LENA's child vocalisation count
    assert frame["utterances_count"].sum() == totals["cvc"] == 1228
    # AWC: 9828.91 summed over segments and over conversations; LENA reports 9829
    assert frame["words"].sum() == pytest.approx(9828.91)
    assert totals["awc"] == pytest.approx(9828.91)
    assert round(frame["words"].sum()) == 9829
    # CTC: segments tagged as a turn response == sum of Conversation@turnTaking
    responses = frame["lena_conv_turn_type"].is_in(["TIFR", "TIMR"]).sum()
    assert responses == totals["ctc"] == 370
    assert sum(b["turn_taking"] or 0 for b in big.extra["blocks"]) == 370
    assert frame.filter(pl.col("speaker_type") == "CHI")["words"].null_count() == 1963


def test_big_file_timeline_and_metadata(big):
    frame = big.segments
    assert big.duration_ms == 22_575_050
    assert frame["segment_offset"][-1] == 22_575_050
    # the recorder pause is not on the timeline: piece 2 starts where piece 1 ended
    first, second = big.extra["recordings"]
    assert (first["start_ms"], first["end_ms"]) == (0, 4_037_040)
    assert second["start_ms"] == first["end_ms"]
    # clock times are on the family's local clock (UTC-7 at transfer), the same instants as UTC
    assert second["start_clock"] == "2016-04-02T14:48:07-07:00"
    assert big.start == datetime(2016, 4, 2, 17, 20, 30, tzinfo=UTC)
    assert big.start.utcoffset() == timedelta(hours=-7)
    assert big.extra["time_zone"]["utc_offset_s_at_transfer"] == -7 * 3600
    assert big.child_age_days == 135  # born 2015-11-19, recorded 2016-04-02 (local)
    # segments tile the timeline without gaps or overlaps
    assert (frame["segment_onset"][1:] == frame["segment_offset"][:-1]).all()
    assert frame["recording_number"].value_counts().sort("recording_number").rows() == [
        (1, 3001),
        (2, 9731),
    ]
    head = frame.head(1).row(0, named=True)
    assert (head["segment_onset"], head["segment_offset"], head["speaker_id"]) == (0, 1040, "NOF")
    assert head["source_line"] == 185
    assert (head["average_db"], head["peak_db"]) == (-31.46, -18.77)


def test_big_file_child_segments(big):
    frame = big.segments
    kinds = frame.filter(pl.col("speaker_type") == "CHI")["kind"].value_counts()
    assert dict(kinds.iter_rows()) == {"vocal": 1002, "cry": 718, "vegetative": 243}
    assert set(frame.filter(pl.col("speaker_type") != "CHI")["kind"].unique()) == {"vocal"}
    # <Segment spkr="CHN" ... conversationInfo="|RC|3|1|1|AICF|TIFR|FI|" childUttCnt="1"
    chn = frame.filter(pl.col("segment_onset") == 42_910).row(0, named=True)
    assert (chn["speaker_id"], chn["kind"], chn["utterances_count"]) == ("CHN", "vocal", 1)
    assert (chn["lena_conv_turn_type"], chn["lena_conv_status"]) == ("TIFR", "RC")
    assert (chn["lena_block_type"], chn["lena_block_number"]) == ("conversation", 6)
    # <Segment spkr="CHF" ... startVfx1="PT51.06S" endVfx1="PT52.00S" childCryVfxLen="PT0.94S"
    chf = frame.filter(pl.col("segment_onset") == 51_060).row(0, named=True)
    assert (chf["kind"], chf["cry_ms"], chf["vfx_ms"], chf["cry_vfx_ms"]) == (
        "vegetative",
        0,
        940,
        940,
    )
    child = frame.filter(pl.col("cry_vfx_ms").is_not_null())
    assert (child["cry_ms"] + child["vfx_ms"] == child["cry_vfx_ms"]).all()
    assert frame.filter(pl.col("speaker_type") != "CHI")["cry_ms"].null_count() == 10_769


def test_small_file(tmp_path):
    rec = read(need(SMALL))
    frame = rec.segments
    assert frame.height == 589
    assert "CHN" not in frame["speaker_id"].to_list()
    assert len(rec.extra["recordings"]) == 3
    assert rec.duration_ms == 979_740
    assert rec.extra["lena_totals"] == {"ctc": 0, "cvc": 0, "awc": 352.72}
    assert round(frame["words"].sum()) == 353
    assert frame["lena_conv_turn_type"].is_in(["TIFR", "TIMR"]).sum() == 0
    assert rec.child_age_days == 677


def test_older_layout_with_child_elements(tmp_path):
    segments = """
        <Segment spkr="CHN" average_dB="-20.00" peak_dB="-10.00" startTime="PT1.00S"
                 endTime="PT3.00S">
          <UTT startUtt1="PT1.10S" endUtt1="PT1.60S" />
          <UTT startUtt2="PT2.00S" endUtt2="PT2.50S" />
          <CRY startCry1="PT2.60S" endCry1="PT2.90S" />
        </Segment>
        <Segment spkr="CHN" average_dB="-20.00" peak_dB="-10.00" startTime="PT3.00S"
                 endTime="PT4.00S">
          <CRY startCry1="PT3.10S" endCry1="PT3.60S" />
          <VFX startVfx1="PT3.60S" endVfx1="PT3.80S" />
        </Segment>
        <Segment spkr="CHF" average_dB="-20.00" peak_dB="-10.00" startTime="PT4.00S"
                 endTime="PT5.00S">
          <VFX startVfx1="PT4.10S" endVfx1="PT4.30S" />
        </Segment>"""
    frame = read(write(tmp_path, doc(segments))).segments
    assert frame["utterances_count"].to_list() == [2, None, None]
    assert frame["cry_ms"].to_list() == [300, 500, 0]
    assert frame["vfx_ms"].to_list() == [0, 200, 200]
    assert frame["kind"].to_list() == ["vocal", "cry", "vegetative"]


def test_newer_layout_attributes_and_words(tmp_path):
    segments = """
        <Segment spkr="FAN" femaleAdultWordCnt="5.76" femaleAdultUttCnt="0"
                 conversationInfo="|BC|1|0|0|CM|TIFI|FI|" startTime="PT0.00S" endTime="PT1.00S" />
        <Segment spkr="CHN" childUttCnt="2" startUtt1="PT1.1S" endUtt1="PT1.2S" startUtt2="PT1.3S"
                 endUtt2="PT1.4S" startCry1="PT1.5S" endCry1="PT1.75S" childCryVfxLen="PT0.25S"
                 conversationInfo="|EC|1|1|1|CM|TIFR|FI|" startTime="PT1.00S" endTime="PT2.00S" />
        <Segment spkr="SIL" startTime="PT2.00S" endTime="PT3.00S" />"""
    rec = read(write(tmp_path, doc(segments)))
    frame = rec.segments
    assert frame["words"].to_list() == [5.76, None, None]
    assert frame["utterances_count"].to_list() == [None, 2, None]
    assert frame["cry_ms"].to_list() == [None, 250, None]
    assert frame["kind"].to_list() == ["vocal", "vocal", "vocal"]
    assert frame["lena_conv_turn_type"].to_list() == ["TIFI", "TIFR", None]
    assert frame["source_line"].to_list() == [11, 13, 16]
    assert rec.child_age_days == 30
    assert [p.id for p in rec.participants] == ["FAN", "CHN", "SIL"]


@pytest.mark.parametrize(
    ("value", "ms"),
    [
        ("PT0.1S", 100),
        ("PT0.10S", 100),
        ("PT4037.04S", 4_037_040),
        ("PT0.0005S", 1),
        ("PT0.0004999S", 0),
        ("PT1.2345S", 1235),
        ("P0.94S", 940),
        ("PT7S", 7000),
        ("PT1H", None),
        ("12.3", None),
        ("PT-1S", None),
        (None, None),
    ],
)
def test_durations_are_exact(value, ms):
    assert its.to_ms([value]) == [ms]


def test_every_tenth_of_a_second_is_exact():
    values = [f"PT{n // 10}.{n % 10}S" for n in range(100_000)]
    assert its.to_ms(values) == [n * 100 for n in range(100_000)]


def test_unknown_code_and_user_map(tmp_path):
    segments = """
        <Segment spkr="XYZ" startTime="PT0.00S" endTime="PT1.00S" />
        <Segment spkr="CHF" childUttCnt="0" startTime="PT1.00S" endTime="PT2.00S" />"""
    path = write(tmp_path, doc(segments))
    rec = read(path)
    assert rec.segments["speaker_type"].to_list() == ["UNK", "CHI"]
    assert "'XYZ' ×1" in rec.warnings[0]
    rec = read(path, role_map={**its.DEFAULT_ROLES, "XYZ": "ADU", "CHF": "UNK"})
    assert rec.segments["speaker_type"].to_list() == ["ADU", "UNK"]
    assert rec.warnings == []


def test_privacy_mode_keeps_no_text(tmp_path):
    rec = read(
        write(tmp_path, doc('<Segment spkr="SIL" startTime="PT0S" endTime="PT1S" />')),
        keep_text=False,
    )
    assert rec.segments["text"].null_count() == 1
    assert all(p.name is None for p in rec.participants)


def test_sniff():
    assert its.sniff(b'<?xml version="1.0"?>\n<!DOCTYPE ITS SYSTEM "its.dtd" >\n<ITS file="x">')
    assert not its.sniff(b'<?xml version="1.0"?>\n<!DOCTYPE ITS SYSTEM "its.dtd" >\n')
    assert not its.sniff(b"<ANNOTATION_DOCUMENT>")
    if BIG.exists():
        assert its.sniff(BIG.read_bytes()[:4096])


EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE ITS [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<ITS><ProcessingUnit>&secret;</ProcessingUnit></ITS>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE ITS [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<ITS>&lol4;</ITS>"""


PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE ITS [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>
<ITS/>"""


@pytest.mark.parametrize(
    "data", [EXTERNAL, LAUGHS, PARAMETER], ids=["external-entity", "billion-laughs", "parameter"]
)
def test_entities_are_refused_not_expanded(tmp_path, data):
    with pytest.raises(ReadError, match="declares entities"):
        read(write(tmp_path, data))


def test_external_dtd_is_never_read(tmp_path):
    # an its.dtd next to the file that would break the parse, or define an entity, if it were read;
    # a reference to an entity only that DTD could define is refused (expat dropped it silently
    # from the attribute value: spkr became "")
    (tmp_path / "its.dtd").write_text('<!ENTITY leaked "SECRET"> <!ELEMENT broken')
    plain = doc('<Segment spkr="SIL" startTime="PT0S" endTime="PT1S" />')
    assert read(write(tmp_path, plain)).segments.height == 1
    uses = doc('<Segment spkr="&leaked;" startTime="PT0S" endTime="PT1S" />')
    with pytest.raises(ReadError, match="never read") as caught:
        read(write(tmp_path, uses))
    assert caught.value.line == 10


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0" encoding="x-no-such-code"?><a/>',
        b'<?xml version="1.0" encoding="utf-16"?><a/>',
    ],
    ids=["unknown", "multi-byte-declared-on-ascii"],
)
def test_parse_xml_encoding_problems_are_read_errors(tmp_path, data):
    # used by the EAF reader too; defusedxml used to let LookupError/ValueError out here
    with pytest.raises(ReadError):
        _common.parse_xml(tmp_path / "x.xml", data)


def test_comment_entity_and_utf16_give_the_same_table(tmp_path):
    """A <Segment> tag inside a comment, a character reference in a value, a UTF-16 file: the
    same rows and values. Tags inside comments are not taken for segments, so the source lines
    stay right; in UTF-16 the tags cannot be found in the bytes, so source_line is left empty and
    a warning says so (it used to crash in polars)."""
    data = need(SMALL).read_bytes()
    plain = read(SMALL).segments
    first = data.index(b'spkr="') + len(b'spkr="')
    entity = data[:first] + b"&#" + str(data[first]).encode() + b";" + data[first + 1 :]
    assert read(write(tmp_path, entity, "e.its")).segments.equals(plain)
    head, tail = data.split(b"<ProcessingUnit>", 1)
    commented = head + b"<ProcessingUnit><!-- <Segment spkr='x'/> -->" + tail
    rec = read(write(tmp_path, commented, "c.its"))
    assert rec.segments.equals(plain)
    assert rec.warnings == []
    utf16 = data.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    rec = read(write(tmp_path, utf16, "u.its"))
    assert rec.segments.drop("source_line").equals(plain.drop("source_line"))
    assert rec.segments["source_line"].null_count() == plain.height
    assert rec.warnings == ["could not match <Segment> tags to file lines; source_line is empty"]


def test_value_that_looks_like_an_attribute(tmp_path):
    # valid XML whose value holds ' spkr=': the byte scan must not take it for the attribute
    segment = '<Segment recordingInfo="x spkr=" spkr="TVN" startTime="PT0S" endTime="PT1S" />'
    assert read(write(tmp_path, doc(segment))).segments["speaker_id"].to_list() == ["TVN"]


@pytest.mark.parametrize(
    ("data", "match", "line"),
    [
        (doc('<Segment spkr="SIL" startTime="PT0S" endTime="PT1S" />')[:500], "malformed", None),
        (b"<ITS><ProcessingUnit></ITS>", "malformed XML", 1),
        (b'<?xml version="1.0"?>\n<TextGrid/>', "not <ITS>", None),
        (b"<ITS><ProcessingUnit/></ITS>", "no <Recording>", None),
        (doc(""), "no <Segment>", None),
        (doc('<Segment spkr="SIL" startTime="12.3" endTime="PT1S" />'), "startTime", 10),
        (doc('<Segment spkr="SIL" startTime="PT2S" endTime="PT1S" />'), "before", 10),
        (doc('<Segment startTime="PT0S" endTime="PT1S" />'), "spkr", 10),
        (
            doc('<Segment spkr="FAN" femaleAdultWordCnt="x" startTime="PT0S" endTime="PT1S" />'),
            "not a number",
            10,
        ),
        (
            doc(
                '<Segment spkr="CHN" childUttCnt="1" startUtt1="PT0.5S" startTime="PT0S" '
                'endTime="PT1S" />'
            ),
            "interval",
            10,
        ),
        (b'<?xml version="1.0" encoding="x-no-such-code"?><ITS/>', "encoding", None),
        (b'<?xml version="1.0" encoding="utf-16"?><ITS/>', "malformed", 1),
        (b"\x00\x01\x02binary", "malformed", 1),
    ],
)
def test_bad_input_is_a_read_error(tmp_path, data, match, line):
    with pytest.raises(ReadError, match=match) as caught:
        read(write(tmp_path, data))
    if line is not None:
        assert caught.value.line == line


def test_truncated_file_names_the_line(tmp_path):
    data = need(SMALL).read_bytes()
    with pytest.raises(ReadError, match="malformed XML") as caught:
        read(write(tmp_path, data[: len(data) // 2]))
    assert caught.value.line is not None and caught.value.line > 300


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cut=st.integers(min_value=0, max_value=200_000),
    flips=st.lists(st.tuples(st.integers(0, 200_000), st.integers(0, 255)), max_size=8),
    garbage=st.tuples(st.integers(0, 200_000), st.binary(min_size=1, max_size=40)),
    how=st.sampled_from(["truncate", "flip", "insert", "all"]),
)
def test_mutated_real_file_gives_only_read_error(tmp_path, cut, flips, garbage, how):
    data = bytearray(need(SMALL).read_bytes())
    if how in ("flip", "all"):
        for at, value in flips:
            data[at % len(data)] = value
    if how in ("insert", "all"):
        at, junk = garbage
        data[at % len(data) : at % len(data)] = junk
    if how in ("truncate", "all"):
        data = data[: cut % (len(data) + 1)]
    with contextlib.suppress(ReadError):
        read(write(tmp_path, bytes(data)))


def both(path):
    """The file read by the byte path (None if it declines) and by the tree path."""
    data = path.read_bytes()
    scanned, walked = its._scan(path, data), its._walk(path, data)
    build = lambda parts: its._recording(path, parts, its.DEFAULT_ROLES, True)  # noqa: E731
    return (None if scanned is None else build(scanned)), build(walked)


def assert_same(fast, tree):
    assert fast.segments.equals(tree.segments)
    assert fast.extra == tree.extra
    assert fast.warnings == tree.warnings
    assert (fast.start, fast.child_age_days, fast.duration_ms) == (
        tree.start,
        tree.child_age_days,
        tree.duration_ms,
    )
    assert fast.participants == tree.participants


@pytest.mark.parametrize("name", [BIG.name, SMALL.name])
def test_byte_path_and_tree_path_agree_on_real_files(name):
    fast, tree = both(need(REAL / "lena" / name))
    assert fast is not None  # the byte path reads every real export
    assert_same(fast, tree)


NEWER = """
        <Segment spkr="FAN" femaleAdultWordCnt="5.76" femaleAdultUttCnt="0"
                 conversationInfo="|BC|1|0|0|CM|TIFI|FI|" startTime="PT0.00S" endTime="PT1.00S" />
        <Segment spkr="CHN" childUttCnt="2" startUtt1="PT1.1S" endUtt1="PT1.2S" startUtt2="PT1.3S"
                 endUtt2="PT1.4S" startCry1="PT1.5S" endCry1="PT1.75S" childCryVfxLen="PT0.25S"
                 conversationInfo="|EC|1|1|1|CM|TIFR|FI|" startTime="PT1.00S" endTime="PT2.00S" />
        <Segment spkr="SIL" startTime="PT2.00S" endTime="PT3.00S" />"""


@pytest.mark.parametrize(
    ("segments", "scanned"),
    [
        (NEWER, True),
        # references in values are replaced on both paths
        (NEWER.replace('spkr="SIL"', 'spkr="&#83;I&#x4C;" x="a &amp; &lt;b&gt; &quot;"'), True),
        # a comment holding a segment tag is not a segment
        (NEWER + "\n<!-- <Segment spkr='X' startTime='PT0S' endTime='PT1S'/> -->", True),
        # an interval start without its end is an error on both paths
        (NEWER.replace('endUtt2="PT1.4S"', ""), False),
        # the byte path declines, the tree path reads:
        (NEWER.replace('spkr="SIL"', "spkr='SIL'"), False),  # single quotes
        (NEWER.replace('spkr="SIL"', 'spkr = "SIL"'), False),  # spaces around =
        (NEWER.replace('spkr="SIL"', 'spkr="SIL" note="a=b"'), False),  # '=' in a value
        (NEWER.replace('spkr="SIL"', 'spkr="SIL" note="a>b"'), False),  # '>' in a value
        (NEWER.replace('spkr="SIL"', 'spkr="SIL" note="two\nlines"'), False),
        (NEWER.replace('endTime="PT3.00S" />', 'endTime="PT3.00S"><Foo/></Segment>'), False),
        (NEWER + "<Foo><Segment spkr='SIL' startTime='PT3S' endTime='PT4S'/></Foo>", False),
        (NEWER + "<![CDATA[ <Segment spkr='X'/> ]]>", False),
    ],
    ids=[
        "newer",
        "references",
        "comment",
        "lone-start",
        "single-quotes",
        "spaced-equals",
        "equals-in-value",
        "gt-in-value",
        "newline-in-value",
        "segment-child",
        "nested-segment",
        "cdata",
    ],
)
def test_byte_path_and_tree_path_agree_on_small_files(tmp_path, segments, scanned):
    path = write(tmp_path, doc(segments))
    try:
        fast, tree = both(path)
    except ReadError as exc:  # then the public reader gives the same error
        with pytest.raises(ReadError) as caught:
            read(path)
        assert str(caught.value) == str(exc)
        return
    assert (fast is not None) == scanned
    if fast is not None:
        assert_same(fast, tree)
    assert read(path).segments.equals(tree.segments)


def test_references_are_replaced(tmp_path):
    segment = '<Segment spkr="&#83;I&#x4C;" startTime="PT0S" endTime="PT1&#46;5S" />'
    frame = read(write(tmp_path, doc(segment))).segments
    assert frame.select("speaker_id", "segment_offset").row(0) == ("SIL", 1500)


def test_older_layout_goes_to_the_tree_path(tmp_path):
    segments = (
        '<Segment spkr="CHN" startTime="PT1S" endTime="PT3S">'
        '<UTT startUtt1="PT1.1S" endUtt1="PT1.6S"/></Segment>'
    )
    path = write(tmp_path, doc(segments))
    assert its._scan(path, path.read_bytes()) is None
    assert read(path).segments["utterances_count"].to_list() == [1]


@pytest.mark.parametrize("data", [EXTERNAL, LAUGHS, PARAMETER, b"<ITS><ProcessingUnit></ITS>"])
def test_check_xml_refuses_what_parse_xml_refuses(tmp_path, data):
    path = tmp_path / "x.its"
    with pytest.raises(ReadError) as parsed:
        _common.parse_xml(path, data)
    with pytest.raises(ReadError) as checked:
        _common.check_xml(path, data)
    assert str(checked.value) == str(parsed.value)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    flips=st.lists(st.tuples(st.integers(0, 200_000), st.integers(0, 255)), min_size=1, max_size=4),
)
def test_mutated_file_reads_the_same_on_both_paths(tmp_path, flips):
    """Whatever a byte flip does, the two paths agree: the same error or the same recording."""
    data = bytearray(need(SMALL).read_bytes())
    for at, value in flips:
        data[at % len(data)] = value
    path = write(tmp_path, bytes(data))
    outcomes = []
    for reader in (its._scan, its._walk):
        try:
            parts = reader(path, bytes(data))
            outcomes.append(
                None if parts is None else its._recording(path, parts, its.DEFAULT_ROLES, True)
            )
        except ReadError as exc:
            outcomes.append(str(exc))
    fast, tree = outcomes
    if fast is None:
        return
    if isinstance(fast, str) or isinstance(tree, str):
        assert fast == tree
    else:
        assert_same(fast, tree)
