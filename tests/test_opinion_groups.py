"""Opinion groups: planted camps and consensus are found; thin data is reported, not raised."""

from __future__ import annotations

import random

import numpy as np
import pytest

from workshop.errors import InvalidInput
from workshop.voting.opinion_groups import (
    GroupingStatus,
    VoteMatrix,
    build_vote_matrix,
    cluster_points,
    compute_opinion_groups,
    project_participants,
    select_participants,
    vote_matrix_from_ids,
)
from workshop.voting.tallies import Id, Stance

Triple = tuple[str, str, int]


def planted_conversation(
    camp_sizes: tuple[int, ...],
    n_statements: int = 30,
    *,
    seed: int = 0,
    seen_share: float = 0.7,
    noise: float = 0.1,
    consensus: tuple[int, ...] = (0,),
) -> tuple[list[Triple], dict[Id, int]]:
    """Votes of camps that each hold their own view on every statement.

    Each camp agrees or disagrees with each statement (drawn at random); the ``consensus``
    statements are agreed by all camps, and no other statement is (at least one camp holds the
    opposite view). Every participant sees a random ``seen_share`` of the
    statements and votes with their camp, except that a ``noise`` share of votes are passes
    or the opposite view.
    """
    rng = np.random.default_rng(seed)
    views = rng.choice([-1, 1], size=(len(camp_sizes), n_statements))
    unanimous = (views == views[0]).all(axis=0)
    views[0, unanimous] *= -1
    views[:, list(consensus)] = 1
    votes: list[Triple] = []
    camp_of: dict[Id, int] = {}
    for camp, size in enumerate(camp_sizes):
        for member in range(size):
            participant = f"c{camp}p{member}"
            camp_of[participant] = camp
            for statement in range(n_statements):
                if rng.random() > seen_share:
                    continue
                value = int(views[camp, statement])
                if rng.random() < noise:
                    value = int(rng.choice([0, -value]))
                votes.append((participant, f"s{statement:02d}", value))
    return votes, camp_of


def purity(groups: tuple[tuple[Id, ...], ...], camp_of: dict[Id, int]) -> float:
    """Share of participants whose group's majority camp is their own."""
    agreeing = sum(
        max(sum(camp_of[p] == camp for p in members) for camp in set(camp_of.values()))
        for members in groups
    )
    return agreeing / sum(len(members) for members in groups)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("camp_sizes", [(40, 30), (30, 25, 20)])
def test_planted_camps_are_recovered(camp_sizes: tuple[int, ...], seed: int) -> None:
    votes, camp_of = planted_conversation(camp_sizes, seed=seed)
    result = compute_opinion_groups(build_vote_matrix(votes))
    assert result.status is GroupingStatus.OK and result.has_groups
    assert len(result.groups) == len(camp_sizes)
    assert purity(tuple(g.participant_ids for g in result.groups), camp_of) >= 0.95
    assert [g.size for g in result.groups] == sorted((g.size for g in result.groups), reverse=True)
    assert len(result.coordinates) == len(result.labels) == len(result.participant_ids)


def test_planted_camps_with_sparse_votes_are_recovered() -> None:
    # Like a real conversation: each participant sees only a fifth of 100 statements.
    votes, camp_of = planted_conversation((60, 40, 30), 100, seed=7, seen_share=0.2)
    result = compute_opinion_groups(build_vote_matrix(votes))
    assert len(result.groups) == 3
    assert purity(tuple(g.participant_ids for g in result.groups), camp_of) >= 0.95


def test_planted_consensus_statement_is_found() -> None:
    votes, _ = planted_conversation((30, 30, 25), seed=3, consensus=(0, 1))
    result = compute_opinion_groups(build_vote_matrix(votes))
    agreed = [c.statement_id for c in result.consensus_agree]
    assert {"s00", "s01"} <= set(agreed)
    assert all(c.stance is Stance.AGREE and c.share > 0.5 for c in result.consensus_agree)
    consensus = dict(zip(result.statement_ids, result.group_aware_consensus, strict=True))
    # Only statements every camp agrees with score high on group-aware consensus.
    top_two = sorted(consensus, key=lambda s: -consensus[s])[:2]
    assert set(top_two) == {"s00", "s01"}
    assert all(0 < value < 1 for value in consensus.values())


def test_representative_statements_set_each_group_apart() -> None:
    votes, camp_of = planted_conversation((40, 30), seed=11, noise=0.05)
    result = compute_opinion_groups(build_vote_matrix(votes))
    views: dict[tuple[int, str], list[int]] = {}
    for participant, statement, value in votes:
        views.setdefault((camp_of[participant], statement), []).append(value)
    for group in result.groups:
        camp = max(
            set(camp_of.values()), key=lambda c: sum(camp_of[p] == c for p in group.participant_ids)
        )
        assert 1 <= len(group.representative) <= 5
        stances = [r.stance for r in group.representative]
        assert stances == sorted(stances, key=lambda s: s is not Stance.AGREE)  # agree first
        for shown in group.representative:
            # The camp really holds that view, and more strongly than the rest.
            camp_view = np.mean(views[(camp, str(shown.statement_id))])
            assert np.sign(camp_view) == int(shown.stance)
            assert shown.share_in_group > shown.share_in_rest
            assert shown.share_in_group > 0.5 and shown.z_score > 1.28


def test_result_does_not_depend_on_vote_order_and_is_repeatable() -> None:
    votes, _ = planted_conversation((25, 25, 20), seed=5)
    shuffled = list(votes)
    random.Random(1).shuffle(shuffled)
    first = compute_opinion_groups(build_vote_matrix(votes))
    second = compute_opinion_groups(build_vote_matrix(shuffled))
    assert first.participant_ids == second.participant_ids
    np.testing.assert_array_equal(first.labels, second.labels)
    np.testing.assert_allclose(first.coordinates, second.coordinates)
    assert first.groups == second.groups
    assert first.consensus_agree == second.consensus_agree


def test_too_few_statements_is_reported_not_raised() -> None:
    votes = [(f"p{i}", "only", 1 if i % 2 else -1) for i in range(30)]
    result = compute_opinion_groups(build_vote_matrix(votes, statement_ids=["only", "unseen"]))
    assert result.status is GroupingStatus.NOT_ENOUGH_STATEMENTS and not result.has_groups
    assert result.groups == () and len(result.coordinates) == 0
    assert result.status.message_key == "opinion_groups.status.not_enough_statements"
    assert result.status_params["statements"] == 1


def test_too_few_participants_is_reported_not_raised() -> None:
    votes = [(p, s, v) for p, v in (("ann", 1), ("bo", -1), ("cy", 1)) for s in "abc"]
    result = compute_opinion_groups(build_vote_matrix(votes))
    assert result.status is GroupingStatus.NOT_ENOUGH_PARTICIPANTS
    assert result.status_params["participants"] == 3
    empty = compute_opinion_groups(build_vote_matrix([]))
    assert empty.status is GroupingStatus.NOT_ENOUGH_STATEMENTS


def test_unanimous_votes_give_no_groups_but_still_consensus() -> None:
    votes = [(f"p{i}", f"s{j}", 1) for i in range(20) for j in range(8)]
    result = compute_opinion_groups(build_vote_matrix(votes))
    assert result.status is GroupingStatus.NO_VARIATION
    assert result.groups == ()
    assert (result.labels == -1).all()
    assert len(result.consensus_agree) == 5


def test_participants_need_seven_votes_unless_too_few_qualify() -> None:
    votes_by_participant = np.array([7, 6, 10] + [8] * 14 + [0])
    # 16 qualify (≥ 7 votes): the one with 6 votes and the one with none stay out.
    assert list(select_participants(votes_by_participant, 20)) == [0, 2, *range(3, 17)]
    few = np.array([1, 9, 3, 3, 0, 2])
    # Only one qualifies: the most active are added up to 15; never someone without votes.
    assert list(select_participants(few, 20)) == [0, 1, 2, 3, 5]
    # With fewer statements than 7, voting on all of them is enough.
    assert list(select_participants(np.array([3, 2] * 2 + [3] * 14), 3)) == [
        0,
        2,
        *range(4, 18),
    ]


def test_vote_matrix_keeps_the_last_vote_and_rejects_bad_values() -> None:
    matrix = build_vote_matrix([("ann", "s1", 1), ("bo", "s1", -1), ("ann", "s1", 0)])
    assert matrix.n_votes == 2
    cells = set(
        zip(
            matrix.participant_idx.tolist(),
            matrix.statement_idx.tolist(),
            matrix.values.tolist(),
            strict=True,
        )
    )
    assert cells == {(0, 0, 0), (1, 0, -1)}
    with pytest.raises(InvalidInput) as error:
        build_vote_matrix([("ann", "s1", 2)])
    assert error.value.key == "error.vote.invalid_stance"
    with pytest.raises(ValueError):
        VoteMatrix(np.array([0]), np.array([5]), np.array([1]), ("ann",), ("s1",))


# -- national scale: the projection holds only the votes -----------------------------------------


def _dense_projection(rows, columns, values, shape) -> np.ndarray:
    """The projection as it was computed before the sparse matrix: mean-filled, dense."""
    from sklearn.utils.extmath import randomized_svd

    n_rows, n_columns = shape
    totals = np.bincount(columns, weights=values, minlength=n_columns)
    seen = np.bincount(columns, minlength=n_columns)
    means = np.divide(totals, seen, out=np.zeros(n_columns), where=seen > 0)
    centred = np.zeros(shape)
    centred[rows, columns] = values - means[columns]
    u, s, _ = randomized_svd(centred, 2, n_iter=5, random_state=0)
    votes_by_row = np.bincount(rows, minlength=n_rows)
    return u * s * np.sqrt(n_columns / np.maximum(votes_by_row, 1))[:, None]


@pytest.mark.parametrize("seed", range(3))
def test_sparse_projection_gives_the_dense_projections_points_and_groups(seed: int) -> None:
    votes, _ = planted_conversation((20, 15, 10), seed=seed, seen_share=0.5)
    matrix = build_vote_matrix(votes)
    rows, columns = matrix.participant_idx, matrix.statement_idx
    values = matrix.values.astype(np.float64)
    sparse_points = project_participants(rows, columns, values, matrix.shape)
    dense_points = _dense_projection(rows, columns, values, matrix.shape)
    np.testing.assert_allclose(sparse_points, dense_points, rtol=1e-9, atol=1e-9)
    assert np.array_equal(cluster_points(sparse_points).labels, cluster_points(dense_points).labels)


def test_projection_of_a_national_dialogue_holds_only_the_votes_in_memory() -> None:
    """20,000 people × 2,000 statements: a dense matrix alone would be 320 MB."""
    import tracemalloc

    rng = np.random.default_rng(5)
    people, statements, each = 20_000, 2_000, 7
    rows = np.repeat(np.arange(people), each)
    columns = rng.integers(0, statements, size=people * each)
    values = rng.choice([-1.0, 0.0, 1.0], size=people * each)
    tracemalloc.start()
    try:
        points = project_participants(rows, columns, values, (people, statements))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert points.shape == (people, 2)
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.0f} MB"


def test_vote_matrix_from_integer_arrays_equals_the_one_built_from_triples() -> None:
    votes = [(9, 40, 1), (3, 40, -1), (9, 12, 0), (3, 12, 1), (9, 40, -1), (27, 5, 1)]
    expected = build_vote_matrix(votes)  # (9, 40) voted twice: the later vote counts
    columns = np.array(votes, dtype=np.int64)
    got = vote_matrix_from_ids(columns[:, 0], columns[:, 1], columns[:, 2])
    assert got.participant_ids == expected.participant_ids == (3, 9, 27)
    assert got.statement_ids == expected.statement_ids == (5, 12, 40)
    for name in ("participant_idx", "statement_idx", "values"):
        assert getattr(got, name).tolist() == getattr(expected, name).tolist()
    with pytest.raises(InvalidInput):
        vote_matrix_from_ids(np.array([1]), np.array([1]), np.array([2]))
