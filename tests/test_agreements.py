"""Agreements: templates with the ten points, versions and their difference, acknowledgement
of the current material version, commitments and the overdue list."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import join, start
from workshop.agreements import core as agreements
from workshop.agreements.core import ParticipationLevel, Party, Template
from workshop.agreements.diff import diff_fields
from workshop.errors import InvalidInput, NotAllowed
from workshop.i18n import LANGUAGES, formats, translate
from workshop.meetings import ideas

TODAY = date(2026, 3, 1)


@pytest.fixture
def agreement(store, meeting, facilitator):
    made = agreements.create_agreement(
        store, Template.DIALOGUE_SESSION, lang="da", meeting_id=meeting.id, actor=facilitator
    )
    agreements.publish_agreement(store, made.id, actor=facilitator)
    return made


@pytest.mark.parametrize("template", list(Template))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_fills_the_ten_points_in_every_language(
    store, meeting, facilitator, template, lang
) -> None:
    made = agreements.create_agreement(
        store,
        template,
        lang=lang,
        committee_id=meeting.committee_id,
        actor=facilitator,
        today=TODAY,
    )
    version = made.current
    assert version.version == 1 and version.material
    for name in agreements.TEXT_FIELDS:
        assert version.texts[name] == translate(lang, f"agreement.template.{template}.{name}")
        assert version.texts[name].strip()
    assert version.participation_level in ParticipationLevel
    assert date.fromisoformat(version.feedback_due_on) > TODAY
    commitments = agreements.list_commitments(store, made.id)
    assert commitments and all(c.owner and c.due_on > TODAY.isoformat() for c in commitments)
    assert len(version.commitments) == len(commitments)  # the version lists them


def test_an_agreement_belongs_to_a_committee_or_a_meeting_not_both(
    store, meeting, facilitator
) -> None:
    with pytest.raises(InvalidInput):
        agreements.create_agreement(
            store,
            Template.COMMITTEE,
            lang="en",
            committee_id=meeting.committee_id,
            meeting_id=meeting.id,
            actor=facilitator,
        )
    with pytest.raises(sqlite3.IntegrityError):
        store.execute(
            "INSERT INTO agreements (template, created_at) VALUES ('committee', '2026-01-01')"
        )


def test_a_change_makes_a_new_version_and_the_difference_is_visible(
    store, agreement, facilitator
) -> None:
    saved = agreements.save_version(
        store,
        agreement.id,
        {"fixed": "Budgettet på 2 mio. kr.", "participation_level": "involve"},
        material=True,
        change_note="Budget tilføjet",
        actor=facilitator,
    )
    assert saved.version == 2 and saved.change_note == "Budget tilføjet"
    versions = agreements.list_versions(store, agreement.id)
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].texts["fixed"] == agreement.current.texts["fixed"]  # v1 untouched
    changes = {c.field: c for c in agreements.diff_versions(store, agreement.id, 1, 2)}
    assert set(changes) == {"fixed", "participation_level"}
    assert changes["fixed"].added == ("Budgettet på 2 mio. kr.",)
    assert changes["fixed"].removed == (agreement.current.texts["fixed"],)
    assert changes["participation_level"].before == "consult"


def test_versions_can_never_be_changed_or_deleted(store, agreement) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store.execute(
            "UPDATE agreement_versions SET title = 'x' WHERE agreement_id = ?", [agreement.id]
        )
    with pytest.raises(sqlite3.IntegrityError):
        store.execute("DELETE FROM agreement_versions WHERE agreement_id = ?", [agreement.id])


def test_saving_nothing_new_is_refused_and_bad_input_keeps_the_text(
    store, agreement, facilitator
) -> None:
    with pytest.raises(InvalidInput) as nothing:
        agreements.save_version(
            store,
            agreement.id,
            {"purpose": agreement.current.texts["purpose"]},
            material=True,
            actor=facilitator,
        )
    assert nothing.value.key == "error.agreement.nothing_changed"
    with pytest.raises(InvalidInput) as empty:
        agreements.save_version(
            store, agreement.id, {"summary": "  "}, material=True, actor=facilitator
        )
    assert empty.value.key == "error.agreement.field_required"
    with pytest.raises(InvalidInput) as bad_date:
        agreements.save_version(
            store, agreement.id, {"feedback_due_on": "31/02"}, material=True, actor=facilitator
        )
    assert bad_date.value.key == "error.agreement.bad_date"
    assert [v.version for v in agreements.list_versions(store, agreement.id)] == [1]


def test_a_participant_acknowledges_the_current_version_once(store, meeting, agreement) -> None:
    anna = join(store, meeting, "Anna")
    pending = agreements.pending_agreement(store, anna)
    assert pending is not None and pending.version.version == 1
    assert pending.acknowledged_version is None
    agreements.acknowledge_agreement(store, anna, pending.version.id)
    agreements.acknowledge_agreement(store, anna, pending.version.id)  # a double tap
    assert agreements.pending_agreement(store, anna) is None
    [row] = agreements.list_acknowledgements(store, agreement.id)
    assert (row.name, row.version, row.up_to_date) == ("Anna", 1, True)


def test_only_a_material_change_asks_for_acknowledgement_again(
    store, meeting, agreement, facilitator
) -> None:
    anna = join(store, meeting, "Anna")
    agreements.acknowledge_agreement(store, anna, agreement.current.id)
    agreements.save_version(
        store,
        agreement.id,
        {"title": "Aftale for aftenens møde"},
        material=False,
        actor=facilitator,
    )
    assert agreements.pending_agreement(store, anna) is None  # a wording fix
    agreements.save_version(
        store, agreement.id, {"fixed": "Skolen lukker ikke."}, material=True, actor=facilitator
    )
    pending = agreements.pending_agreement(store, anna)
    assert pending is not None
    assert (pending.version.version, pending.acknowledged_version) == (3, 1)
    assert {c.field for c in pending.changes} == {"title", "fixed"}
    [row] = agreements.list_acknowledgements(store, agreement.id)
    assert (row.version, row.up_to_date) == (1, False)
    agreements.acknowledge_agreement(store, anna, pending.version.id)
    [row] = agreements.list_acknowledgements(store, agreement.id)
    assert (row.version, row.up_to_date) == (3, True)


def test_acknowledging_an_outdated_version_is_refused_with_a_clear_message(
    store, meeting, agreement, facilitator
) -> None:
    anna = join(store, meeting, "Anna")
    read = agreements.pending_agreement(store, anna).version  # what her phone shows
    agreements.save_version(
        store, agreement.id, {"timeline": "Ny plan"}, material=True, actor=facilitator
    )
    with pytest.raises(InvalidInput) as raised:
        agreements.acknowledge_agreement(store, anna, read.id)
    assert raised.value.key == "error.agreement.outdated_version"
    assert agreements.list_acknowledgements(store, agreement.id)[0].version is None
    # The database refuses it too, whoever calls.
    with pytest.raises(sqlite3.IntegrityError):
        store.execute(
            "INSERT INTO acknowledgements (agreement_id, version_id, participant_id,"
            " acknowledged_at) VALUES (?, ?, ?, '2026-01-01')",
            [agreement.id, read.id, anna.id],
        )


def test_drafts_are_not_shown_and_other_meetings_cannot_acknowledge(
    store, meeting, facilitator
) -> None:
    from tests.factories import make_meeting

    draft = agreements.create_agreement(
        store, Template.DIALOGUE_SESSION, lang="en", meeting_id=meeting.id, actor=facilitator
    )
    anna = join(store, meeting, "Anna")
    assert agreements.pending_agreement(store, anna) is None
    with pytest.raises(NotAllowed):
        agreements.acknowledge_agreement(store, anna, draft.current.id)
    other = make_meeting(store, facilitator)
    agreements.publish_agreement(store, draft.id, actor=facilitator)
    bo = join(store, other, "Bo")
    assert agreements.pending_agreement(store, bo) is None
    with pytest.raises(NotAllowed):
        agreements.acknowledge_agreement(store, bo, draft.current.id)


def test_a_committee_agreement_applies_to_all_its_meetings(store, meeting, facilitator) -> None:
    from workshop.meetings import core as meetings

    made = agreements.create_agreement(
        store, Template.COMMITTEE, lang="nb", committee_id=meeting.committee_id, actor=facilitator
    )
    agreements.publish_agreement(store, made.id, actor=facilitator)
    second = meetings.create_meeting(store, meeting.committee_id, "Møte 2", actor=facilitator)
    for m in (meeting, second):
        person = join(store, m, f"P{m.id}")
        assert agreements.pending_agreement(store, person).agreement.id == made.id
    assert len(agreements.list_acknowledgements(store, made.id)) == 2


def test_commitments_close_with_evidence_where_required(store, agreement, facilitator) -> None:
    needs, *_ = [c for c in agreements.list_commitments(store, agreement.id) if c.evidence_required]
    with pytest.raises(InvalidInput) as raised:
        agreements.close_commitment(store, needs.id, evidence="  ", actor=facilitator)
    assert raised.value.key == "error.commitment.evidence_required"
    assert agreements.list_commitments(store, agreement.id)[0].done_at is None
    agreements.close_commitment(
        store, needs.id, evidence="https://kommune.dk/referat", actor=facilitator
    )
    closed = next(c for c in agreements.list_commitments(store, agreement.id) if c.id == needs.id)
    assert closed.done_at and closed.evidence == "https://kommune.dk/referat"
    with pytest.raises(NotAllowed):
        agreements.close_commitment(store, needs.id, evidence="again", actor=facilitator)
    with pytest.raises(sqlite3.IntegrityError):  # the rule holds in the database too
        store.execute(
            "UPDATE commitments SET done_at = '2026-01-01', evidence = '' WHERE id = ?",
            [
                next(
                    c.id
                    for c in agreements.list_commitments(store, agreement.id)
                    if c.done_at is None
                )
            ],
        )


def test_adding_a_commitment_makes_a_version_listing_it(store, agreement, facilitator) -> None:
    made = agreements.add_commitment(
        store,
        agreement.id,
        party=Party.POLITICIANS,
        description="Svare skriftligt på anbefalingerne",
        owner="Udvalgsformanden",
        due_on=date(2026, 6, 1),
        evidence_required=True,
        actor=facilitator,
    )
    current = agreements.get_agreement(store, agreement.id)
    assert current.current.version == 2 and not current.current.material
    assert made.description in [c["description"] for c in current.current.commitments]
    [change] = agreements.diff_versions(store, agreement.id, 1, 2)
    assert change.field == "commitments" and "Udvalgsformanden" in change.added[0]
    with pytest.raises(InvalidInput) as raised:
        agreements.add_commitment(
            store,
            agreement.id,
            party="politicians",
            description="x",
            owner=" ",
            due_on="",
            evidence_required=False,
            actor=facilitator,
        )
    assert raised.value.key == "error.commitment.fields_required"


def test_overdue_lists_late_commitments_and_a_broken_feedback_promise(
    store, meeting, agreement, facilitator
) -> None:
    from workshop.feedback import core as feedback

    start(store, meeting)
    idea = ideas.submit_idea(store, join(store, meeting, "Anna"), "Bænke ved søen")
    due = date.fromisoformat(agreement.current.feedback_due_on)
    assert agreements.list_overdue(store, formats.today()) == []
    late = agreements.list_overdue(store, due + timedelta(days=3))
    kinds = {i.kind for i in late}
    assert kinds == {"commitment", "feedback"}
    promise = next(i for i in late if i.kind == "feedback")
    assert (promise.days_over, promise.ideas_without_feedback) == (3, 1)
    # Feedback on every idea keeps the promise; closing the commitments empties the list.
    feedback.send_feedback(store, idea_ids=[idea.id], body="Tak!", actor=facilitator)
    for c in agreements.list_commitments(store, agreement.id):
        agreements.close_commitment(store, c.id, evidence="referat", actor=facilitator)
    assert agreements.list_overdue(store, due + timedelta(days=3)) == []
    other_committee = agreements.list_overdue(store, due + timedelta(days=3), committee_id=999)
    assert other_committee == []


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(max_size=30), max_size=5),
    st.lists(st.text(max_size=30), max_size=5),
)
def test_the_difference_holds_exactly_the_lines_that_changed(old, new) -> None:
    before, after = {"f": "\n".join(old)}, {"f": "\n".join(new)}
    changes = diff_fields(before, after, ["f"])
    if before["f"] == after["f"]:
        assert changes == []
        return
    [change] = changes
    old_lines, new_lines = before["f"].splitlines(), after["f"].splitlines()
    assert all(line in old_lines for line in change.removed)
    assert all(line in new_lines for line in change.added)
    assert len(change.removed) >= len(set(old_lines) - set(new_lines))
    assert len(change.added) >= len(set(new_lines) - set(old_lines))
