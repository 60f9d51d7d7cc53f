"""Tracked links: the public redirect and click counting.

The redirect never waits for Kafka or a write: a code resolves from an in-process cache (or,
on a miss, one indexed read), and a click that counts is put on an in-process queue that a
background job drains in batches (one insert, de-duplicated by the database, and the
`link.clicked` events in the same transaction). A full queue drops clicks rather than slow
the redirect down. Visitors are hashed in the drain; no address or user agent is stored.
"""

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TypeAlias

from resonance.common.domain_errors import NotFound
from resonance.common.events.catalogue import LinkClicked
from resonance.common.service import Runtime
from resonance.common.unit_of_work import UnitOfWork
from resonance.sharing.domain import links, share_state
from resonance.sharing.domain.bots import classify_request
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import click_queries, share_queries
from resonance.sharing.store.share_queries import LinkTarget

log = logging.getLogger(__name__)
Uow: TypeAlias = UnitOfWork[SharingSettings]
_STATE_KEY = "links"
# A cached code is read again after this long (the tenant may change its UTM medium).
CACHE_TTL_S = 600.0
# The click recorder hands the event loop back after this many clicks: under 1 ms of
# Python (hashing; or building, encoding and sending the events: 60-90 us a click under
# the benchmark, where slices of 50 held the loop 3-5 ms at a time and, at 8 clients,
# slices of 20 still lengthened the redirect's p99; see record).
CLICKS_PER_SLICE = 10


class UnknownLink(NotFound):
    default_slug = "link-not-found"


@dataclass(frozen=True)
class Click:
    target: LinkTarget
    ip: str
    user_agent: str
    at: datetime
    # From one of the tenant's own address ranges; decided here, before the address is
    # hashed away in the recorder.
    internal: bool = False


class LinkCache:
    """Code -> target, least recently used out first, entries refreshed after a while."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[float, LinkTarget]] = OrderedDict()

    def get(self, code: str) -> LinkTarget | None:
        entry = self._entries.get(code)
        if entry is None or time.monotonic() - entry[0] > CACHE_TTL_S:
            return None
        self._entries.move_to_end(code)
        return entry[1]

    def put(self, target: LinkTarget) -> None:
        self._entries[target.code] = (time.monotonic(), target)
        self._entries.move_to_end(target.code)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


@dataclass
class LinkState:
    cache: LinkCache
    queue: asyncio.Queue[Click]
    visitor_secret: bytes
    dropped: int = 0


def _visitor_secret(settings: SharingSettings) -> bytes:
    """An HMAC key for visitor hashes, derived from the service's first secret key so every
    replica hashes alike; a random one (this process only) when the service has none."""
    if settings.secret_keys:
        return hmac.new(
            settings.secret_keys[0].encode(), b"resonance visitor hash", hashlib.sha256
        ).digest()
    log.warning("no secret key: visitor hashes are only consistent within this process")
    return secrets.token_bytes(32)


def state_of(runtime: Runtime[SharingSettings]) -> LinkState:
    found = runtime.extensions.get(_STATE_KEY)
    if isinstance(found, LinkState):
        return found
    s = runtime.settings
    state = LinkState(
        LinkCache(s.link_cache_size), asyncio.Queue(s.click_queue_max), _visitor_secret(s)
    )
    runtime.extensions[_STATE_KEY] = state
    return state


@lru_cache(maxsize=1024)
def _internal_networks(values: tuple[str, ...]) -> tuple[links.IpNetwork, ...]:
    """Parsed once per distinct list (the policy API validated them; a bad one is ignored)."""
    try:
        return links.parse_internal_networks(values)
    except ValueError:
        log.warning("ignoring unreadable internal address ranges")
        return ()


async def _target(runtime: Runtime[SharingSettings], state: LinkState, code: str) -> LinkTarget:
    if not links.is_short_code(code):
        raise UnknownLink("no such link")
    target = state.cache.get(code)
    if target is None:
        async with runtime.db.session() as session:
            target = await share_queries.link_target(session, code)
        if target is None or target.destination is None:
            raise UnknownLink("no such link")
        state.cache.put(target)
    return target


async def follow(
    runtime: Runtime[SharingSettings],
    code: str,
    *,
    method: str,
    ip: str | None,
    user_agent: str | None,
    headers: Mapping[str, str],
) -> str:
    """Where `code` leads (the item's URL with UTM parameters). Counts the click if a person
    made it, without waiting for anything but the lookup."""
    state = state_of(runtime)
    target = await _target(runtime, state, code)
    assert target.destination is not None
    location = links.tracked_destination(
        target.destination,
        network=target.network,
        share_id=target.share_id,
        campaign=target.campaign_id,
        medium=target.utm_medium or links.DEFAULT_UTM_MEDIUM,
    )
    if classify_request(method, user_agent, headers).counted:
        internal = links.is_internal(ip or "", _internal_networks(target.internal_networks))
        click = Click(target, ip or "", user_agent or "", runtime.clock(), internal)
        try:
            state.queue.put_nowait(click)
        except asyncio.QueueFull:
            state.dropped += 1
    return location


async def next_batch(state: LinkState, max_size: int, linger_s: float) -> list[Click]:
    """Waits for a click, lets `linger_s` pass for more to arrive (not if `max_size` are
    already waiting) and takes up to `max_size`. Sleeping rather than waiting on the queue
    click by click costs the redirect nothing: with nobody waiting on the queue, a click put
    on it wakes no one."""
    first = await state.queue.get()
    try:
        if state.queue.qsize() < max_size - 1:
            await asyncio.sleep(linger_s)
    except asyncio.CancelledError:
        # Shutting down: the click goes back for the final flush (record_clicks).
        with suppress(asyncio.QueueFull):
            state.queue.put_nowait(first)
        raise
    batch = [first]
    while len(batch) < max_size and not state.queue.empty():
        batch.append(state.queue.get_nowait())
    return batch


async def record(uow: Uow, clicks: list[Click], visitor_secret: bytes) -> int:
    """Counts each click once per visitor and window; publishes link.clicked for those that
    count and confirms self-reported shares by their first click. Returns how many counted.

    This runs on the event loop that serves the redirect: the Python work of a batch (hashes,
    events, their JSON) is done in slices, handing the loop back between them, and the
    events are written a slice at a time in one statement each."""
    window = timedelta(seconds=uow.settings.click_window_s)
    rows: dict[str, tuple[Click, str]] = {}
    for done, click in enumerate(clicks):
        if done and done % CLICKS_PER_SLICE == 0:
            await asyncio.sleep(0)
        visitor = links.visitor_hash(click.ip, click.user_agent, secret=visitor_secret, at=click.at)
        key = links.click_window_key(click.target.code, visitor, click.at, window)
        rows.setdefault(key, (click, visitor))
    fresh = await click_queries.insert_new(
        uow.session,
        [
            {
                "key": key,
                "tenant": click.target.tenant,
                "share_id": click.target.share_id,
                "clicked_at": click.at,
            }
            for key, (click, _) in rows.items()
        ],
    )
    counted = [rows[key] for key in rows if key in fresh]
    # One statement per slice (and tenant); events of one link keep the clicks' order.
    for start in range(0, len(counted), CLICKS_PER_SLICE):
        by_tenant: dict[str, list[LinkClicked]] = {}
        for click, visitor in counted[start : start + CLICKS_PER_SLICE]:
            by_tenant.setdefault(click.target.tenant, []).append(_clicked(click, visitor))
        for tenant, events in by_tenant.items():
            await uow.outbox.add_many(uow.session, tenant, events)
    await _confirm_self_reported(uow, {click.target.share_id for click, _ in counted})
    return len(counted)


def _clicked(click: Click, visitor: str) -> LinkClicked:
    t = click.target
    return LinkClicked(
        link_id=t.code,
        share_id=t.share_id,
        ambassador_id=t.ambassador_id,
        content_id=t.content_id,
        campaign_id=t.campaign_id,
        utm_source=t.network,
        utm_medium=t.utm_medium or links.DEFAULT_UTM_MEDIUM,
        utm_campaign=t.campaign_id,
        clicked_at=click.at,
        network=t.network,
        visitor=visitor,
        internal=click.internal,
    )


async def _confirm_self_reported(uow: Uow, share_ids: set[str]) -> None:
    """A click on a share intent's link proves the post exists."""
    for share in await share_queries.self_reported(uow.session, sorted(share_ids)):
        state = share_state.Share(share_state.ShareStatus.SELF_REPORTED, posted_at=share.posted_at)
        decided = share_state.decide(state, share_state.ConfirmedByClick())
        if isinstance(decided, share_state.Share) and decided.confirmed_by_click:
            share.self_reported = False
            share.updated_at = uow.now()
            share.version += 1
