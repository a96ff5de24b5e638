"""Generations: the child's adult class becomes the next parent's representation, results do
not depend on chunking (nor on a Dask LocalCluster), transmission figures by hand, the
command writes the file; effect sizes by hand."""

import json

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from attunement.attachment.agreement import cohen_kappa
from attunement.cli.simulate import app
from attunement.simulate.effects import d_binary, d_from_r, d_groups, kappa, phi, r_interval
from attunement.simulate.generations import (
    generation_seed,
    simulate_generations,
    write_generations,
)
from attunement.simulate.transmission import transmission_measures

N, G, SEED = 120, 3, 5


@pytest.fixture(scope="module")
def reference():
    return simulate_generations(N, G, SEED, chunk_size=N)


def test_adult_class_becomes_the_next_parents_representation(reference):
    assert reference.height == N * G
    wide = reference.sort("family", "generation")
    mapping = {"A": "Ds", "B": "F", "C": "E", "D": "U"}
    for g in range(G - 1):
        this = wide.filter(pl.col("generation") == g)
        after = wide.filter(pl.col("generation") == g + 1)
        assert this["adult_representation"].cast(pl.String).to_list() == [
            mapping[c] for c in this["adult_class"].cast(pl.String)
        ]
        assert (
            after["parent_representation"].cast(pl.String).to_list()
            == this["adult_representation"].cast(pl.String).to_list()
        )
    assert generation_seed(SEED, 0) != generation_seed(SEED, 1)


def test_any_chunk_size_gives_the_same_families(reference):
    for chunk in (7, 50):
        assert simulate_generations(N, G, SEED, chunk_size=chunk).equals(reference)
    assert not simulate_generations(N, G, SEED + 1, chunk_size=N).equals(reference)


@pytest.mark.slow
def test_local_cluster_equals_local_run_for_generations_and_population(reference):
    distributed = pytest.importorskip("distributed")
    from attunement.simulate.population import simulate_population

    local_population = simulate_population(200, 2, SEED, chunk_size=200)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = simulate_generations(N, G, SEED, chunk_size=40, client=client)
        remote_population = simulate_population(200, 2, SEED, chunk_size=70, client=client)
    assert remote.equals(reference)
    assert remote_population.equals(local_population)


def test_transmission_measures_by_hand():
    """8 pairs: parents F F F F Ds E U U; infants B B B A B C D D; sensitivity 1 for F, 0
    otherwise. Parent secure x infant secure: [[3 insecure-insecure, 1], [1, 3]]: agreement
    6/8, kappa (.75 - .5) / .5 = .5, phi = (3 x 3 - 1 x 1) / 4^2 = .5; U x D: phi 1;
    sensitivity alternates 1, 0, so it is uncorrelated with the parent's security and carries
    none of the association (share 0)."""
    rep = np.array([0, 0, 0, 0, 1, 2, 3, 3])
    cls = np.array([1, 1, 1, 0, 1, 2, 3, 3])
    sens = np.tile([1.0, 0.0], 4)
    got = transmission_measures(rep, cls, sens)
    assert got["transmission_agreement"] == pytest.approx(0.75)
    assert got["transmission_kappa"] == pytest.approx(0.5)
    assert got["transmission_r"] == pytest.approx(0.5)
    assert got["transmission_d"] == pytest.approx(2 * 0.5 / np.sqrt(0.75))
    assert got["transmission_unresolved_r"] == pytest.approx(1.0)
    assert got["transmission_sensitivity_share"] == pytest.approx(0.0, abs=1e-12)


def test_effect_sizes_by_hand():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 4.0])
    d, (low, high) = d_groups(a, b)  # means 2 and 3, pooled SD 1
    se = np.sqrt(6 / 9 + 1 / 12)
    assert d == pytest.approx(1.0)
    assert (low, high) == pytest.approx((1 - 1.959964 * se, 1 + 1.959964 * se), abs=1e-5)
    assert r_interval(0.3, 103) == pytest.approx(
        (np.tanh(np.arctanh(0.3) - 0.1959964), np.tanh(np.arctanh(0.3) + 0.1959964)), abs=1e-6
    )
    assert d_from_r(0.6) == pytest.approx(1.5)
    # 2 x 2: control 2 of 4 secure, treated 4 of 4: phi = sqrt(1/3)
    d2, _ = d_binary(np.array([1, 1, 0, 0]), np.array([1, 1, 1, 1]))
    assert phi([0, 0, 0, 0, 1, 1, 1, 1], [1, 1, 0, 0, 1, 1, 1, 1]) == pytest.approx(np.sqrt(1 / 3))
    assert d2 == pytest.approx(d_from_r(np.sqrt(1 / 3)))
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 4, 300), rng.integers(0, 4, 300)
    assert kappa(x, y, 4) == pytest.approx(cohen_kappa(x, y, categories=[0, 1, 2, 3]).kappa)


def test_write_generations_and_the_command(tmp_path, reference):
    path = tmp_path / "families.parquet"
    done = []
    summary = write_generations(path, N, G, SEED, chunk_size=50, progress=done.append)
    assert done == [50, 50, 20]
    assert pl.read_parquet(path).equals(reference)
    first = reference.filter(pl.col("generation") == 0)
    t = summary["by_generation"]["0"]["transmission"]
    want = transmission_measures(
        first["parent_representation"].to_physical().to_numpy(),
        first["infant_class"].to_physical().to_numpy(),
        first["parent_sensitivity"].to_numpy(),
    )
    assert t["transmission_kappa"] == pytest.approx(want["transmission_kappa"], abs=1e-4)
    shares = summary["by_generation"]["1"]["parent_representation"]
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-4)
    out = tmp_path / "cli.parquet"
    args = ["generations", "--families", str(N), "--generations", str(G), "--seed", str(SEED)]
    result = CliRunner().invoke(app, [*args, "--chunk-size", "33", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["families"] == N
    assert pl.read_parquet(out).equals(reference)
    bad = CliRunner().invoke(app, [*args, "--generations", "0", "--out", str(out)])
    assert bad.exit_code == 2
