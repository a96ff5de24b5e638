"""The coded-streams CSV reader, the `attunement repair` command and the real ConNEcT dyad."""

import contextlib
import json

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from typer.testing import CliRunner

from attunement.cli import app
from attunement.errors import ReadError
from attunement.io import read
from attunement.io.coded_streams import sniff
from attunement.io.intervals import from_binary_table
from attunement.measures.coded_streams import from_partner_table
from attunement.measures.registry import family
from attunement.measures.repair import repair
from tests.catalogue_helpers import assert_catalogue_names
from tests.coded_examples import STILL_FACE_ICEP_R
from tests.conftest import REAL, need
from tests.fuzz import fuzz, mutations

runner = CliRunner()
CSV = (
    "onset,offset,partner,code\n"
    "0,10,episode,FF\n10,20,episode,SF\n"
    "0,20,caregiver,Mpos\n"
    "0,6,child,Cpos\n6,14,child,Cneg\n14,20,child,Cpos\n"
)


def write(tmp_path, text, name="dyad.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reader_builds_partner_and_episode_segments(tmp_path):
    rec = read(write(tmp_path, CSV))
    assert rec.format == "coded_streams"
    table = rec.segments
    assert table.filter(pl.col("kind") == "episode")["code"].to_list() == ["FF", "SF"]
    assert table.filter(pl.col("speaker_type") == "CHI")["segment_onset"].to_list() == [
        0,
        6000,
        14000,
    ]
    assert set(table.filter(pl.col("kind") == "affect")["speaker_type"]) == {"CHI", "ADU"}
    states = from_partner_table(pl.read_csv(CSV.encode()))
    assert states.child.tolist() == ["Cpos", "Cneg", "Cneg", "Cpos"]
    assert states.episode.tolist() == ["FF", "FF", "SF", "SF"]


@pytest.mark.parametrize(
    ("row", "line", "problem"),
    [
        ("1,x,child,Cpos", 3, "offset is not a finite number"),
        ("5,1,child,Cpos", 3, "is before onset"),
        ("-1,1,child,Cpos", 3, "onset is not a finite number"),
        ("1,2,,Cpos", 3, "empty partner"),
        ("1,2,child,", 3, "empty code"),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path, row, line, problem):
    path = write(tmp_path, f"onset,offset,partner,code\n0,1,child,Cpos\n{row}\n")
    with pytest.raises(ReadError, match=problem) as info:
        read(path)
    assert info.value.line == line and info.value.path == str(path)


def test_sniff_claims_only_the_partner_header():
    assert sniff(b"onset,offset,partner,code\n0,1,child,x\n")
    assert sniff(b'\xef\xbb\xbf"onset","offset","partner","code"\r\n')
    assert not sniff(b"segment_onset,segment_offset,speaker_type\n")


@fuzz(60)
@given(data=mutations(CSV.encode(), tokens=[b",", b"\n", b'"', b"-", b"nan", b"1e400"]))
def test_garbage_gives_only_read_error(tmp_path, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    with contextlib.suppress(ReadError):
        read(path, format="coded_streams")


def test_cli_json_fields(tmp_path):
    path = write(tmp_path, CSV)
    result = runner.invoke(app, ["repair", str(path), "--match-table", "valence", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["matching_proportion"] == pytest.approx(0.6)
    assert (data["mismatch_episodes"], data["repairs"], data["censored"]) == (2, 1, 1)
    assert data["reparation_rate"] == 0.5
    # two 4-s runs, one censored at the episode end: S(4) = 1 - 1/2 = 0.5 -> median 4 s
    assert data["repair_latency_median_s"] == 4.0
    assert data["by_episode"]["SF"]["repair_latency_median_s"] == 4.0
    assert [m["end"] for m in data["mismatches"]] == ["episode_end", "match"]
    assert data["parameters"]["min_mismatch_s"] == 0.0
    table = runner.invoke(app, ["repair", str(path), "--match-table", "valence"])
    assert table.exit_code == 0 and "mismatch episodes" in table.stdout


def test_cli_json_uses_the_catalogue_names(tmp_path):
    """The ICEP-R Still-Face dyad: 12 s matched, 14 s mismatched, 4 s neutral; three mismatch
    episodes (FF 3-6 s repaired by the child, SF 14-20 s cut by the phase end, RE 20-25 s
    repaired by the child and left-truncated)."""
    path = write(tmp_path, STILL_FACE_ICEP_R)
    result = runner.invoke(app, ["repair", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert_catalogue_names(data, "repair")
    assert data["match_table"] == "icep-r-reading-1"
    parameters = data["parameters"]
    assert parameters["match_table_version"].startswith("1 ")
    assert (
        "our reading of the ICEP-R dyadic-coordination scheme"
        in parameters["match_table_definition"]
    )
    assert "Match table icep-r-reading-1 (version 1 " in data["definition"]
    assert data["warnings"][0].startswith("icep-r-reading-1 is our reading of the ICEP-R")
    assert (parameters["neutral"], parameters["bridge_s"]) == ("censor", None)
    assert (data["match_s"], data["mismatch_s"], data["neutral_s"]) == (12.0, 14.0, 4.0)
    assert data["matching_proportion"] == pytest.approx(12 / 26)
    assert (data["mismatch_episodes"], data["repairs"], data["censored"]) == (3, 2, 1)
    assert (data["censored_episode_end"], data["repaired_by_child"]) == (1, 2)
    assert (data["repaired_by_caregiver"], data["left_truncated"]) == (0, 1)
    scalars = {f.name for f in family("repair").scalars}
    assert [set(phase) - {"repair_latency_km"} for phase in data["by_episode"].values()] == [
        scalars
    ] * 3
    assert data["by_episode"]["SF"]["censored_episode_end"] == 1


NEUTRAL_CSV = (
    "onset,offset,partner,code\n0,20,caregiver,Mpos\n0,2,child,Cpos\n2,5,child,Cneg\n"
    "6,9,child,Cneg\n9,12,child,Cpos\n12,14,child,Cneg\n17,20,child,Cpos\n"
)  # the child has no code 5-6 s and 14-17 s: neutral with --absent-code none


@pytest.mark.parametrize(
    ("rule", "episodes", "repairs", "censored", "ended", "median"),
    [
        (["--neutral", "censor"], 3, 1, 2, 0, 3.0),
        (["--neutral", "bridge", "--bridge-s", "1"], 2, 1, 1, 0, 7.0),
        (["--neutral", "end"], 3, 1, 0, 2, None),
    ],
)
def test_cli_neutral_rules_by_hand(tmp_path, rule, episodes, repairs, censored, ended, median):
    """The hand-computed dyad of tests/test_repair_rules.py through the command line."""
    path = write(tmp_path, NEUTRAL_CSV)
    args = ["repair", str(path), "--match-table", "valence", "--absent-code", "none", *rule]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    got = (d["mismatch_episodes"], d["repairs"], d["censored"], d["ended_unrepaired"])
    assert got == (episodes, repairs, censored, ended)
    assert d["repair_latency_median_s"] == median
    assert (d["parameters"]["neutral"], d["parameters"]["match_table_version"]) == (rule[1], "1")
    text = " ".join(runner.invoke(app, args).stdout.split())  # unwrapped
    assert (
        f"match table valence (version 1; neutral {rule[1]}" in text
        and "positive with positive and negative with negative are matched states" in text
    )


def test_cli_errors(tmp_path):
    path = write(tmp_path, CSV)
    unknown = runner.invoke(app, ["repair", str(path), "--match-table", "nope"])
    assert unknown.exit_code == 2 and "unknown match table 'nope'" in unknown.stderr
    old = runner.invoke(app, ["repair", str(path), "--match-table", "icep-r"])
    assert old.exit_code == 2 and "icep-r is now icep-r-reading-1" in old.stderr
    missing = runner.invoke(app, ["repair", str(path)])  # icep-r-reading-1 lacks Mpos/Cpos
    assert missing.exit_code == 1 and "caregiver 'Mpos' with child 'Cpos'" in missing.stderr
    lonely = write(tmp_path, "onset,offset,partner,code\n0,1,child,Cpos\n", "lonely.csv")
    alone = runner.invoke(app, ["repair", str(lonely), "--match-table", "valence"])
    assert alone.exit_code == 1 and "no caregiver codes" in alone.stderr


ATTACHMENT_ROLES = {
    "Mpos": "FEM",
    "Mneg": "FEM",
    "Cpos": "CHI",
    "Cneg": "CHI",
    # task codes (working alone / together), not affect: kept out of the valence streams
    "MAlone": "UNK",
    "CAlone": "UNK",
    "Togth": "UNK",
}


def _independent(frame: pl.DataFrame) -> dict:
    """The same numbers straight from the 2-s rows, without the grid or the episode code."""

    def valence(pos, neg):
        return np.select([pos & neg, pos, neg], ["mixed", "pos", "neg"], default="none")

    m = valence(frame["Mpos"].to_numpy() == 1, frame["Mneg"].to_numpy() == 1)
    c = valence(frame["Cpos"].to_numpy() == 1, frame["Cneg"].to_numpy() == 1)
    match = (m == c) & np.isin(m, ["pos", "neg"])
    mismatch = ((m == "pos") & (c == "neg")) | ((m == "neg") & (c == "pos"))
    episodes = repairs = 0
    who = {"child": 0, "caregiver": 0, "both": 0}
    for i in range(len(m)):
        if mismatch[i] and (i == 0 or not mismatch[i - 1]):
            episodes += 1
        if mismatch[i] and i + 1 < len(m) and match[i + 1]:
            repairs += 1
            moved = (c[i] != c[i + 1], m[i] != m[i + 1])
            who[{(1, 1): "both", (1, 0): "child", (0, 1): "caregiver"}[moved]] += 1
    return {
        "match_s": 2.0 * match.sum(),
        "mismatch_s": 2.0 * mismatch.sum(),
        "episodes": episodes,
        "repairs": repairs,
        "who": who,
    }


def test_real_connect_attachment_data():
    frame = pl.read_csv(need(REAL / "connect/AttachmentData.csv"))
    rec = from_binary_table(frame, interval_s=2.0, role_map=ATTACHMENT_ROLES)
    # every 2-s interval was coded: no valence code means "none", not missing
    r = repair(rec, match_table="valence", absent_code="none")
    expected = _independent(frame)
    assert (r.match_s, r.mismatch_s) == (expected["match_s"], expected["mismatch_s"])
    assert (r.match_s, r.mismatch_s, r.neutral_s, r.uncoded_s) == (34.0, 30.0, 116.0, 0.0)
    assert r.matching_proportion == pytest.approx(34 / 64)
    assert r.matching_proportion_total == pytest.approx(34 / 180)
    assert r.mismatch_episodes == expected["episodes"] == 9
    assert r.repairs == expected["repairs"] == 0
    assert {w: getattr(r, f"repaired_by_{w}") for w in expected["who"]} == expected["who"]
    assert r.censored == 9 and r.censored_neutral == 9
    assert r.repair_latency_median_s is None
    assert r.mismatches["duration_s"].to_list() == [4.0, 2.0, 2.0, 2.0, 2.0, 2.0, 10.0, 2.0, 4.0]


DYAD_1 = STILL_FACE_ICEP_R
DYAD_2 = """onset,offset,partner,code
0,10,episode,FF
10,20,episode,SF
20,30,episode,RE
0,10,caregiver,positive
0,10,child,positive
10,20,caregiver,no_infant_focus
10,20,child,negative
20,30,caregiver,positive
20,30,child,positive
"""


def test_several_dyads_give_still_face_contrasts_by_hand(tmp_path):
    """ICEP-R matching per phase: dyad 1 FF 7/10, SF 0/6, RE 5/10; dyad 2 FF 1, SF 0, RE 1.
    SF - FF: differences -0.7 and -1, mean -0.85, SD 0.3 / sqrt 2, d_z = -0.85 / 0.2121;
    SD(SF) = 0 and SD(FF) = 0.3 / sqrt 2, so d_av = -0.85 / (0.2121 / 2)."""
    files = []
    for name, text in (("d1.csv", DYAD_1), ("d2.csv", DYAD_2)):
        files.append(tmp_path / name)
        files[-1].write_text(text)
    result = runner.invoke(app, ["repair", *map(str, files), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["by_episode"]["FF"]["matching_proportion"] for d in data["dyads"]] == [0.7, 1.0]
    effect = data["contrasts"]["matching_proportion"]["still_face_effect"]
    sd = 0.3 / np.sqrt(2)
    assert effect["phases"] == ["SF", "FF"] and effect["n"] == 2
    assert effect["mean_diff"] == pytest.approx(-0.85)
    assert effect["sd_diff"] == pytest.approx(sd)
    assert effect["d_z"] == pytest.approx(-0.85 / sd)
    assert effect["d_av"] == pytest.approx(-0.85 / (sd / 2))
    recovery = data["contrasts"]["matching_proportion"]["recovery"]
    assert recovery["mean_diff"] == pytest.approx(0.75)  # (0.5 + 1) / 2
    table = runner.invoke(app, ["repair", *map(str, files)])
    assert "Still-Face contrasts across dyads" in table.stdout
