#!/usr/bin/env python3
"""`make token ROLE=… [SUBJECT=…] [HOTELS=…]`: print one bearer token for a local Innkeeper (`make run`
or docker compose in development mode), valid for an hour, and nothing else on stdout:

    curl -H "Authorization: Bearer $(make -s token ROLE=admin)" http://127.0.0.1:8001/metrics

The token is signed with the development key under .run/auth/ (made on first use, the same one `make
run` has the services trust). ROLE is guest, staff, admin or service; SUBJECT is a guest's id (guest),
a staff member's name, or a service's client id (services may send what SERVICE_GRANTS gives them:
`make run` grants `partner-portal` BookStay and CancelBooking); HOTELS are the hotel ids a staff member
works for, comma-separated.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from uuid import UUID

from innkeeper_kit.auth.dev import DevelopmentIssuer

ROOT = Path(__file__).resolve().parents[1]
ROLES = ("guest", "staff", "admin", "service")
DEFAULT_SUBJECTS = {"guest": "guest-1", "staff": "staff-1", "admin": "admin", "service": "partner-portal"}


def hotel_ids(text: str) -> list[UUID]:
    try:
        return [UUID(part.strip()) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"HOTELS must be hotel ids (UUIDs), comma-separated: {text!r}"
        ) from None


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--role", default=os.environ.get("ROLE", ""), help=f"one of {', '.join(ROLES)}")
    parser.add_argument("--subject", default=os.environ.get("SUBJECT", ""))
    parser.add_argument("--hotels", type=hotel_ids, default=os.environ.get("HOTELS", ""))
    parser.add_argument("--ttl", type=int, default=3600, help="seconds (default: an hour)")
    parser.add_argument("--run-dir", default=os.environ.get("RUN_DIR", str(ROOT / ".run")))
    args = parser.parse_args()
    if args.role not in ROLES:
        print(f"make token: ROLE must be one of {', '.join(ROLES)} (got {args.role!r})", file=sys.stderr)
        return 2
    hotels = hotel_ids(args.hotels) if isinstance(args.hotels, str) else args.hotels
    if args.role == "staff" and not hotels:
        print("make token: a staff token without HOTELS=<id>[,<id>] may act on no hotel", file=sys.stderr)
    issuer = DevelopmentIssuer.ensure(Path(args.run_dir) / "auth")
    subject = args.subject or DEFAULT_SUBJECTS[args.role]
    print(issuer.token(args.role, subject, hotels=hotels, ttl=args.ttl))
    return 0


if __name__ == "__main__":
    sys.exit(main())
