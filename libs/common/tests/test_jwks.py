"""The provider's signing keys are cached with a lifetime, fetched at most once per interval
(shared by concurrent callers), backed off after failures, and kept while the provider is
down; which issuer and client may assert which tenant is configuration.

The provider is an httpx MockTransport whose answers the tests change, and time is a fake
monotonic clock, so every count below is exact."""

import asyncio
import time
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from resonance.common.auth import (
    InvalidToken,
    Issuer,
    JwtVerifier,
    SigningKeysUnavailable,
    may_client_assert,
)
from resonance.common.jwks import lifetime_from

ISSUER = "https://idp.test"
KEY_A = RSAKey.generate_key(2048, parameters={"kid": "a"})
KEY_B = RSAKey.generate_key(2048, parameters={"kid": "b"})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Provider:
    """A JWKS endpoint: `keys` published, `down` answers 503, `delay_s` before answering."""

    def __init__(self, *keys: RSAKey) -> None:
        self.keys = list(keys)
        self.down = False
        self.delay_s = 0.0
        self.cache_control: str | None = None
        self.requests = 0

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.down:
            return httpx.Response(503)
        headers = {"cache-control": self.cache_control} if self.cache_control else {}
        body = {"keys": [k.as_dict(private=False) for k in self.keys]}
        return httpx.Response(200, json=body, headers=headers)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handle))


def token(key: RSAKey, issuer: str = ISSUER, **claims: Any) -> str:
    now = int(time.time())
    body: dict[str, Any] = {
        "iss": issuer,
        "aud": "resonance",
        "sub": "u-1",
        "exp": now + 600,
        "tenant": "acme",
    }
    body.update(claims)
    return jwt.encode({"alg": "RS256", "kid": key.kid}, body, key)


def verifier(provider: Provider, clock: Clock, **kwargs: Any) -> JwtVerifier:
    return JwtVerifier(
        ISSUER,
        "resonance",
        f"{ISSUER}/jwks",
        http=provider.client(),
        clock=clock,
        **kwargs,
    )


def test_lifetime_follows_cache_control_within_bounds() -> None:
    assert lifetime_from(None, 600, 10) == 600  # no header: the default
    assert lifetime_from("public, max-age=3600", 600, 10) == 3600
    assert lifetime_from("max-age=0", 600, 10) == 10  # floored at the minimum interval
    assert lifetime_from("no-store", 600, 10) == 10
    assert lifetime_from("max-age=99999999", 600, 10) == 86_400  # capped at a day
    assert lifetime_from("private", 600, 10) == 600


async def test_keys_are_fetched_once_and_kept_for_their_lifetime() -> None:
    provider, clock = Provider(KEY_A), Clock()
    provider.cache_control = "max-age=60"
    v = verifier(provider, clock)
    for _ in range(5):
        assert (await v.verify(token(KEY_A))).tenant == "acme"
    assert provider.requests == 1
    clock.now += 59  # still fresh
    await v.verify(token(KEY_A))
    assert provider.requests == 1


async def test_expired_keys_are_served_while_one_background_fetch_replaces_them() -> None:
    provider, clock = Provider(KEY_A), Clock()
    provider.cache_control = "max-age=60"
    v = verifier(provider, clock)
    await v.verify(token(KEY_A))
    provider.keys = [KEY_A, KEY_B]
    provider.delay_s = 0.2
    clock.now += 61  # expired
    started = time.perf_counter()
    await asyncio.gather(*(v.verify(token(KEY_A)) for _ in range(10)))
    # Answered from the stale keys without waiting for the provider's 0.2 s...
    assert time.perf_counter() - started < 0.15
    await asyncio.sleep(0.3)
    # ...while exactly one refresh ran behind them and brought key b.
    assert provider.requests == 2
    assert (await v.verify(token(KEY_B))).subject == "u-1"
    assert provider.requests == 2


async def test_last_good_keys_are_used_while_the_provider_is_down() -> None:
    provider, clock = Provider(KEY_A), Clock()
    provider.cache_control = "max-age=60"
    v = verifier(provider, clock)
    await v.verify(token(KEY_A))
    provider.down = True
    for _ in range(3):
        clock.now += 3600  # long past expiry, each time one refresh may be attempted
        assert (await v.verify(token(KEY_A))).tenant == "acme"
        await asyncio.sleep(0.01)
    assert provider.requests == 4  # 1 good + 1 failed refresh per hour


async def test_a_flood_of_unknown_kids_costs_one_fetch_per_interval() -> None:
    provider, clock = Provider(KEY_A), Clock()
    v = verifier(provider, clock, min_refresh_interval_s=10)
    await v.verify(token(KEY_A))
    clock.now += 11  # past the minimum interval: one refetch is allowed
    strangers = [RSAKey.generate_key(2048, parameters={"kid": f"x{i}"}) for i in range(3)]
    forged = [token(strangers[i % 3]) for i in range(300)]
    results = await asyncio.gather(*(v.verify(t) for t in forged), return_exceptions=True)
    assert all(isinstance(r, InvalidToken) for r in results)
    # 300 unknown kids, concurrent: one shared refetch (initial fetch + 1).
    assert provider.requests == 2
    for t in forged[:100]:  # within the interval: no fetch at all
        with pytest.raises(InvalidToken):
            await v.verify(t)
    assert provider.requests == 2
    # A genuine rotation after the interval is still picked up.
    provider.keys.append(KEY_B)
    clock.now += 11
    assert (await v.verify(token(KEY_B))).tenant == "acme"
    assert provider.requests == 3


async def test_cold_start_with_the_provider_down_is_unavailable_and_backs_off() -> None:
    provider, clock = Provider(KEY_A), Clock()
    provider.down = True
    v = verifier(provider, clock, min_refresh_interval_s=10)
    with pytest.raises(SigningKeysUnavailable) as first:
        await v.verify(token(KEY_A))
    assert first.value.retry_after_s == 10  # first failure: wait one interval
    for _ in range(50):  # within the backoff: refused at once, no request to the provider
        with pytest.raises(SigningKeysUnavailable):
            await v.verify(token(KEY_A))
    assert provider.requests == 1
    clock.now += 10
    with pytest.raises(SigningKeysUnavailable) as second:
        await v.verify(token(KEY_A))
    assert provider.requests == 2 and second.value.retry_after_s == 20  # doubled
    provider.down = False
    clock.now += 20
    assert (await v.verify(token(KEY_A))).tenant == "acme"
    assert provider.requests == 3


async def test_concurrent_cold_verifications_share_one_fetch() -> None:
    provider, clock = Provider(KEY_A), Clock()
    provider.delay_s = 0.1
    v = verifier(provider, clock)
    principals = await asyncio.gather(*(v.verify(token(KEY_A)) for _ in range(25)))
    assert {p.tenant for p in principals} == {"acme"}
    assert provider.requests == 1


async def test_a_hanging_provider_is_given_up_on() -> None:
    provider, clock = Provider(KEY_A), Clock()
    provider.delay_s = 30
    v = verifier(provider, clock)
    v.key_cache(ISSUER).fetch_timeout_s = 0.1
    started = time.perf_counter()
    with pytest.raises(SigningKeysUnavailable):
        await v.verify(token(KEY_A))
    assert time.perf_counter() - started < 1


async def test_an_issuer_may_only_assert_its_tenants() -> None:
    provider, clock = Provider(KEY_A), Clock()
    v = verifier(provider, clock, tenants=["acme"])
    assert (await v.verify(token(KEY_A, tenant="acme"))).tenant == "acme"
    with pytest.raises(InvalidToken, match="may not assert"):
        await v.verify(token(KEY_A, tenant="globex"))


async def test_a_client_may_only_assert_its_tenants() -> None:
    provider, clock = Provider(KEY_A), Clock()
    v = verifier(provider, clock, client_tenants={"hr-acme": ["acme"]})
    assert (await v.verify(token(KEY_A, tenant="acme", client_id="hr-acme"))).tenant == "acme"
    with pytest.raises(InvalidToken, match="client may not"):
        await v.verify(token(KEY_A, tenant="globex", client_id="hr-acme"))
    # `azp` names the client when `client_id` is absent.
    with pytest.raises(InvalidToken, match="client may not"):
        await v.verify(token(KEY_A, tenant="globex", azp="hr-acme"))
    # A client not in the policy is limited by its issuer only ("*" here).
    assert (await v.verify(token(KEY_A, tenant="globex", client_id="cli"))).tenant == "globex"


def test_client_policy_rules() -> None:
    policy = {"hr": ["acme"], "ops": ["*"]}
    assert may_client_assert(policy, "hr", "acme")
    assert not may_client_assert(policy, "hr", "globex")
    assert may_client_assert(policy, "ops", "globex")
    assert may_client_assert(policy, None, "globex")
    assert may_client_assert(policy, "other", "globex")


async def test_several_issuers_each_with_their_keys_and_tenants() -> None:
    ours, theirs, clock = Provider(KEY_A), Provider(KEY_B), Clock()
    customer = "https://login.globex.test"

    async def route(request: httpx.Request) -> httpx.Response:
        return await (theirs if request.url.host == "login.globex.test" else ours).handle(request)

    v = JwtVerifier(
        ISSUER,
        "resonance",
        f"{ISSUER}/jwks",
        http=httpx.AsyncClient(transport=httpx.MockTransport(route)),
        clock=clock,
        tenants=["acme"],
        extra_issuers=[Issuer(customer, f"{customer}/keys", frozenset({"globex"}))],
    )
    assert (await v.verify(token(KEY_B, issuer=customer, tenant="globex"))).tenant == "globex"
    assert (await v.verify(token(KEY_A, tenant="acme"))).tenant == "acme"
    # The customer's provider cannot speak for acme, even with a valid signature.
    with pytest.raises(InvalidToken, match="may not assert"):
        await v.verify(token(KEY_B, issuer=customer, tenant="acme"))
    # A token signed by our key but naming the customer's issuer fails its key set.
    with pytest.raises(InvalidToken):
        await v.verify(token(KEY_A, issuer=customer, tenant="globex"))
    assert (ours.requests, theirs.requests) == (1, 1)


async def test_an_untrusted_issuer_is_refused_without_fetching_anything() -> None:
    provider, clock = Provider(KEY_A), Clock()
    v = verifier(provider, clock)
    for i in range(20):
        with pytest.raises(InvalidToken, match="not trusted"):
            await v.verify(token(KEY_A, issuer=f"https://evil-{i}.test"))
    with pytest.raises(InvalidToken):
        await v.verify("x" * 20_000)
    assert provider.requests == 0
