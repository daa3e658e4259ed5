"""``load_object``: pkgutil resolves; a bad reference is one ConfigError naming it."""

import pytest

from dsegym.errors import ConfigError
from dsegym.loading import load_object


def test_both_forms_resolve():
    assert load_object("dsegym.errors:ConfigError") is ConfigError
    assert load_object("dsegym.errors.ConfigError") is ConfigError


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("dsegym.errors:Nope", "module 'dsegym.errors' has no 'Nope'"),
        ("no_such_module_xyz:A", "cannot import module 'no_such_module_xyz'"),
        (".errors:ConfigError", "relative module names are not supported"),
        ("dsegym.errors:", "expected the form 'module:Name'"),
    ],
)
def test_bad_references(reference, expected):
    with pytest.raises(ConfigError, match="agent") as info:
        load_object(reference, what="agent")
    assert expected in str(info.value)


def test_an_attribute_error_inside_the_module_is_an_import_failure(tmp_path, monkeypatch):
    (tmp_path / "half_imported_mod.py").write_text("import os\nos.no_such_thing\nX = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ConfigError, match="cannot import module 'half_imported_mod'"):
        load_object("half_imported_mod:X")
