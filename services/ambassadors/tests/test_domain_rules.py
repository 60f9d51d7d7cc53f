"""Unit tests of pure rules: quiet hours, audiences, stages."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from resonance.ambassadors.domain.audience import AudienceRules, Person, matches
from resonance.ambassadors.domain.quiet_hours import DisconnectRules, next_allowed_nudge
from resonance.ambassadors.domain.stages import Contributions, advance, record_share, stage_of

PARIS_EVENINGS = DisconnectRules("Europe/Paris", time(19, 0), time(8, 30), (1, 2, 3, 4, 5))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_inside_working_time_a_nudge_may_go_now() -> None:
    now = utc(2026, 5, 5, 10, 0)  # Tuesday 12:00 in Paris
    assert next_allowed_nudge(now, PARIS_EVENINGS) == now


def test_evening_waits_for_the_morning_in_the_persons_zone() -> None:
    # Tuesday 21:00 Paris (19:00 UTC) → Wednesday 08:30 Paris = 06:30 UTC.
    assert next_allowed_nudge(utc(2026, 5, 5, 19, 0), PARIS_EVENINGS) == utc(2026, 5, 6, 6, 30)


def test_early_morning_waits_until_quiet_hours_end_same_day() -> None:
    # Wednesday 06:00 Paris (04:00 UTC) → 08:30 Paris.
    assert next_allowed_nudge(utc(2026, 5, 6, 4, 0), PARIS_EVENINGS) == utc(2026, 5, 6, 6, 30)


def test_friday_night_waits_for_monday() -> None:
    # Friday 22:00 Paris → Monday 08:30 Paris (quiet until then, weekend off).
    assert next_allowed_nudge(utc(2026, 5, 8, 20, 0), PARIS_EVENINGS) == utc(2026, 5, 11, 6, 30)


def test_weekend_midday_waits_for_monday_morning() -> None:
    assert next_allowed_nudge(utc(2026, 5, 9, 12, 0), PARIS_EVENINGS) == utc(2026, 5, 11, 6, 30)


def test_daytime_quiet_window_not_wrapping_midnight() -> None:
    lunch = DisconnectRules("UTC", time(12, 0), time(14, 0))
    assert next_allowed_nudge(utc(2026, 5, 5, 12, 30), lunch) == utc(2026, 5, 5, 14, 0)
    assert next_allowed_nudge(utc(2026, 5, 5, 14, 0), lunch) == utc(2026, 5, 5, 14, 0)


def test_no_rules_means_any_time_and_dst_is_respected() -> None:
    now = utc(2026, 3, 29, 3, 0)
    assert next_allowed_nudge(now, DisconnectRules()) == now
    # The night clocks go forward in Paris: 08:30 local is 06:30 UTC, not 07:30.
    assert next_allowed_nudge(
        utc(2026, 3, 29, 0, 0), DisconnectRules("Europe/Paris", time(22), time(8, 30))
    ) == utc(2026, 3, 29, 6, 30)


def test_result_is_never_inside_quiet_hours() -> None:
    rules = DisconnectRules("America/New_York", time(18), time(9), (1, 2, 3, 4, 5))
    for hour in range(0, 24 * 7, 5):
        start = utc(2026, 6, 1) + timedelta(hours=hour, minutes=17)
        result = next_allowed_nudge(start, rules)
        local = result.astimezone(ZoneInfo("America/New_York"))
        assert result >= start
        assert local.isoweekday() <= 5 and time(9) <= local.time() < time(18)


def test_audience_rules() -> None:
    rules = AudienceRules(countries=["FR"], job_families=["sales", "marketing"], languages=["fr"])
    person = Person(country="fr", job_family="Sales", languages=("en", "fr"))
    assert matches(rules, person)
    assert not matches(rules, Person(country="FR", job_family="Sales", languages=("en",)))
    assert not matches(rules, Person(country="DE", job_family="Sales", languages=("fr",)))
    assert not matches(
        AudienceRules(age_bands=["under_25"]), Person()
    )  # unknown never matches a rule
    assert matches(AudienceRules(), Person())


def test_stages_follow_contributions_and_never_go_back() -> None:
    c = Contributions()
    assert stage_of(c) == "novice"
    c = record_share(c, "company")
    assert stage_of(c) == "sharer"
    c = record_share(c, "market")
    assert stage_of(c) == "curator"
    c = record_share(c, "own")
    assert stage_of(c) == "creator"
    assert record_share(Contributions(), None) == Contributions()
    assert advance("creator", Contributions(shared_company=True)) == "creator"
    assert advance("novice", Contributions(shared_market=True)) == "curator"
