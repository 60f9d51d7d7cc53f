"""The rules every service's data export shares (pure): who may ask about whom, what a staff
export about nobody answers, and how lists are cut."""

import logging

import pytest

from resonance.common import data_export
from resonance.common.auth import Principal, Role
from resonance.common.data_export import Asked, NotYourData
from resonance.common.domain_errors import NotFound

ANN = Principal(subject="sub-ann", tenant="t1", roles=frozenset({Role.AMBASSADOR}))
PM = Principal(subject="sub-pm", tenant="t1", roles=frozenset({Role.PROGRAM_MANAGER}))


def test_a_person_may_ask_about_themselves_by_me_or_by_their_id() -> None:
    assert data_export.asked_about(ANN, "me", "a-1") == Asked("a-1", own=True)
    assert data_export.asked_about(ANN, "a-1", "a-1") == Asked("a-1", own=True)


def test_only_staff_may_ask_about_someone_else() -> None:
    with pytest.raises(NotYourData) as refused:
        data_export.asked_about(ANN, "a-2", "a-1")
    assert (refused.value.status, refused.value.slug) == (403, "not-your-data")
    assert data_export.asked_about(PM, "a-2", "sub-pm") == Asked("a-2", own=False)


def test_staff_asking_about_nobody_get_404_and_the_others_are_audited(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(NotFound):
        data_export.settle(PM, Asked("a-2", own=False), holds_anything=False)
    with caplog.at_level(logging.INFO, logger="resonance.audit"):
        data_export.settle(PM, Asked("a-2", own=False), holds_anything=True)
        # Asking about oneself is answered (empty lists included) and is not a staff action.
        data_export.settle(ANN, Asked("a-1", own=True), holds_anything=False)
    assert [r.getMessage() for r in caplog.records] == [
        "personal data export: tenant=t1 actor=sub-pm ambassador=a-2"
    ]


def test_lists_read_with_one_row_more_than_the_cap_say_they_were_cut() -> None:
    rows, truncated = data_export.capped({"shares": [1, 2, 3], "badges": [{"code": "x"}]}, 2)
    assert rows == {"shares": [1, 2], "badges": [{"code": "x"}]}
    assert truncated == ["shares"]
