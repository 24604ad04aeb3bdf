"""`python -m command_service` serves HTTP (and AMQP, and the relay); `... migrate` applies migrations;
`... dead-letters list|show|retry|discard` are the operator's tools for the intake's dead letters;
`... rewrap-guest-keys` wraps every guest's data key under the first master key (rotation)."""

from __future__ import annotations

import argparse
import asyncio
import sys

import asyncpg
from pydantic import ValidationError

from command_service.adapters.migrations import migrate
from command_service.bootstrap import create_app
from command_service.cli.guest_keys import rewrap_guest_keys
from command_service.logs import configure_logging
from command_service.settings import Settings, settings_error
from innkeeper_kit.garbage_collector import freeze_startup_heap
from innkeeper_kit.preflight import Check, check_or_exit, rides_out
from innkeeper_kit.preflight.personal import master_keys_set
from innkeeper_kit.preflight.ports import port_free
from innkeeper_kit.preflight.postgres import postgres_migrated, postgres_reachable
from innkeeper_kit.preflight.rabbitmq import rabbitmq_ready
from innkeeper_kit.serving import serve

USAGE = "usage: python -m command_service [serve | migrate | dead-letters ... | rewrap-guest-keys]"


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        print(settings_error(error), file=sys.stderr)
        sys.exit(2)


async def run_migrations(settings: Settings) -> None:
    connection = await asyncpg.connect(settings.postgres_dsn, timeout=settings.postgres_connect_timeout)
    try:
        await migrate(connection)
    finally:
        await connection.close()


def parse_dead_letters(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m command_service dead-letters",
        description="The command intake's dead letters (innkeeper.commands.dead-letter).",
    )
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="one line per dead letter, oldest first; none is removed")
    show = actions.add_parser("show", help="the whole message (personal data masked), as JSON")
    show.add_argument(
        "--id",
        action="append",
        dest="ids",
        required=True,
        help="a dead letter's id or message_id (repeatable)",
    )
    for name, what in (("retry", "send again to the intake, then remove"), ("discard", "remove for good")):
        action = actions.add_parser(name, help=f"dead letters: {what}")
        which = action.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--id", action="append", dest="ids", help="a dead letter's id or message_id (repeatable)"
        )
        which.add_argument("--all", action="store_true", help="every dead letter")
    return parser.parse_args(argv)


async def run_dead_letters(settings: Settings, arguments: argparse.Namespace) -> int:
    from command_service.cli import dead_letter_actions as actions
    from command_service.cli.dead_letter_queue import run

    if arguments.action == "list":
        return await run(actions.list_letters(settings))
    if arguments.action == "show":
        return await run(actions.show(settings, arguments.ids))
    which = None if arguments.all else arguments.ids
    act = actions.retry if arguments.action == "retry" else actions.discard
    return await run(act(settings, which))


def prerequisites(settings: Settings, command: str) -> list[Check]:
    """What `command` needs before it starts (docs/running.md, "Preflight"). Serving rides out a
    PostgreSQL or RabbitMQ that cannot be reached yet (503 until PostgreSQL is back, events wait in the
    outbox for RabbitMQ), but not one that refuses its user, database or vhost: waiting will not fix that."""
    if command == "migrate":
        return [postgres_reachable(settings.postgres_dsn)]
    if command == "dead-letters":
        return [rabbitmq_ready(settings.rabbitmq_url)]
    master_key = master_keys_set(settings, "no guest's personal data could be sealed")
    if command == "rewrap-guest-keys":
        return [master_key, postgres_migrated(settings.postgres_dsn, ("guest_keys",))]
    schema = postgres_reachable if settings.migrate_on_start else postgres_migrated
    broker = rabbitmq_ready(settings.rabbitmq_url)
    return [master_key, port_free(settings.port), rides_out(schema(settings.postgres_dsn)), rides_out(broker)]


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "serve"
    letters = parse_dead_letters(args[1:]) if command == "dead-letters" else None  # usage errors first
    settings = load_settings()
    if command in ("serve", "migrate", "dead-letters", "rewrap-guest-keys"):
        check_or_exit("command-service", prerequisites(settings, command))
    configure_logging(settings.log_level, settings.log_format)
    if letters is not None:
        sys.exit(asyncio.run(run_dead_letters(settings, letters)))
    if command == "migrate":
        asyncio.run(run_migrations(settings))
    elif command == "rewrap-guest-keys":
        sys.exit(asyncio.run(rewrap_guest_keys(settings)))
    elif command == "serve":
        app = create_app(settings)
        # What the imports built (~90 000 objects) out of the collector's sight before serving.
        freeze_startup_heap()
        serve(app, settings, settings.port, loop="uvloop")
    else:
        sys.exit(USAGE)


if __name__ == "__main__":
    main()
