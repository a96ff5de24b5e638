"""Mutated bytes for the readers' property tests: real or realistic files, cut short, with bytes
flipped and garbage (random bytes or the format's own punctuation) inserted."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st


def fuzz(max_examples: int) -> settings:
    """Settings for a fuzz test: no deadline, and ``tmp_path`` allowed."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )


@st.composite
def mutations(draw, source: bytes, tokens: Sequence[bytes] = ()) -> bytes:
    """``source`` after 1-4 random edits: cut at a position, flip one byte, or insert up to 40
    random bytes (or one of ``tokens``) at a position."""
    raw = bytearray(source)
    junk = st.binary(max_size=40)
    if tokens:
        junk = junk | st.sampled_from(list(tokens))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["cut", "flip", "insert"]))
        pos = draw(st.integers(0, max(0, len(raw) - 1)))
        if op == "cut":
            raw = raw[:pos]
        elif op == "flip" and raw:
            raw[pos] = draw(st.integers(0, 255))
        else:
            raw[pos:pos] = draw(junk)
    return bytes(raw)
