"""`make docs` output is committed and current; `make docs-check` fails with a diff when it is stale.

The script runs as its own process (as `make` runs it): building the apps configures logging globally,
which must not leak into the other tests of this session.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def write_docs(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "scripts" / "write_docs.py"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_the_committed_docs_are_current_and_a_stale_copy_is_reported(tmp_path: Path) -> None:
    current = write_docs("--check")
    assert current.returncode == 0, current.stdout + current.stderr
    copy = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", copy)
    stale = copy / "schemas" / "BookStay.json"
    stale.write_text(stale.read_text().replace('"guests"', '"visitors"', 1))
    (copy / "schemas" / "Removed.json").write_text("{}\n")
    checked = write_docs("--check", "--out", str(copy))
    assert checked.returncode == 1
    assert "committed docs/schemas/BookStay.json" in checked.stdout
    assert "visitors" in checked.stdout
    assert "committed docs/schemas/Removed.json" in checked.stdout
    assert "make docs" in checked.stdout
