from datetime import UTC, datetime
from pathlib import Path

from resonance.common.events import Envelope, new_envelope
from resonance.common.events.asyncapi import render
from resonance.common.events.catalogue import CATALOGUE, ContentPublished, ShareMade, all_topics
from resonance.common.outbox import OUTBOX_SHARDS, shard_of

REPO = Path(__file__).resolve().parents[3]


def test_envelope_round_trip_keeps_every_attribute() -> None:
    data = ShareMade(
        share_id="s1", ambassador_id="a1", network="linkedin", shared_at=datetime.now(UTC)
    )
    envelope = new_envelope("/resonance/sharing", "acme", data)
    again = Envelope.from_bytes(envelope.to_bytes())
    assert again == envelope
    assert again.type == "share.made" and again.subject == "s1" and again.version == 1
    assert ShareMade.model_validate(again.data) == data


def test_every_event_has_a_topic_a_subject_and_a_versioned_schema() -> None:
    for event_type, model in CATALOGUE.items():
        assert model.event_type == event_type
        assert model.topic in all_topics(with_dlq=False)
        assert model.dataschema().endswith(f":{event_type}:v{model.version}")


def test_shards_are_stable_and_bounded() -> None:
    assert shard_of("item-1") == shard_of("item-1")
    assert {shard_of(f"k{i}") for i in range(1000)} == set(range(OUTBOX_SHARDS))


def test_unknown_fields_are_refused_so_typos_do_not_pass_silently() -> None:
    try:
        ContentPublished.model_validate(
            {"content_id": "c", "family": "company", "format": "text", "title": "t", "titel": "x"}
        )
    except ValueError:
        return
    raise AssertionError("extra field accepted")


def test_checked_in_asyncapi_document_is_current() -> None:
    checked_in = (REPO / "docs" / "asyncapi.json").read_text()
    assert checked_in == render(), "run `make asyncapi` and commit docs/asyncapi.json"
