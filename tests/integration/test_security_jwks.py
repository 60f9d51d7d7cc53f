"""Issue 8, item 8: a service whose identity provider is down at start-up answers 503 (not
500) and keeps doing so cheaply; which tenants the provider may assert is configuration.

Unit-level behaviour of the key cache (lifetimes, backoff, floods of unknown key ids, several
issuers) is in libs/common/tests/test_jwks.py."""

import time

from sqlalchemy import text

from resonance.devstack.testing import Infra, free_port, running_service

ITEM = {"family": "market", "format": "text", "title": "Industry analysis"}


async def test_cold_start_with_the_provider_down_answers_503(infra: Infra) -> None:
    nobody = f"http://127.0.0.1:{free_port()}/jwks"  # nothing listens there
    async with running_service(infra, "content", oidc_jwks_url=nobody) as content:
        headers = infra.auth(roles=["communicator"])
        r = await content.client.post("/v1/items", json=ITEM, headers=headers)
        assert r.status_code == 503, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"].endswith("/identity-provider-unavailable")
        assert int(r.headers["retry-after"]) >= 1
        # Failures are remembered: the next requests are refused at once (through the
        # idempotency layer too), not after another attempt to reach the provider.
        started = time.perf_counter()
        for i in range(20):
            r = await content.client.post(
                "/v1/items", json=ITEM, headers={**headers, "Idempotency-Key": f"k-{i}"}
            )
            assert r.status_code == 503, r.text
        assert time.perf_counter() - started < 2
        assert content.runtime.verifier.key_cache(infra.issuer).fetches == 1
        async with content.runtime.db.session() as session:
            assert (await session.execute(text("select count(*) from content_items"))).scalar() == 0
            stored = await session.execute(text("select count(*) from idempotency_keys"))
            assert stored.scalar() == 0


async def test_the_provider_may_only_assert_the_configured_tenants(infra: Infra) -> None:
    async with running_service(infra, "content", oidc_tenants=["acme"]) as content:
        r = await content.client.post(
            "/v1/items", json=ITEM, headers=infra.auth(tenant="acme", roles=["communicator"])
        )
        assert r.status_code == 201, r.text
        # Signed by the same provider, but it does not speak for globex here.
        r = await content.client.post(
            "/v1/items", json=ITEM, headers=infra.auth(tenant="globex", roles=["admin"])
        )
        assert r.status_code == 401, r.text
        assert "may not assert" in r.json()["detail"]
        async with content.runtime.db.session() as session:
            tenants = await session.execute(text("select distinct tenant from content_items"))
            assert tenants.scalars().all() == ["acme"]


async def test_a_client_may_only_assert_its_tenant(infra: Infra) -> None:
    policy = {"hr-acme": ["acme"]}
    async with running_service(infra, "content", oidc_client_tenants=policy) as content:
        ok = infra.auth(tenant="acme", roles=["communicator"], extra={"client_id": "hr-acme"})
        r = await content.client.post("/v1/items", json=ITEM, headers=ok)
        assert r.status_code == 201, r.text
        bad = infra.auth(tenant="globex", roles=["communicator"], extra={"client_id": "hr-acme"})
        r = await content.client.post("/v1/items", json=ITEM, headers=bad)
        assert r.status_code == 401, r.text
