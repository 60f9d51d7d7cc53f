"""The Idempotency-Key store against real PostgreSQL, every outcome of a claim: a new key, the
same request while the first runs, another request under the same key, the kept answer, a
released key, a key whose request died, and the same key of another caller."""

from sqlalchemy import MetaData, text

from resonance.common.auth import Principal
from resonance.common.db import Database
from resonance.common.idempotency import IN_FLIGHT_TIMEOUT_S, _KeyStore
from resonance.common.plumbing import plumbing_tables
from resonance.devstack.testing import Infra

TABLE = plumbing_tables(MetaData()).idempotency
ANA = Principal(subject="ana", tenant="acme", roles=frozenset({"ambassador"}))
BOB = Principal(subject="bob", tenant="acme", roles=frozenset({"ambassador"}))


async def test_every_outcome_of_a_claim(infra: Infra) -> None:
    db = Database(infra.new_database("metrics"))
    try:
        ana = _KeyStore(db, TABLE, ANA, "key-1")
        assert await ana.claim("hash-a") == "claimed"
        # The first request has not answered yet: the same one again waits, another is refused.
        assert await ana.claim("hash-a") == "in_flight"
        assert await ana.claim("hash-b") == "conflict"
        # The same key is Bob's own: keys are scoped by caller.
        assert await _KeyStore(db, TABLE, BOB, "key-1").claim("hash-b") == "claimed"

        headers = [(b"Content-Type", b"application/json"), (b"x-private", b"not kept")]
        await ana.complete(201, headers, b'{"id": "s-1"}')
        # Replayed: the status, the body and only the headers a replay may carry.
        assert await ana.claim("hash-a") == {
            "status": 201,
            "headers": {"content-type": "application/json"},
            "body": '{"id": "s-1"}',
        }
        # A completed answer is never released: the replay stays.
        await ana.release()
        assert isinstance(await ana.claim("hash-a"), dict)

        # A failure releases the key: the retry runs again.
        carl = _KeyStore(db, TABLE, ANA, "key-2")
        assert await carl.claim("hash-c") == "claimed"
        await carl.release()
        assert await carl.claim("hash-c") == "claimed"

        # A request still in flight after the timeout is presumed dead: the retry takes over.
        async with db.transaction() as session:
            await session.execute(
                text(
                    "UPDATE idempotency_keys SET created_at = now() - make_interval(secs => :s) "
                    "WHERE key = 'key-2'"
                ),
                {"s": IN_FLIGHT_TIMEOUT_S + 5},
            )
        assert await carl.claim("hash-c") == "claimed"
        assert await carl.claim("hash-c") == "in_flight"  # revived just now: alive again
    finally:
        await db.dispose()
