"""Builds the AsyncAPI 3.0 document from the catalogue, so the contract cannot drift from code."""

import json
import sys
from pathlib import Path
from typing import Any

from resonance.common.events.catalogue import CATALOGUE, DLQ_SUFFIX
from resonance.common.events.envelope import Envelope

# Who publishes and who consumes each event type (DESIGN.md, "event ownership").
PUBLISHERS: dict[str, str] = {
    "content.published": "content",
    "content.retired": "content",
    "campaign.launched": "content",
    "submission.approved": "content",
    "ambassador.invited": "ambassadors",
    "ambassador.enrolled": "ambassadors",
    "ambassador.updated": "ambassadors",
    "ambassador.left": "ambassadors",
    "ambassador.stage_changed": "ambassadors",
    "ambassador.erased": "ambassadors",
    "hr.employee": "hr-system (external)",
    "share.made": "sharing",
    "share.failed": "sharing",
    "reach.measured": "sharing",
    "link.clicked": "sharing",
    "reward.granted": "metrics",
    "digest.ready": "metrics",
}


def _message_name(event_type: str) -> str:
    return event_type.replace(".", "_")


def build_document() -> dict[str, Any]:
    envelope_schema = Envelope.model_json_schema()
    envelope_schema["properties"].pop("data", None)
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Envelope": envelope_schema}
    operations: dict[str, Any] = {}
    for event_type, model in sorted(CATALOGUE.items()):
        name = _message_name(event_type)
        data_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        defs = data_schema.pop("$defs", {})
        messages[name] = {
            "name": event_type,
            "title": event_type,
            "summary": model.description,
            "contentType": "application/json",
            "headers": {
                "type": "object",
                "properties": {
                    "ce_id": {"type": "string"},
                    "ce_type": {"type": "string", "const": event_type},
                    "ce_tenant": {"type": "string"},
                    "traceparent": {"type": "string", "description": "W3C trace context"},
                    "tracestate": {"type": "string"},
                },
            },
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/Envelope"},
                    {
                        "type": "object",
                        "properties": {
                            "type": {"const": event_type},
                            "dataschema": {"const": model.dataschema()},
                            "data": {"$ref": f"#/components/schemas/{model.__name__}"},
                        },
                    },
                ]
            },
            "bindings": {"kafka": {"key": {"type": "string", "description": "aggregate id"}}},
        }
        schemas.update({model.__name__: data_schema, **defs})
        channel = channels.setdefault(
            model.topic,
            {"address": model.topic, "messages": {}, "description": f"Topic `{model.topic}`"},
        )
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
        operations[f"publish_{name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{model.topic}"},
            "messages": [{"$ref": f"#/channels/{model.topic}/messages/{name}"}],
            "summary": f"Published by {PUBLISHERS.get(event_type, 'unknown')}",
        }
    for topic in list(channels):
        channels[topic + DLQ_SUFFIX] = {
            "address": topic + DLQ_SUFFIX,
            "description": (
                f"Dead letters of `{topic}`: the original record, with headers "
                "`dlq.error`, `dlq.consumer`, `dlq.original.topic`, `dlq.original.partition`, "
                "`dlq.original.offset`, `dlq.attempts`."
            ),
            "messages": dict(channels[topic]["messages"]),
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Resonance events",
            "version": "1.0.0",
            "description": (
                "Events exchanged by the Resonance services over Apache Kafka. Values are "
                "CloudEvents 1.0 in structured JSON mode; the key is the aggregate id."
            ),
        },
        "defaultContentType": "application/json",
        "channels": dict(sorted(channels.items())),
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def render() -> str:
    return json.dumps(build_document(), indent=2, sort_keys=True, default=str) + "\n"


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/asyncapi.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render())
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
