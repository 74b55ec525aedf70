"""What a step change costs each phone: the body of the page, not the whole page.

* the step component (what push calls at a new step) and the view of the step are drawn in
  one fragment, and the header (the language box, the links) outside it: a step change runs
  that fragment, not the router and the header (``benchmarks/page_cost.py``: 5.4 ms of server
  CPU a phone instead of 8.8);
* the meeting's numbers are read once per run, not once by the body and again by each
  fragment in it.

Every test runs on both engines (``app_store``).
"""

from __future__ import annotations

from workshop.meetings import core as meetings
from workshop.model import StepKind
from workshop.ui import dot_ballot, push, rejoin


def test_a_step_change_runs_the_body_fragment_not_the_header(world, make_app, sent) -> None:
    store, meeting = world["store"], world["meeting"]
    meetings.next_step(store, meeting.id, actor=None)
    assert meetings.current_step(store, meeting.id).kind is StepKind.DOT_VOTE
    phone = make_app(query={"p": world["anna"].token}).run()
    assert not phone.exception, phone.exception
    deltas = [m.delta for m in sent if m.HasField("delta")]
    # Each component by its widget key (a run of the whole page, when the body's cannot be had,
    # is asked for by the page's rejoin component).
    components = {
        d.new_element.bidi_component.id.rsplit("-", 1)[-1]: d.fragment_id
        for d in deltas
        if d.new_element.HasField("bidi_component")
    }
    step, ballot = components[push.STEP_KEY], components[dot_ballot.KEY]
    assert components[rejoin.KEY] == ""  # the page-level asker: outside every fragment
    assert step, "the step component is drawn outside any fragment: a step runs the page"
    headings = [d.fragment_id for d in deltas if d.new_element.HasField("heading")]
    assert headings == [step]  # the step's title is drawn by the fragment a step change runs
    assert ballot != step  # the ballot, a fragment of its own (a tap's rerun), inside it
    title = [d.fragment_id for d in deltas if meeting.title in d.new_element.markdown.body]
    assert title == [""]  # the header (the meeting's title, the language): not in the body


def test_the_meetings_numbers_are_read_once_a_run(world, make_app, monkeypatch) -> None:
    store, meeting = world["store"], world["meeting"]
    meetings.next_step(store, meeting.id, actor=None)  # the dot vote: a watch and a ballot
    reads: list[int] = []
    real = meetings.meeting_state

    def counted(*args, **kwargs):
        reads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(meetings, "meeting_state", counted)
    phone = make_app(query={"p": world["anna"].token}).run()
    assert not phone.exception, phone.exception
    assert len(reads) == 1, len(reads)  # the page, the watch and the ballot each read it
