"""Who sent a command message: the AMQP `user_id` property, which RabbitMQ checks against the user of the
connection that published it (a message claiming another user is refused by the broker itself), mapped
to a role by `AMQP_SENDERS`. Where a reply may go: to the direct reply-to pseudo-queue (the broker ties
it to the publishing channel), or, for a known sender, to its own queues: `<prefix><user>` or
`<prefix><user>.<anything>` for each configured prefix. A sender must not make the service publish into
another's queue — not even a refusal, which would let it forge answers someone else waits for.
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
        self._prefixes = tuple(reply_to_prefixes)

    def principal(self, user_id: str) -> Principal | None:
        """The principal the broker-verified user acts as, or None when the user is not mapped."""
        return self._principals.get(user_id)

    def may_reply_to(self, reply_to: str, user_id: str | None) -> bool:
        """Whether a reply may go to `reply_to` for a message from `user_id` (None: no or unknown user)."""
        if reply_to.startswith(DIRECT_REPLY_TO):
            return True
        if user_id is None or user_id not in self._principals:
            return False
        own = [f"{prefix}{user_id}" for prefix in self._prefixes]
        return any(reply_to == queue or reply_to.startswith(f"{queue}.") for queue in own)
