"""Unit tests of the HR pipeline's decisions, signatures and SCIM mapping (no I/O)."""

from scim2_models import Context

from resonance.ambassadors.domain.hr import EmployeeFacts, decide, facts_from_hr_event
from resonance.ambassadors.domain.scim_mapping import (
    ENTERPRISE,
    ScimUser,
    facts_from_scim,
    merge_facts,
    normalise_entra,
)
from resonance.ambassadors.domain.webhook_signature import sign, verify
from resonance.common.events.catalogue import HrEmployee

KNOWN = EmployeeFacts(employee_number="1", department="Sales", job_family="Sales", active=True)


def test_stranger_is_a_joiner_and_is_invited() -> None:
    d = decide(None, EmployeeFacts(employee_number="1", department="Sales"))
    assert d.outcome == "joiner" and d.invite_as_joiner and d.active
    assert d.changes == {"employee_number": "1", "department": "Sales"}


def test_inactive_stranger_is_recorded_but_not_invited() -> None:
    d = decide(None, EmployeeFacts(employee_number="1", active=False))
    assert d.outcome == "unchanged" and not d.invite_as_joiner and not d.active


def test_leaver_word_or_deactivation_ends_participation_with_its_reason() -> None:
    assert decide(KNOWN, EmployeeFacts(employee_number="1"), "leaver").leave_reason == "leaver"
    d = decide(KNOWN, EmployeeFacts(active=False))
    assert d.outcome == "leaver" and d.ends_participation and d.leave_reason == "deactivated"


def test_mover_retargets_only_on_targeting_fields() -> None:
    assert decide(KNOWN, EmployeeFacts(job_family="Marketing")).retarget
    phone = decide(KNOWN, EmployeeFacts(phone="+33600000000"))
    assert phone.outcome == "mover" and not phone.retarget


def test_absent_means_unsaid_unless_the_door_owns_the_field() -> None:
    assert decide(KNOWN, EmployeeFacts(department=None)).outcome == "unchanged"
    cleared = decide(
        KNOWN, EmployeeFacts(employee_number="1"), clear_absent=frozenset({"department"})
    )
    assert cleared.changes == {"department": None}


def test_reactivation_is_a_rehire() -> None:
    gone = EmployeeFacts(employee_number="1", active=False)
    d = decide(gone, EmployeeFacts(active=True))
    assert d.outcome == "rehire" and d.invite_as_joiner


def test_hr_event_vocabulary() -> None:
    facts = facts_from_hr_event(
        HrEmployee(
            change="joiner",
            employee_number="9",
            given_name="A",
            family_name="B",
            language="pt_BR",
            division="Acme",
        )
    )
    assert facts.display_name == "A B" and facts.language == "pt" and facts.brand == "Acme"


def test_signature_verdicts() -> None:
    body, now = b'{"a":1}', 1_700_000_000
    good = sign("s3cret", str(now), body)
    assert verify("s3cret", str(now), good, body, now + 10, 300).verdict == "ok"
    assert verify("s3cret", str(now), good, body + b" ", now, 300).verdict == "bad_signature"
    assert verify("other", str(now), good, body, now, 300).verdict == "bad_signature"
    assert verify("s3cret", str(now), good, body, now + 301, 300).verdict == "stale"
    assert verify("s3cret", str(now), good, body, now - 301, 300).verdict == "stale"
    assert verify("s3cret", None, good, body, now, 300).verdict == "missing"
    assert verify("s3cret", "yesterday", good, body, now, 300).verdict == "malformed"
    assert verify("s3cret", str(now), "md5=abc", body, now, 300).verdict == "malformed"


def test_scim_user_to_facts_and_back() -> None:
    payload = normalise_entra(
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "userName": "x@acme.example",
            "active": "False",
            "userType": "Frontline",
            "emails": [
                {"value": "x@acme.example", "type": "work"},
                {"value": "x@home.example", "type": "home"},
            ],
            ENTERPRISE: {"employeeNumber": "7", "department": "Ops", "manager": "m-1"},
        }
    )
    user = ScimUser.model_validate(payload, scim_ctx=Context.RESOURCE_CREATION_REQUEST)
    facts = facts_from_scim(user)
    assert facts.active is False and facts.worker_type == "frontline"
    assert facts.email == "x@acme.example" and facts.personal_email == "x@home.example"
    assert facts.manager_ref == "m-1" and facts.job_family == "Ops"
    merged = merge_facts(
        {"userName": "x"}, {"department": "R&D", "email": "y@acme.example", "country": "FR"}
    )
    assert merged[ENTERPRISE]["department"] == "R&D"
    assert merged["emails"][0]["value"] == "y@acme.example"
    assert merged["addresses"][0]["country"] == "FR"
    assert ENTERPRISE in merged["schemas"]
