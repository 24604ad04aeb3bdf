"""What the dead-letter tools print of a message: guest personal data masked, by the logs' own rules."""

from __future__ import annotations

import json
from typing import Any

from innkeeper_kit.redaction import redact_text


def masked_body(body: bytes) -> Any:
    """A JSON body as JSON (masked), anything else as masked text."""
    text = body.decode("utf-8", errors="replace")
    try:
        return masked(json.loads(text))
    except ValueError:
        return redact_text(text)


def masked(value: Any) -> Any:
    """The value with guest personal data masked: the logs' rules (`redact_text`) on its JSON form."""
    text = redact_text(json.dumps(value, default=str))
    try:
        return json.loads(text)
    except ValueError:  # the masking took a JSON delimiter with it: the masked text still says it all
        return text
