"""Tallies: known cases from the literature plus properties over generated votes."""

from __future__ import annotations

import json
import random
import re
import string
from itertools import permutations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop.errors import InvalidInput
from workshop.voting.tallies import (
    AxisScore,
    ConsentResponse,
    ConsentVote,
    DotVote,
    PairwiseVote,
    Quadrant,
    RankedMethod,
    Stance,
    StatementVote,
    check_consent,
    choose_next_pair,
    quadrant_for,
    tally_bradley_terry,
    tally_dots,
    tally_pairwise,
    tally_ranked,
    tally_statements,
    tally_two_axis,
    validate_consent_vote,
    validate_dot_allocation,
    validate_ranking,
)

WORKSHOP = Path(__file__).resolve().parents[1] / "workshop"
LANGUAGES = ("en", "da", "nb")


# --- dot voting ---------------------------------------------------------------------------

dot_votes = st.lists(
    st.builds(
        DotVote,
        participant_id=st.integers(0, 5),
        idea_id=st.sampled_from(["a", "b", "c", "d", "e"]),
        dots=st.integers(0, 4),
    ),
    max_size=40,
)


@given(dot_votes)
@settings(max_examples=100)
def test_dot_totals_add_up_to_the_dots_cast(votes: list[DotVote]) -> None:
    result = tally_dots(votes)
    assert result.dots_cast == sum(vote.dots for vote in votes)
    assert sum(line.dots for line in result.ideas) == result.dots_cast
    for idea in {vote.idea_id for vote in votes}:
        assert result.dots_for(idea) == sum(v.dots for v in votes if v.idea_id == idea)
    totals = [line.dots for line in result.ideas]
    assert totals == sorted(totals, reverse=True)
    assert result.participants == len({v.participant_id for v in votes if v.dots})


def test_dot_tally_lists_every_idea_and_shares_ranks_on_ties() -> None:
    votes = [DotVote("ann", 2, 2), DotVote("bo", 3, 2), DotVote("bo", 1, 1), DotVote("cy", 2, 1)]
    result = tally_dots(votes, idea_ids=[1, 2, 3, 4])
    assert [(line.idea_id, line.dots, line.voters, line.rank) for line in result.ideas] == [
        (2, 3, 2, 1),
        (3, 2, 1, 2),
        (1, 1, 1, 3),
        (4, 0, 0, 4),
    ]
    tied = tally_dots([DotVote("ann", 9), DotVote("bo", 5)], idea_ids=[5, 9])
    assert [(line.idea_id, line.rank) for line in tied.ideas] == [(5, 1), (9, 1)]


def test_dot_tally_rejects_unknown_ideas_and_negative_dots() -> None:
    with pytest.raises(InvalidInput) as error:
        tally_dots([DotVote("ann", 7)], idea_ids=[1, 2])
    assert error.value.key == "error.vote.unknown_idea"
    with pytest.raises(InvalidInput) as error:
        tally_dots([DotVote("ann", 1, -1)])
    assert error.value.key == "error.vote.negative_dots"


@given(
    allocation=st.dictionaries(st.integers(1, 6), st.integers(0, 5), max_size=6),
    budget=st.integers(1, 8),
    cap=st.one_of(st.none(), st.integers(1, 4)),
)
@settings(max_examples=100)
def test_dot_allocation_is_rejected_exactly_when_it_breaks_a_rule(
    allocation: dict[int, int], budget: int, cap: int | None
) -> None:
    over_cap = cap is not None and any(dots > cap for dots in allocation.values())
    over_budget = sum(allocation.values()) > budget
    if over_cap or over_budget:
        with pytest.raises(InvalidInput) as error:
            validate_dot_allocation(allocation, dots_per_participant=budget, max_per_idea=cap)
        expected = "error.vote.too_many_dots_on_idea" if over_cap else "error.vote.too_many_dots"
        assert error.value.key == expected
    else:
        validate_dot_allocation(allocation, dots_per_participant=budget, max_per_idea=cap)


def test_dot_allocation_errors_carry_their_parameters() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_dot_allocation({1: 2, 2: 3}, dots_per_participant=4)
    assert error.value.params == {"used": 5, "allowed": 4}
    with pytest.raises(InvalidInput) as error:
        validate_dot_allocation({1: 3}, dots_per_participant=5, max_per_idea=2)
    assert error.value.params == {"dots": 3, "cap": 2}
    with pytest.raises(InvalidInput) as error:
        validate_dot_allocation({9: 1}, dots_per_participant=5, idea_ids={1, 2})
    assert error.value.key == "error.vote.unknown_idea"
    with pytest.raises(InvalidInput) as error:
        validate_dot_allocation({1: -1}, dots_per_participant=5)
    assert error.value.key == "error.vote.negative_dots"
    with pytest.raises(InvalidInput) as error:
        validate_dot_allocation({}, dots_per_participant=0)
    assert error.value.key == "error.vote.dot_budget_invalid"


# --- agree / disagree / pass ----------------------------------------------------------------


def test_statement_tally_counts_shares_and_changed_votes() -> None:
    votes = [
        StatementVote("ann", "s1", Stance.AGREE),
        StatementVote("bo", "s1", Stance.DISAGREE),
        StatementVote("cy", "s1", Stance.PASS),
        StatementVote("dan", "s1", 1),
        StatementVote("ann", "s2", Stance.DISAGREE),
        StatementVote("ann", "s2", Stance.AGREE),  # changed her mind: this one counts
    ]
    s1, s2, s3 = tally_statements(votes, statement_ids=["s1", "s2", "s3"])
    assert (s1.agree, s1.disagree, s1.passed, s1.seen) == (2, 1, 1, 4)
    assert (s1.agree_share, s1.disagree_share, s1.pass_share) == (0.5, 0.25, 0.25)
    assert (s2.agree, s2.disagree, s2.seen) == (1, 0, 1)
    assert (s3.seen, s3.agree_share) == (0, 0.0)


def test_statement_tally_rejects_other_values() -> None:
    with pytest.raises(InvalidInput) as error:
        tally_statements([StatementVote("ann", "s1", 2)])
    assert error.value.key == "error.vote.invalid_stance"


# --- pairwise -------------------------------------------------------------------------------

pairwise_votes = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 5), st.sampled_from(["left", "right", "none"]))
    .filter(lambda t: t[0] != t[1])
    .map(lambda t: PairwiseVote(t[0], t[1], {"left": t[0], "right": t[1], "none": None}[t[2]])),
    max_size=60,
)


@given(pairwise_votes)
@settings(max_examples=75, deadline=None)
def test_pairwise_scores_lie_between_0_and_100(votes: list[PairwiseVote]) -> None:
    ideas = list(range(7))  # idea 6 never appears: it must score 50 in AOI
    for scores in (tally_pairwise(votes, ideas), tally_bradley_terry(votes, ideas)):
        assert {line.idea_id for line in scores} == set(ideas)
        assert all(0 <= line.score <= 100 for line in scores)
        assert [line.score for line in scores] == sorted(
            (line.score for line in scores), reverse=True
        )
    assert next(s for s in tally_pairwise(votes, ideas) if s.idea_id == 6).score == 50


def test_aoi_score_is_the_smoothed_win_rate() -> None:
    votes = [PairwiseVote("a", "b", "a")] * 3 + [
        PairwiseVote("b", "a", "b"),
        PairwiseVote("a", "c", None),
    ]
    scores = {line.idea_id: line for line in tally_pairwise(votes, ["a", "b", "c"])}
    assert scores["a"].score == pytest.approx((3 + 1) / (3 + 1 + 2) * 100)
    assert scores["b"].score == pytest.approx((1 + 1) / (1 + 3 + 2) * 100)
    assert scores["c"].score == 50  # only "can't decide": no evidence
    assert (scores["a"].wins, scores["a"].losses, scores["a"].cant_decide) == (3, 1, 1)


def test_bradley_terry_keeps_undefeated_ideas_finite_and_orders_a_chain() -> None:
    # a beats b beats c beats d, many times; a is undefeated.
    votes = [PairwiseVote(x, y, x) for x, y in ("ab", "bc", "cd") for _ in range(20)]
    scores = tally_bradley_terry(votes, list("abcd"))
    assert [line.idea_id for line in scores] == list("abcd")
    assert 50 < scores[0].score < 100
    assert 0 < scores[-1].score < 50
    # Beating a strong idea counts for more than beating a weak one, unlike the AOI score.
    votes = [PairwiseVote("x", "a", "x"), PairwiseVote("y", "d", "y"), *votes]
    bt = {line.idea_id: line.score for line in tally_bradley_terry(votes, list("abcdxy"))}
    aoi = {line.idea_id: line.score for line in tally_pairwise(votes, list("abcdxy"))}
    assert aoi["x"] == aoi["y"]
    assert bt["x"] > bt["y"]


def test_pairwise_ignores_votes_on_withdrawn_ideas_and_rejects_malformed_votes() -> None:
    votes = [PairwiseVote("a", "gone", "gone"), PairwiseVote("a", "b", "a")]
    scores = {line.idea_id: line for line in tally_pairwise(votes, ["a", "b"])}
    assert (scores["a"].wins, scores["a"].losses) == (1, 0)
    for bad in (PairwiseVote("a", "a", "a"), PairwiseVote("a", "b", "c")):
        with pytest.raises(InvalidInput) as error:
            tally_pairwise([bad], ["a", "b", "c"])
        assert error.value.key == "error.vote.pair_invalid"


def test_next_pair_prefers_unseen_and_rarely_compared_pairs() -> None:
    ideas = [1, 2, 3]
    votes = [PairwiseVote(1, 2, 1), PairwiseVote(1, 3, None), PairwiseVote(2, 1, 2)]
    for seed in range(20):
        assert set(choose_next_pair(ideas, votes, random.Random(seed)) or ()) == {2, 3}
    # This participant has already judged (2, 3): they get the next least-compared pair.
    mine = [PairwiseVote(3, 2, None)]
    for seed in range(20):
        pair = choose_next_pair(ideas, votes, random.Random(seed), seen_by_participant=mine)
        assert set(pair or ()) == {1, 3}
    assert choose_next_pair([1], [], random.Random(0)) is None


def test_next_pair_is_deterministic_and_varies_sides() -> None:
    ideas = list(range(10))
    first = [choose_next_pair(ideas, [], random.Random(seed)) for seed in range(30)]
    again = [choose_next_pair(list(reversed(ideas)), [], random.Random(s)) for s in range(30)]
    assert first == again
    assert len(set(first)) > 10
    lefts_first = [pair is not None and int(pair[0]) < int(pair[1]) for pair in first]
    assert any(lefts_first) and not all(lefts_first)


# --- two-axis scoring -----------------------------------------------------------------------


def test_two_axis_means_and_quadrants() -> None:
    scores = [
        AxisScore("ann", "bench", 5, 5),
        AxisScore("bo", "bench", 3, 4),
        AxisScore("ann", "tram", 5, 1),
        AxisScore("ann", "flowers", 1, 5),
        AxisScore("ann", "survey", 2, 2),
        AxisScore("bo", "survey", 1, 2),
        AxisScore("bo", "survey", 2, 1),  # bo changed his mind: this one counts
    ]
    positions = tally_two_axis(scores, ["bench", "tram", "flowers", "survey", "new"])
    by_idea = {p.idea_id: p for p in positions}
    assert (by_idea["bench"].n, by_idea["bench"].impact, by_idea["bench"].feasibility) == (
        2,
        4.0,
        4.5,
    )
    assert by_idea["bench"].quadrant is Quadrant.QUICK_WIN
    assert by_idea["tram"].quadrant is Quadrant.MAJOR_PROJECT
    assert by_idea["flowers"].quadrant is Quadrant.FILL_IN
    assert by_idea["survey"].quadrant is Quadrant.THANKLESS
    assert by_idea["survey"].impact == 2.0 and by_idea["survey"].feasibility == 1.5
    assert (by_idea["new"].n, by_idea["new"].quadrant) == (0, None)
    assert quadrant_for(3, 3, midpoint=3) is Quadrant.QUICK_WIN


def test_two_axis_rejects_scores_off_the_scale() -> None:
    with pytest.raises(InvalidInput) as error:
        tally_two_axis([AxisScore("ann", "x", 6, 3)])
    assert error.value.key == "error.vote.score_out_of_range"
    assert error.value.params == {"value": 6, "low": 1, "high": 5}
    with pytest.raises(InvalidInput) as error:
        tally_two_axis([], low=5, high=1)
    assert error.value.key == "error.vote.scale_invalid"


# --- ranked choice --------------------------------------------------------------------------

WIKIPEDIA_SCHULZE = (  # en.wikipedia.org/wiki/Schulze_method, the 45-voter example
    [list("ACBED")] * 5
    + [list("ADECB")] * 5
    + [list("BEDAC")] * 8
    + [list("CABED")] * 3
    + [list("CAEBD")] * 7
    + [list("CBADE")] * 2
    + [list("DCEBA")] * 7
    + [list("EBADC")] * 8
)

# The "Tennessee capital" example (Wikipedia, Condorcet / instant-runoff articles): 100 voters
# in Memphis, Nashville, Chattanooga and Knoxville. Nashville is the Condorcet winner,
# instant-runoff elects Knoxville.
TENNESSEE = (
    [["M", "N", "C", "K"]] * 42
    + [["N", "C", "K", "M"]] * 26
    + [["C", "K", "N", "M"]] * 15
    + [["K", "C", "N", "M"]] * 17
)


def test_schulze_wikipedia_example() -> None:
    result = tally_ranked(WIKIPEDIA_SCHULZE, list("ABCDE"))
    assert result.method is RankedMethod.SCHULZE
    assert result.winner == "E"
    assert result.ranking == tuple("EACBD")
    assert result.ballots == 45
    # d[A, B] = 20 and d[B, A] = 25 in the article's pairwise table.
    assert (result.pairwise[0][1], result.pairwise[1][0]) == (20, 25)
    # The article's table of strongest paths, row by row (A..E).
    assert result.strongest_paths == (
        (0, 28, 28, 30, 24),
        (25, 0, 28, 33, 24),
        (25, 29, 0, 29, 24),
        (25, 28, 28, 0, 24),
        (25, 28, 28, 31, 0),
    )


def test_tennessee_schulze_elects_the_condorcet_winner_and_irv_does_not() -> None:
    schulze = tally_ranked(TENNESSEE, list("MNCK"))
    assert schulze.ranking == tuple("NCKM")
    irv = tally_ranked(TENNESSEE, list("MNCK"), method="instant_runoff")
    assert irv.winner == "K"
    assert irv.ranking == tuple("KMNC")
    assert [r.eliminated for r in irv.rounds] == ["C", "N", "M", None]
    assert irv.rounds[0].counts == (("M", 42), ("N", 26), ("C", 15), ("K", 17))
    assert irv.rounds[1].counts == (("M", 42), ("N", 26), ("K", 32))
    assert irv.rounds[2].counts == (("M", 42), ("K", 58))
    assert irv.rounds[2].majority == "K"
    assert not any(r.tie_broken for r in irv.rounds)


def test_irv_counts_exhausted_ballots_and_breaks_a_lasting_tie_by_candidate_order() -> None:
    # Round 1: a 3, b 2, c 2, d 1 → d out; its ballot ranks nobody else, so it is exhausted.
    # Round 2: b and c tie on 2 and tied in round 1 too: the later candidate, c, goes.
    # Round 3: c's ballots move to b: a 3, b 4 → a out, b wins with a majority.
    ballots = [["a"]] * 3 + [["b", "a"]] * 2 + [["c", "b"]] * 2 + [["d"]]
    result = tally_ranked(ballots, ["a", "b", "c", "d"], RankedMethod.INSTANT_RUNOFF)
    assert [r.eliminated for r in result.rounds] == ["d", "c", "a", None]
    assert result.rounds[1].exhausted == 1 and result.rounds[1].tie_broken
    assert result.rounds[2].majority == "b"
    assert result.ranking == ("b", "a", "c", "d")


def test_irv_backward_tie_break_uses_the_earlier_round() -> None:
    # Round 1: p 5, q 4, r 1, s 3 → r out, its ballot goes to s.
    # Round 2: p 5, q 4, s 4: q and s tie; in round 1 s had fewer, so s is eliminated.
    ballots = [["p"]] * 5 + [["q"]] * 4 + [["s"]] * 3 + [["r", "s"]]
    result = tally_ranked(ballots, ["p", "q", "r", "s"], RankedMethod.INSTANT_RUNOFF)
    first, second = result.rounds[0], result.rounds[1]
    assert first.eliminated == "r" and not first.tie_broken
    assert dict(second.counts) == {"p": 5, "q": 4, "s": 4}
    assert second.tie_broken and second.eliminated == "s"


def test_schulze_reports_genuine_ties_as_one_tier_and_breaks_them_by_candidate_order() -> None:
    result = tally_ranked([["a", "b"], ["b", "a"]], ["b", "a", "c"])
    assert result.tiers == (("b", "a"), ("c",))
    assert result.ranking == ("b", "a", "c")
    assert tally_ranked([], ["x", "y"]).winner is None


def _condorcet_winner(ballots: list[list[str]], candidates: list[str]) -> str | None:
    """Independent of the module: the candidate who beats every other head to head."""

    def prefers(ballot: list[str], x: str, y: str) -> bool:
        if x not in ballot:
            return False
        return y not in ballot or ballot.index(x) < ballot.index(y)

    for x in candidates:
        if all(
            sum(prefers(b, x, y) for b in ballots) > sum(prefers(b, y, x) for b in ballots)
            for y in candidates
            if y != x
        ):
            return x
    return None


@st.composite
def ballots_and_candidates(draw: st.DrawFn) -> tuple[list[list[str]], list[str]]:
    candidates = list(string.ascii_uppercase[: draw(st.integers(2, 5))])
    orders = st.permutations(candidates).flatmap(
        lambda order: st.integers(1, len(order)).map(lambda n: list(order[:n]))
    )
    return draw(st.lists(orders, min_size=1, max_size=25)), candidates


@given(ballots_and_candidates())
@settings(max_examples=200, deadline=None)
def test_schulze_elects_the_condorcet_winner_whenever_one_exists(
    case: tuple[list[list[str]], list[str]],
) -> None:
    ballots, candidates = case
    result = tally_ranked(ballots, candidates)
    assert sorted(result.ranking) == sorted(candidates)
    winner = _condorcet_winner(ballots, candidates)
    if winner is not None:
        assert result.winner == winner
        assert result.tiers[0] == (winner,)


@given(ballots_and_candidates())
@settings(max_examples=100, deadline=None)
def test_irv_ranks_everyone_and_a_first_round_majority_wins(
    case: tuple[list[list[str]], list[str]],
) -> None:
    ballots, candidates = case
    result = tally_ranked(ballots, candidates, RankedMethod.INSTANT_RUNOFF)
    assert sorted(result.ranking) == sorted(candidates)
    assert len(result.rounds) == len(candidates)
    firsts = [ballot[0] for ballot in ballots]
    for candidate in candidates:
        if 2 * firsts.count(candidate) > len(ballots):
            assert result.winner == candidate
    for round_ in result.rounds:
        assert sum(count for _, count in round_.counts) + round_.exhausted == len(ballots)


def test_validate_ranking_rejects_duplicates_unknown_and_empty() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_ranking(["a", "b", "a"], {"a", "b", "c"})
    assert error.value.key == "error.vote.ranking_duplicates"
    assert error.value.params == {"count": 1, "ids": ["a"]}
    with pytest.raises(InvalidInput) as error:
        validate_ranking(["a", "z"], {"a", "b"})
    assert error.value.key == "error.vote.ranking_unknown"
    with pytest.raises(InvalidInput) as error:
        validate_ranking([], {"a"})
    assert error.value.key == "error.vote.ranking_empty"
    with pytest.raises(InvalidInput) as error:
        validate_ranking(["a"], {"a", "b"}, complete=True)
    assert error.value.key == "error.vote.ranking_incomplete"
    validate_ranking(["b", "a"], {"a", "b"}, complete=True)


@given(st.lists(st.sampled_from("abcd"), min_size=1, max_size=6))
@settings(max_examples=50)
def test_ranking_with_duplicates_always_raises(ranking: list[str]) -> None:
    if len(set(ranking)) < len(ranking):
        with pytest.raises(InvalidInput) as error:
            tally_ranked([ranking], list("abcd"))
        assert error.value.key == "error.vote.ranking_duplicates"
    else:
        tally_ranked([ranking], list("abcd"))


def test_all_orders_of_three_give_a_full_ranking() -> None:
    for order in permutations("xyz"):
        assert tally_ranked([list(order)], list("xyz")).ranking == order


# --- consent --------------------------------------------------------------------------------

consent_votes = st.lists(
    st.builds(
        ConsentVote,
        participant_id=st.integers(0, 6),
        response=st.sampled_from(list(ConsentResponse)),
        reason=st.sampled_from(["", "too expensive", "unclear who pays"]),
    ).filter(lambda v: v.response is not ConsentResponse.BLOCK or v.reason),
    max_size=12,
)


@given(consent_votes)
@settings(max_examples=100)
def test_consent_passes_exactly_when_nobody_blocks(votes: list[ConsentVote]) -> None:
    result = check_consent(votes)
    latest = {vote.participant_id: vote for vote in votes}
    blocked = any(vote.response is ConsentResponse.BLOCK for vote in latest.values())
    assert result.passed is not blocked
    assert result.responses == len(latest)
    assert all(vote.reason for vote in result.blocks)


def test_consent_keeps_reasons_and_counts() -> None:
    result = check_consent(
        [
            ConsentVote("ann", "agree"),
            ConsentVote("bo", ConsentResponse.CONCERNS, "  budget is tight "),
            ConsentVote("cy", "abstain"),
            ConsentVote("dan", "block", "breaks the bylaws"),
            ConsentVote("dan", "concerns"),  # dan withdrew his block
        ]
    )
    assert result.passed
    assert (result.agree, result.abstain) == (1, 1)
    assert [(v.participant_id, v.reason) for v in result.concerns] == [
        ("bo", "budget is tight"),
        ("dan", ""),
    ]
    assert result.blocks == ()
    assert result.outcome_key == "tally.consent.passed"
    blocked = check_consent([ConsentVote("ann", "agree"), ConsentVote("bo", "block", "unsafe")])
    assert not blocked.passed and blocked.blocks[0].reason == "unsafe"


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_a_block_without_a_reason_raises(reason: str) -> None:
    with pytest.raises(InvalidInput) as error:
        check_consent([ConsentVote("ann", "agree"), ConsentVote("bo", "block", reason)])
    assert error.value.key == "error.vote.block_needs_reason"


def test_unknown_consent_response_raises() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_consent_vote(ConsentVote("ann", "maybe"))
    assert error.value.key == "error.vote.invalid_response"


# --- message catalogue ----------------------------------------------------------------------


def _catalogue(lang: str) -> dict[str, str]:
    path = WORKSHOP / "i18n" / lang / "voting_algorithms.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    english = _catalogue("en")
    for lang in LANGUAGES:
        catalogue = _catalogue(lang)
        assert catalogue.keys() == english.keys(), lang
        for key, text in catalogue.items():
            assert isinstance(text, str) and text.strip()
            placeholders = set(re.findall(r"{(\w+)}", text))
            assert placeholders == set(re.findall(r"{(\w+)}", english[key])), (lang, key)


def test_every_key_the_algorithms_use_is_in_the_catalogues() -> None:
    from workshop.committees.sortition import DrawPhase
    from workshop.voting.opinion_groups import GroupingStatus

    used = {
        match
        for module in ("voting/tallies", "voting/opinion_groups", "committees/sortition")
        for match in re.findall(
            r'"(error\.[a-z_]+\.[a-z_]+)"', (WORKSHOP / f"{module}.py").read_text("utf-8")
        )
    }
    used |= {member.label_key for member in (*Stance, *Quadrant, *RankedMethod)}
    used |= {member.label_key for member in ConsentResponse}
    used |= {"tally.consent.passed", "tally.consent.blocked"}
    used |= {member.message_key for member in GroupingStatus}
    used |= {member.label_key for member in DrawPhase}
    for lang in LANGUAGES:
        assert used <= _catalogue(lang).keys(), (lang, used - _catalogue(lang).keys())
    assert _catalogue("en").keys() <= used, "catalogue holds keys no algorithm uses"
