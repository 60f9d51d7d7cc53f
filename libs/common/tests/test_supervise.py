"""The worker supervisor's restart delays, and which database errors are lock conflicts."""

from dataclasses import dataclass, field

import pytest
from sqlalchemy.exc import DBAPIError

from resonance.common import supervisor
from resonance.common.consumer import is_transient, lock_conflict


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _db_error(sqlstate: str) -> DBAPIError:
    return DBAPIError("UPDATE ...", None, _PgError(sqlstate))


def test_deadlocks_and_serialization_failures_are_lock_conflicts() -> None:
    assert lock_conflict(_db_error("40P01"))
    assert lock_conflict(_db_error("40001"))
    assert not lock_conflict(_db_error("23505"))  # a unique violation is the data's fault
    assert not lock_conflict(_db_error("08006"))  # a lost connection is a fault, not a conflict
    assert not lock_conflict(ValueError("40P01"))
    assert is_transient(_db_error("40P01")) and is_transient(_db_error("08006"))


@dataclass
class Clock:
    """The supervisor's monotonic clock, moved by the test, and the delays it slept."""

    now: float = 0.0
    slept: list[float] = field(default_factory=list)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()

    async def sleep(delay: float) -> None:
        fake.slept.append(delay)

    monkeypatch.setattr(supervisor, "monotonic", lambda: fake.now)
    monkeypatch.setattr(supervisor.asyncio, "sleep", sleep)
    return fake


async def test_restart_delays_double_and_start_again_after_a_good_run(clock: Clock) -> None:
    runs = iter([0.0, 0.0, 0.0, 120.0, 0.0])  # how long each run lasts before it fails

    async def work() -> None:
        lasted = next(runs, None)
        if lasted is None:
            return  # the last run ends normally
        clock.now += lasted
        raise ConnectionError("database restarting")

    await supervisor.supervise("worker", work)
    # Three quick failures back off; one after two minutes of work starts from the shortest.
    assert clock.slept == [0.5, 1.0, 2.0, 0.5, 1.0]
