"""What every load generator mode sends: a connection to a service, and a random BookStay body."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import orjson

from bench.httpclient import Connection


def connection(url: str) -> Connection:
    parts = urlsplit(url)
    return Connection(parts.hostname or "127.0.0.1", parts.port or 80)


def book_stay_body(hotels: list[list[Any]], rng: random.Random) -> bytes:
    """A BookStay for a random hotel and room type, 1-3 nights within the next year."""
    hotel_id, codes = rng.choice(hotels)
    check_in = date.today() + timedelta(days=rng.randint(2, 360))
    guest = rng.randint(1, 1_000_000)
    return orjson.dumps(
        {
            "booking_id": str(uuid.uuid4()),
            "hotel_id": hotel_id,
            "room_type": rng.choice(codes),
            "guest": {"guest_id": f"g-{guest}", "name": "Bench Guest", "email": f"g{guest}@bench-mail.io"},
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=rng.randint(1, 3))).isoformat(),
            "guests": 1,
        }
    )
