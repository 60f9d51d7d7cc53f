"""`make run` starts as many posting workers as RESONANCE_SHARING_WORKERS says, each its own
process with its own health port, all of the sharing service (one consumer group)."""

import pytest

from resonance.devstack.stack import PROCESSES, sharing_workers


def test_one_worker_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RESONANCE_SHARING_WORKERS", raising=False)
    [worker] = sharing_workers()
    assert (worker.name, worker.port, worker.settings_name) == ("sharing-worker", 8013, "sharing")


def test_three_workers_each_its_own_process_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESONANCE_SHARING_WORKERS", "3")
    workers = sharing_workers()
    assert [(w.name, w.port) for w in workers] == [
        ("sharing-worker", 8013),
        ("sharing-worker-2", 8014),
        ("sharing-worker-3", 8015),
    ]
    # Same app and settings (RESONANCE_SHARING_*): one service, one consumer group.
    assert {(w.app, w.settings_name, w.database) for w in workers} == {
        ("resonance.sharing.worker:create_worker_app", "sharing", "resonance_sharing")
    }
    # No port taken twice with the rest of the stack.
    others = [p.port for p in PROCESSES if not p.name.startswith("sharing-worker")]
    assert not {w.port for w in workers} & set(others)


@pytest.mark.parametrize("value", ["0", "9"])
def test_out_of_range_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("RESONANCE_SHARING_WORKERS", value)
    with pytest.raises(ValueError, match="RESONANCE_SHARING_WORKERS"):
        sharing_workers()
