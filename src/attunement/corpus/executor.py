"""Where tasks run: in this process, on local worker processes, or on a Dask cluster.

The same task function and the same chunks go to every backend, and results come back as they
finish, so the single writer can commit each one while the others still run. Local workers are
started with ``spawn`` (a forked process would inherit polars' and DuckDB's threads); at most
``2 x jobs`` chunks are in flight at once so that memory stays bounded on a large corpus.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

from attunement.errors import ParameterError

CONNECT_TIMEOUT_S = 10  # a scheduler that does not answer in this time is unreachable


def default_jobs() -> int:
    return os.cpu_count() or 1


def run_tasks(
    task: Callable[..., Any],
    chunks: Iterable[tuple],
    *,
    jobs: int | None = None,
    dask: str | None = None,
) -> Iterator[Any]:
    """``task(*chunk)`` for every chunk, results in completion order.

    ``dask`` is the address of a running Dask distributed scheduler (``tcp://host:8786``); the
    files named in the chunks must then be readable at the same paths on its workers. Without
    it, ``jobs`` local processes run the tasks (``jobs=1``: in this process, no pool).
    """
    chunks = iter(chunks)
    first = next(chunks, None)
    if first is None:
        return  # nothing to do: no pool, no cluster connection
    chunks = itertools.chain([first], chunks)
    if dask is not None:
        yield from _on_dask(task, chunks, dask)
    elif (jobs or default_jobs()) <= 1:
        yield from (task(*chunk) for chunk in chunks)
    else:
        yield from _on_processes(task, chunks, jobs or default_jobs())


def _on_processes(task, chunks, jobs: int) -> Iterator[Any]:
    context = multiprocessing.get_context("spawn")
    pending = iter(chunks)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        running = set()
        for chunk in pending:
            running.add(pool.submit(task, *chunk))
            if len(running) >= 2 * jobs:
                break
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                for chunk in pending:
                    running.add(pool.submit(task, *chunk))
                    break
                yield future.result()


def _on_dask(task, chunks, address: str) -> Iterator[Any]:
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise ParameterError(
            "--dask needs the optional extra: pip install 'attunement[dask]'"
        ) from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, ValueError, TypeError) as exc:  # unreachable or malformed address
        raise ParameterError(
            f"--dask {address}: cannot reach a Dask scheduler there ({exc}); start one with "
            "`dask scheduler` or leave --dask out to use local processes"
        ) from None
    with client:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        pending = iter(chunks)
        futures = [
            client.submit(task, *chunk, pure=False)
            for _, chunk in zip(range(2 * n_workers), pending, strict=False)
        ]
        queue = as_completed(futures)
        for future in queue:
            for chunk in pending:
                queue.add(client.submit(task, *chunk, pure=False))
                break
            result = future.result()
            future.release()
            yield result
