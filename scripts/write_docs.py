#!/usr/bin/env python3
"""Write Innkeeper's machine-readable contracts into docs/ (`make docs`), or check them (`make docs-check`).

* docs/openapi/<service>.json — the OpenAPI of each HTTP service, from its own app factory (nothing
  connects: the apps are built, never started);
* docs/asyncapi/innkeeper.json — AsyncAPI 3.0 of the messages (scripts/innkeeper_asyncapi), generated
  by FastStream and completed where it cannot express something: the command intake (one operation per
  command, its JSON body, its reply), the replies and the dead letters, every domain event as a
  publisher on `innkeeper.events` (the EventEnvelope with that event's `data`), what the projector and
  the notifier take from there, and their dead letters; with named servers, header schemas, AMQP
  properties and examples (validated in `make contracts-check`);
* docs/schemas/<Model>.json — the JSON Schema of every contract (`innkeeper_contracts.schemas`).

The output is deterministic (sorted keys, no timestamps, one trailing newline), so the committed copies
can be compared. `--check` regenerates into a temporary directory and exits 1 with a unified diff when
the committed copies are stale (then run `make docs` and commit).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from innkeeper_asyncapi import asyncapi_document

from innkeeper_contracts.schemas import all_schemas

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
VERSION = "0.1.0"
DOCS_ISSUER = "https://issuer.example"


def render(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def openapi_documents() -> dict[str, Any]:
    """Each HTTP service's OpenAPI, from its app factory with default settings (nothing connects)."""
    from command_service.bootstrap import create_app as command_app
    from command_service.settings import Settings as CommandSettings
    from notifier.app import create_app as notifier_app
    from notifier.settings import Settings as NotifierSettings
    from projector.app import create_app as projector_app
    from projector.settings import Settings as ProjectorSettings
    from query_service.app import create_app as query_app
    from query_service.settings import Settings as QuerySettings

    return {
        # An issuer, so building the apps does not warn that none is trusted; nothing is fetched.
        "command-service": command_app(CommandSettings(log_format="json", auth_issuer=DOCS_ISSUER)).openapi(),
        "query-service": query_app(QuerySettings(log_format="json", auth_issuer=DOCS_ISSUER)).openapi(),
        "projector": projector_app(ProjectorSettings(log_format="json", auth_issuer=DOCS_ISSUER)).openapi(),
        "notifier": notifier_app(NotifierSettings(log_format="json", auth_issuer=DOCS_ISSUER)).openapi(),
    }


def documents() -> dict[str, str]:
    """Relative path → file content, for everything `make docs` writes."""
    files = {f"openapi/{name}.json": render(doc) for name, doc in openapi_documents().items()}
    files["asyncapi/innkeeper.json"] = render(asyncapi_document(VERSION))
    files.update({f"schemas/{name}.json": render(schema) for name, schema in all_schemas().items()})
    return dict(sorted(files.items()))


GENERATED = ("openapi", "asyncapi", "schemas")


def write(target: Path, files: dict[str, str]) -> None:
    for folder in GENERATED:  # stale files of removed contracts go too
        for old in (target / folder).glob("*.json"):
            if f"{folder}/{old.name}" not in files:
                old.unlink()
    for relative, content in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def differences(committed: Path, fresh: Path) -> list[str]:
    """Unified diffs (and missing or extra files) between the committed docs and fresh ones."""
    lines: list[str] = []
    names = {
        str(path.relative_to(root))
        for root in (committed, fresh)
        for folder in GENERATED
        for path in (root / folder).glob("*.json")
    }
    for name in sorted(names):
        old, new = committed / name, fresh / name
        before = old.read_text(encoding="utf-8").splitlines(keepends=True) if old.exists() else []
        after = new.read_text(encoding="utf-8").splitlines(keepends=True) if new.exists() else []
        lines += difflib.unified_diff(before, after, f"committed docs/{name}", f"generated docs/{name}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail (exit 1) when docs/ is not up to date")
    parser.add_argument("--out", type=Path, default=DOCS, help="where to write (default: docs/)")
    arguments = parser.parse_args(argv)
    files = documents()
    if not arguments.check:
        write(arguments.out, files)
        print(f"wrote {len(files)} files under {arguments.out}")
        return 0
    with tempfile.TemporaryDirectory() as fresh:
        write(Path(fresh), files)
        diff = differences(arguments.out, Path(fresh))
    if diff:
        sys.stdout.writelines(diff[:400])
        print(f"\ndocs are stale: {len(diff)} diff lines above. Run `make docs` and commit docs/.")
        return 1
    print(f"docs are up to date ({len(files)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
