"""The caller, as every rule about access sees it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from innkeeper_contracts import Actor, Role

ROLE_PRECEDENCE: tuple[Role, ...] = ("admin", "staff", "service", "guest")
"""A token naming several roles acts in the first of them in this order."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a subject, one role, and for staff the hotels they work for.

    `issuer` tells token subjects from broker users (`amqp`), so the same name in both places is two
    principals (idempotency keys are scoped to `scope`)."""

    subject: str
    role: Role
    hotels: frozenset[UUID] = frozenset()
    issuer: str = ""

    @property
    def scope(self) -> str:
        """What idempotency keys are scoped to: one namespace per issuer and subject."""
        return f"{self.issuer}|{self.subject}"

    @property
    def actor(self) -> Actor:
        """Who acted, as events record it."""
        return Actor(subject=self.subject, role=self.role)

    def works_at(self, hotel_id: UUID) -> bool:
        """Staff of this hotel (or an admin, who works for every hotel)."""
        return self.role == "admin" or (self.role == "staff" and hotel_id in self.hotels)

    def is_guest(self, guest_id: str | None) -> bool:
        """This caller is the guest `guest_id`."""
        return self.role == "guest" and guest_id == self.subject
