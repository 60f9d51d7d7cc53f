"""Projections from other services' events, on the real Kafka and PostgreSQL: what a share
request is checked against, late events that must not overwrite newer state, erasure that no
late event undoes, and what erasure leaves of a person's shares."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorErased,
    AmbassadorLeft,
    AmbassadorProfile,
    AmbassadorUpdated,
    ContentPublished,
    ContentRetired,
)
from resonance.devstack.sandbox.client import RunningSandbox, sharing_settings
from resonance.devstack.testing import Infra, RunningService, running_service
from resonance.devstack.testkit import applied

from .share_kit import (
    ambassador,
    connect,
    connection,
    content,
    emit_at,
    enrol,
    new_id,
    person,
    publish,
    share_row,
)

TENANT = "proj"


@pytest.fixture(scope="module")
async def svc(infra: Infra, sandbox_server: RunningSandbox) -> AsyncIterator[RunningService]:
    # The sandbox plays the networks: erasure revokes the person's grants there.
    settings = sharing_settings(sandbox_server.url, link_base_url="https://rsn.test/l")
    async with running_service(infra, "sharing", **settings) as svc:
        yield svc


async def test_enrolment_is_projected(infra: Infra, svc: RunningService) -> None:
    ambassador_id, _ = await enrol(infra, svc, TENANT, networks=["linkedin", "x"])
    row = await person(svc, TENANT, ambassador_id)
    assert row is not None and row.erased_at is None and row.employee_active
    assert row.memberships["prog-1"]["networks"] == ["linkedin", "x"]
    assert row.profile["timezone"] == "Europe/Paris" and row.login_subject


async def test_older_events_do_not_overwrite_newer_state(infra: Infra, svc: RunningService) -> None:
    prefix = svc.settings.topic_prefix
    now = datetime.now(UTC)
    ambassador_id, _ = await enrol(infra, svc, TENANT, networks=["linkedin"], at=now)
    # A leave from before the enrolment, replayed late: the enrolment stands.
    late_leave = await emit_at(
        infra,
        prefix,
        TENANT,
        AmbassadorLeft(ambassador_id=ambassador_id, programme_id="prog-1"),
        now - timedelta(minutes=5),
    )
    # An old profile, then a newer one: the newer wins whatever the arrival order.
    newer = await emit_at(
        infra,
        prefix,
        TENANT,
        AmbassadorUpdated(
            ambassador_id=ambassador_id, profile=AmbassadorProfile(country="BE", timezone="UTC")
        ),
        now + timedelta(minutes=2),
    )
    older = await emit_at(
        infra,
        prefix,
        TENANT,
        AmbassadorUpdated(
            ambassador_id=ambassador_id, profile=AmbassadorProfile(country="DE"), active=False
        ),
        now + timedelta(minutes=1),
    )
    await applied(svc, late_leave, newer, older)
    row = await person(svc, TENANT, ambassador_id)
    assert row is not None and row.profile["country"] == "BE"
    assert row is not None and row.employee_active  # the older "inactive" was ignored
    assert row.memberships["prog-1"]["active"] is True

    # Content: a late retirement older than the publication is ignored, a newer one applies.
    item = new_id()
    published = ContentPublished(
        content_id=item, family="market", format="link", title="Report", url="https://r.example"
    )
    first = await emit_at(infra, prefix, TENANT, published, now)
    stale = await emit_at(
        infra, prefix, TENANT, ContentRetired(content_id=item), now - timedelta(seconds=30)
    )
    await applied(svc, first, stale)
    view = await content(svc, TENANT, item)
    assert view is not None and view.live
    retire = await emit_at(
        infra, prefix, TENANT, ContentRetired(content_id=item), now + timedelta(seconds=1)
    )
    replayed = await emit_at(infra, prefix, TENANT, published, now)  # an old one, again
    await applied(svc, retire, replayed)
    view = await content(svc, TENANT, item)
    assert view is not None and not view.live


async def test_erasure_is_final_and_keeps_links(infra: Infra, svc: RunningService) -> None:
    prefix = svc.settings.topic_prefix
    now = datetime.now(UTC)
    ambassador_id, me = await enrol(infra, svc, TENANT, networks=["linkedin", "facebook"], at=now)
    subject = (await person(svc, TENANT, ambassador_id)).login_subject  # type: ignore[union-attr]
    connection_id = await connect(svc, TENANT, ambassador_id, "linkedin")
    item = await publish(infra, svc, TENANT)
    later = (now + timedelta(hours=2)).isoformat()
    scheduled = (
        await svc.client.post(
            "/v1/shares",
            json={"content_id": item, "networks": ["linkedin"], "at": later},
            headers=me,
        )
    ).json()["shares"][0]
    intent = (
        await svc.client.post(
            "/v1/shares", json={"content_id": item, "networks": ["facebook"]}, headers=me
        )
    ).json()["shares"][0]
    opted = await svc.client.put("/v1/autoshare/linkedin", headers=me)
    assert opted.status_code == 200

    erased = await emit_at(
        infra,
        prefix,
        TENANT,
        AmbassadorErased(ambassador_id=ambassador_id),
        now + timedelta(seconds=10),
    )
    # Late events about the person: an old enrolment replayed, and one stamped after erasure.
    late = []
    for at in (now + timedelta(seconds=5), now + timedelta(seconds=20)):
        late.append(
            await emit_at(
                infra,
                prefix,
                TENANT,
                AmbassadorEnrolled(
                    ambassador_id=ambassador_id,
                    programme_id="prog-2",
                    charter_version="1",
                    networks=["linkedin"],
                    profile=AmbassadorProfile(country="FR"),
                    login_subject=subject,
                ),
                at,
            )
        )
    await applied(svc, erased, *late)

    row = await person(svc, TENANT, ambassador_id)
    assert row is not None and row.erased_at is not None
    assert (row.login_subject, row.profile, row.memberships) == (None, {}, {})
    refused = await svc.client.post(
        "/v1/shares", json={"content_id": item, "networks": ["facebook"]}, headers=me
    )
    assert refused.status_code == 403 and refused.json()["type"].endswith("/not-enrolled")
    assert (
        await svc.client.get("/v1/autoshare", headers=ambassador(infra, TENANT, ambassador_id))
    ).json() == {"choices": []}

    account = await connection(svc, connection_id)
    assert (account.status, account.access_token_sealed, account.network_user_id) == (
        "disconnected",
        None,
        "erased",
    )
    gone = await share_row(svc, scheduled["id"])
    assert (gone.status, gone.reason, gone.text) == ("cancelled", "erased", "")
    kept = await share_row(svc, intent["id"])
    assert (kept.status, kept.text, kept.ambassador_id) == ("posted", "", ambassador_id)
    code = intent["tracked_link"].rsplit("/", 1)[1]
    redirect = await svc.client.get(
        f"/l/{code}", headers={"User-Agent": "Mozilla/5.0 Firefox/133.0"}
    )
    assert redirect.status_code == 302
    assert redirect.headers["location"].startswith(
        "https://example.com/news/launch?utm_source=facebook"
    )
