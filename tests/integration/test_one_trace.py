"""One trace from an ambassador's share request through the outbox, Kafka, the posting worker,
the call to the network and every consumer of share.made (content, ambassadors, metrics),
exported over OTLP/HTTP to a collector on loopback — the real services, the real protocol."""

import uuid
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from asgi_lifespan import LifespanManager

from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorProfile,
    Caption,
    ContentPublished,
)
from resonance.devstack.otlp_sink import create_otlp_sink
from resonance.devstack.sandbox.client import RunningSandbox, sharing_settings
from resonance.devstack.testing import Infra, ThreadedServer, eventually, running_service
from resonance.devstack.testkit import emit_event, of_type, read_events
from resonance.sharing.worker import create_worker_app

TRACE_ID = uuid.uuid4().hex
TENANT = "traced"


# Five services and a worker in one process: slow to start on a busy 2-core machine.
@pytest.mark.timeout(300)
async def test_one_trace_from_share_request_to_every_consumer(
    infra: Infra, sandbox: RunningSandbox
) -> None:
    collector = ThreadedServer(create_otlp_sink()).start()
    prefix = infra.new_prefix()
    otel = {"otel_exporter": "otlp", "otel_endpoint": collector.url}
    try:
        async with (
            running_service(infra, "content", prefix, **otel),
            running_service(infra, "ambassadors", prefix, **otel),
            running_service(infra, "metrics", prefix, **otel),
            running_service(
                infra,
                "sharing",
                prefix,
                **otel,
                **sharing_settings(sandbox.url, scheduler_interval_s=0.05),
            ) as sharing,
        ):
            worker = create_worker_app(sharing.settings)
            async with LifespanManager(worker, startup_timeout=60, shutdown_timeout=30):
                await _share_traced(infra, prefix, sharing)

            # Each provider exports its batch within seconds (and on shutdown at the latest).
            missing = await eventually(lambda: _nothing_missing(collector), timeout=40)
            assert missing is True
    finally:
        collector.stop()


async def _share_traced(infra: Infra, prefix: str, sharing: Any) -> None:
    ambassador_id, subject = str(uuid.uuid4()), f"login-{uuid.uuid4().hex[:8]}"
    await emit_event(
        infra,
        prefix,
        TENANT,
        AmbassadorEnrolled(
            ambassador_id=ambassador_id,
            programme_id="prog-1",
            charter_version="1",
            networks=["mastodon"],
            profile=AmbassadorProfile(timezone="UTC", working_days=[1, 2, 3, 4, 5, 6, 7]),
            login_subject=subject,
        ),
    )
    content_id = str(uuid.uuid4())
    published = ContentPublished(
        content_id=content_id,
        family="company",
        format="link",
        title="Traced launch",
        url="https://example.com/traced",
        language="en",
        captions=[Caption(network="other", language="en", text="Look at this")],
    )
    await emit_event(infra, prefix, TENANT, published)
    me = infra.auth(tenant=TENANT, roles=["ambassador"], subject=subject)

    # Connecting may start before the enrolment is projected: the account follows the person.
    authorize = await sharing.client.post("/v1/connections/mastodon/authorize", headers=me)
    assert authorize.status_code == 200, authorize.text
    started = authorize.json()
    async with httpx.AsyncClient(follow_redirects=False) as browser:
        url = started["authorization_url"]
        form = dict(parse_qsl(urlsplit(url).query))
        allowed = await browser.post(
            url.split("?", 1)[0], data={**form, "username": "adam", "decision": "allow"}
        )
    back = urlsplit(allowed.headers["location"])
    assert (await sharing.client.get(f"{back.path}?{back.query}")).status_code == 200

    async def share() -> httpx.Response | None:
        answer = await sharing.client.post(
            "/v1/shares",
            json={"content_id": content_id, "networks": ["mastodon"]},
            headers={**me, "traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"},
        )
        refusals.append(answer.text)
        return answer if answer.status_code == 201 else None

    refusals: list[str] = []
    # The item's projection may still be on its way (a new consumer group joins first).
    try:
        answer = await eventually(share, timeout=90)
    except AssertionError:
        raise AssertionError(f"the share was refused: {refusals[-1:]}") from None
    [made] = answer.json()["shares"]
    await read_events(infra, prefix, "share", of_type("share.made", share_id=made["id"]))


async def _nothing_missing(collector: ThreadedServer) -> bool:
    return not _missing(collector)


def _missing(collector: ThreadedServer) -> set[tuple[str, str]]:
    """The (service, span kind) pairs of the path not yet seen in the one trace."""
    spans = collector.server.config.app.state.spans.of_trace(TRACE_ID)
    seen = {(s.service, s.kind) for s in spans}
    wanted = {
        ("sharing", "SERVER"),  # POST /v1/shares
        ("sharing", "PRODUCER"),  # the outbox relay publishing share.requested / share.made
        ("sharing", "CONSUMER"),  # the posting worker
        ("sharing", "CLIENT"),  # the call to the network (sandbox)
        ("content", "CONSUMER"),
        ("ambassadors", "CONSUMER"),
        ("metrics", "CONSUMER"),
    }
    return wanted - seen
