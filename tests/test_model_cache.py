"""The model shapes a synth reads are cached per botocore model (infrec_cdk/_model_cache.py)."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest

from infrec_cdk import _api_model, _model_cache

OPERATION = _api_model.OPERATION


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(_model_cache.CACHE_VARIABLE, str(folder))
    return folder


def full_model_subset() -> dict[str, object]:
    """The operation's input and reachable shapes, from a full parse of the installed model."""
    model = _api_model._raw_model()
    shapes: dict[str, Any] = {}
    _api_model._reachable(model["operations"][OPERATION]["input"]["shape"], model["shapes"], shapes)
    return {"input": model["operations"][OPERATION]["input"], "shapes": shapes}


def test_the_first_synth_stores_the_shapes_and_the_next_reads_them_without_parsing(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = _api_model._operation_shapes(OPERATION)

    (entry,) = cache.glob("*.json")
    assert OPERATION in entry.name
    assert dict(parsed) == full_model_subset()
    assert 50 < len(parsed["shapes"]) < 200  # the operation's shapes, not the model's 3,000+

    def refuse() -> None:
        raise AssertionError("the whole model was parsed again")

    monkeypatch.setattr(_api_model, "_raw_model", refuse)
    cached = _api_model._operation_shapes(OPERATION)
    assert cached["shapes"] == parsed["shapes"]
    assert cached["input"] == parsed["input"]


def test_another_model_misses_the_cache(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _api_model._operation_shapes(OPERATION)
    other = tmp_path / "service-2.json"  # the same model, uncompressed: other bytes
    other.write_bytes(gzip.decompress(_api_model._model_file().read_bytes()))
    monkeypatch.setattr(_api_model, "_model_file", lambda: other)

    _api_model._operation_shapes(OPERATION)

    assert len(list(cache.glob("*.json"))) == 2


def test_a_damaged_entry_is_parsed_again_and_replaced(cache: Path) -> None:
    _api_model._operation_shapes(OPERATION)
    (entry,) = cache.glob("*.json")
    entry.write_text('{"key": "tru', encoding="utf-8")

    assert dict(_api_model._operation_shapes(OPERATION)) == full_model_subset()
    assert _model_cache.read(entry.stem) is not None


@pytest.mark.parametrize("setting", ["", "file"], ids=["turned-off", "unwritable"])
def test_without_a_usable_cache_the_model_is_parsed(
    setting: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if setting == "file":
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("", encoding="utf-8")
        setting = str(blocker / "cache")
    monkeypatch.setenv(_model_cache.CACHE_VARIABLE, setting)

    assert dict(_api_model._operation_shapes(OPERATION)) == full_model_subset()
    assert sorted(p.name for p in tmp_path.iterdir()) == (["not-a-folder"] if setting else [])


def test_the_default_folder_is_the_users_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(_model_cache.CACHE_VARIABLE)
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert _model_cache.cache_dir() == Path("/somewhere/infrec-cdk")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert _model_cache.cache_dir() == Path.home() / ".cache" / "infrec-cdk"
