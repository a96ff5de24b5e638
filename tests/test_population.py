"""Populations: identical results for any chunk size, on a Dask LocalCluster, in the Parquet
file, and through the `simulate population` command."""

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from attunement.cli.simulate import app
from attunement.simulate.population import (
    default_snapshot_ages,
    simulate_population,
    weeks_of,
    write_population,
)

N, YEARS, SEED = 250, 2, 11


@pytest.fixture(scope="module")
def reference():
    return simulate_population(N, YEARS, SEED, chunk_size=N)


def test_weeks_and_default_ages():
    assert weeks_of(18) == 936
    assert default_snapshot_ages(936) == [52, 260, 520, 936]
    assert default_snapshot_ages(104) == [52, 104]


def test_any_chunk_size_gives_the_same_frame(reference):
    assert reference.height == N * 2
    assert reference["child"].unique().to_list() == list(range(N))
    for chunk in (1 + N // 3, 64, 7):
        assert simulate_population(N, YEARS, SEED, chunk_size=chunk).equals(reference)
    assert not simulate_population(N, YEARS, SEED + 1, chunk_size=N).equals(reference)


@pytest.mark.slow
def test_local_cluster_equals_local_run(reference):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = simulate_population(N, YEARS, SEED, chunk_size=60, client=client)
    assert remote.equals(reference)


def test_parquet_file_and_summary(tmp_path, reference):
    path = tmp_path / "pop.parquet"
    done = []
    summary = write_population(path, N, YEARS, SEED, chunk_size=100, progress=done.append)
    assert done == [100, 100, 50]
    assert pl.read_parquet(path).equals(reference)
    at_one = reference.filter(pl.col("age_weeks") == 52)["attachment_class"]
    assert summary.class_rates[52]["B"] == pytest.approx((at_one == "B").mean(), abs=1e-5)
    assert sum(summary.class_rates[104].values()) == pytest.approx(1.0, abs=1e-4)
    assert summary.stability["avoidance"][52] == pytest.approx(1.0, abs=1e-4)
    wide = reference.pivot(on="age_weeks", index="child", values="anxiety")
    r = wide.select(pl.corr("52", "104")).item()
    assert summary.stability["anxiety"][104] == pytest.approx(r, abs=1e-4)
    classes = reference.pivot(on="age_weeks", index="child", values="attachment_class")
    same = (classes["52"] == classes["104"]).mean()
    assert summary.class_agreement[104] == pytest.approx(same, abs=1e-5)


def test_command_writes_the_file_and_prints_the_summary(tmp_path, reference):
    path = tmp_path / "cli.parquet"
    args = ["population", "--children", str(N), "--years", str(YEARS), "--seed", str(SEED)]
    result = CliRunner().invoke(app, [*args, "--chunk-size", "90", "--out", str(path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["n_children"] == N and summary["snapshot_ages"] == [52, 104]
    assert pl.read_parquet(path).equals(reference)
    table = CliRunner().invoke(app, [*args, "--out", str(path)])
    assert table.exit_code == 0 and "seed 11" in table.stdout and "written:" in table.stdout
    bad = CliRunner().invoke(app, [*args, "--chunk-size", "0", "--out", str(path)])
    assert bad.exit_code == 2 and "chunk_size must be a whole number >= 1" in bad.output
