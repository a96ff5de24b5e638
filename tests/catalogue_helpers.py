"""The contract check shared by the families' command tests: a result's JSON uses exactly the
figure catalogue's names."""

from attunement.measures.base import META
from attunement.measures.registry import family


def assert_catalogue_names(data: dict, name: str) -> None:
    """Every key of ``data`` is a base metadata key, a key parameter or a figure of family
    ``name``, and every scalar figure of the family is there."""
    spec = family(name)
    allowed = {*META, *spec.key_parameters, *(f.name for f in spec.figures)}
    assert set(data) <= allowed, sorted(set(data) - allowed)
    missing = {f.name for f in spec.scalars} - set(data)
    assert not missing, sorted(missing)
    assert data["family"] == name
