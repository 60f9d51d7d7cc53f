"""Fixtures for the content service's tests: one running service per test module.

Helpers (reading and emitting events) come from resonance.devstack.testkit."""

from collections.abc import AsyncIterator

import pytest

from resonance.devstack.testing import Infra, RunningService, running_service


@pytest.fixture(scope="module")
async def content(infra: Infra) -> AsyncIterator[RunningService]:
    prefix = infra.new_prefix()
    async with running_service(
        infra,
        "content",
        prefix,
        scheduler_interval_s=0.2,
        source_poll_interval_s=0.5,
        allow_private_links_default=False,
    ) as svc:
        yield svc
