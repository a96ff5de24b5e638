"""Files of every format with a canary word in every place text can live, and bad files whose
errors would echo a canary: the privacy-mode tests search every output for them.

Each canary is ``Zebrafinch<Place>``, so a leak names where it came from."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REAL, need
from tests.test_textgrid import long_format

CANARIES = re.compile(r"zebrafinch\w*|quokkaplum", re.IGNORECASE)


def c(place: str) -> str:
    return f"Zebrafinch{place}"


def chat() -> dict[str, str]:
    b = "\x15"
    good = f"""@UTF8
@Begin
@Languages:\teng
@Participants:\tCHI Target_Child, MOT {c("Name")} Mother, ZEB {c("Role")}
@ID:\teng|{c("Corpus")}|CHI|1;02.03|female|{c("Group")}|{c("Ses")}|Target_Child|{c("Edu")}|{c("Custom")}|
@ID:\teng|{c("Corpus")}|MOT|||||Mother|||
@Media:\t{c("Media")}, audio
@Comment:\t{c("Comment")}
@Situation:\t{c("Situation")}
@Location:\t{c("Location")}
@Date:\t{c("Date")}
@Bg:\t{c("Gem")}
*MOT:\t{c("Word")} look [+ {c("Post")}] [= {c("Explain")}] . {b}0_1000{b}
%add:\tCHI, {c("Add")}
%act:\t{c("Act")}
%com:\t{c("Com")}
%mor:\tn|{c("Mor")} .
*CHI:\t0 [=! {c("Sound")}] . {b}1000_2000{b}
*CHI:\t&={c("Event")} ba . {b}2000_2500{b}
*ZEB:\thi . {b}2600_2900{b}
*QQQ:\t{c("Undeclared")} . {b}3000_3500{b}
@New Episode
*MOT:\tbye . {b}4000_4500{b}
@Eg:\t{c("Gem")}
@End
"""
    return {
        "canary.cha": good,
        "vandam.cha": need(REAL / "chat/vandam-daylong/vandam.cha")
        .read_text(encoding="utf-8")
        .replace("Natasha", "Quokkaplum"),
        "bad_tier.cha": f"@UTF8\n@Begin\n*{c('Tier')} with no colon\n@End\n",
        "bad_bullet.cha": f"@UTF8\n@Begin\n*MOT:\t{c('Bullet')} . {b}9000_10{b}\n@End\n",
    }


def _annotation(aid: str, ts1: str, ts2: str, value: str) -> str:
    return (
        f'<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="{aid}" TIME_SLOT_REF1="{ts1}" '
        f'TIME_SLOT_REF2="{ts2}"><ANNOTATION_VALUE>{value}</ANNOTATION_VALUE>'
        "</ALIGNABLE_ANNOTATION></ANNOTATION>"
    )


def _reference(aid: str, ref: str, value: str) -> str:
    return (
        f'<ANNOTATION><REF_ANNOTATION ANNOTATION_ID="{aid}" ANNOTATION_REF="{ref}">'
        f"<ANNOTATION_VALUE>{value}</ANNOTATION_VALUE></REF_ANNOTATION></ANNOTATION>"
    )


def _eaf(tiers: str, ids: tuple[str, str] = ("a1", "a2")) -> str:
    slots = "".join(
        f'<TIME_SLOT TIME_SLOT_ID="ts{i}" TIME_VALUE="{(i - 1) * 1000}"/>' for i in range(1, 10)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="{c("Author")}" DATE="2020-01-01T00:00:00+00:00" FORMAT="3.0"
 VERSION="3.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd">
<HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">
<MEDIA_DESCRIPTOR MEDIA_URL="file:///{c("MediaUrl")}.wav" MIME_TYPE="audio/x-wav"/>
<PROPERTY NAME="{c("PropertyName")}">{c("Property")}</PROPERTY>
</HEADER>
<TIME_ORDER>{slots}</TIME_ORDER>
<TIER LINGUISTIC_TYPE_REF="default" PARTICIPANT="{c("Participant")}" ANNOTATOR="{c("Annotator")}"
 TIER_ID="FA1">{_annotation(ids[0], "ts1", "ts2", c("Utterance"))}
{_annotation(ids[1], "ts3", "ts4", "hello")}</TIER>
{tiers}
<LINGUISTIC_TYPE GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="default" TIME_ALIGNABLE="true"/>
<LINGUISTIC_TYPE CONSTRAINTS="Symbolic_Association" GRAPHIC_REFERENCES="false"
 LINGUISTIC_TYPE_ID="ref" TIME_ALIGNABLE="false"/>
<LINGUISTIC_TYPE CONSTRAINTS="Symbolic_Association" CONTROLLED_VOCABULARY_REF="affect"
 GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="cvref" TIME_ALIGNABLE="false"/>
<LANGUAGE LANG_DEF="http://cdb.iso.org/lg/CDB-00130975-001" LANG_ID="und"
 LANG_LABEL="undetermined (und)"/>
<CONSTRAINT DESCRIPTION="1-1 association with a parent annotation"
 STEREOTYPE="Symbolic_Association"/>
<CONTROLLED_VOCABULARY CV_ID="affect">
<DESCRIPTION LANG_REF="und">{c("CvDescription")}</DESCRIPTION>
<CV_ENTRY_ML CVE_ID="c1"><CVE_VALUE DESCRIPTION="{c("EntryDescription")}"
 LANG_REF="und">happy</CVE_VALUE></CV_ENTRY_ML>
<CV_ENTRY_ML CVE_ID="c2"><CVE_VALUE LANG_REF="und">sad</CVE_VALUE></CV_ENTRY_ML>
</CONTROLLED_VOCABULARY>
</ANNOTATION_DOCUMENT>
"""


def eaf() -> dict[str, str]:
    tiers = f"""<TIER LINGUISTIC_TYPE_REF="default" TIER_ID="CHI">{_annotation("a3", "ts2", "ts3", "ba")}
{_annotation("a4", "ts5", "ts6", c("Babble"))}</TIER>
<TIER LINGUISTIC_TYPE_REF="default" TIER_ID="{c("Speaker")}">{_annotation("a5", "ts6", "ts7", "x")}</TIER>
<TIER LINGUISTIC_TYPE_REF="default" TIER_ID="notes">{_annotation("a6", "ts7", "ts8", c("Note"))}</TIER>
<TIER LINGUISTIC_TYPE_REF="ref" PARENT_REF="FA1" TIER_ID="xds@FA1">{_reference("a7", "a1", "T")}
{_reference("a8", "a2", c("Xds"))}</TIER>
<TIER LINGUISTIC_TYPE_REF="ref" PARENT_REF="CHI" TIER_ID="vcm@CHI">{_reference("a9", "a3", "C")}
{_reference("a10", "a4", c("Vcm"))}</TIER>
<TIER LINGUISTIC_TYPE_REF="cvref" PARENT_REF="FA1" TIER_ID="affect@FA1">{_reference("a11", "a1", "happy")}
{_reference("a12", "a2", c("Cv"))}</TIER>
<TIER LINGUISTIC_TYPE_REF="ref" PARENT_REF="FA1" TIER_ID="{c("FreeTier")}@FA1">{_reference("a13", "a1", c("FreeValue"))}</TIER>
<TIER LINGUISTIC_TYPE_REF="ref" PARENT_REF="CHI" TIER_ID="{c("Orphan")}@CHI">{_reference("a14", "a99", "x")}</TIER>"""  # noqa: E501
    orphan = f'<TIER LINGUISTIC_TYPE_REF="ref" PARENT_REF="{c("Parent")}" TIER_ID="{c("Child")}"/>'
    return {
        "canary.eaf": _eaf(tiers),
        "bad_ids.eaf": _eaf("", ids=(c("Id"), c("Id"))),
        "bad_parent.eaf": _eaf(orphan),
    }


def textgrid() -> dict[str, str]:
    good = long_format(
        10,
        [
            ("Mother", [(1, 2, f"{c('Label')} there"), (4, 5, "hi")], True),
            ("CHI", [(2.5, 3, "ba")], True),
            (c("TierName"), [(6, 7, "x")], True),
            ("notes", [(5.5, 6, c("Note"))], True),
            (c("PointTier"), [(5.5, c("Point"))], False),
        ],
    )
    overlap = long_format(10, [("Mother", [(1, 2, "a")], True)]).replace(
        "xmin = 1 \n            xmax = 2 ", "xmin = 1 \n            xmax = 4 "
    )
    overlap = overlap.replace('text = "a"', f'text = "{c("Overlap")}"')
    return {"canary.TextGrid": good, "overlap.TextGrid": overlap}


def table() -> dict[str, str]:
    head = (
        "segment_onset,segment_offset,speaker_type,speaker_id,transcription,comment,notes,"
        f"addressee,vcm_type,code,raw_filename,{c('Column')}"
    )
    rows = [
        f"0,1000,CHI,CHI,ba,{c('Comment')},{c('Notes')},T,C,,{c('Raw')}.its,1",
        f"1500,2500,FEM,{c('SpeakerId')},{c('Transcription')} look,x,y,{c('Addressee')},"
        f"{c('Vcm')},Mneg,a.its,2",
        f'3000,3500,{c("Type")},,hi,,,"A,T",N,,,3',
    ]
    bad = f"segment_onset,segment_offset,speaker_type\n0,10,CHI\n{c('Onset')},20,FEM\n"
    return {
        "canary.csv": "\n".join([head, *rows]) + "\n",
        "bad_onset.csv": bad,
        "streams.csv": "onset,offset,partner,code\n0,1,child,positive\n"
        f"1,2,{c('Partner')},neutral\n0,3,episode,FF\n",
        "bad_streams.csv": "onset,offset,partner,code\n0,1,child,positive\n"
        f"{c('Time')},2,child,x\n",
    }


def boris() -> dict[str, str]:
    head = (
        "Observation id,Observation date,Description,Observation duration,Subject,Behavior,"
        "Behavioral category,Modifier #1,Behavior type,Time,Comment"
    )
    rows = [
        f"{c('Obs')},2023-01-10 09:00:00,{c('Description')},60,Mother,talk,vocal,,START,1.0,"
        f"{c('Comment')}",
        f"{c('Obs')},2023-01-10 09:00:00,{c('Description')},60,Mother,talk,vocal,,STOP,3.0,",
        f"{c('Obs')},2023-01-10 09:00:00,{c('Description')},60,{c('Subject')},look,gaze,,POINT,"
        "4.0,",
    ]
    short = "Observation id,Subject,Behavior,Behavior type,Time"
    return {
        "canary.tsv": "\n".join([head, *rows]).replace(",", "\t") + "\n",
        "bad_status.tsv": f"{short}\no,Mother,talk,{c('Status')},1.0\n".replace(",", "\t"),
        "bad_time.tsv": f"{short}\no,Mother,talk,POINT,{c('Time')}\n".replace(",", "\t"),
        "bad_stop.tsv": f"{short}\no,{c('Who')},{c('What')},STOP,1.0\n".replace(",", "\t"),
    }


def rttm() -> dict[str, str]:
    line = "SPEAKER {} 1 {} {} <NA> <NA> {} 1.0 <NA>"
    good = [
        line.format(c("FileId"), "0.5", "1.0", "KCHI"),
        line.format(c("FileId"), "2.0", "0.5", c("Label")),
        line.format("other", "1.0", "1.0", "FEM"),
    ]
    return {
        "canary.rttm": "\n".join(good) + "\n",
        "bad_onset.rttm": line.format("f", c("Onset"), "1.0", "FEM") + "\n",
        "bad_line.rttm": f"{c('Record')} f 1 0.5 1.0 <NA> <NA> FEM 1.0 <NA>\n",
    }


def its() -> dict[str, str]:
    text = need(REAL / "lena/test.its").read_text(encoding="utf-8")
    good = (
        text.replace('TimeZone="RST"', f'TimeZone="{c("Zone")}"')
        .replace('chronologicalAge="P22M"', f'chronologicalAge="{c("Age")}"')
        .replace('dob="2015-12-31"', f'dob="{c("Dob")}"')
        .replace('version="4.6.0"', f'version="{c("Version")}"', 1)
        .replace('<Segment spkr="NOF"', f'<Segment spkr="{c("Spkr")}"', 1)
        .replace('type="AMM"', f'type="{c("ConvType")}"', 1)
        .replace('conversationInfo="|BC|', f'conversationInfo="|{c("Status")}|', 1)
    )
    assert good.count("Zebrafinch") == 7
    clock = re.sub(r'startClockTime="[^"]*"', f'startClockTime="{c("Clock")}"', text, count=1)
    count = text.replace('childUttCnt="0"', f'childUttCnt="{c("Count")}"', 1)
    return {"canary.its": good, "bad_clock.its": clock, "bad_count.its": count}


MAKERS = (chat, eaf, textgrid, table, boris, rttm, its)


def write_all(folder: Path) -> dict[str, list[Path]]:
    """Every canary file under ``folder``: good ones (readable) and bad ones (each an error)."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[Path]] = {"good": [], "bad": []}
    for make in MAKERS:
        for name, text in make().items():
            path = folder / name
            path.write_text(text, encoding="utf-8")
            out["bad" if name.startswith(("bad_", "overlap")) else "good"].append(path)
    return out
