"""Re-engagement suggestions from real events, mailed to the SMTP sink.

Tenant defaults: lapsed after 30 days without a share; working days Monday to Friday, 9:00 to
18:00 in the person's zone. "Now" is Tuesday 2 June 2026, 10:00 in Paris (08:00 UTC).

    leo  last shared k3 on 15 April: lapsed; wants suggestions at leo@home.example
    ned  lapsed, but his quiet hours are 9:00-12:00: not before noon
    oli  lapsed, but ambassador.updated says no nudge before 5 June 10:00 UTC
    mia  shared on 25 May: not lapsed
    pat  lapsed, chose no address: never mailed

Peers shared k2 twice (21, 22 May), k1 once (25 May) and k3 once (20 May) in the last 30
days; leo already shared k3, so he is offered k2 then k1.
"""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from resonance.common.events.catalogue import AmbassadorProfile, AmbassadorUpdated, ContentPublished
from resonance.devstack.testing import Infra, RunningService, eventually, running_service
from resonance.metrics.devtools.sample_facts import enrolment, share
from resonance.metrics.devtools.smtp_sink import SmtpSink
from resonance.metrics.jobs.reengagement import send_due_suggestions

TENANT = "nudges"
PARIS = {"timezone": "Europe/Paris"}
TUESDAY_10_PARIS = datetime(2026, 6, 2, 8, tzinfo=UTC)


def utc(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture(scope="module")
async def sink() -> AsyncIterator[SmtpSink]:
    started = await SmtpSink(smtp_port=0, http_port=None).start()
    yield started
    await started.stop()


@pytest.fixture(scope="module")
async def metrics(infra: Infra, sink: SmtpSink) -> AsyncIterator[RunningService]:
    async with running_service(
        infra,
        "metrics",
        smtp_port=sink.smtp_port,
        reengagement_interval_s=3600,
        public_base_url="http://metrics.test",
    ) as svc:
        svc.runtime.clock = lambda: TUESDAY_10_PARIS
        yield svc


def token(infra: Infra, who: str) -> dict[str, str]:
    return infra.auth(tenant=TENANT, roles=["ambassador"], subject=f"sub-{who}")


async def test_lapsed_people_get_one_suggestion_a_week_at_allowed_times(
    infra: Infra, metrics: RunningService, sink: SmtpSink, send, processed
) -> None:
    await send(
        TENANT,
        enrolment("leo", **PARIS),
        enrolment("ned", quiet_hours_start="09:00", quiet_hours_end="12:00", **PARIS),
        enrolment("oli", **PARIS),
        enrolment("mia", **PARIS),
        enrolment("pat", **PARIS),
        enrolment("qua"),
        enrolment("rae"),
        time=utc(4, 1),
    )
    sent = await send(
        TENANT,
        AmbassadorUpdated(
            ambassador_id="oli",
            profile=AmbassadorProfile(programmes=["p1"], **PARIS),
            next_allowed_nudge_at=utc(6, 5),
        ),
        time=utc(4, 2),
    )
    sent += await send(
        TENANT,
        *(
            ContentPublished(
                content_id=k,
                family="market",
                format="link",
                title=f"Item {k}",
                published_at=utc(5, 1),
            )
            for k in ("k1", "k2", "k3")
        ),
        share("leo", 1, utc(4, 15), content="k3"),
        share("mia", 1, utc(5, 20), content="k3"),
        share("qua", 1, utc(5, 21), content="k2"),
        share("rae", 1, utc(5, 22), content="k2"),
        share("mia", 2, utc(5, 25), content="k1"),
    )
    for envelope in sent:
        await eventually(lambda e=envelope: processed(e.id), timeout=30)
    for who in ("leo", "ned", "oli", "mia"):
        r = await metrics.client.put(
            "/v1/me/contact", json={"email": f"{who}@home.example"}, headers=token(infra, who)
        )
        assert r.status_code == 200, r.text

    assert await send_due_suggestions(metrics.runtime) == 1
    [mail] = list(sink.messages)
    assert mail.rcpt_to == ("leo@home.example",)
    message = mail.message
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert body.index("Item k2") < body.index("Item k1") and "Item k3" not in body
    unsubscribe = str(message["List-Unsubscribe"]).strip()  # may be folded onto a new line
    assert unsubscribe.startswith("<http://metrics.test/v1/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The same round again sends nothing: leo had his suggestion this week.
    assert await send_due_suggestions(metrics.runtime) == 0

    # At 12:30 in Paris ned's quiet hours are over; oli must still wait for 5 June.
    metrics.runtime.clock = lambda: datetime(2026, 6, 2, 10, 30, tzinfo=UTC)
    assert await send_due_suggestions(metrics.runtime) == 1
    assert list(sink.messages)[-1].rcpt_to == ("ned@home.example",)

    # Leo unsubscribes in one click (no login: the token is in the header).
    path = unsubscribe.strip("<>").removeprefix("http://metrics.test")
    assert (await metrics.client.post(path)).status_code == 200
    contact = (await metrics.client.get("/v1/me/contact", headers=token(infra, "leo"))).json()
    assert contact == {"email": "leo@home.example", "suggestions": False}

    # Friday 5 June: oli may be nudged from 10:00 UTC (12:00 in Paris), not at 10:00 in Paris.
    metrics.runtime.clock = lambda: datetime(2026, 6, 5, 8, tzinfo=UTC)
    assert await send_due_suggestions(metrics.runtime) == 0
    metrics.runtime.clock = lambda: datetime(2026, 6, 5, 10, 30, tzinfo=UTC)
    assert await send_due_suggestions(metrics.runtime) == 1
    assert list(sink.messages)[-1].rcpt_to == ("oli@home.example",)
    # Tuesday 9 June at 10:00 in Paris: ned's week runs until 12:30, leo asked for no more.
    metrics.runtime.clock = lambda: datetime(2026, 6, 9, 8, tzinfo=UTC)
    assert await send_due_suggestions(metrics.runtime) == 0
    # Saturday 13 June: a weekend day, nobody is contacted even though they are lapsed.
    metrics.runtime.clock = lambda: datetime(2026, 6, 13, 8, tzinfo=UTC)
    assert await send_due_suggestions(metrics.runtime) == 0
    assert len(sink.messages) == 3
