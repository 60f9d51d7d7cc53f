"""Points: the tenant's rule versions, and crediting what a fact earns to the ledger, the
balance, the calendar boards and the person's day (domain/points.py decides the amounts).

A tenant that never wrote rules plays by `default_rules`, in force since EPOCH as version 1;
the first rules a tenant writes are version 2 and apply from their `effective_from` on.
"""

from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from resonance.common.domain_errors import Conflict, Invalid
from resonance.common.paging import Paged, after, paged
from resonance.metrics.domain.periods import PeriodKind, current_period, local_day
from resonance.metrics.domain.points import (
    AwardCounters,
    Fact,
    FactKind,
    LedgerEntry,
    PointRules,
    award,
    check_new_rules,
    default_rules,
    rules_in_force,
)
from resonance.metrics.domain.windows import board_labels
from resonance.metrics.service import Uow
from resonance.metrics.service.config import transaction_cache
from resonance.metrics.store import ledger as store
from resonance.metrics.store import rolling
from resonance.metrics.store.activity import Attributes, add_person_day
from resonance.metrics.store.tables_gamification import PointRulesRow

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def rules_to_json(rules: PointRules) -> dict[str, Any]:
    body = asdict(rules)
    body.pop("version")
    body.pop("effective_from")
    body["share_by_network"] = dict(rules.share_by_network)
    body["conversion_by_kind"] = dict(rules.conversion_by_kind)
    body["reach_milestones"] = [list(m) for m in rules.reach_milestones]
    return body


def rules_from_row(row: PointRulesRow) -> PointRules:
    body = dict(row.rules)
    body["reach_milestones"] = tuple(tuple(m) for m in body.get("reach_milestones") or ())
    return PointRules(version=row.version, effective_from=row.effective_from, **body)


async def history(uow: Uow, tenant: str) -> list[PointRules]:
    cache = transaction_cache(uow)
    key = ("rules", tenant)
    if key not in cache:
        rows = await store.rules_history(uow.session, tenant)
        cache[key] = [rules_from_row(r) for r in rows] or [default_rules(EPOCH)]
    rules: list[PointRules] = cache[key]
    return rules


async def rules_page(uow: Uow, tenant: str, limit: int, cursor: str | None) -> Paged[PointRules]:
    """Every version of the tenant's rules, oldest first, a page at a time after `cursor`
    (a tenant that never set any has the default version alone)."""
    key = after(cursor, int)
    rows = await store.rules_page(uow.session, tenant, key[0] if key else None, limit + 1)
    found = [rules_from_row(r) for r in rows]
    if not found and key is None:
        found = [default_rules(EPOCH)]
    return paged(found, limit, lambda r: (r.version,))


async def add_rules(
    uow: Uow, tenant: str, actor: str, effective_from: datetime, body: dict[str, Any]
) -> PointRules:
    """Adds the next version. It applies from `effective_from`, which may not be in the past:
    what a fact earned is never recomputed."""
    rows = await store.rules_history(uow.session, tenant)
    known = [rules_from_row(r) for r in rows] or [default_rules(EPOCH)]
    try:
        candidate = PointRules(
            version=max(r.version for r in known) + 1,
            effective_from=effective_from,
            **{
                **body,
                "reach_milestones": tuple(tuple(m) for m in body.get("reach_milestones", ())),
            },
        )
    except (TypeError, ValueError) as exc:
        raise Invalid(str(exc), slug="invalid-point-rules") from exc
    refusal = check_new_rules(known, candidate, uow.now())
    if refusal is not None:
        raise Conflict(f"these rules cannot be added: {refusal.value}", slug="point-rules-refused")
    transaction_cache(uow).pop(("rules", tenant), None)
    if not rows:  # the implicit defaults become an explicit version 1 of the history
        uow.session.add(_row(tenant, known[0], None, uow.now()))
    uow.session.add(_row(tenant, candidate, actor, uow.now()))
    await uow.session.flush()
    return candidate


def _row(tenant: str, rules: PointRules, actor: str | None, now: datetime) -> PointRulesRow:
    return PointRulesRow(
        tenant=tenant,
        version=rules.version,
        effective_from=rules.effective_from,
        rules=rules_to_json(rules),
        created_by=actor,
        created_at=now,
    )


async def rolling_built(uow: Uow, tenant: str, label: str) -> bool:
    """Takes the rolling board's shared lock (once per transaction) and says whether the
    window is built; no build can finish while the lock is held, so the answer holds too."""
    cache = transaction_cache(uow)
    key = ("rolling", tenant, label)
    if key not in cache:
        await rolling.lock(uow.session, tenant, exclusive=False)
        cache[key] = await rolling.is_built(uow.session, tenant, label)
    built: bool = cache[key]
    return built


async def _counters(uow: Uow, tenant: str, fact: Fact, timezone: str) -> AwardCounters:
    if fact.kind is FactKind.CLICK:
        day = local_day(fact.occurred_at, timezone).isoformat()
        return AwardCounters(
            clicks_on_share=await store.counter_value(
                uow.session, tenant, store.share_clicks_key(fact.share_id or fact.source_id)
            ),
            clicks_on_day=await store.counter_value(
                uow.session, tenant, store.day_clicks_key(fact.ambassador_id, day)
            ),
        )
    if fact.kind is FactKind.REACH_MEASURED:
        reached = await store.counter_value(
            uow.session, tenant, store.milestone_key(fact.source_id)
        )
        return AwardCounters(milestone_reached=reached)
    return AwardCounters()


async def _count_after(
    uow: Uow, tenant: str, fact: Fact, rules: Sequence[PointRules], timezone: str, paid: bool
) -> None:
    if fact.kind is FactKind.CLICK and paid:
        day = local_day(fact.occurred_at, timezone).isoformat()
        share_key = store.share_clicks_key(fact.share_id or fact.source_id)
        await store.add_to_counter(uow.session, tenant, share_key, 1)
        await store.add_to_counter(
            uow.session, tenant, store.day_clicks_key(fact.ambassador_id, day), 1
        )
    if fact.kind is FactKind.REACH_MEASURED:
        in_force = rules_in_force(rules, fact.occurred_at)
        passed = [
            t for t, _ in (in_force.reach_milestones if in_force else ()) if t <= fact.impressions
        ]
        if passed:
            await store.raise_counter(
                uow.session, tenant, store.milestone_key(fact.source_id), max(passed)
            )


async def earn(
    uow: Uow, tenant: str, fact: Fact, timezone: str, attributes: Attributes | None
) -> list[LedgerEntry]:
    """Credits what `fact` earns under the rules in force when it happened; returns the
    entries actually written (none for a fact already paid)."""
    rules = await history(uow, tenant)
    entries = award(fact, rules, await _counters(uow, tenant, fact, timezone))
    credited = [e for e in entries if await credit(uow, tenant, e, timezone, attributes)]
    await _count_after(uow, tenant, fact, rules, timezone, paid=bool(credited))
    return credited


async def credit(
    uow: Uow, tenant: str, entry: LedgerEntry, timezone: str, attributes: Attributes | None
) -> bool:
    """Writes one ledger entry unless its key is known, with everything that follows from it."""
    written = await store.insert_entry(
        uow.session,
        {
            "tenant": tenant,
            "ambassador_id": entry.ambassador_id,
            "amount": entry.amount,
            "reason": entry.reason.value,
            "source_id": entry.source_id,
            "occurred_at": entry.occurred_at,
            "rule_version": entry.rule_version,
            "key": entry.key,
            "recorded_at": uow.now(),
        },
    )
    if not written:
        return False
    await store.add_to_balance(uow.session, tenant, entry.ambassador_id, earned=entry.amount)
    labels = board_labels(entry.occurred_at, timezone)
    await store.add_board_scores(
        uow.session,
        tenant,
        [kind.value for kind, _ in labels],
        [label for _, label in labels],
        entry.ambassador_id,
        entry.amount,
        entry.occurred_at,
    )
    day = local_day(entry.occurred_at, timezone)
    await add_person_day(
        uow.session,
        tenant,
        entry.ambassador_id,
        day,
        attributes,
        {"points": entry.amount},
        scored_at=entry.occurred_at,
    )
    window = current_period(PeriodKind.ROLLING_30_DAYS, uow.now(), timezone)
    # Built already: add to it; not yet: the build will count this day (store/rolling.py).
    if window.contains_day(day) and await rolling_built(uow, tenant, window.label):
        await store.add_board_score(
            uow.session,
            tenant,
            rolling.KIND,
            window.label,
            entry.ambassador_id,
            entry.amount,
            entry.occurred_at,
        )
    return True
