"""Earned media value on given CPMs, CPCs and engagement values."""

from decimal import Decimal

import pytest

from resonance.metrics.domain.emv import (
    EmvRates,
    EmvSettings,
    NetworkActivity,
    earned_media_value,
)

LINKEDIN = NetworkActivity(
    "linkedin", impressions=12_000, clicks=30, reactions=100, comments=10, reshares=4
)
X = NetworkActivity("x", impressions=2_345, clicks=7, reactions=11, comments=3, reshares=2)
X_RATES = EmvRates(
    cpm=Decimal("6.50"),
    cpc=Decimal("2.00"),
    per_reaction=Decimal("0.10"),
    per_comment=Decimal("0.25"),
    per_reshare=Decimal("0.40"),
)


def test_default_rates() -> None:
    report = earned_media_value([LINKEDIN])
    (linkedin,) = report.by_network
    # 12,000 / 1,000 x 10.00 = 120.00; 30 x 5.00 = 150.00; (100 + 10 + 4) x 0.50 = 57.00
    assert (linkedin.impressions, linkedin.clicks, linkedin.engagements) == (
        Decimal("120.00"),
        Decimal("150.00"),
        Decimal("57.00"),
    )
    assert linkedin.total == Decimal("327.00") and report.currency == "USD"


def test_per_network_overrides_rounding_and_total() -> None:
    settings = EmvSettings(currency="EUR", by_network={"x": X_RATES})
    report = earned_media_value([X, LINKEDIN], settings)
    assert [v.network for v in report.by_network] == ["linkedin", "x"]
    x = report.by_network[1]
    # 2.345 x 6.50 = 15.2425 -> 15.24; 7 x 2.00 = 14.00; 11 x 0.10 + 3 x 0.25 + 2 x 0.40 = 2.65
    assert (x.impressions, x.clicks, x.engagements, x.total) == (
        Decimal("15.24"),
        Decimal("14.00"),
        Decimal("2.65"),
        Decimal("31.89"),
    )
    assert report.total.total == Decimal("358.89")  # 327.00 + 31.89
    assert report.total.network is None and report.total.currency == "EUR"


def test_half_a_cent_rounds_up_and_repeated_networks_are_summed() -> None:
    # 1 impression at a 5.00 CPM is 0.005: half-up gives 0.01 (banker's rounding would give 0).
    tiny = earned_media_value(
        [NetworkActivity("x", impressions=1)], EmvSettings(default=EmvRates(cpm=Decimal(5)))
    )
    assert tiny.total.impressions == Decimal("0.01")
    split = earned_media_value(
        [NetworkActivity("linkedin", clicks=10), NetworkActivity("linkedin", clicks=20)]
    )
    assert len(split.by_network) == 1 and split.total.clicks == Decimal("150.00")
    assert earned_media_value([]).total.total == Decimal(0)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        EmvSettings(currency="euro")
    with pytest.raises(ValueError):
        EmvRates(cpc=Decimal("-1"))
