"""Text from data (file names, participant names, codes) drawn by matplotlib exactly as written.

Matplotlib reads a text with two unescaped ``$`` as mathtext, so a file named ``a$\\foo$.rttm``
would fail to draw (or draw as a formula). ``plain`` escapes every ``$``; matplotlib shows
``\\$`` as ``$`` and parses no mathtext. Labels are never format strings here, so ``{}`` and
``%s`` need nothing.
"""

from __future__ import annotations


def plain(text: object) -> str:
    """``text`` as a string matplotlib draws literally (every ``$`` escaped)."""
    return str(text).replace("$", r"\$")
