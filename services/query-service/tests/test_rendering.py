"""Cache validators and the small TTL cache."""

from __future__ import annotations

import pytest

from query_service.api.rendering import etag_matches
from query_service.caches import TtlCache
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


async def test_ttl_cache_loads_once_per_period() -> None:
    now = [0.0]
    loads: list[int] = []

    async def load() -> int:
        loads.append(1)
        return len(loads)

    cache = TtlCache(1.0, load, clock=lambda: now[0])
    assert await cache.get() == 1
    assert await cache.get() == 1
    now[0] = 1.5
    assert await cache.get() == 2


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
