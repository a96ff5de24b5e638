"""Strange Situation records: classification grammar, the validating parser (row and column in
every message) and base rates against van IJzendoorn et al. (1999)."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from attunement.attachment.strange_situation import (
    VAN_IJZENDOORN_1999,
    base_rates,
    parse_classification,
    read_strange_situation,
)
from attunement.errors import ReadError


def test_classification_grammar():
    assert parse_classification("B2") == ("B", "B2", None)
    assert parse_classification(" a1 ") == ("A", "A1", None)
    assert parse_classification("C") == ("C", None, None)
    assert parse_classification("D/B2") == ("D", None, "B2")
    assert parse_classification("d / c") == ("D", None, "C")
    assert parse_classification("D") == ("D", None, None)
    for bad in ("B5", "A3", "C0", "E", "D/D", "D/B9", ""):
        with pytest.raises(ValueError, match="not a Strange Situation classification"):
            parse_classification(bad)


CSV = """id,classification,avoidance_5,resistance_5,proximity_seeking_8,disorganisation
c1,B2,1,2,6,1
c2,A1,6,1,2,2.5
c3,D/B3,2,2,5,6
c4,C1,1,6,7,5
"""


def test_reads_a_valid_table(tmp_path):
    path = tmp_path / "ssp.csv"
    path.write_text(CSV)
    ss = read_strange_situation(path)
    r = ss.records
    assert r["classification"].to_list() == ["B", "A", "D", "C"]
    assert r["subgroup"].to_list() == ["B2", "A1", None, "C1"]
    assert r["forced_alternative"].to_list() == [None, None, "B3", None]
    assert ss.scale_columns == ["avoidance_5", "resistance_5", "proximity_seeking_8"]
    assert r["avoidance_5"].to_list() == [1.0, 6.0, 2.0, 1.0]
    assert r["disorganisation_suggests_d"].to_list() == [False, False, True, True]  # >= 5
    assert ss.parameters["d_threshold"] == 5.0


def test_every_invalid_value_named_with_line_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "id,classification,avoidance_5,disorganisation\nc1,B5,1,1\nc2,A1,8,1\nc1,C1,x,10\n,B1,2,2\n"
    )
    with pytest.raises(ReadError) as info:
        read_strange_situation(path)
    text = str(info.value)
    assert info.value.line == 2
    assert "line 2, column 'classification': 'B5' is not a Strange Situation" in text
    assert "line 3, column 'avoidance_5': 8 is outside the scale range 1-7" in text
    assert "line 4, column 'id': duplicate id 'c1' (first on line 2)" in text
    assert "line 4, column 'avoidance_5': 'x' is not a number" in text
    assert "line 4, column 'disorganisation': 10 is outside the scale range 1-9" in text
    assert "line 5, column 'id': missing id" in text
    assert text.startswith(f"{path}:2: 6 invalid value(s)")


def test_frame_rows_and_missing_columns():
    frame = pl.DataFrame({"child": ["a", "b"], "cls": ["B1", "B9"], "avoidance_8": [1, 7]})
    with pytest.raises(ReadError, match=r"row 2, column 'cls': 'B9'"):
        read_strange_situation(frame, id_column="child", class_column="cls")
    with pytest.raises(ReadError, match=r"missing column\(s\) \['id'\]; the table has columns"):
        read_strange_situation(frame, class_column="cls")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=6), min_size=1, max_size=8))
def test_garbage_gives_only_read_error(cells):
    ids = [str(i) for i in range(len(cells))]
    frame = pl.DataFrame({"id": ids, "classification": cells, "avoidance_5": cells})
    try:
        ss = read_strange_situation(frame)
    except ReadError as exc:
        assert "row " in str(exc) and ", column " in str(exc)
    else:
        assert ss.records.height == len(cells)


def test_base_rates_against_van_ijzendoorn():
    classes = ["B1"] * 30 + ["A2"] * 10 + ["C1"] * 5 + ["D/B2"] * 5  # n = 50
    br = base_rates(classes)
    assert br.counts == {"A": 10, "B": 30, "C": 5, "D": 5}
    assert br.percentages == {"A": 20.0, "B": 60.0, "C": 10.0, "D": 10.0}
    assert (br.secure, br.insecure, br.percent_secure) == (30, 20, 60.0)
    # the published percentages sum to 101: expected = 50 × p / 101
    assert br.expected["B"] == pytest.approx(50 * 62 / 101)
    assert br.difference == {"A": 5.0, "B": -2.0, "C": 1.0, "D": -5.0}
    obs = [10, 30, 5, 5]
    exp = [50 * VAN_IJZENDOORN_1999[c] / 101 for c in "ABCD"]
    by_hand = sum((o - e) ** 2 / e for o, e in zip(obs, exp, strict=True))
    assert br.chi2 == pytest.approx(by_hand)
    assert br.df == 3
    assert br.p == pytest.approx(stats.chi2.sf(by_hand, 3))
    # expected C = 50 × 9 / 101 = 4.46 < 5: the χ² approximation is flagged
    assert br.warnings == ["expected count below 5 for ['C']: the χ² approximation is unreliable"]
    assert base_rates(classes * 2).warnings == []
    with pytest.raises(ValueError, match="not a Strange Situation classification"):
        base_rates(["B", "X"])
