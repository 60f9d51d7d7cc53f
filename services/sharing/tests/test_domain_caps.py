"""Daily caps in the ambassador's time zone (DST days included) and the networks' limits."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from resonance.sharing.domain.caps import Allowed, CapReached, TenantCaps, check_caps
from resonance.sharing.domain.local_time import (
    local_day,
    local_instant,
    local_midnight,
    next_local_midnight,
    valid_timezone,
)
from resonance.sharing.domain.networks import DailyLimit, DailyWindow, Network


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- local time ----------------------------------------------------------------------


def test_paris_dst_days_are_23_and_25_hours_long() -> None:
    # Spring: 30 March 2025 starts at 00:00 CET (+1) = 29th 23:00Z, ends 00:00 CEST (+2).
    assert local_midnight(date(2025, 3, 30), "Europe/Paris") == utc(2025, 3, 29, 23)
    assert local_midnight(date(2025, 3, 31), "Europe/Paris") == utc(2025, 3, 30, 22)
    # Autumn: 26 October 2025 runs from 22:00Z (CEST) to 23:00Z next day (CET): 25 hours.
    length = local_midnight(date(2025, 10, 27), "Europe/Paris") - local_midnight(
        date(2025, 10, 26), "Europe/Paris"
    )
    assert length == timedelta(hours=25)


def test_midnight_that_does_not_exist_starts_the_day_at_the_first_instant() -> None:
    # Sao Paulo sprang forward at 00:00 on 4 Nov 2018 (-03 -> -02): the day began at 01:00
    # local, 03:00Z, which is also what 00:00 read with the old offset gives.
    assert local_midnight(date(2018, 11, 4), "America/Sao_Paulo") == utc(2018, 11, 4, 3)
    # 02:30 on the Paris spring day does not exist: it reads as 03:30 CEST = 01:30Z.
    assert local_instant(date(2025, 3, 30), time(2, 30), "Europe/Paris") == utc(2025, 3, 30, 1, 30)


def test_local_day_and_unknown_zones() -> None:
    assert local_day(utc(2025, 3, 29, 23, 30), "Europe/Paris") == date(2025, 3, 30)
    assert next_local_midnight(utc(2025, 3, 30, 15), "Europe/Paris") == utc(2025, 3, 30, 22)
    assert valid_timezone("Asia/Tokyo") and not valid_timezone("Mars/Olympus")
    with pytest.raises(ValueError):
        local_day(datetime(2025, 1, 1), "UTC")  # naive


# --- tenant caps ---------------------------------------------------------------------


def test_tenant_cap_counts_the_local_day_across_spring_forward() -> None:
    existing = [
        utc(2025, 3, 29, 23, 30),  # 00:30 CET on Sunday 30 March in Paris
        utc(2025, 3, 30, 10),  # 12:00 CEST the same Sunday
    ]
    decision = check_caps(
        "linkedin", utc(2025, 3, 30, 15), timezone="Europe/Paris", existing=existing, tenant_cap=2
    )
    # Next slot: Monday 00:00 CEST = Sunday 22:00Z (a fixed 24 h after Sunday's start,
    # 23:00Z, would be an hour late).
    assert decision == CapReached(Network.LINKEDIN, "tenant", 2, utc(2025, 3, 30, 22))


def test_yesterday_local_does_not_count_even_if_same_utc_day() -> None:
    existing = [utc(2025, 3, 29, 22, 30), utc(2025, 3, 30, 10)]  # Sat 23:30 CET, Sun 12:00
    decision = check_caps(
        "linkedin", utc(2025, 3, 30, 15), timezone="Europe/Paris", existing=existing, tenant_cap=2
    )
    assert decision == Allowed()


def test_tenant_cap_across_fall_back() -> None:
    existing = [
        utc(2025, 10, 25, 22, 30),
        utc(2025, 10, 26, 12),
    ]  # Sun 26 Oct 00:30 CEST, 13:00 CET
    decision = check_caps(
        "x",
        utc(2025, 10, 26, 20),
        timezone="Europe/Paris",
        existing=existing,
        tenant_cap=2,
        network_limit=None,
    )
    # Monday 27 October 00:00 CET = 26th 23:00Z.
    assert decision == CapReached(Network.X, "tenant", 2, utc(2025, 10, 26, 23))


def test_a_full_next_day_is_skipped_too() -> None:
    existing = [utc(2025, 3, 30, 10), utc(2025, 3, 31, 10)]  # one on Sunday, one on Monday
    decision = check_caps(
        "linkedin", utc(2025, 3, 30, 15), timezone="Europe/Paris", existing=existing, tenant_cap=1
    )
    # Monday is full as well: Tuesday 1 April 00:00 CEST = 31 March 22:00Z.
    assert isinstance(decision, CapReached) and decision.next_slot_at == utc(2025, 3, 31, 22)


def test_tenant_caps_per_network_and_default() -> None:
    caps = TenantCaps({"x": 5}, default=2)
    assert caps.for_network("x") == 5 and caps.for_network(Network.LINKEDIN) == 2
    assert TenantCaps().for_network("x") is None


def test_cap_of_zero_never_opens() -> None:
    decision = check_caps("x", utc(2025, 5, 1, 9), timezone="UTC", existing=[], tenant_cap=0)
    assert decision == CapReached(Network.X, "tenant", 0, None)


# --- the networks' own limits ---------------------------------------------------------


def test_linkedin_quota_counts_the_utc_day_whatever_the_persons_zone() -> None:
    limit = DailyLimit(2, DailyWindow.UTC_DAY)
    existing = [utc(2025, 5, 1, 1), utc(2025, 5, 1, 20)]
    # 23:00Z is already 2 May 08:00 in Tokyo, but LinkedIn counts 1 May UTC: 2 of 2.
    decision = check_caps(
        "linkedin",
        utc(2025, 5, 1, 23),
        timezone="Asia/Tokyo",
        existing=existing,
        tenant_cap=None,
        network_limit=limit,
    )
    assert decision == CapReached(Network.LINKEDIN, "network", 2, utc(2025, 5, 2))


def test_rolling_24_hours_open_when_the_oldest_leaves_the_window() -> None:
    limit = DailyLimit(3, DailyWindow.ROLLING_24H)
    existing = [utc(2025, 5, 1, 8), utc(2025, 5, 1, 10), utc(2025, 5, 1, 12), utc(2025, 5, 1, 14)]
    decision = check_caps(
        "x",
        utc(2025, 5, 1, 20),
        timezone="UTC",
        existing=existing,
        tenant_cap=None,
        network_limit=limit,
    )
    # 4 in the window, limit 3: two must leave; the second oldest (10:00) leaves at 10:00
    # the next day.
    assert decision == CapReached(Network.X, "network", 3, utc(2025, 5, 2, 10))
    later = check_caps(
        "x",
        utc(2025, 5, 2, 10),
        timezone="UTC",
        existing=existing,
        tenant_cap=None,
        network_limit=limit,
    )
    assert later == Allowed()


def test_next_slot_satisfies_every_limit() -> None:
    limit = DailyLimit(2, DailyWindow.ROLLING_24H)
    existing = [utc(2025, 5, 1, 9), utc(2025, 5, 1, 15)]
    decision = check_caps(
        "x",
        utc(2025, 5, 1, 16),
        timezone="Europe/Paris",
        existing=existing,
        tenant_cap=2,
        network_limit=limit,
    )
    # Tenant: Paris 1 May is full until 2 May 00:00 CEST = 1 May 22:00Z. X's rolling window
    # at 22:00Z still holds both, until 9:00Z + 24 h = 2 May 09:00Z. Paris 2 May is empty.
    assert decision == CapReached(Network.X, "tenant", 2, utc(2025, 5, 2, 9))


def test_default_network_limit_comes_from_the_profile() -> None:
    # X's default: 100 per rolling 24 hours.
    existing = [utc(2025, 5, 1, 0) + timedelta(minutes=5 * i) for i in range(100)]
    decision = check_caps(
        "x", utc(2025, 5, 1, 12), timezone="UTC", existing=existing, tenant_cap=None
    )
    assert decision == CapReached(Network.X, "network", 100, utc(2025, 5, 2))
    assert (
        check_caps(
            "x",
            utc(2025, 5, 1, 12),
            timezone="UTC",
            existing=existing,
            tenant_cap=None,
            network_limit=None,
        )
        == Allowed()
    )
