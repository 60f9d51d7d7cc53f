"""The reach reading schedule is a setting: production reads at 1 h, 6 h, 1 d, 3 d, 7 d and
30 d; the local stack reads the first after a minute so a demo sees reach arrive."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from resonance.sharing.domain import reach as rules
from resonance.sharing.service.reach import poll_offsets
from resonance.sharing.settings import SharingSettings

POSTED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_the_default_schedule_is_the_documented_one() -> None:
    assert poll_offsets(SharingSettings()) == rules.POLL_OFFSETS


def test_the_schedule_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESONANCE_SHARING_REACH_POLL_OFFSETS_S", "[60, 3600]")
    offsets = poll_offsets(SharingSettings())
    assert offsets == (timedelta(minutes=1), timedelta(hours=1))
    # First reading a minute after posting, the next an hour after, then none.
    assert rules.next_poll_at(POSTED, offsets=offsets) == POSTED + timedelta(minutes=1)
    later = POSTED + timedelta(minutes=2)
    assert rules.next_poll_at(POSTED, later, offsets) == POSTED + timedelta(hours=1)
    assert rules.next_poll_at(POSTED, POSTED + timedelta(hours=2), offsets) is None


@pytest.mark.parametrize("bad", [[], [0], [-60], [400 * 86_400], list(range(1, 30))])
def test_a_schedule_that_makes_no_sense_is_refused(bad: list[int]) -> None:
    with pytest.raises(ValidationError):
        SharingSettings(reach_poll_offsets_s=bad)
