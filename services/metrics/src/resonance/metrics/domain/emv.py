"""Earned media value: what the ambassadors' audience would have cost as paid media (pure).

There is no standard formula; we use the common shape (Dynamic Signal's, with Vista Social's
and Duel's CPM part), per network, with every rate a tenant setting:

    EMV = impressions / 1000 x CPM + clicks x CPC
          + reactions x per_reaction + comments x per_comment + reshares x per_reshare

Defaults, in USD because the published examples are: CPM 10.00 (Vista Social's example), CPC
5.00 (ClearView Social's "about $5 per click"; DSMN8's example is 7.00), 0.50 per reaction,
comment or reshare (a tenth of a click, after Dynamic Signal's reaction multiplier; no vendor
publishes a figure). Pass measured impressions only: an estimate is not worth money.

Money is Decimal. Each part is rounded half-up to cents, and totals are sums of rounded parts,
so a report always adds up to what it displays.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
DEFAULT_CURRENCY = "USD"


@dataclass(frozen=True)
class EmvRates:
    cpm: Decimal = Decimal("10.00")
    cpc: Decimal = Decimal("5.00")
    per_reaction: Decimal = Decimal("0.50")
    per_comment: Decimal = Decimal("0.50")
    per_reshare: Decimal = Decimal("0.50")

    def __post_init__(self) -> None:
        rates = (self.cpm, self.cpc, self.per_reaction, self.per_comment, self.per_reshare)
        if any(rate < 0 for rate in rates):
            raise ValueError("media rates cannot be negative")


@dataclass(frozen=True)
class EmvSettings:
    """A tenant's EMV settings: one currency, default rates, overrides per network."""

    currency: str = DEFAULT_CURRENCY
    default: EmvRates = EmvRates()
    by_network: Mapping[str, EmvRates] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValueError("currency must be an ISO 4217 code such as EUR")

    def rates(self, network: str) -> EmvRates:
        return self.by_network.get(network, self.default)


@dataclass(frozen=True)
class NetworkActivity:
    """Aggregate figures of one network over a period (and segment)."""

    network: str
    impressions: int = 0
    clicks: int = 0
    reactions: int = 0
    comments: int = 0
    reshares: int = 0


@dataclass(frozen=True)
class EmvValue:
    network: str | None  # None for the total
    impressions: Decimal
    clicks: Decimal
    engagements: Decimal
    currency: str

    @property
    def total(self) -> Decimal:
        return self.impressions + self.clicks + self.engagements


@dataclass(frozen=True)
class EmvReport:
    currency: str
    by_network: tuple[EmvValue, ...]  # in network name order
    total: EmvValue


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def network_value(activity: NetworkActivity, settings: EmvSettings) -> EmvValue:
    rates = settings.rates(activity.network)
    engagements = (
        activity.reactions * rates.per_reaction
        + activity.comments * rates.per_comment
        + activity.reshares * rates.per_reshare
    )
    return EmvValue(
        network=activity.network,
        impressions=_cents(activity.impressions * rates.cpm / 1000),
        clicks=_cents(activity.clicks * rates.cpc),
        engagements=_cents(engagements),
        currency=settings.currency,
    )


def earned_media_value(
    activity: Iterable[NetworkActivity], settings: EmvSettings = EmvSettings()
) -> EmvReport:
    """EMV per network and in total; a network listed twice is summed first."""
    merged: dict[str, NetworkActivity] = {}
    for row in activity:
        seen = merged.get(row.network, NetworkActivity(row.network))
        merged[row.network] = NetworkActivity(
            row.network,
            seen.impressions + row.impressions,
            seen.clicks + row.clicks,
            seen.reactions + row.reactions,
            seen.comments + row.comments,
            seen.reshares + row.reshares,
        )
    values = tuple(network_value(merged[name], settings) for name in sorted(merged))
    total = EmvValue(
        network=None,
        impressions=sum((v.impressions for v in values), Decimal(0)),
        clicks=sum((v.clicks for v in values), Decimal(0)),
        engagements=sum((v.engagements for v in values), Decimal(0)),
        currency=settings.currency,
    )
    return EmvReport(currency=settings.currency, by_network=values, total=total)
