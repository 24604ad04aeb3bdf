"""`make docs` output is committed and current; `make docs-check` fails with a diff when it is stale."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[3]


def write_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("write_docs", ROOT / "scripts" / "write_docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("write_docs", module)
    spec.loader.exec_module(module)
    return module


def test_the_committed_docs_are_current_and_a_stale_copy_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = write_docs()
    assert script.main(["--check"]) == 0, capsys.readouterr().out
    copy = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", copy)
    stale = copy / "schemas" / "BookStay.json"
    stale.write_text(stale.read_text().replace('"guests"', '"visitors"', 1))
    (copy / "schemas" / "Removed.json").write_text("{}\n")
    assert script.main(["--check", "--out", str(copy)]) == 1
    report = capsys.readouterr().out
    assert "committed docs/schemas/BookStay.json" in report
    assert "visitors" in report
    assert "committed docs/schemas/Removed.json" in report
    assert "make docs" in report
