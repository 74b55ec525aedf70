"""Results render for every method, and opinion groups appear once computed."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import join, make_meeting, start
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.voting import methods as vote_methods
from workshop.voting.methods import VoteMethod


def results_script(round_id: int, method: str, meeting_id: int) -> None:
    from workshop.meetings import core as meeting_service
    from workshop.meetings import ideas as idea_service
    from workshop.ui.results import show_round_results
    from workshop.ui.session import store

    db = store()
    texts = {i.id: i.text for i in idea_service.list_ideas(db, meeting_id)}
    seq = meeting_service.meeting_state(db, meeting_id).vote_seq
    show_round_results(db, round_id, method, seq, texts, key="test")


CASTS = {
    VoteMethod.STATEMENTS: lambda s, p, r, i: vote_methods.cast_stance(s, p, r, i[0], 1),
    VoteMethod.PAIRWISE: lambda s, p, r, i: vote_methods.cast_pairwise(s, p, r, i[0], i[1], i[0]),
    VoteMethod.TWO_AXIS: lambda s, p, r, i: vote_methods.cast_scores(s, p, r, i[0], 4, 2),
    VoteMethod.RANKED: lambda s, p, r, i: vote_methods.cast_ranking(s, p, r, [i[1], i[0]]),
    VoteMethod.CONSENT: lambda s, p, r, i: vote_methods.cast_consent(s, p, r, "block", "For dyrt"),
}


@pytest.mark.parametrize("method", list(CASTS))
def test_results_render_for_every_method(app_store, method) -> None:
    meeting = make_meeting(app_store)
    start(app_store, meeting)
    voter = join(app_store, meeting, "Anna")
    posted = [ideas.submit_idea(app_store, voter, t).id for t in ("Alfa", "Beta")]
    step = meetings.list_steps(app_store, meeting.id)[1]
    round_id = vote_methods.open_round(app_store, step.id, method, actor=None)
    CASTS[method](app_store, voter, round_id, posted)
    at = AppTest.from_function(
        results_script, args=(round_id, method.value, meeting.id), default_timeout=30
    ).run()
    assert not at.exception, at.exception
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    if method is VoteMethod.CONSENT:
        assert any("For dyrt" in c.value for c in at.caption)


def test_under_the_minimum_the_room_is_told_how_many_more_voters_are_needed(app_store) -> None:
    meeting = make_meeting(app_store)
    start(app_store, meeting)
    voters = [join(app_store, meeting, name) for name in ("Anna", "Bo")]
    posted = [
        ideas.submit_idea(app_store, v, t).id for v, t in zip(voters, ("Alfa", "Beta"), strict=True)
    ]
    step = meetings.list_steps(app_store, meeting.id)[1]
    round_id = vote_methods.open_round(app_store, step.id, VoteMethod.STATEMENTS, actor=None)
    for voter, stance in zip(voters, (1, -1), strict=True):
        for idea in posted:
            vote_methods.cast_stance(app_store, voter, round_id, idea, stance)
    seq = meetings.meeting_state(app_store, meeting.id).vote_seq
    vote_methods.opinion_groups_snapshot(app_store, round_id, seq)  # starts the computation
    vote_methods.groups_worker.wait()
    at = AppTest.from_function(
        results_script, args=(round_id, VoteMethod.STATEMENTS.value, meeting.id), default_timeout=30
    ).run()
    assert not at.exception, at.exception
    shown = [m.value for m in at.markdown]
    assert "**Der mangler 3 deltagere, før der kan dannes meningsgrupper**" in shown, shown
