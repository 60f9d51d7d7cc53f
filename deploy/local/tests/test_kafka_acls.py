"""The ACLs the local stack and the test fixtures grant (resonance.devstack.kafka)."""

import pytest

from resonance.common.events.catalogue import all_topics
from resonance.devstack.kafka import (
    HR_INTEGRATION,
    SERVICES,
    WRITES,
    AclBinding,
    platform_acls,
)

TOPICS = all_topics(with_dlq=False)
WRITE, READ, IDEMPOTENT_WRITE = 4, 3, 12
TOPIC, GROUP, CLUSTER = 2, 3, 4
LITERAL, PREFIXED = 3, 4


def _writers(rules: list[AclBinding], topic: str) -> set[str]:
    return {
        r.principal
        for r in rules
        if (r.resource_type, r.resource_name, r.pattern_type, r.operation)
        == (TOPIC, topic, LITERAL, WRITE)
    }


def test_every_catalogue_topic_has_an_owner() -> None:
    owned = {t for topics in WRITES.values() for t in topics}
    assert set(TOPICS) <= owned


def test_only_hr_integration_and_ambassadors_write_hr_employee() -> None:
    rules = platform_acls(TOPICS, "t1.")
    assert _writers(rules, "t1.hr.employee") == {HR_INTEGRATION, "ambassadors"}
    assert _writers(rules, "t1.content") == {"content"}


def test_every_service_may_dead_letter_any_topic_but_hr_may_not() -> None:
    rules = platform_acls(TOPICS, "")
    assert _writers(rules, "hr.employee.dlq") == set(SERVICES)


def test_rules_name_only_the_prefix_they_are_for() -> None:
    """Tests run side by side on one broker; a rule outside the prefix would let one test's
    service reach another's topics."""
    rules = platform_acls(TOPICS, "t1.")
    names = {r.resource_name for r in rules if r.resource_type != CLUSTER}
    assert names and all(n.startswith("t1.") for n in names)
    groups = {r.resource_name for r in rules if r.resource_type == GROUP}
    # Group ids are `prefix + consumer name`, and consumer names start with the service's.
    assert groups == {f"t1.{s}" for s in SERVICES}


def test_the_stack_reads_every_topic_through_the_wildcard() -> None:
    """PREFIXED patterns need a non-empty name: without a prefix the read grant is `*`."""
    reads = {
        (r.principal, r.resource_name, r.pattern_type)
        for r in platform_acls(TOPICS, "")
        if r.resource_type == TOPIC and r.operation == READ
    }
    assert reads == {(s, "*", LITERAL) for s in SERVICES}


def test_producers_may_write_idempotently() -> None:
    rules = platform_acls(TOPICS, "")
    assert {r.principal for r in rules if r.operation == IDEMPOTENT_WRITE} == set(WRITES)


def test_an_owner_of_an_unknown_topic_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown topics"):
        platform_acls(["content"], "")
