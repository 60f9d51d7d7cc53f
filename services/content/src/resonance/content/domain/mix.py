"""The content mix KPI: the share of company content in what was published."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from resonance.content.domain.errors import InvalidPeriod

DEFAULT_COMPANY_TARGET = 0.2
DEFAULT_PERIOD = timedelta(days=30)


@dataclass(frozen=True)
class Mix:
    company: int
    market: int
    company_share: float | None
    market_share: float | None
    target_company_share: float
    deviation: float | None
    on_target: bool | None


def compute_mix(
    company: int,
    market: int,
    target_company_share: float = DEFAULT_COMPANY_TARGET,
    tolerance: float = 0.05,
) -> Mix:
    total = company + market
    if total == 0:
        return Mix(0, 0, None, None, target_company_share, None, None)
    share = company / total
    deviation = share - target_company_share
    return Mix(
        company,
        market,
        round(share, 4),
        round(1 - share, 4),
        target_company_share,
        round(deviation, 4),
        abs(deviation) <= tolerance,
    )


def period(
    since: datetime | None, until: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """The period asked for, by default the 30 days until now; both ends with a timezone,
    in order."""
    until = until or now
    since = since or until - DEFAULT_PERIOD
    if since.tzinfo is None or until.tzinfo is None:
        raise InvalidPeriod("since and until need a timezone")
    if since >= until:
        raise InvalidPeriod("since must be before until")
    return since, until
