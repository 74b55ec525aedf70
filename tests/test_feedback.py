"""Feedback to participants: recorded with date and ideas, delivered in the app and (only with
a consented address) by e-mail through a pluggable sender; the share of ideas with feedback."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import join, make_meeting, start
from workshop.errors import InvalidInput, NotFound
from workshop.feedback import core as feedback
from workshop.meetings import idea_status, ideas
from workshop.model import IdeaStatus


class Outbox:
    def __init__(self, fail_for: str = "") -> None:
        self.sent: list[EmailMessage] = []
        self.fail_for = fail_for

    def send(self, message: EmailMessage) -> None:
        if self.fail_for and self.fail_for in message["To"]:
            raise ConnectionError("mail server down")
        self.sent.append(message)


@pytest.fixture
def room(store, meeting):
    start(store, meeting)
    anna, bo = join(store, meeting, "Anna"), join(store, meeting, "Bo")
    return {
        "anna": anna,
        "bo": bo,
        "benches": ideas.submit_idea(store, anna, "Bænke ved søen"),
        "lights": ideas.submit_idea(store, anna, "Lys på stien"),
        "bikes": ideas.submit_idea(store, bo, "Cykelparkering"),
    }


def test_feedback_is_recorded_with_date_and_ideas_and_reaches_the_app(
    store, meeting, room, facilitator
) -> None:
    sent = feedback.send_feedback(
        store,
        idea_ids=[room["benches"].id, room["lights"].id],
        body="Bænkene kommer i foråret.",
        actor=facilitator,
        sender=Outbox(),
    )
    assert (sent.in_app, sent.emailed, sent.failed) == (1, 0, 0)  # Anna, no address
    [message] = feedback.list_messages(store, meeting_id=meeting.id)
    assert message.idea_ids == tuple(sorted([room["benches"].id, room["lights"].id]))
    assert message.sent_at and message.body == "Bænkene kommer i foråret."
    mine = {i.text: i for i in feedback.my_ideas(store, room["anna"].id)}
    assert [body for _, body in mine["Bænke ved søen"].feedback] == ["Bænkene kommer i foråret."]
    assert feedback.my_ideas(store, room["bo"].id)[0].feedback == ()
    assert feedback.unread_count(store, room["anna"].id) == 1
    feedback.mark_read(store, room["anna"])
    assert feedback.unread_count(store, room["anna"].id) == 0


def test_email_only_where_an_address_was_given_with_consent(store, room, facilitator) -> None:
    with pytest.raises(InvalidInput) as no_consent:
        feedback.set_contact(store, room["bo"], "bo@example.org", consent=False, lang="da")
    assert no_consent.value.key == "error.feedback.consent_required"
    with pytest.raises(InvalidInput) as bad:
        feedback.set_contact(store, room["bo"], "bo at example", consent=True, lang="da")
    assert bad.value.key == "error.feedback.bad_email"
    assert feedback.get_contact(store, room["bo"].id) is None
    feedback.set_contact(store, room["bo"], " Bo@Example.org ", consent=True, lang="nb")
    outbox = Outbox()
    sent = feedback.send_feedback(
        store,
        idea_ids=[room["bikes"].id, room["benches"].id],
        body="Tak for idéerne.",
        actor=facilitator,
        sender=outbox,
        link_base="https://samskab.example/",
    )
    assert (sent.in_app, sent.emailed) == (2, 1)
    [mail] = outbox.sent
    assert mail["To"] == "bo@example.org"
    assert "Tilbakemelding" in mail["Subject"]  # in the language Bo chose
    text = mail.get_content()
    assert "Tak for idéerne." in text
    # An e-mail is kept in outboxes and forwarded: it carries no personal link, only the
    # meeting's public outcome page once there is one.
    assert room["bo"].token not in text and "?p=" not in text
    assert "meeting_outcome" not in text
    outcome = feedback.outcome_token(store, room["bo"].meeting_id)
    feedback.send_feedback(
        store,
        idea_ids=[room["bikes"].id],
        body="Nyt om cyklerne.",
        actor=facilitator,
        sender=outbox,
        link_base="https://samskab.example/",
    )
    later = outbox.sent[-1].get_content()
    assert f"https://samskab.example/meeting_outcome?o={outcome}" in later
    assert room["bo"].token not in later
    feedback.remove_contact(store, room["bo"])
    assert feedback.get_contact(store, room["bo"].id) is None


def test_a_failing_sender_is_recorded_and_the_message_is_kept(store, room, facilitator) -> None:
    feedback.set_contact(store, room["anna"], "anna@example.org", consent=True, lang="da")
    sent = feedback.send_feedback(
        store,
        idea_ids=[room["benches"].id],
        body="Nyt om bænkene.",
        actor=facilitator,
        sender=Outbox(fail_for="anna"),
    )
    assert (sent.in_app, sent.emailed, sent.failed) == (1, 0, 1)
    [message] = feedback.list_messages(store)
    assert message.failed == 1
    assert feedback.my_ideas(store, room["anna"].id)[0].feedback


def test_bad_feedback_is_refused_and_nothing_is_recorded(store, room, facilitator) -> None:
    with pytest.raises(InvalidInput) as empty:
        feedback.send_feedback(store, idea_ids=[room["bikes"].id], body=" ", actor=facilitator)
    assert empty.value.key == "error.text.empty"
    with pytest.raises(InvalidInput) as none:
        feedback.send_feedback(store, idea_ids=[], body="Hej", actor=facilitator)
    assert none.value.key == "error.feedback.no_ideas"
    with pytest.raises(NotFound):
        feedback.send_feedback(store, idea_ids=[9999], body="Hej", actor=facilitator)
    assert feedback.list_messages(store) == []


def test_one_message_covers_ideas_of_one_committee(store, room, facilitator) -> None:
    other = make_meeting(store, facilitator)
    start(store, other)
    elsewhere = ideas.submit_idea(store, join(store, other, "Cai"), "Et andet sted")
    with pytest.raises(InvalidInput) as raised:
        feedback.send_feedback(
            store, idea_ids=[room["bikes"].id, elsewhere.id], body="Hej", actor=facilitator
        )
    assert raised.value.key == "error.feedback.one_committee"


def test_the_feedback_share_counts_visible_ideas_with_feedback(
    store, meeting, room, facilitator
) -> None:
    assert feedback.feedback_share(store, meeting_id=meeting.id).share == 0
    feedback.send_feedback(store, idea_ids=[room["bikes"].id], body="Ja", actor=facilitator)
    share = feedback.feedback_share(store, meeting_id=meeting.id)
    assert (share.ideas, share.with_feedback) == (3, 1)
    assert share.share == pytest.approx(1 / 3)
    by_committee = feedback.feedback_share(store, committee_id=meeting.committee_id)
    assert (by_committee.ideas, by_committee.with_feedback) == (3, 1)
    store.execute("UPDATE ideas SET hidden = 1 WHERE id = ?", [room["lights"].id])
    assert feedback.feedback_share(store).ideas == 2  # hidden and merged ideas do not count
    assert feedback.feedback_share(store, meeting_id=12345).share is None


def test_status_and_reason_from_a_decision_show_on_my_ideas(store, room, facilitator) -> None:
    idea_status.change_status(
        store, room["bikes"].id, IdeaStatus.SHORTLISTED, reason=None, actor=facilitator
    )
    idea_status.change_status(
        store,
        room["bikes"].id,
        IdeaStatus.REJECTED,
        reason="Pladsen er fredet.",
        actor=facilitator,
    )
    [bikes] = feedback.my_ideas(store, room["bo"].id)
    assert bikes.status is IdeaStatus.REJECTED and bikes.reason == "Pladsen er fredet."
    assert [e.status for e in bikes.history] == [IdeaStatus.SHORTLISTED, IdeaStatus.REJECTED]


def test_the_public_outcome_page_has_a_secret_link_and_no_names(
    store, meeting, room, facilitator
) -> None:
    assert feedback.existing_outcome_token(store, meeting.id) is None
    token = feedback.outcome_token(store, meeting.id)
    assert feedback.outcome_token(store, meeting.id) == token  # stable
    assert feedback.meeting_by_outcome_token(store, token).id == meeting.id
    with pytest.raises(NotFound):
        feedback.meeting_by_outcome_token(store, "guess")
    store.execute("UPDATE ideas SET hidden = 1 WHERE id = ?", [room["lights"].id])
    report = feedback.outcome_report(store, meeting.id)
    assert report.participants == 2
    assert {i.text for i in report.ideas} == {"Bænke ved søen", "Cykelparkering"}
    assert "Anna" not in repr(report.ideas)


def test_the_senders(tmp_path, capsys) -> None:
    message = EmailMessage()
    message["To"] = "a@example.org"
    message.set_content("Hej Åse")
    target = tmp_path / "outbox.txt"
    file_sender = feedback.sender_from_setting(f"file:{target}")
    file_sender.send(message)
    file_sender.send(message)
    assert target.read_text(encoding="utf-8").count("a@example.org") == 2
    feedback.sender_from_setting("console").send(message)
    assert "a@example.org" in capsys.readouterr().out
    plugged = feedback.sender_from_setting("python:tests.test_feedback:Outbox")
    assert isinstance(plugged, Outbox)
    assert isinstance(feedback.configured_sender({}), feedback.FileSender)
    with pytest.raises(ValueError):
        feedback.sender_from_setting("smtp://nowhere")


# Each example joins a new participant, so sharing the store between examples is harmless.
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=80))
def test_any_address_is_stored_only_if_it_looks_like_one(store, meeting, address) -> None:
    person = join(store, meeting, "")
    try:
        feedback.set_contact(store, person, address, consent=True, lang="en")
    except InvalidInput:
        assert feedback.get_contact(store, person.id) is None
    else:
        stored = feedback.get_contact(store, person.id)
        assert stored is not None and "@" in stored.email and " " not in stored.email
