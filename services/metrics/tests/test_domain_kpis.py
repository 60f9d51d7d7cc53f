"""Population rates, changes, content mix, attribution and campaign progress."""

from datetime import UTC, datetime, timedelta

import pytest

from resonance.metrics.domain.kpis import (
    CampaignTotals,
    activation_rate,
    active_rate,
    campaign_progress,
    change,
    content_mix,
    conversion_rate,
    is_attributed,
    participation_rate,
    ratio,
    targeted_engagement_rate,
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_empty_populations_have_no_rate() -> None:
    assert ratio(0, 0) is None
    assert participation_rate(0, 0) is None
    assert activation_rate(3, 0) is None
    with pytest.raises(ValueError):
        ratio(-1, 5)


def test_population_rates_reproduce_the_practitioners_figures() -> None:
    # Renault: 1,500 enrolled; if 7,500 were invited that is the "about 20 %" engagement.
    assert targeted_engagement_rate(1_500, 7_500) == 0.2
    # 105 of the 1,500 shared at least once: 7 %.
    assert participation_rate(105, 1_500) == pytest.approx(0.07)
    assert activation_rate(600, 1_500) == 0.4
    # Active is wider than participation: 105 sharers + 45 who only attended an event.
    assert active_rate(150, 1_500) == 0.1


def test_change_against_the_previous_period() -> None:
    up = change(120, 100)
    assert (up.delta, up.relative) == (20, 0.2)
    assert change(50, 100).relative == -0.5
    from_nothing = change(5, 0)
    assert (from_nothing.delta, from_nothing.relative) == (5, None)


def test_content_mix_against_the_20_80_target() -> None:
    on_target = content_mix(company=20, market=80)
    assert (on_target.company_share, on_target.market_share, on_target.gap) == (0.2, 0.8, 0.0)
    too_corporate = content_mix(company=30, market=70)
    assert too_corporate.gap == pytest.approx(0.1)
    custom = content_mix(company=1, market=3, target_company_share=0.5)
    assert (custom.company_share, custom.gap) == (0.25, -0.25)
    nothing = content_mix(0, 0)
    assert (nothing.company_share, nothing.market_share, nothing.gap) == (None, None, None)
    with pytest.raises(ValueError):
        content_mix(1, 1, target_company_share=20)  # a percentage, not a fraction


def test_conversion_attribution_window() -> None:
    click = utc(2026, 5, 1, 12)
    assert is_attributed(click, click + timedelta(days=10))
    assert is_attributed(click, click + timedelta(days=30))  # the window's last instant
    assert not is_attributed(click, click + timedelta(days=30, seconds=1))
    assert not is_attributed(click, click - timedelta(minutes=1))  # before the click
    assert is_attributed(click, click + timedelta(days=40), window=timedelta(days=45))
    assert conversion_rate(3, 60) == 0.05 and conversion_rate(3, 0) is None


def test_campaign_progress_and_pace() -> None:
    totals = CampaignTotals(shares=150, reach=9_000, clicks=40)
    start, end = utc(2026, 5, 1), utc(2026, 5, 11)
    # 150 of 200 shares (75 %) with half of the ten days gone: ahead of pace.
    halfway = campaign_progress("shares", 200, totals, start, end, utc(2026, 5, 6))
    assert (halfway.value, halfway.fraction, halfway.elapsed) == (150, 0.75, 0.5)
    assert (halfway.reached, halfway.on_track) == (False, True)
    # 40 of 100 clicks with 8 of 10 days gone: behind.
    late = campaign_progress("clicks", 100, totals, start, end, utc(2026, 5, 9))
    assert (late.fraction, late.elapsed, late.on_track) == (0.4, 0.8, False)
    # Reach goal passed; progress is not capped and time is capped at the end.
    done = campaign_progress("reach", 6_000, totals, start, end, utc(2026, 6, 1))
    assert (done.fraction, done.reached, done.elapsed) == (1.5, True, 1.0)
    open_ended = campaign_progress("shares", 200, totals, start, None, utc(2026, 5, 6))
    assert (open_ended.elapsed, open_ended.on_track) == (None, None)
    no_goal = campaign_progress("shares", 0, totals, start, end, utc(2026, 5, 6))
    assert (no_goal.fraction, no_goal.reached, no_goal.on_track) == (None, False, None)
