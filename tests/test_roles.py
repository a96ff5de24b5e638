import json
from collections import Counter

import pytest

from attunement import roles


def test_load_json_and_yaml(tmp_path):
    (tmp_path / "m.json").write_text(json.dumps({"Mother": "fem", " Grandpa ": "MAL"}))
    (tmp_path / "m.yaml").write_text("Mother: FEM\nGrandpa: MAL\n")
    expected = {"Mother": "FEM", "Grandpa": "MAL"}
    assert roles.load(tmp_path / "m.json") == expected
    assert roles.load(tmp_path / "m.yaml") == expected
    assert roles.load(None) == {}


def test_bad_maps_name_the_problem(tmp_path):
    (tmp_path / "bad.yaml").write_text("Mother: MUM\n")
    with pytest.raises(roles.RoleMapError, match=r"'Mother' maps to 'MUM'"):
        roles.load(tmp_path / "bad.yaml")
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(roles.RoleMapError, match="one object"):
        roles.load(tmp_path / "list.json")
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(roles.RoleMapError, match="not valid JSON/YAML"):
        roles.load(tmp_path / "broken.json")
    with pytest.raises(roles.RoleMapError, match="cannot read"):
        roles.load(tmp_path / "missing.yaml")


def test_user_map_overrides_default_and_unknown_labels_are_counted():
    merged = roles.merge({"A": "FEM", "B": "MAL"}, {"B": "ADU"})
    types, unknown = roles.apply(["A", "B", "Z", "Z"], merged)
    assert types == ["FEM", "ADU", "UNK", "UNK"]
    assert unknown == Counter({"Z": 2})
    (line,) = roles.unknown_warning(unknown, "test")
    assert "2 segment(s)" in line and "'Z' ×2" in line
    assert roles.unknown_warning(Counter(), "test") == []
