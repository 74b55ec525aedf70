"""Agreement, feedback, "my ideas" and public outcome pages, driven through AppTest."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import PAGES, texts
from workshop.agreements import core as agreements
from workshop.agreements.core import Template
from workshop.feedback import core as feedback
from workshop.i18n import translate
from workshop.meetings import idea_status, ideas
from workshop.model import IdeaStatus, Role
from workshop.text import escape_markdown

GATE_SCRIPT = """
import streamlit as st
from workshop.ui.agreement_gate import agreement_gate
from workshop.ui.session import require_participant

agreement_gate(require_participant())
st.markdown("PAST THE GATE")
"""


def published(store, meeting, facilitator, lang="da"):
    made = agreements.create_agreement(
        store, Template.DIALOGUE_SESSION, lang=lang, meeting_id=meeting.id, actor=facilitator
    )
    agreements.publish_agreement(store, made.id, actor=facilitator)
    return made


def press(at: AppTest, label_key: str) -> None:
    """Click the first button labelled ``label_key`` (form buttons have generated keys)."""
    next(b for b in at.button if b.label == translate("da", label_key)).click().run()


def gate(token: str) -> AppTest:
    at = AppTest.from_string(GATE_SCRIPT, default_timeout=30)
    at.query_params["p"] = token
    return at


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FACILITATOR])
@pytest.mark.parametrize("page", ["agreements", "feedback"])
def test_staff_pages_render(world, make_app, role, page) -> None:
    at = make_app(user=world["users"][role], query={"meeting": str(world["meeting"].id)}).run()
    at.switch_page(f"{PAGES}/{page}.py").run()
    assert not at.exception, at.exception
    assert translate("da", "access.denied") not in texts(at)


@pytest.mark.parametrize("page", ["agreements", "feedback"])
def test_politicians_and_citizens_cannot_open_the_staff_pages(world, make_app, page) -> None:
    for query in ({"p": world["anna"].token},):
        at = make_app(query=query, script=f"{PAGES}/{page}.py").run()
        assert translate("da", "access.denied") in texts(at)
    at = make_app(user=world["users"][Role.POLITICIAN], script=f"{PAGES}/{page}.py").run()
    assert translate("da", "access.denied") in texts(at)


def test_facilitator_creates_edits_and_compares_an_agreement(world, make_app) -> None:
    db, facilitator = world["store"], world["users"][Role.FACILITATOR]
    at = make_app(user=facilitator).run()
    at.switch_page(f"{PAGES}/agreements.py").run()
    assert translate("da", "agreements.none") in texts(at)
    press(at, "agreements.create")
    assert not at.exception, at.exception
    [made] = agreements.list_agreements(db, committee_id=world["meeting"].committee_id)
    assert made.template is Template.COMMITTEE
    assert made.current.title == translate("da", "agreement.template.committee.title")

    at.button(key="agreements_publish").click().run()
    assert agreements.get_agreement(db, made.id).is_published

    at.text_area(key=f"agreements_fixed_{made.id}_1").set_value("Budgettet er 2 mio. kr.")
    # the committee's meeting is running: a material change is saved once confirmed
    at.checkbox(key=f"agreements_confirm_running_{made.id}_1").check()
    press(at, "agreements.save")
    assert not at.exception, at.exception
    versions = agreements.list_versions(db, made.id)
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].texts["fixed"] == "Budgettet er 2 mio. kr." and versions[1].material
    # the message says which kind was saved (the box is ticked by default: a click unticks it)
    assert translate("da", "agreements.saved_material", version=2) in [x.value for x in at.toast]
    assert "Budgettet er 2 mio" in texts(at)  # the versions tab shows the added line


def test_closing_a_commitment_without_required_evidence_shows_a_clear_message(
    world, make_app
) -> None:
    db, facilitator = world["store"], world["users"][Role.FACILITATOR]
    made = published(db, world["meeting"], facilitator)
    needs = next(c for c in agreements.list_commitments(db, made.id) if c.evidence_required)
    at = make_app(user=facilitator).run()
    at.switch_page(f"{PAGES}/agreements.py").run()
    at.selectbox(key=f"agreements_scope_{world['meeting'].committee_id}").set_value(
        world["meeting"].id
    ).run()
    press(at, "agreements.close")
    assert translate("da", "error.commitment.evidence_required") in texts(at)
    assert agreements.list_commitments(db, made.id)[0].done_at is None
    at.text_input(key=f"agreements_evidence_{needs.id}").set_value("Referat 12. maj")
    press(at, "agreements.close")
    closed = next(c for c in agreements.list_commitments(db, made.id) if c.id == needs.id)
    assert closed.evidence == "Referat 12. maj"


def test_a_commitment_without_an_owner_is_refused_and_the_text_is_kept(world, make_app) -> None:
    db, facilitator = world["store"], world["users"][Role.FACILITATOR]
    made = published(db, world["meeting"], facilitator)
    before = len(agreements.list_commitments(db, made.id))
    at = make_app(user=facilitator).run()
    at.switch_page(f"{PAGES}/agreements.py").run()
    at.selectbox(key=f"agreements_scope_{world['meeting'].committee_id}").set_value(
        world["meeting"].id
    ).run()
    at.text_input(key="agreements_new_description").set_value("Svare skriftligt")
    at.date_input(key="agreements_new_due").set_value(date(2027, 1, 31))
    press(at, "agreements.add")
    assert translate("da", "error.commitment.fields_required") in texts(at)
    assert at.text_input(key="agreements_new_description").value == "Svare skriftligt"
    at.text_input(key="agreements_new_owner").set_value("Borgmesteren")
    press(at, "agreements.add")
    assert not at.exception, at.exception
    added = agreements.list_commitments(db, made.id)
    assert len(added) == before + 1 and "Borgmesteren" in {c.owner for c in added}
    assert at.text_input(key="agreements_new_description").value == ""


def test_the_gate_shows_the_short_version_and_lets_through_after_acknowledging(world) -> None:
    db, facilitator = world["store"], world["users"][Role.FACILITATOR]
    made = published(db, world["meeting"], facilitator)
    at = gate(world["anna"].token).run()
    assert not at.exception, at.exception
    assert escape_markdown(made.current.summary) in texts(at)
    assert "PAST THE GATE" not in texts(at)
    assert at.expander[0].label == translate("da", "agreement_gate.read_full")
    at.button(key="agreement_gate_acknowledge").click().run()
    assert "PAST THE GATE" in texts(at)
    [row] = agreements.list_acknowledgements(db, made.id)
    assert row.version == 1 and row.up_to_date


def test_the_gate_does_nothing_without_a_published_agreement(world) -> None:
    at = gate(world["anna"].token).run()
    assert "PAST THE GATE" in texts(at)


def test_a_version_saved_while_reading_is_not_acknowledged_by_mistake(world) -> None:
    db, facilitator = world["store"], world["users"][Role.FACILITATOR]
    made = published(db, world["meeting"], facilitator)
    at = gate(world["anna"].token).run()
    agreements.save_version(
        db, made.id, {"summary": "Ny kort version."}, material=True, actor=facilitator
    )
    at.button(key="agreement_gate_acknowledge").click().run()
    assert translate("da", "error.agreement.outdated_version") in texts(at)
    assert escape_markdown("Ny kort version.") in texts(at) and "PAST THE GATE" not in texts(at)
    assert agreements.list_acknowledgements(db, made.id)[0].version is None
    at.button(key="agreement_gate_acknowledge").click().run()
    assert "PAST THE GATE" in texts(at)
    assert agreements.list_acknowledgements(db, made.id)[0].version == 2


def test_a_material_change_asks_again_and_says_what_changed(world) -> None:
    db, facilitator = world["store"], world["users"][Role.FACILITATOR]
    made = published(db, world["meeting"], facilitator)
    agreements.acknowledge_agreement(db, world["anna"], made.current.id)
    agreements.save_version(
        db, made.id, {"fixed": "Skolen består."}, material=True, actor=facilitator
    )
    at = gate(world["anna"].token).run()
    assert translate("da", "agreement_gate.changed", version=1) in texts(at)
    assert translate("da", "agreement.field.fixed") in texts(at)


def test_the_feedback_page_refuses_a_rejection_without_a_reason_then_records_it(
    world, make_app
) -> None:
    db, facilitator = world["store"], world["users"][Role.FACILITATOR]
    [idea] = ideas.list_ideas(db, world["meeting"].id)
    at = make_app(user=facilitator, query={"meeting": str(world["meeting"].id)}).run()
    at.switch_page(f"{PAGES}/feedback.py").run()
    at.selectbox(key="feedback_status_value").set_value(IdeaStatus.REJECTED)
    press(at, "feedback.apply_status")
    assert translate("da", "error.idea_status.reason_required") in texts(at)
    assert ideas.get_idea(db, idea.id).status is IdeaStatus.SUBMITTED
    at.selectbox(key="feedback_status_value").set_value(IdeaStatus.REJECTED)
    at.text_area(key="feedback_status_reason").set_value("Parken er fredet.")
    press(at, "feedback.apply_status")
    assert ideas.get_idea(db, idea.id).status is IdeaStatus.REJECTED

    at.text_area(key="feedback_send_body").set_value("Tak – vi kigger på andre parker.")
    press(at, "feedback.send")  # no idea chosen: refused, and the text is kept
    assert translate("da", "error.feedback.no_ideas") in texts(at)
    assert at.text_area(key="feedback_send_body").value == "Tak – vi kigger på andre parker."
    at.multiselect(key="feedback_send_ideas").set_value([idea.id])
    press(at, "feedback.send")
    assert not at.exception, at.exception
    [message] = feedback.list_messages(db, meeting_id=world["meeting"].id)
    assert message.idea_ids == (idea.id,) and message.in_app == 1
    assert "100\u00a0%" in [m.value for m in at.metric]  # Danish: a space before %
    assert at.text_area(key="feedback_send_body").value == ""  # a fresh form after success


def test_my_ideas_shows_status_reason_and_feedback_and_takes_an_email(world, make_app) -> None:
    db, facilitator, anna = world["store"], world["users"][Role.FACILITATOR], world["anna"]
    [idea] = ideas.list_ideas(db, world["meeting"].id)
    idea_status.change_status(
        db, idea.id, IdeaStatus.REJECTED, reason="Parken er fredet.", actor=facilitator
    )
    feedback.send_feedback(db, idea_ids=[idea.id], body="Tak for idéen!", actor=facilitator)
    token = feedback.outcome_token(db, world["meeting"].id)
    at = make_app(query={"p": anna.token}).run()
    at.switch_page(f"{PAGES}/my_ideas.py").run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert "Flere bænke i parken" in shown
    assert translate("da", "my_ideas.reason", reason=escape_markdown("Parken er fredet.")) in shown
    assert escape_markdown("Tak for idéen!") in shown
    assert feedback.unread_count(db, anna.id) == 0
    [outcome_link] = at.get("link_button")
    assert outcome_link.proto.url.endswith(f"/meeting_outcome?o={token}")

    at.text_input(key="my_ideas_email").set_value("anna@example.org")
    press(at, "my_ideas.save_email")
    assert translate("da", "error.feedback.consent_required") in texts(at)
    assert feedback.get_contact(db, anna.id) is None
    at.checkbox(key="my_ideas_consent").check()
    press(at, "my_ideas.save_email")
    assert feedback.get_contact(db, anna.id).email == "anna@example.org"
    at.button(key="my_ideas_remove_email").click().run()
    assert feedback.get_contact(db, anna.id) is None


def test_the_public_outcome_page_shows_what_came_out_without_names(world, make_app) -> None:
    db = world["store"]
    token = feedback.outcome_token(db, world["meeting"].id)
    at = make_app(query={"o": token}).run()
    at.switch_page(f"{PAGES}/meeting_outcome.py").run()
    assert not at.exception, at.exception
    assert "Flere bænke i parken" in texts(at) and "Anna" not in texts(at)
    at = make_app(query={"o": "not-a-token"}).run()
    at.switch_page(f"{PAGES}/meeting_outcome.py").run()
    assert translate("da", "error.feedback.unknown_outcome_link") in texts(at)


def test_the_overdue_panel_lists_what_is_late(world) -> None:
    db, facilitator = world["store"], world["users"][Role.FACILITATOR]
    made = published(db, world["meeting"], facilitator)
    late = date.fromisoformat(made.current.feedback_due_on) + timedelta(days=2)
    script = f"""
from datetime import date
from workshop.ui.overdue import overdue_panel
overdue_panel(today=date.fromisoformat("{late.isoformat()}"))
"""
    at = AppTest.from_string(script, default_timeout=30).run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert translate("da", "agreement.template.dialogue_session.commitment.1.description") in shown
    assert translate("da", "overdue.waiting.one", count=1) in shown
    quiet = AppTest.from_string(
        "from workshop.ui.overdue import overdue_panel\noverdue_panel()", default_timeout=30
    ).run()
    assert translate("da", "overdue.none") in texts(quiet)
