"""Cache validators and settings."""

from __future__ import annotations

import pytest

from query_service.api.rendering import etag_matches
from query_service.settings import Settings, load_settings

ETAG = '"abc"'


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ("", False),
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ("*", True),
        ('"x"', False),
    ],
)
def test_if_none_match(header: str | None, matches: bool) -> None:
    assert etag_matches(header, ETAG) is matches


def test_settings_split_cors_origins() -> None:
    settings = Settings(cors_origins=" https://a.example, ,https://b.example")
    assert settings.cors_origin_list == ["https://a.example", "https://b.example"]
    assert Settings(cors_origins="").cors_origin_list == []


def test_invalid_settings_fail_fast_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSISTENCY_WAIT_SECONDS", "forever")
    with pytest.raises(SystemExit) as exited:
        load_settings()
    assert exited.value.code == 2
    message = capsys.readouterr().err
    assert "CONSISTENCY_WAIT_SECONDS" in message
    assert message.count("\n") == 1, "one line, not a traceback"
