"""The tenant's sharing policy: blocked terms, daily caps, reach rates, UTM medium, internal
address ranges."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeAlias

from resonance.common.auth import Principal
from resonance.common.domain_errors import Invalid
from resonance.common.unit_of_work import UnitOfWork
from resonance.sharing.domain.caps import TenantCaps
from resonance.sharing.domain.links import DEFAULT_UTM_MEDIUM, parse_internal_networks
from resonance.sharing.domain.networks import parse_network
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import views
from resonance.sharing.store.share_views import SharingPolicy

Uow: TypeAlias = UnitOfWork[SharingSettings]


@dataclass(frozen=True)
class Policy:
    blocked_terms: tuple[str, ...] = ()
    caps: TenantCaps = field(default_factory=TenantCaps)
    reach_rates: Mapping[str, Decimal] = field(default_factory=dict)
    utm_medium: str = DEFAULT_UTM_MEDIUM
    internal_networks: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicyUpdate:
    blocked_terms: list[str]
    daily_caps: dict[str, int]
    default_daily_cap: int | None
    reach_rates: dict[str, float]
    utm_medium: str | None
    internal_networks: list[str] = field(default_factory=list)


# The tenant-wide default cap is stored under this key among the per-network caps.
DEFAULT_CAP_KEY = "*"


def policy_from(row: SharingPolicy | None) -> Policy:
    """The tenant's rules from its policy row (the defaults when it has none)."""
    if row is None:
        return Policy()
    caps = {k: int(v) for k, v in row.daily_caps.items() if k != DEFAULT_CAP_KEY}
    default = row.daily_caps.get(DEFAULT_CAP_KEY)
    return Policy(
        blocked_terms=tuple(row.blocked_terms),
        caps=TenantCaps(caps, int(default) if default is not None else None),
        reach_rates={k: Decimal(str(v)) for k, v in row.reach_rates.items()},
        utm_medium=row.utm_medium or DEFAULT_UTM_MEDIUM,
        internal_networks=tuple(row.internal_networks),
    )


async def policy_of(uow: Uow, tenant: str) -> Policy:
    return policy_from(await views.policy(uow.session, tenant))


def _network_keys(values: Mapping[str, object]) -> list[str]:
    unknown = [name for name in values if parse_network(name) is None]
    if unknown:
        raise Invalid(
            f"unknown network: {unknown[0][:40]!r}", slug="unknown-network", networks=unknown
        )
    return [parse_network(name).value for name in values]


async def update_policy(uow: Uow, actor: Principal, update: PolicyUpdate) -> Policy:
    """Replaces the tenant's policy as a whole (PUT semantics)."""
    caps = dict(zip(_network_keys(update.daily_caps), update.daily_caps.values(), strict=True))
    rates = dict(zip(_network_keys(update.reach_rates), update.reach_rates.values(), strict=True))
    if update.default_daily_cap is not None:
        caps[DEFAULT_CAP_KEY] = update.default_daily_cap
    try:
        internal = [str(n) for n in parse_internal_networks(update.internal_networks)]
    except ValueError as exc:
        raise Invalid(str(exc), slug="invalid-address-range") from exc
    row = await views.policy(uow.session, actor.tenant, lock=True)
    if row is None:
        row = SharingPolicy(tenant=actor.tenant, updated_at=uow.now())
        uow.session.add(row)
    row.blocked_terms = sorted({t.strip() for t in update.blocked_terms if t.strip()})
    row.daily_caps = caps
    row.reach_rates = rates
    row.utm_medium = update.utm_medium
    row.internal_networks = internal
    row.updated_by = actor.subject
    row.updated_at = uow.now()
    return policy_from(row)
