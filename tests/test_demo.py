"""The demo data shows the whole lifecycle, and all of it is labelled as demo."""

from __future__ import annotations

from workshop import committees, demo, outcomes
from workshop.feedback import core as feedback


def test_demo_walks_a_committee_from_mandate_to_follow_up(store) -> None:
    committee_id = demo.seed_demo(store)
    assert committees.get_state(store, committee_id).phase is committees.Phase.IMPLEMENTATION
    assert [o.id for o in outcomes.list_outcomes(store, committee_id)]
    assert feedback.feedback_share(store, committee_id=committee_id).share > 0


def test_everything_the_demo_makes_is_marked_as_demo(store) -> None:
    demo.seed_demo(store)
    assert all(c.is_demo and c.title.startswith("DEMO") for c in committees.list_committees(store))
    assert store.scalar("SELECT COUNT(*) FROM meetings WHERE is_demo = 0") == 0
    assert store.scalar("SELECT active FROM users WHERE username = 'samskab-demo'") == 0
