"""A tenant's reporting settings, with the documented defaults filled in, and their updates.

Defaults (when a tenant never set a value): the service's default time zone; 20 % company
content (practitioners' 20/80 mix); lapsed after 30 days without a share; reach rate 3.5 % of
the audience on every network (domain/reach.py); EMV in USD with CPM 10.00, CPC 5.00 and 0.50
per reaction, comment or reshare (domain/emv.py).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from resonance.common.domain_errors import Invalid
from resonance.common.paging import Paged, after, paged
from resonance.metrics.domain.emv import EmvRates, EmvSettings
from resonance.metrics.domain.kpis import DEFAULT_COMPANY_SHARE_TARGET
from resonance.metrics.domain.periods import zone
from resonance.metrics.domain.reach import ReachRates
from resonance.metrics.domain.reengagement import DEFAULT_LAPSE
from resonance.metrics.service import Uow
from resonance.metrics.store import settings as store
from resonance.metrics.store.tables import CompanyReach
from resonance.metrics.store.tables_reports import TenantSettingsRow


@dataclass(frozen=True)
class TenantConfig:
    tenant: str
    timezone: str
    company_share_target: float = DEFAULT_COMPANY_SHARE_TARGET
    lapse_after: timedelta = DEFAULT_LAPSE
    reach_rates: ReachRates = field(default_factory=ReachRates)
    emv: EmvSettings = field(default_factory=EmvSettings)
    digest_recipients: tuple[str, ...] = ()
    programme_recipients: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _emv_rates(raw: dict[str, Any], base: EmvRates) -> EmvRates:
    names = ("cpm", "cpc", "per_reaction", "per_comment", "per_reshare")
    values = {
        name: Decimal(str(raw[name])) if name in raw else getattr(base, name) for name in names
    }
    return EmvRates(**values)


def emv_from_json(raw: dict[str, Any]) -> EmvSettings:
    default = _emv_rates(raw.get("default") or {}, EmvRates())
    return EmvSettings(
        currency=str(raw.get("currency") or "USD"),
        default=default,
        by_network={
            network: _emv_rates(rates, default)
            for network, rates in (raw.get("by_network") or {}).items()
        },
    )


def reach_rates_from_json(raw: dict[str, Any]) -> ReachRates:
    base = ReachRates()
    return ReachRates(
        default=float(raw.get("default", base.default)),
        by_network={k: float(v) for k, v in (raw.get("by_network") or {}).items()},
    )


def config_from_row(tenant: str, row: TenantSettingsRow | None, default_tz: str) -> TenantConfig:
    if row is None:
        return TenantConfig(tenant=tenant, timezone=default_tz)
    return TenantConfig(
        tenant=tenant,
        timezone=row.timezone or default_tz,
        company_share_target=(
            DEFAULT_COMPANY_SHARE_TARGET
            if row.company_share_target is None
            else row.company_share_target
        ),
        lapse_after=DEFAULT_LAPSE if row.lapse_days is None else timedelta(days=row.lapse_days),
        reach_rates=reach_rates_from_json(row.reach_rates or {}),
        emv=emv_from_json(row.emv or {}),
        digest_recipients=tuple(row.digest_recipients or ()),
        programme_recipients={k: tuple(v) for k, v in (row.programme_recipients or {}).items()},
    )


def transaction_cache(uow: Uow) -> dict[object, Any]:
    """Values read once per transaction: a consumer applies a whole poll in one, and each of
    its hundreds of facts needs the same tenant settings and rules (they cannot change under
    a transaction in a way that matters to it)."""
    cache: dict[object, Any] = uow.session.info.setdefault("resonance.metrics.cache", {})
    return cache


async def tenant_config(uow: Uow, tenant: str) -> TenantConfig:
    cache = transaction_cache(uow)
    key = ("config", tenant)
    if key not in cache:
        row = await store.tenant_settings(uow.session, tenant)
        cache[key] = config_from_row(tenant, row, uow.settings.default_timezone)
    config: TenantConfig = cache[key]
    return config


@dataclass(frozen=True)
class SettingsChange:
    """Fields left None are kept as they are."""

    timezone: str | None = None
    company_share_target: float | None = None
    lapse_days: int | None = None
    reach_rates: dict[str, Any] | None = None
    emv: dict[str, Any] | None = None
    digest_recipients: list[str] | None = None
    programme_recipients: dict[str, list[str]] | None = None


def _check(change: SettingsChange) -> None:
    try:
        if change.timezone is not None:
            zone(change.timezone)
        if change.reach_rates is not None:
            reach_rates_from_json(change.reach_rates)
        if change.emv is not None:
            emv_from_json(change.emv)
    except (ValueError, ArithmeticError) as exc:
        raise Invalid(str(exc), slug="invalid-settings") from exc


async def update_settings(uow: Uow, tenant: str, change: SettingsChange) -> TenantConfig:
    _check(change)
    row = await store.tenant_settings(uow.session, tenant, for_update=True)
    if row is None:
        row = TenantSettingsRow(tenant=tenant)
        uow.session.add(row)
    for name in (
        "timezone",
        "company_share_target",
        "lapse_days",
        "reach_rates",
        "emv",
        "digest_recipients",
        "programme_recipients",
    ):
        value = getattr(change, name)
        if value is not None:
            setattr(row, name, value)
    row.updated_at = uow.now()
    await uow.session.flush()
    transaction_cache(uow).pop(("config", tenant), None)
    # A new zone moves enrolment days: retention reads share days until the rolling boards
    # round recounts the marks (service/populations.ensure_zone), not in this request.
    return config_from_row(tenant, row, uow.settings.default_timezone)


async def set_company_reach(
    uow: Uow, tenant: str, first_day: date, end_day: date, reach: int, audience: int | None
) -> CompanyReach:
    """The company page's reach over [first_day, end_day); the same first day replaces it."""
    if first_day >= end_day:
        raise Invalid("first_day must be before end_day", slug="invalid-period")
    row = await store.company_reach_entry(uow.session, tenant, first_day)
    if row is None:
        row = CompanyReach(tenant=tenant, first_day=first_day, end_day=end_day, reach=reach)
        uow.session.add(row)
    row.end_day, row.reach, row.audience, row.updated_at = end_day, reach, audience, uow.now()
    await uow.session.flush()
    return row


async def company_reach(
    uow: Uow, tenant: str, limit: int, cursor: str | None
) -> Paged[CompanyReach]:
    """The company's own reach figures by first day, a page at a time after `cursor`."""
    key = after(cursor, date)
    found = await store.company_reach_entries(
        uow.session, tenant, (key[0],) if key else None, limit + 1
    )
    return paged(found, limit, lambda r: (r.first_day,))
