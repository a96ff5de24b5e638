"""The sequential state machines behind the turn rules, compiled with numba.

Each kernel walks one recording's units in onset order and returns the counted turns as index
pairs ``(serve, response)`` into its input arrays, with an exchange id per turn. Roles are coded
``CHILD = 1``, ``ADULT = 2``, ``CANCEL = 3`` (a unit that breaks any pending turn), ``0`` ignored.

Why numba: these scans carry state from one unit to the next (the parity of a chain, a merged
run), which numpy cannot express without Python loops; DESIGN.md measured numba at 0.3 s for
such a scan over 20M events against 1.6-2.2 s for the best numpy formulation.
"""

from __future__ import annotations

import numpy as np
from numba import njit

IGNORE, CHILD, ADULT, CANCEL = 0, 1, 2, 3


@njit(cache=True)
def lena_pairs(role, onset, offset, block, max_gap):
    """LENA's pair counting (see ``rules.lena``): alternating runs of child and adult units
    separated by less than ``max_gap`` ms form a chain; each second run of a chain completes a
    turn (C-A = 1, C-A-C = 1, C-A-C-A = 2). Same-role units within the gap extend the current
    run; a CANCEL unit, a block change or a gap of ``max_gap`` or more ends the chain."""
    n = role.shape[0]
    serve = np.empty(n, np.int64)
    response = np.empty(n, np.int64)
    exchange = np.empty(n, np.int64)
    k = 0
    last_role = 0
    last_off = 0
    last_idx = -1
    chain = 0
    chain_id = -1
    current_block = block[0] if n > 0 else 0
    for i in range(n):
        if block[i] != current_block:
            current_block = block[i]
            last_role = 0
        r = role[i]
        if r == IGNORE:
            continue
        if r == CANCEL:
            last_role = 0
            continue
        close = last_role != 0 and onset[i] - last_off < max_gap
        if close and r != last_role:
            chain += 1
            if chain % 2 == 0:
                serve[k] = last_idx
                response[k] = i
                exchange[k] = chain_id
                k += 1
            last_off = offset[i]
        elif close:
            last_off = max(last_off, offset[i])
        else:
            chain = 1
            chain_id += 1
            last_off = offset[i]
        last_role = r
        last_idx = i
    return serve[:k], response[:k], exchange[:k]


@njit(cache=True)
def alternation_pairs(role, onset, offset, block, max_gap):
    """serve-return 0.1.0's counting (see ``rules.alternation``): same-role units merge into one
    block while the gap from the block's end is at most ``max_gap``; every pair of consecutive
    blocks of different roles with a gap of at most ``max_gap`` is a turn. CANCEL units are
    ignored, as serve-return ignores speakers outside its two roles."""
    n = role.shape[0]
    serve = np.empty(n, np.int64)
    response = np.empty(n, np.int64)
    exchange = np.empty(n, np.int64)
    k = 0
    block_role = 0
    block_end = 0
    block_last = -1
    chain_id = -1
    in_chain = False
    current_block = block[0] if n > 0 else 0
    for i in range(n):
        if block[i] != current_block:
            current_block = block[i]
            block_role = 0
            in_chain = False
        r = role[i]
        if r != CHILD and r != ADULT:
            continue
        gap = onset[i] - block_end
        if block_role == r and gap <= max_gap:
            block_end = max(block_end, offset[i])
            block_last = i
            continue
        if block_role != 0 and block_role != r and gap <= max_gap:
            if not in_chain:
                chain_id += 1
                in_chain = True
            serve[k] = block_last
            response[k] = i
            exchange[k] = chain_id
            k += 1
        else:
            in_chain = False
        block_role = r
        block_end = offset[i]
        block_last = i
    return serve[:k], response[:k], exchange[:k]


@njit(cache=True)
def chain_ids(serve, response):
    """Exchange ids for turns listed in response order: a turn whose serve is the previous
    turn's response continues that exchange; any other turn starts a new one."""
    n = serve.shape[0]
    out = np.empty(n, np.int64)
    current = -1
    for i in range(n):
        if i == 0 or serve[i] != response[i - 1]:
            current += 1
        out[i] = current
    return out


@njit(cache=True)
def linked_exchanges(serve, response, n_units):
    """Exchange ids for turns sorted by serve: a turn whose serve unit was the response of an
    earlier turn joins that turn's exchange (contingent chains, ``rules.window``)."""
    of_response = np.full(n_units, -1, np.int64)
    out = np.empty(serve.shape[0], np.int64)
    next_id = 0
    for p in range(serve.shape[0]):
        parent = of_response[serve[p]]
        if parent >= 0:
            out[p] = parent
        else:
            out[p] = next_id
            next_id += 1
        of_response[response[p]] = out[p]
    return out
