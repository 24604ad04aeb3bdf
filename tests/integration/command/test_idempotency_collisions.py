"""A collision's 409 asks for a retry: it is not remembered under the idempotency key, so the retry under
the same key is carried out (a final answer is remembered: test_idempotency)."""

from __future__ import annotations

import asyncio

from command_support import command_client, fetchval, hotel_body
from database_locks import hotel_row_locked, wait_for_lock_waiters


async def test_a_409_collision_retried_with_the_same_key_succeeds(command_env: dict[str, str]) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env) as client:
        hotel = hotel_body()
        hotel_id = hotel["hotel_id"]
        assert (await client.post("/hotels", json=hotel)).status_code == 202
        rate_url = f"/hotels/{hotel_id}/room-types/DBL/rate"

        async def set_rate(amount: str) -> tuple[str, int]:
            key = f"rate-{amount}"
            body = {"nightly_rate": {"amount": amount, "currency": "EUR"}}
            answer = await client.post(rate_url, json=body, headers={"Idempotency-Key": key})
            return key, answer.status_code

        # Both read the hotel at one version and wait to save it: the first to save wins, the other's
        # save finds the version changed (409 `conflict`, "retry").
        async with hotel_row_locked(dsn, hotel_id):
            racing = asyncio.gather(set_rate("150.00"), set_rate("160.00"))
            await wait_for_lock_waiters(dsn, 2)
        answers = dict(await racing)
        assert sorted(answers.values()) == [202, 409]
        [(loser, _)] = [(key, status) for key, status in answers.items() if status == 409]
        amount = loser.removeprefix("rate-")
        again = await client.post(
            rate_url,
            json={"nightly_rate": {"amount": amount, "currency": "EUR"}},
            headers={"Idempotency-Key": loser},
        )
        assert again.status_code == 202, again.text
    assert await fetchval(dsn, "SELECT count(*) FROM events WHERE event_type = 'NightlyRateSet'") == 2
    assert str(await fetchval(dsn, "SELECT rate_amount FROM room_types")) == amount
