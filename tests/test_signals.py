"""The two-signal reader: rMEA's file, CSV and whitespace layouts, missing cells, headerless
files, and every kind of bad input as a ReadError naming the line; fuzzed bytes give nothing
else."""

import math

import numpy as np
import pytest
from hypothesis import given

from attunement.errors import ReadError
from attunement.io.signals import read_signals
from tests.conftest import REFERENCE, need
from tests.fuzz import fuzz, mutations


def write(tmp_path, text: str | bytes, name: str = "s.txt"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_rmea_example_file():
    signals = read_signals(need(REFERENCE / "rmea" / "200_01.txt"))
    assert signals.names == ("pat", "th")
    assert len(signals.s1) == len(signals.s2) == 15000
    assert signals.s1[:3].tolist() == [1550.0, 1317.0, 1291.0]
    assert signals.s2[0] == 6948.0 and signals.s2[1] == 5657.0
    assert signals.s1.dtype == np.float64 and signals.n_missing == (0, 0)
    names, s1, s2 = signals  # unpacks as (names, s1, s2)
    assert names == ("pat", "th") and s1 is signals.s1 and s2 is signals.s2


def test_csv_with_missing_cells(tmp_path):
    path = write(tmp_path, "mother,child\r\n1.5,2\r\n,3\r\nNA,NaN\r\n4,\r\n\r\n", "s.csv")
    signals = read_signals(path)
    assert signals.names == ("mother", "child")
    assert np.array_equal(signals.s1, [1.5, np.nan, np.nan, 4.0], equal_nan=True)
    assert np.array_equal(signals.s2, [2.0, 3.0, np.nan, np.nan], equal_nan=True)
    assert signals.n_missing == (2, 2)


def test_tabs_blank_lines_and_headerless(tmp_path):
    signals = read_signals(write(tmp_path, "a\tb\n\n1\t2\n  3   4  \n"))
    assert signals.s1.tolist() == [1.0, 3.0] and signals.s2.tolist() == [2.0, 4.0]
    headerless = read_signals(write(tmp_path, "1 2\n3 4\n", "h.txt"))
    assert headerless.names == ("s1", "s2") and headerless.s1.tolist() == [1.0, 3.0]


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("a b\n1 2\n3\n", 3, "expected 2 cells"),
        ("a b\n1 2\n3 4 5\n", 3, "found 3"),
        ("a b\n1 2\n3 x\n", 3, "column 2 (b) is not a number"),
        ("a,b\n1,2\n\n1;2,3\n", 4, "column 1 (a) is not a number"),
        ("a b\n1 inf\n", 2, "infinite"),
        ("a b c\n1 2 3\n", 1, "header has 3 column(s)"),
        ("a b\n", None, "no data lines"),
        ("   \n\n", None, "empty"),
    ],
)
def test_bad_input_names_the_line(tmp_path, text, line, problem):
    with pytest.raises(ReadError) as caught:
        read_signals(write(tmp_path, text))
    assert caught.value.line == line and problem in caught.value.problem
    assert caught.value.path.endswith("s.txt")


def test_binary_and_missing_files(tmp_path):
    with pytest.raises(ReadError, match="binary"):
        read_signals(write(tmp_path, b"a b\n1 2\n\x00\x01\x02"))
    with pytest.raises(ReadError, match="UTF-8"):
        read_signals(write(tmp_path, b"a b\n1 \xff\n"))
    with pytest.raises(ReadError, match="cannot open"):
        read_signals(tmp_path / "absent.txt")


SAMPLE = b'"pat" "th"\n1550 6948\n1317 5657\nNA 5007\n1291 12.5\n-3e2 0\n'


@fuzz(200)
@given(data=mutations(SAMPLE, tokens=[b",", b"NA", b" ", b"\n", b"\t", b"nan", b"inf", b'"']))
def test_garbage_gives_only_read_error(tmp_path, data):
    path = write(tmp_path, data)
    try:
        signals = read_signals(path)
    except ReadError as exc:
        assert exc.problem
        return
    assert len(signals.s1) == len(signals.s2) >= 1
    assert not np.isinf(signals.s1).any() and not np.isinf(signals.s2).any()
    assert all(isinstance(n, str) for n in signals.names)
    assert not math.isinf(float(np.nansum(signals.s1)))
