"""Guest personal data out of every log line: a structlog processor for the services' own lines and the
standard library's (drivers, uvicorn), run after exception formatting so tracebacks are scrubbed too.

Three rules: a value under a personal key (`email`, `guest_email`, `name`, `guest_name`, `guest`; any
case, at any depth) becomes "[redacted]"; anything shaped local@domain in any string becomes
"[redacted-email]"; in free text (driver errors, pydantic errors, reprs, JSON) the value of a personal
`key: value` / `key=value` pair is replaced. Hotel names go too (same key): over-redacting is the
cheaper mistake.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from structlog.typing import EventDict

REDACTED = "[redacted]"
REDACTED_EMAIL = "[redacted-email]"
PERSONAL_KEYS = frozenset({"email", "guest_email", "name", "guest_name", "guest"})

# Lower-cased text without any of these cannot need a substitution (IGNORECASE would be 4x slower).
_HINT = re.compile(r"@|%40|name|mail|guest").search
_KEY = r"(?:guest_email|guest_name|email|name|guest)"
_VALUE = (
    r"""(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\\"(?:(?!\\").)*\\\""""  # quoted (or escaped JSON)
    r"|\{(?>[^{}]++|\{[^{}]*+\})*+\}|\[(?>[^\[\]]++|\[[^\[\]]*+\])*+\]"  # dict, list (two levels)
    r"|\w+\((?>[^()]++|\([^()]*+\))*+\)"  # Guest(name=..., ...)
    r"""|(?:(?!\s+[\w.-]+\s*[:=])[^,;&)\]}\n\r"])+)"""  # bare: up to a delimiter or the next key=
)
# A personal key, quoted or not, then `=` or `: ` (not `host:port`, not `==`), then its value.
_PAIR = re.compile(
    rf"""(?<![\w-])(?P<key>(?P<q>\\?["']?){_KEY}(?P=q)(?:\s*=(?!=)|\s*:(?=[\s"'{{\[\\]))\s*)"""
    rf"(?P<value>{_VALUE})",
    re.IGNORECASE,
)
# pydantic puts the location on its own line and the bare input below it: `guest.name\n  ... input_value='…'`.
_PYDANTIC_INPUT = re.compile(
    rf"(?im)^(?P<key>[\w.\[\]-]*\b{_KEY}\b[\w.\[\]-]*\n[^\n]*?input_value=)(?P<q>)(?P<value>{_VALUE})"
)
# Generous on purpose (no TLD needed, `%40` counts): a lost host name in a log is cheap, a leak is not.
# The look-behind starts a match only at the start of a run, which keeps long texts linear.
_ADDRESS_CHAR = r"""[^\s@'"`<>()\[\]{},;:/\\=&?#|]"""
_EMAIL = re.compile(rf"(?<!{_ADDRESS_CHAR}){_ADDRESS_CHAR}+(?:@|%40){_ADDRESS_CHAR}+")
_PLAIN = frozenset({int, float, bool, type(None), UUID, datetime, date, time, Decimal})
_MAX_DEPTH = 8
_CLEAN_KEYS: set[str] = set()  # keys seen not to be personal, so the hot path skips lower()
_MAX_CLEAN_KEYS = 4096


def redact_personal_data(_: object, __: str, event_dict: EventDict) -> EventDict:
    """structlog processor; changes only the values that hold personal data, copies nothing otherwise."""
    # The hot path: known keys, and one look for the hints over every value's text at once.
    if _CLEAN_KEYS.issuperset(event_dict):
        text = "\0".join([v if type(v) is str else repr(v) for v in event_dict.values()])
        if _HINT(text.lower()) is None:
            return event_dict
    for key, value in event_dict.items():
        if key in _CLEAN_KEYS:
            new = _scrub(value, 0)
        elif key.lower() in PERSONAL_KEYS:
            new = REDACTED
        else:
            if len(_CLEAN_KEYS) < _MAX_CLEAN_KEYS:  # field names are a small vocabulary; stay bounded
                _CLEAN_KEYS.add(key)
            new = _scrub(value, 0)
        if new is not value:
            event_dict[key] = new  # a new value under an existing key: safe while iterating
    return event_dict


def redact_text(text: str) -> str:
    """Free text with e-mail addresses and the values of personal `key: value` pairs replaced."""
    text = _PAIR.sub(_replace_value, text)
    text = _PYDANTIC_INPUT.sub(_replace_value, text)
    return _EMAIL.sub(REDACTED_EMAIL, text)


def _replace_value(match: re.Match[str]) -> str:
    value = match["value"]
    # Keep the quoting, so a JSON or repr text stays one; a bare dict takes the key's quotes.
    quote = value[:2] if value.startswith('\\"') else value[0] if value[0] in "'\"" else match["q"]
    return f"{match['key']}{quote}{REDACTED}{quote}"


def _scrub(value: Any, depth: int) -> Any:
    """`value` itself when it holds nothing personal, else a scrubbed copy (the caller's object is kept)."""
    if isinstance(value, str):
        return redact_text(value) if _HINT(value.lower()) else value
    if type(value) in _PLAIN:
        return value
    if depth < _MAX_DEPTH and isinstance(value, dict):
        copy: dict[Any, Any] | None = None
        for key, item in value.items():
            personal = isinstance(key, str) and key.lower() in PERSONAL_KEYS
            new = REDACTED if personal else _scrub(item, depth + 1)
            if new is not item:
                copy = dict(value) if copy is None else copy
                copy[key] = new
        return value if copy is None else copy
    if depth < _MAX_DEPTH and isinstance(value, list | tuple | set | frozenset):
        items = [_scrub(item, depth + 1) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list | set | frozenset) else tuple(items)
    # Anything else is rendered by its repr (JSON fallback, console): scrub that text when it needs it.
    text = repr(value)
    if not _HINT(text.lower()):
        return value
    scrubbed = redact_text(text)
    return value if scrubbed == text else scrubbed
