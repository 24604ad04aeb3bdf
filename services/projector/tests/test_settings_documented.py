"""Every setting is documented in the README's settings table; a wrong value stops the start in one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from projector.__main__ import main
from projector.settings import Settings, load_settings

README = Path(__file__).resolve().parents[1] / "README.md"


def documented_variables() -> set[str]:
    """Backquoted upper-case names in the table rows of the README's settings section."""
    text = README.read_text()
    section = text[text.index("## Settings") :]
    section = section[: section.find("\n## ", 1)]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row)}


def test_every_setting_is_in_the_readme_table() -> None:
    fields = {name.upper() for name in Settings.model_fields}
    assert fields - documented_variables() == set()


def test_a_wrong_value_exits_2_with_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(SystemExit) as exited:
        load_settings()
    assert exited.value.code == 2
    message = capsys.readouterr().err
    assert "PORT" in message
    assert message.count("\n") == 1, "one line, not a traceback"


def test_without_a_master_key_serve_rebuild_and_verify_stop_with_one_line_exit_4(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PII_MASTER_KEYS", raising=False)
    for command in ("serve", "rebuild", "verify"):
        with pytest.raises(SystemExit) as exited:
            main([command])
        assert exited.value.code == 4
        message = capsys.readouterr().err
        assert message.startswith("projector: PII_MASTER_KEYS is not set")
        assert message.count("\n") == 1, "one line, not a traceback"
