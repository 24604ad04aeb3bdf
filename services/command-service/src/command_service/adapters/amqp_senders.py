"""Who sent a command message: the AMQP `user_id` property, which RabbitMQ checks against the user of the
connection that published it (a message claiming another user is refused by the broker itself), mapped
to a role by `AMQP_SENDERS`. Where a reply may go: only to the direct reply-to pseudo-queue or to queues
whose names start with a configured prefix — a sender must not make the service publish into any queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from command_service.settings import AmqpSender
from innkeeper_kit.auth import Principal

AMQP_ISSUER = "amqp"
DIRECT_REPLY_TO = "amq.rabbitmq.reply-to"


class AmqpSenders:
    """Broker users mapped to principals; an unmapped user is nobody Innkeeper knows."""

    def __init__(self, senders: Mapping[str, AmqpSender], reply_to_prefixes: Iterable[str]) -> None:
        self._principals = {
            user: Principal(
                subject=user, role=sender.role, hotels=frozenset(sender.hotels), issuer=AMQP_ISSUER
            )
            for user, sender in senders.items()
        }
        self._prefixes = (DIRECT_REPLY_TO, *reply_to_prefixes)

    def principal(self, user_id: str) -> Principal | None:
        """The principal the broker-verified user acts as, or None when the user is not mapped."""
        return self._principals.get(user_id)

    def may_reply_to(self, reply_to: str) -> bool:
        return reply_to.startswith(self._prefixes)
