"""A killed ingest resumes with whole files only; a Dask cluster gives the same store and
results as local workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from attunement.corpus import StoreBusy, ingest, measure, open_store
from attunement.measures.registry import request
from tests.corpus_helpers import make_days, query

RUN_INGEST = (
    "import sys\n"
    "from attunement.cli import ingest\n"
    "from attunement.cli.common import App\n"
    "app = App()\n"
    "app.command('ingest')(ingest.command)\n"
    "app.command('x')(lambda: None)\n"
    "if __name__ == '__main__':\n"
    "    app(sys.argv[1:])\n"
)


@pytest.mark.slow
def test_sigkill_mid_ingest_then_rerun_keeps_every_file_exactly_once(tmp_path):
    folder = tmp_path / "files"
    make_days(folder, 40, segments=2000, hours=1)
    for i in (7, 23):  # two bad files among them
        (folder / f"day{i:03d}.csv").write_text("segment_onset,segment_offset\n5,1\n")
    db = tmp_path / "c.duckdb"
    script = tmp_path / "run.py"
    script.write_text(RUN_INGEST)
    args = [sys.executable, str(script), "ingest", str(folder), "--db", str(db), "-v"]
    proc = subprocess.Popen([*args, "--jobs", "1"], stderr=subprocess.PIPE, text=True)
    committed = 0
    for line in proc.stderr:
        committed += line.startswith("stored ")
        if committed == 5:  # printed after the 5th file's commit
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    stored = query(db, "SELECT count(*) FROM recordings")[0][0]
    failed = query(db, "SELECT count(*) FROM failures")[0][0]
    assert 5 <= stored + failed < 40  # killed part-way through
    done = subprocess.run([*args, "--jobs", "2"], capture_output=True, text=True)
    assert done.returncode == 1  # the two bad files
    assert f"{stored} skipped as already present" in " ".join(done.stdout.split())
    rows = query(
        db,
        "SELECT r.recording_id, r.n_segments, count(s.seq), count(DISTINCT s.seq) FROM "
        "recordings r LEFT JOIN segments s USING (recording_id) GROUP BY ALL ORDER BY 1",
    )
    good = [f"day{i:03d}" for i in range(40) if i not in (7, 23)]
    assert [r[0] for r in rows] == good
    assert all(n == counted == distinct == 2000 for _, n, counted, distinct in rows)
    assert query(db, "SELECT count(*) FROM segments") == [(38 * 2000,)]
    assert query(db, "SELECT regexp_extract(path, '[^/]+$'), line FROM failures ORDER BY 1") == [
        ("day007.csv", 2),
        ("day023.csv", 2),
    ]


@pytest.mark.slow
def test_a_reader_during_an_ingest_sees_whole_files_only(tmp_path):
    """The writer lets go between commits (--release-every 0.05 s); a reader that waits for the
    lock gets in several times during the run and every time sees each stored recording with
    exactly its n_segments rows, and never fewer recordings than the time before."""
    folder = tmp_path / "files"
    make_days(folder, 60, segments=3000, hours=1)
    db = tmp_path / "c.duckdb"
    script = tmp_path / "run.py"
    script.write_text(RUN_INGEST)
    args = [sys.executable, str(script), "ingest", str(folder), "--db", str(db), "-v"]
    proc = subprocess.Popen(
        [*args, "--jobs", "1", "--release-every", "0.05"], stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr.readline().startswith("stored ")  # the store exists and has a file
    seen = []
    while proc.poll() is None:
        try:
            con = open_store(db, read_only=True, wait_s=5)
        except StoreBusy:
            continue
        try:
            seen.append(
                con.execute(
                    "SELECT count(*), count(*) FILTER (WHERE n_segments <> (SELECT count(*) "
                    "FROM segments s WHERE s.recording_id = r.recording_id)) FROM recordings r"
                ).fetchone()
            )
        finally:
            con.close()
    proc.stderr.read()
    assert proc.wait() == 0
    during = [n for n, _ in seen if n < 60]
    assert len(during) >= 2, seen  # the reader got in while files were still arriving
    assert all(partial == 0 for _, partial in seen)
    counts = [n for n, _ in seen]
    assert counts == sorted(counts)
    assert query(db, "SELECT count(*) FROM recordings") == [(60,)]


@pytest.mark.slow
def test_dask_cluster_gives_the_same_store_and_results(tmp_path):
    distributed = pytest.importorskip("distributed")
    folder = tmp_path / "files"
    make_days(folder, 6)
    (folder / "bad.csv").write_text("x\n1\n")
    requests = [request(f"turns:rule={r},n_resamples=3") for r in ("lena", "window")]
    local, remote = tmp_path / "local.duckdb", tmp_path / "dask.duckdb"
    ingest([folder], local, jobs=1)  # the same task functions, run in this process
    measure(str(local), requests, jobs=1)
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        memory_limit="1GiB",
        dashboard_address=":0",
    ) as cluster:
        ingest([folder], remote, dask=cluster.scheduler_address)
        summary = measure(str(remote), requests, dask=cluster.scheduler_address)
    assert summary.computed == 12
    tables = {
        "recordings": "* EXCLUDE (ingested_at)",
        "segments": "*",
        "failures": "* EXCLUDE (failed_at)",
        "turns": "*",
        "turns_bins": "*",
        "measure_log": "* EXCLUDE (computed_at)",
    }
    for table, columns in tables.items():
        sql = f"SELECT {columns} FROM {table} ORDER BY ALL"
        left, right = query(local, sql), query(remote, sql)
        assert left and left == right, table
