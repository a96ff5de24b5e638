"""Every registered reader module satisfies the ``Reader`` protocol (names, types, signatures)."""

from __future__ import annotations

import inspect

from attunement.io.reader import Reader
from attunement.io.registry import READER_MODULES, readers


def test_every_reader_module_has_the_protocol_surface():
    found = readers()
    assert list(found) == list(READER_MODULES)
    for name, module in found.items():
        assert name == module.FORMAT
        assert module.EXTENSIONS and all(
            e.startswith(".") and e == e.lower() for e in module.EXTENSIONS
        )
        assert isinstance(module.DEFAULT_ROLES, dict)
        assert list(inspect.signature(module.sniff).parameters) == ["head"]
        params = inspect.signature(module.read).parameters
        assert list(params) == ["path", "role_map", "keep_text"], name
        assert params["role_map"].kind is inspect.Parameter.KEYWORD_ONLY
        declared = {n for n in Reader.__annotations__}
        assert declared <= set(vars(module)), (name, declared - set(vars(module)))
