"""Reach measured vs estimated, latest measurement wins, ratios, engagement, echo chambers."""

from datetime import UTC, datetime

import pytest

from resonance.metrics.domain.reach import (
    Engagement,
    Measurement,
    PostReach,
    ReachBasis,
    ReachRates,
    ReachTotals,
    add_reach,
    employee_vs_company_reach,
    engagement_rate,
    internal_click_share,
    is_internal_address,
    item_echo,
    measurement_delta,
    post_reach,
    reach_rate_ratio,
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_measured_when_given_else_estimated_from_the_audience() -> None:
    assert post_reach("linkedin", 1_200, 5_000) == PostReach(1_200, ReachBasis.MEASURED)
    assert post_reach("linkedin", 1_200, None) == PostReach(1_200, ReachBasis.MEASURED)
    # 2,000 followers x the default 3.5 % = 70, labelled estimated.
    estimated = post_reach("x", None, 2_000)
    assert estimated is not None and (estimated.impressions, estimated.basis) == (
        70,
        ReachBasis.ESTIMATED,
    )
    tuned = ReachRates(by_network={"linkedin": 0.05})
    assert post_reach("linkedin", None, 2_000, tuned) == PostReach(100, ReachBasis.ESTIMATED)
    assert post_reach("linkedin", 0, 2_000) == PostReach(0, ReachBasis.MEASURED)
    assert post_reach("x", None, None) is None
    with pytest.raises(ValueError):
        ReachRates(default=3.5)


def test_totals_keep_measured_and_estimated_apart() -> None:
    totals = ReachTotals()
    for network, measured, audience in (
        ("linkedin", 1_200, None),
        ("x", None, 2_000),
        ("x", 300, 9),
    ):
        post = post_reach(network, measured, audience)
        assert post is not None
        totals = add_reach(totals, post)
    assert totals == ReachTotals(measured=1_500, estimated=70, measured_posts=2, estimated_posts=1)


def test_engagement_rate() -> None:
    figures = Engagement(impressions=1_000, reactions=30, comments=5, reshares=3, clicks=12)
    # (30 + 5 + 3 + 12) / 1,000 = 0.05
    assert engagement_rate(figures) == 0.05
    assert engagement_rate(Engagement(reactions=4)) is None


def test_the_latest_measurement_wins() -> None:
    first = Measurement(utc(2026, 5, 1, 10), Engagement(impressions=1_000, reactions=10))
    second = Measurement(utc(2026, 5, 2, 10), Engagement(impressions=1_500, reactions=12))
    assert measurement_delta(None, first) == first.figures
    assert measurement_delta(first, second) == Engagement(impressions=500, reactions=2)
    assert measurement_delta(second, first) is None  # late and older: ignored
    assert measurement_delta(second, second) is None  # the same event again
    revised = Measurement(utc(2026, 5, 3, 10), Engagement(impressions=1_400, reactions=12))
    assert measurement_delta(second, revised) == Engagement(impressions=-100)


def test_employee_vs_company_reach() -> None:
    assert employee_vs_company_reach(4_000, 1_000) == 4.0
    assert employee_vs_company_reach(4_000, 0) is None
    # 3.5 % vs 0.9 % of the same audience size: 0.035 / 0.009 = 3.888...
    assert reach_rate_ratio(350, 10_000, 90, 10_000) == pytest.approx(35 / 9)
    assert reach_rate_ratio(350, 10_000, 0, 10_000) is None
    assert reach_rate_ratio(350, 0, 90, 10_000) is None


def test_echo_chamber_figures() -> None:
    company = ["10.0.0.0/8", "2001:db8::/32"]
    assert is_internal_address("10.1.2.3", company)
    assert is_internal_address("2001:db8::1", company)
    assert not is_internal_address("192.0.2.7", company)
    assert internal_click_share(30, 120) == 0.25
    assert internal_click_share(0, 0) is None
    # Three colleagues shared one item: 40 clicks but only 10 different visitors.
    echo = item_echo("item1", sharers=3, clicks=40, unique_visitors=10)
    assert echo.unique_per_click == 0.25
    assert item_echo("item2", 1, 0, 0).unique_per_click is None
    with pytest.raises(ValueError):
        item_echo("item3", 2, 5, 6)
