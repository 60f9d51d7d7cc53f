"""Challenges: progress per ambassador, completion inside the window, one award."""

from datetime import UTC, datetime

import pytest

from resonance.metrics.domain.challenges import (
    Challenge,
    ChallengeAward,
    ChallengeMetric,
    completion,
    progress,
)
from resonance.metrics.domain.points import Reason
from resonance.metrics.domain.segments import Profile, Segment


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


FRANCE = Profile(country="FR")
WEEK_OF_SHARES = Challenge(
    challenge_id="ch1",
    metric=ChallengeMetric.SHARES,
    target=5,
    starts_at=utc(2026, 5, 1),
    ends_at=utc(2026, 5, 8),
    award=ChallengeAward(points=50, badge="sprinter"),
    segment=Segment(countries=frozenset({"FR"})),
)
INSIDE = utc(2026, 5, 4, 12)


def test_progress_is_capped_and_says_what_remains() -> None:
    halfway = progress(WEEK_OF_SHARES, 3)
    assert (halfway.fraction, halfway.remaining, halfway.completed) == (0.6, 2, False)
    beyond = progress(WEEK_OF_SHARES, 7)
    assert (beyond.fraction, beyond.remaining, beyond.completed) == (1.0, 0, True)


def test_reaching_the_target_in_the_window_awards_points_and_badge_once() -> None:
    done = completion(WEEK_OF_SHARES, "amb1", FRANCE, 5, INSIDE, already_awarded=False)
    assert done is not None and done.points is not None
    assert (done.points.amount, done.points.reason) == (50, Reason.CHALLENGE)
    assert done.points.key == done.key == "challenge:ch1:amb1"
    assert (done.badge, done.completed_at) == ("sprinter", INSIDE)
    assert completion(WEEK_OF_SHARES, "amb1", FRANCE, 6, INSIDE, already_awarded=True) is None


def test_no_award_short_of_target_outside_window_or_segment() -> None:
    assert completion(WEEK_OF_SHARES, "amb1", FRANCE, 4, INSIDE, False) is None
    # The window is [start, end): a fact exactly at the end does not count, one at the start does.
    assert completion(WEEK_OF_SHARES, "amb1", FRANCE, 5, utc(2026, 5, 8), False) is None
    assert completion(WEEK_OF_SHARES, "amb1", FRANCE, 5, utc(2026, 5, 1), False) is not None
    assert completion(WEEK_OF_SHARES, "amb2", Profile(country="DE"), 9, INSIDE, False) is None


def test_a_badge_only_challenge_writes_no_points() -> None:
    badge_only = Challenge(
        "ch2",
        ChallengeMetric.CLICKS,
        10,
        utc(2026, 5, 1),
        utc(2026, 6, 1),
        ChallengeAward(badge="b"),
    )
    done = completion(badge_only, "amb1", Profile(), 10, INSIDE, False)
    assert done is not None and done.points is None and done.badge == "b"


def test_invalid_challenges_are_refused() -> None:
    with pytest.raises(ValueError):
        ChallengeAward()
    with pytest.raises(ValueError):
        Challenge(
            "c", ChallengeMetric.POINTS, 0, utc(2026, 5, 1), utc(2026, 6, 1), ChallengeAward(1)
        )
    with pytest.raises(ValueError):
        Challenge(
            "c", ChallengeMetric.POINTS, 1, utc(2026, 6, 1), utc(2026, 5, 1), ChallengeAward(1)
        )
    with pytest.raises(ValueError):
        progress(WEEK_OF_SHARES, -1)
