"""Stages move from share.made and content.published events read off Kafka."""

from datetime import UTC, datetime

from resonance.common.events.catalogue import ContentPublished, ShareMade
from resonance.devstack.testing import Infra, eventually, running_service
from resonance.devstack.testkit import emit_event, of_type, read_events

from .kit import provision_named


def share(person: str, family: str | None, n: int) -> ShareMade:
    return ShareMade(
        share_id=f"s-{person}-{n}",
        ambassador_id=person,
        content_id=f"c-{n}",
        content_family=family,  # type: ignore[arg-type]
        network="linkedin",
        shared_at=datetime.now(UTC),
    )


async def test_stage_transitions_from_events(infra: Infra) -> None:
    async with running_service(infra, "ambassadors") as svc:
        prefix = svc.settings.topic_prefix
        hr = infra.auth(tenant="stages", roles=["integration"])
        pm = infra.auth(tenant="stages", roles=["program_manager"])
        ada = await provision_named(svc, hr, "ada")
        bob = await provision_named(svc, hr, "bob")

        async def stage(person: str) -> str:
            return str(
                (await svc.client.get(f"/v1/ambassadors/{person}", headers=pm)).json()["stage"]
            )

        assert await stage(ada) == "novice"
        await emit_event(infra, prefix, "stages", share(ada, "company", 1))
        await read_events(
            infra,
            prefix,
            "ambassador",
            of_type(
                "ambassador.stage_changed",
                ambassador_id=ada,
                stage="sharer",
                previous_stage="novice",
            ),
        )
        await emit_event(infra, prefix, "stages", share(ada, "market", 2))
        await read_events(
            infra,
            prefix,
            "ambassador",
            of_type(
                "ambassador.stage_changed",
                ambassador_id=ada,
                stage="curator",
                previous_stage="sharer",
            ),
        )
        # Sharing company content again is no demotion and no event.
        await emit_event(infra, prefix, "stages", share(ada, "company", 3))
        await emit_event(
            infra,
            prefix,
            "stages",
            ContentPublished(
                content_id="sub-1",
                family="submission",
                format="text",
                title="My take",
                submitted_by=ada,
            ),
        )
        events = await read_events(
            infra,
            prefix,
            "ambassador",
            of_type("ambassador.stage_changed", ambassador_id=ada, stage="creator"),
        )
        assert [
            e.data["stage"]
            for e in events
            if e.type == "ambassador.stage_changed" and e.subject == ada
        ] == [
            "sharer",
            "curator",
            "creator",
        ]
        assert await eventually(lambda: _is(stage(ada), "creator"))

        # Straight to creator with an own post; another tenant's events do not touch ours.
        await emit_event(infra, prefix, "other-tenant", share(bob, "own", 4))
        await emit_event(infra, prefix, "stages", share(bob, "own", 5))
        await read_events(
            infra,
            prefix,
            "ambassador",
            of_type(
                "ambassador.stage_changed",
                ambassador_id=bob,
                stage="creator",
                previous_stage="novice",
            ),
        )
        # A share by a stranger is ignored without dead-lettering.
        await emit_event(infra, prefix, "stages", share("nobody", "company", 6))
        consumer = svc.runtime.consumers[0]
        assert await eventually(lambda: _true(consumer.processed >= 7))
        assert consumer.dead_lettered == 0


async def _is(value_coroutine, expected: str) -> bool:
    return await value_coroutine == expected


async def _true(value: bool) -> bool:
    return value
