"""The phone's stream window and ballot order (workshop.meetings.stream): properties, any room."""

from __future__ import annotations

import hashlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop.meetings.stream import BALLOT_PAGE, STREAM_LENGTH, StreamWindow, mix
from workshop.model import Idea, IdeaStatus


def idea(idea_id: int, author: int, hidden: bool = False, merged: bool = False) -> Idea:
    return Idea(
        id=idea_id,
        meeting_id=1,
        step_id=1,
        participant_id=author,
        author_name="",
        text=f"idé {idea_id}",
        status=IdeaStatus.SUBMITTED,
        hidden=hidden or merged,
        hide_reason="grund" if hidden or merged else None,
        on_behalf=False,
        seq=idea_id,
        created_at="2026-01-01T00:00:00",
        merged_into_id=1 if merged else None,
    )


ideas = st.lists(
    st.builds(
        idea,
        idea_id=st.integers(1, 10_000),
        author=st.integers(1, 6),
        hidden=st.booleans(),
        merged=st.booleans(),
    ),
    max_size=80,
    unique_by=lambda i: i.id,
)
people = st.integers(1, 6)
seeds = st.one_of(st.integers(0, 10**6), st.text(max_size=8))
sizes = st.integers(1, 20)


@settings(deadline=None)  # a loaded CI machine must not fail a pure property
@given(ideas, people, sizes)
def test_the_stream_never_shows_others_hidden_ideas_nor_more_than_its_length(
    room, me, length
) -> None:
    window = StreamWindow(me, length=length, keep=3 * length)
    shown = window.stream(room)
    aside = {i.id for i in room if i.participant_id == me and i.hidden}
    assert len(shown) <= length + len(aside)
    assert all(not i.hidden or i.participant_id == me for i in shown)
    assert [i.id for i in shown] == sorted(i.id for i in shown)
    visible = sorted(i.id for i in room if not i.hidden or i.participant_id == me)
    assert [i.id for i in shown] == sorted(set(visible[-length:]) | aside)  # the newest ones


@settings(deadline=None)  # a loaded CI machine must not fail a pure property
@given(ideas, people, sizes)
def test_an_author_always_sees_why_their_own_idea_was_set_aside(room, me, length) -> None:
    """However many ideas came after it, the author's own hidden, held or merged idea stays
    in their stream and memory with its reason (it fell out behind the newest twelve)."""
    window = StreamWindow(me, length=length, keep=3 * length)
    aside = {i.id for i in room if i.participant_id == me and i.hidden}
    assert aside <= {i.id for i in window.stream(room)}
    kept = window.remember({}, room)
    assert aside <= set(kept)


@settings(deadline=None)  # a loaded CI machine must not fail a pure property
@given(ideas, ideas, people)
def test_a_phone_keeps_only_the_newest_ideas_and_the_latest_version(old, fresh, me) -> None:
    window = StreamWindow(me)
    kept = window.remember({i.id: i for i in old}, fresh)
    latest = {**{i.id: i for i in old}, **{i.id: i for i in fresh}}
    aside = {i for i, x in latest.items() if x.participant_id == me and x.hidden}
    assert len(kept) <= window.keep + len(aside)
    assert sorted(kept) == sorted(set(sorted(latest)[-window.keep :]) | aside)
    latest = {i.id: i for i in fresh}
    assert all(kept[i] is latest[i] for i in kept if i in latest)


@settings(deadline=None)  # a loaded CI machine must not fail a pure property
@given(ideas, people, seeds, sizes, st.integers(-3, 30))
def test_the_ballot_never_shows_hidden_ideas_nor_more_than_a_page(
    room, me, seed, page_size, page
) -> None:
    window = StreamWindow(me, seed=seed, page_size=page_size)
    order = window.ballot(room)
    assert all(not i.hidden and i.merged_into_id is None for i in order)
    assert sorted(i.id for i in order) == sorted(i.id for i in room if not i.hidden)
    shown = window.page(order, page)
    assert len(shown.ideas) <= page_size
    assert 0 <= shown.page < shown.pages
    pages = [window.page(order, n).ideas for n in range(shown.pages)]
    assert [i for p in pages for i in p] == order  # the pages cover the ballot once


@settings(deadline=None)  # a loaded CI machine must not fail a pure property
@given(ideas, people, seeds)
def test_same_participant_and_seed_give_the_same_order(room, me, seed) -> None:
    first = StreamWindow(me, seed=seed).ballot(room)
    assert StreamWindow(me, seed=seed).ballot(list(reversed(room))) == first


@settings(deadline=None)  # a loaded CI machine must not fail a pure property
@given(ideas, people, seeds, st.data())
def test_a_new_or_hidden_idea_does_not_reshuffle_the_rest(room, me, seed, data) -> None:
    window = StreamWindow(me, seed=seed)
    order = window.ballot(room)
    if not order:
        return
    gone = data.draw(st.sampled_from(order))
    rest = window.ballot([i for i in room if i.id != gone.id])
    assert rest == [i for i in order if i.id != gone.id]


def test_participants_get_different_orders() -> None:
    room = [idea(n, 1) for n in range(1, 41)]
    orders = {tuple(i.id for i in StreamWindow(me, seed=7).ballot(room)) for me in range(1, 11)}
    assert len(orders) == 10
    first_places = {StreamWindow(me, seed=7).ballot(room)[0].id for me in range(1, 11)}
    assert len(first_places) > 1  # nobody's idea is first on every phone


def test_defaults_match_the_phone() -> None:
    window = StreamWindow(1)
    assert (window.length, window.page_size) == (STREAM_LENGTH, BALLOT_PAGE) == (12, 8)


def splitmix64(value: int) -> int:
    """The reference: SplitMix64's finaliser, one Python integer at a time."""
    mask = (1 << 64) - 1
    value = (value + 0x9E3779B97F4A7C15) & mask
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & mask
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & mask
    return value ^ (value >> 31)


def test_the_array_hash_is_splitmix64() -> None:
    # SplitMix64's first output from state 0 (Vigna's reference implementation)
    assert splitmix64(0) == 0xE220A8397B1DCDAF
    values = [0, 1, 2**63, 2**64 - 1, 123456789, 0x9E3779B97F4A7C15]
    assert mix(np.array(values, dtype=np.uint64)).tolist() == [splitmix64(v) for v in values]


@settings(deadline=None)  # a loaded CI machine must not fail a pure property
@given(ideas, people, seeds)
def test_the_ballot_order_is_the_keyed_hash_order(room, me, seed) -> None:
    """Each phone's order is that of the keyed hash, computed on arrays: a phone that had its
    ballot ordered before keeps the same order."""
    key = int.from_bytes(hashlib.blake2b(f"{seed}:{me}".encode(), digest_size=8).digest())
    votable = [i for i in room if not i.hidden and i.merged_into_id is None]
    expected = sorted(votable, key=lambda i: splitmix64(key ^ i.id))
    assert StreamWindow(me, seed=seed).ballot(room) == expected
