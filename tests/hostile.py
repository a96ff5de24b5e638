"""A small, varied corpus of hostile inputs (issues 19 and 20), written into a folder on demand.

Each case is a few bytes to a few hundred kB: amplifying times, huge counts (RTTM file ids, BORIS
observations, SDIS codes), deep XML nesting, entity tricks, wrong encodings, NUL bytes past the
first 64 KiB, truncation, and paths that are not regular files (a FIFO, a folder named ``*.its``,
a symlink loop, an unreadable file).
``write(folder)`` returns ``{name: path}``.
"""

from __future__ import annotations

import os
from pathlib import Path

CHAT_HEAD = "@UTF8\n@Begin\n@Languages:\teng\n@Participants:\tCHI Target_Child , MOT Mother\n"


def _chat(body: str) -> str:
    return CHAT_HEAD + body + "@End\n"


def _textgrid(xmax: float, tiers: list[tuple[str, list[tuple[float, float, str]]]]) -> str:
    out = ['File type = "ooTextFile"', 'Object class = "TextGrid"', "", "xmin = 0"]
    out += [f"xmax = {xmax}", "tiers? <exists>", f"size = {len(tiers)}", "item []:"]
    for i, (name, intervals) in enumerate(tiers, start=1):
        out += [f"    item [{i}]:", '        class = "IntervalTier"', f'        name = "{name}"']
        out += ["        xmin = 0", f"        xmax = {xmax}"]
        out += [f"        intervals: size = {len(intervals)}"]
        for j, (start, end, label) in enumerate(intervals, start=1):
            out += [f"        intervals [{j}]:", f"            xmin = {start}"]
            out += [f"            xmax = {end}", f'            text = "{label}"']
    return "\n".join(out) + "\n"


def _its(segments: str, end: str = "PT10.00S") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<ITS fileName="x" version="4.6.0"><ProcessingUnit>
<ChildInfo dob="2015-01-01" gender="F" chronologicalAge="P1M" />
<Recording num="1" startClockTime="2015-01-31T09:00:00Z" endClockTime="2015-01-31T09:00:10Z"
 startTime="PT0.00S" endTime="{end}">
<Conversation num="1" type="CM" turnTaking="0" childUttCnt="0" adultWordCnt="0.00"
 startTime="PT0.00S" endTime="{end}">
{segments}
</Conversation></Recording></ProcessingUnit></ITS>
"""


def _eaf(time_value: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="" DATE="2018-01-12T17:55:22+01:00" FORMAT="3.0" VERSION="3.0"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="x.xsd">
<HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/>
<TIME_ORDER><TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="0"/>
<TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="{time_value}"/></TIME_ORDER>
<TIER LINGUISTIC_TYPE_REF="default" TIER_ID="CHI"><ANNOTATION><ALIGNABLE_ANNOTATION
 ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2"><ANNOTATION_VALUE>hi
</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION></TIER>
<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="default" TIME_ALIGNABLE="true"/>
</ANNOTATION_DOCUMENT>
"""


def _rttm(rows: list[tuple[str, str, str, str]]) -> str:
    return "".join(
        f"SPEAKER {fid} 1 {on} {dur} <NA> <NA> {lab} 1.0 <NA>\n" for fid, on, dur, lab in rows
    )


def _pad_with_nul(text: str) -> bytes:
    """``text`` with a line holding a NUL byte after the first 64 KiB."""
    head, tail = text.rsplit("@End", 1) if "@End" in text else (text, "")
    filler = "".join(f"*MOT:\thello number {i} .\n" for i in range(4000))
    return (head + filler).encode() + b"*MOT:\tbad \x00 byte .\n" + ("@End" + tail).encode()


def files() -> dict[str, bytes]:
    """Regular hostile files: name -> bytes."""
    jump = "".join(f"*MOT:\thi .\x15{i * 10**12}_{i * 10**12 + 500}\x15\n" for i in range(3))
    valid_grid = _textgrid(10, [("CHI", [(0, 1, "a"), (1, 2, "")]), ("MOT", [(2, 3, "b")])])
    out = {
        "bullets.cha": _chat(jump).encode(),
        "xmax.TextGrid": _textgrid(1e11, [("CHI", [(0, 1, "a"), (1, 1e11, "b")])]).encode(),
        "onset_1e30.rttm": _rttm([("f", "1e30", "1", "KCHI")]).encode(),
        "onset_9e15.rttm": _rttm([("f", "9.2e15", "1", "KCHI"), ("f", "0", "1", "FEM")]).encode(),
        "onset_1e12.rttm": _rttm([("f", "0", "1", "KCHI"), ("f", "1e12", "1", "FEM")]).encode(),
        "ids.rttm": _rttm([(f"id{i}", "0", "1", "KCHI") for i in range(20_000)]).encode(),
        "codes.sds": (
            "Event "
            + " ".join(f"c{i}" for i in range(5000))
            + " ;\n"
            + " ".join(f"c{i}" for i in range(5000))
            + " /\n"
        ).encode(),
        "time_1e30.eaf": _eaf("1" + "0" * 30).encode(),
        "huge_time.its": _its(
            '<Segment spkr="CHN" childUttCnt="1" startTime="PT0.00S" endTime="PT1.00S" />\n'
            '<Segment spkr="FAN" femaleAdultWordCnt="2" startTime="PT999999999998S" '
            'endTime="PT999999999999S" />',
            end="PT999999999999S",
        ).encode(),
        "deep.its": ('<?xml version="1.0"?>\n' + "<a>" * 1_000 + "</a>" * 1_000).encode(),
        "deep.eaf": (
            '<?xml version="1.0"?>\n<ANNOTATION_DOCUMENT>'
            + "<a>" * 1_000
            + "</a>" * 1_000
            + "</ANNOTATION_DOCUMENT>"
        ).encode(),
        "xxe.its": (
            b'<?xml version="1.0"?>\n<!DOCTYPE ITS [<!ENTITY % ext SYSTEM "file:///etc/passwd">'
            b"%ext;]>\n<ITS/>\n"
        ),
        "utf16_nobom.cha": _chat("*MOT:\thi .\x150_500\x15\n").encode("utf-16-le"),
        "utf16_nobom.TextGrid": valid_grid.encode("utf-16-le"),
        "nul_late.cha": _pad_with_nul(_chat("*MOT:\thi .\x150_500\x15\n")),
        "nul_late.rttm": _rttm([("f", str(i), "0.5", "KCHI") for i in range(2000)]).encode()
        + b"SPEAKER f 1 1 1 <NA> <NA> FE\x00M 1.0 <NA>\n",
        # cut inside the last tier's header: praatio used to read it as an empty tier
        "truncated.TextGrid": valid_grid.encode()[: valid_grid.rindex("intervals: size") + 5],
    }
    table = "segment_onset,segment_offset,speaker_type\n" + "".join(
        f"{i * 1000},{i * 1000 + 500},CHI\n" for i in range(4000)
    )
    out["nul_late.csv"] = table.encode() + b"1,2,C\x00HI\n"
    out["list_times.parquet"] = _list_parquet()
    header = "Observation id,Subject,Behavior,Behavior type,Time\n"
    out["observations.csv"] = (
        header + "".join(f"obs {i},Mother,talk,POINT,1.0\n" for i in range(1500))
    ).encode()
    return out


def _list_parquet() -> bytes:
    import io

    import polars as pl

    buffer = io.BytesIO()
    pl.DataFrame(
        {"segment_onset": [[0, 1]], "segment_offset": [[5, 6]], "speaker_type": ["CHI"]}
    ).write_parquet(buffer)
    return buffer.getvalue()


def write(folder: Path) -> dict[str, Path]:
    """Write every hostile case into ``folder`` (files, a FIFO, a folder named ``x.its``, a
    symlink loop and an unreadable file); ``{name: path}``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, data in files().items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    paths["fifo.cha"] = folder / "fifo.cha"
    os.mkfifo(paths["fifo.cha"])
    paths["folder.its"] = folder / "folder.its"
    paths["folder.its"].mkdir()
    (paths["folder.its"] / "inside.txt").write_text("not a recording\n")
    paths["loop.cha"] = folder / "loop.cha"
    (folder / "loop2.cha").symlink_to(paths["loop.cha"])
    paths["loop.cha"].symlink_to(folder / "loop2.cha")
    paths["unreadable.cha"] = folder / "unreadable.cha"
    paths["unreadable.cha"].write_text(_chat("*MOT:\thi .\x150_500\x15\n"))
    paths["unreadable.cha"].chmod(0)
    return paths
