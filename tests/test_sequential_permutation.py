"""Permutation null of lag tables: reproducibility, power on a built-in contingency, and the
no-repeat sampler (never a repeat, counts kept, uniform on a case small enough to enumerate)."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from attunement.measures.nulls.within import permute_within
from attunement.measures.sequential import sequential
from attunement.measures.sequential.permutation import permutation_test
from attunement.measures.sequential.sequences import Sequences


def contingent(n: int, seed: int) -> Sequences:
    """Codes A..E at random, except that A is followed by B nine times in ten."""
    rng = np.random.default_rng(seed)
    out = [int(rng.integers(5))]
    for _ in range(n - 1):
        out.append(1 if out[-1] == 0 and rng.random() < 0.9 else int(rng.integers(5)))
    return Sequences.from_lists([["ABCDE"[c] for c in out]], codes="ABCDE")


def test_seeded_runs_are_reproducible() -> None:
    seqs = contingent(300, 1)
    a = permutation_test(seqs, n_resamples=200, seed=7)
    b = permutation_test(seqs, n_resamples=200, seed=7)
    c = permutation_test(seqs, n_resamples=200, seed=8)
    assert np.array_equal(a.p_upper, b.p_upper) and np.array_equal(a.p_lower, b.p_lower)
    assert not np.array_equal(a.null_mean, c.null_mean)
    d = permutation_test(seqs, n_resamples=200, seed=np.random.default_rng(7))
    assert np.array_equal(a.p_upper, d.p_upper)
    e = permutation_test(seqs, n_resamples=50, seed=3, no_repeats=True)
    f = permutation_test(seqs, n_resamples=50, seed=3, no_repeats=True)
    assert np.array_equal(e.p_upper, f.p_upper)


@pytest.mark.parametrize("no_repeats", [False, True])
def test_built_in_contingency_is_found(no_repeats: bool) -> None:
    seqs = contingent(600, 2)
    r = permutation_test(seqs, n_resamples=999, seed=1, no_repeats=no_repeats)
    a, b, c, d = (r.codes.index(x) for x in "ABCD")
    assert r.p_upper[a, b] == pytest.approx(1 / 1000)
    assert r.p_upper[c, d] > 0.05 and r.p_lower[c, d] > 0.05
    assert r.se_upper[a, b] == pytest.approx(np.sqrt(r.p_upper[a, b] * (1 - r.p_upper[a, b]) / 999))
    assert np.all((r.p_upper >= 1 / 1000) & (r.p_upper <= 1))


def test_outputs() -> None:
    r = permutation_test(contingent(100, 3), n_resamples=20, seed=0, no_repeats=True)
    whole = sequential(contingent(100, 3), n_resamples=20, seed=0, no_repeats=True)
    d = json.loads(json.dumps(whole.to_dict()["permutation"]))  # its JSON
    assert d["codes"] == list("ABCDE") and d["parameters"]["sweeps"] == 10
    assert d["parameters"]["seed"] == 0
    assert np.all(np.diag(r.p_upper) == 1.0)  # repeats impossible: observed 0 = every null 0
    assert r.to_frame().height == 25


def test_shuffle_keeps_counts_within_each_sequence() -> None:
    seqs = Sequences.from_lists([list("AAAB"), list("CCD"), list("ABCD")])
    draws = permute_within(seqs.values, seqs.starts, 200, seed=4)
    for row in draws:
        for s in range(3):
            part = row[seqs.starts[s] : seqs.starts[s + 1]]
            own = seqs.values[seqs.starts[s] : seqs.starts[s + 1]]
            assert sorted(part) == sorted(own)
    assert len({tuple(r) for r in draws}) > 20


def test_no_repeat_sampler_never_repeats_and_keeps_counts() -> None:
    seqs = contingent(2000, 5).collapse_repeats()
    two = Sequences(seqs.codes, seqs.values, np.array([0, 700, seqs.n_events]), ("a", "b"))
    draws = permute_within(two.values, two.starts, 50, seed=9, no_repeats=True, sweeps=5)
    for row in draws:
        for s in range(2):
            part = row[two.starts[s] : two.starts[s + 1]]
            assert np.all(part[1:] != part[:-1])
            own = two.values[two.starts[s] : two.starts[s + 1]]
            assert np.array_equal(np.bincount(part, minlength=5), np.bincount(own, minlength=5))
    assert not np.array_equal(draws[0], draws[1])
    with pytest.raises(ValueError, match="immediate repeats"):
        aab = Sequences.from_lists([list("AAB")])
        permute_within(aab.values, aab.starts, 1, no_repeats=True)


@pytest.mark.parametrize("word", ["ABCABC", "ABABCA", "ABCDAB", "ABACADAE"])
def test_no_repeat_sampler_is_uniform_on_small_cases(word: str) -> None:
    """The chain's stationary law: run long enough, draws are uniform on every valid
    arrangement (with few sweeps they stay correlated with the start; see the module)."""
    arrangements = set(itertools.permutations(word))
    valid = {p for p in arrangements if all(a != b for a, b in itertools.pairwise(p))}
    codes = sorted(set(word))
    seqs = Sequences.from_lists([list(word)], codes=codes)
    draws = permute_within(
        seqs.values,
        seqs.starts,
        300 * len(valid),
        seed=11,
        no_repeats=True,
        sweeps=200,
    )
    seen: dict[tuple, int] = {}
    for row in draws:
        key = tuple(codes[v] for v in row)
        seen[key] = seen.get(key, 0) + 1
    assert set(seen) == valid  # every valid arrangement reached, nothing else
    expected = len(draws) / len(valid)
    chi2 = sum((n - expected) ** 2 / expected for n in seen.values())
    assert chi2 < 2 * len(valid) + 20  # about df = len(valid) - 1 under uniformity
