"""Read models for summaries, as DataFrames and Altair charts. No streamlit here.

The politician summary (:func:`get_summary`) is built from a handful of SQL statements that
aggregate in the database (GROUP BY), and it is cached per *version*: one cheap query of
counters and latest timestamps that moves whenever anything the summary shows changes. Every
viewer of the same version shares one computation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import altair as alt
import pandas as pd

from workshop import barometer, chart_layout, outcomes, workers
from workshop.cache import VersionedCache
from workshop.committees.model import DIVERSITY_OPTIONS
from workshop.db import Store, sql_group_concat
from workshop.feedback import core as feedback
from workshop.i18n import formats
from workshop.voting import methods as vote_methods
from workshop.voting.methods import VoteMethod

# Round methods whose ballots hold agree (+1) / disagree (-1) / pass (0) on ideas.
AGREE_DISAGREE_METHODS = (VoteMethod.STATEMENTS.value,)
DIVERSITY_ATTRIBUTES = ("age_band", "district", "gender", "hard_to_reach")
TOP_IDEAS = 10
DECISION_OUTCOMES = ("adopted", "adopted_with_changes", "rejected", "postponed", "not_forwarded")
DECISION_BODIES = ("standing_committee", "council")
#: The kinds of records a summary's numbers lead to, and every column they show.
RECORD_KINDS = ("meetings", "ideas", "members", "recommendations", "outcomes")
RECORD_COLUMNS = (
    *("meeting_id", "committee", "title", "kind", "status", "created_at", "people", "ideas"),
    *("votes", "idea_id", "text", "meeting", "dots", "member_id", "name", "role", "starts_on"),
    *("ends_on", "recommendation_id", "standing_committee", "standing_committee_at", "council"),
    *("council_at", "rationale", "standing_committee_rationale", "council_rationale"),
    *("outcome_id", "source", "owner", "progress", "expected"),
    *("realised", "next_review"),
)


# Only meetings with a ballot in a dot-vote round can have dots. Ideas of other meetings (a
# national dialogue's 2,000 statements with 2,000,000 agree/disagree votes) count 0 without
# reading a single ballot entry: before, each of their votes was read twice (added, then
# taken away), 2 × 2,000,000 rows for every cold summary.
DOT_MEETINGS = """(SELECT dot_s.meeting_id FROM rounds dot_r
          JOIN steps dot_s ON dot_s.id = dot_r.step_id WHERE dot_r.method = 'dot_vote'
          AND EXISTS (SELECT 1 FROM ballots dot_b WHERE dot_b.round_id = dot_r.id))"""

# Dots on an idea: all its ballot entries (an index-only scan of ballot_entries (idea_id,
# value)), less those cast in rounds that are not dot votes (agree/disagree; usually none).
# Joining every entry to its ballot and round instead costs ~8 times as much at 200,000 votes.
# CROSS JOIN fixes SQLite's join order: from the (few) rounds to their entries, not back
# (the join conditions in WHERE: PostgreSQL allows no ON after CROSS JOIN).
NON_DOT_CTE = f"""non_dot AS MATERIALIZED (
          SELECT e.idea_id, SUM(e.value) AS value FROM rounds r
          CROSS JOIN steps s
          CROSS JOIN ballots b
          CROSS JOIN ballot_entries e
          WHERE s.id = r.step_id AND b.round_id = r.id AND e.ballot_id = b.id
            AND r.method != 'dot_vote' AND s.meeting_id IN {DOT_MEETINGS}
          GROUP BY e.idea_id)"""
IDEA_DOTS = f"""(CASE WHEN i.meeting_id IN {DOT_MEETINGS}
               THEN (SELECT COALESCE(SUM(e.value), 0) FROM ballot_entries e
                     WHERE e.idea_id = i.id) - COALESCE(n.value, 0)
               ELSE 0 END)"""


def _dots_in(where: str) -> str:
    """SQL for the dots placed on the ideas of the meetings ``m`` matching ``where`` (only
    meetings that held a dot vote are read: :data:`DOT_MEETINGS`)."""
    return f"""((SELECT COALESCE(SUM(e.value), 0) FROM ideas i
              JOIN meetings m ON m.id = i.meeting_id
              JOIN ballot_entries e ON e.idea_id = i.id
              WHERE {where} AND m.id IN {DOT_MEETINGS})
            - (SELECT COALESCE(SUM(e.value), 0) FROM rounds r JOIN steps s ON s.id = r.step_id
              JOIN meetings m ON m.id = s.meeting_id CROSS JOIN ballots b
              CROSS JOIN ballot_entries e
              WHERE b.round_id = r.id AND e.ballot_id = b.id AND {where}
                AND r.method != 'dot_vote' AND m.id IN {DOT_MEETINGS}))"""


def _committee_filter(committee_id: int | None, column: str = "m.committee_id") -> tuple[str, list]:
    if committee_id is None:
        return "1 = 1", []
    return f"{column} = ?", [committee_id]


def committee_overview_frame(store: Store) -> pd.DataFrame:
    """One row per committee: meetings, participants, ideas, dots."""
    rows = store.query(
        """
        SELECT c.id, c.title, c.is_demo,
          (SELECT COUNT(*) FROM meetings m WHERE m.committee_id = c.id) AS meetings,
          (SELECT COUNT(*) FROM participants p JOIN meetings m ON m.id = p.meeting_id
             WHERE m.committee_id = c.id) AS participants,
          (SELECT COUNT(*) FROM ideas i JOIN meetings m ON m.id = i.meeting_id
             WHERE m.committee_id = c.id AND i.hidden = 0) AS ideas,
          (SELECT COALESCE(SUM(e.value), 0) FROM ballot_entries e
             JOIN ideas i ON i.id = e.idea_id JOIN meetings m ON m.id = i.meeting_id
             WHERE m.committee_id = c.id) AS dots
        FROM committees c ORDER BY c.id DESC
        """
    )
    return pd.DataFrame(
        rows, columns=["id", "title", "is_demo", "meetings", "participants", "ideas", "dots"]
    )


def top_ideas_frame(store: Store, committee_id: int | None, limit: int = TOP_IDEAS) -> pd.DataFrame:
    """The ideas with the most dots, across all meetings of one committee (None: of all)."""
    where, params = _committee_filter(committee_id)
    rows = store.query(
        f"""
        WITH {NON_DOT_CTE}
        SELECT i.id AS idea_id, i.text, m.title AS meeting, m.committee_id,
               {IDEA_DOTS} AS dots
        FROM ideas i
        JOIN meetings m ON m.id = i.meeting_id
        LEFT JOIN non_dot n ON n.idea_id = i.id
        WHERE {where} AND i.hidden = 0
        ORDER BY dots DESC, i.id
        LIMIT ?
        """,
        [*params, limit],
    )
    return pd.DataFrame(rows, columns=["idea_id", "text", "meeting", "committee_id", "dots"])


def top_ideas_chart(frame: pd.DataFrame, *, dots_title: str, idea_title: str) -> alt.Chart:
    """Dots per idea; each idea's first 60 characters wrapped into short lines, so that a
    phone keeps most of its width for the bars (the tooltip has the whole text)."""
    short = (
        frame["text"]
        .str.slice(0, 60)
        .where(frame["text"].str.len() <= 60, frame["text"].str.slice(0, 57) + "…")
    )
    shown = frame.assign(label=[chart_layout.wrap(text, chart_layout.AXIS_CHARS) for text in short])
    return (
        alt.Chart(shown)
        .mark_bar(color="#0b6e4f")
        .encode(
            x=alt.X("dots:Q", title=dots_title, axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("label:N", title=idea_title, sort="-x", axis=chart_layout.category_axis()),
            tooltip=[
                alt.Tooltip("text:N", title=idea_title),
                alt.Tooltip("dots:Q", title=dots_title),
                "meeting:N",
            ],
        )
        .properties(height=chart_layout.row_step(shown["label"]))
    )


# -- participation ----------------------------------------------------------------------------


def participation(store: Store, committee_id: int | None) -> dict[str, int]:
    """Headline counts: committees, meetings, people, ideas, votes (dots), members."""
    where, params = _committee_filter(committee_id)
    member_where, member_params = _committee_filter(committee_id, "committee_id")
    row = store.query_one(
        f"""
        SELECT
          (SELECT COUNT(*) FROM committees c WHERE {where.replace("m.committee_id", "c.id")})
            AS committees,
          (SELECT COUNT(*) FROM meetings m WHERE {where}) AS meetings,
          (SELECT COUNT(*) FROM participants p JOIN meetings m ON m.id = p.meeting_id
            WHERE {where}) AS people,
          (SELECT COUNT(*) FROM ideas i JOIN meetings m ON m.id = i.meeting_id
            WHERE {where} AND i.hidden = 0) AS ideas,
          {_dots_in(where)} AS votes,
          (SELECT COUNT(DISTINCT b.participant_id) FROM ballots b
            JOIN rounds r ON r.id = b.round_id JOIN steps s ON s.id = r.step_id
            JOIN meetings m ON m.id = s.meeting_id WHERE {where}) AS voters,
          (SELECT COUNT(*) FROM committee_members WHERE {member_where}) AS members
        """,
        [*params, *params, *params, *params, *params, *params, *params, *member_params],
    )
    assert row is not None
    return {key: int(value or 0) for key, value in row.items()}


def diversity_frame(store: Store, committee_id: int | None) -> pd.DataFrame:
    """Per self-reported attribute: members, how many answered, and the answers given.

    Members come from the committee's applications (answers only with consent). Columns:
    ``attribute``, ``members``, ``reported``, ``answers`` (value → count).
    """
    where, params = _committee_filter(committee_id, "cm.committee_id")
    selects = " UNION ALL ".join(
        f"SELECT '{a}' AS attribute, ap.{a} AS answer FROM committee_members cm"
        f" LEFT JOIN applications ap ON ap.id = cm.application_id WHERE {where}"
        for a in DIVERSITY_ATTRIBUTES
    )
    rows = store.query(
        f"SELECT attribute, answer, COUNT(*) AS n FROM ({selects}) AS answers"
        " GROUP BY attribute, answer",
        params * len(DIVERSITY_ATTRIBUTES),
    )
    result = []
    for attribute in DIVERSITY_ATTRIBUTES:
        mine = [r for r in rows if r["attribute"] == attribute]
        members = sum(r["n"] for r in mine)
        answers = {r["answer"]: r["n"] for r in mine if r["answer"]}
        result.append(
            {
                "attribute": attribute,
                "members": members,
                "reported": sum(answers.values()),
                "answers": dict(sorted(answers.items(), key=_answer_order(attribute))),
            }
        )
    return pd.DataFrame(result, columns=["attribute", "members", "reported", "answers"])


def _answer_order(attribute: str) -> Callable[[tuple[str, int]], tuple[int, str]]:
    """Answers in the form's order (ages young to old: "Under 25", "25–39" … "75 or over"); free
    text (districts) and answers the form no longer offers after them, alphabetically."""
    order = DIVERSITY_OPTIONS.get(attribute, ())

    def key(item: tuple[str, int]) -> tuple[int, str]:
        answer = item[0]
        return (order.index(answer) if answer in order else len(order), answer)

    return key


def answer_label(lang: str, attribute: str, answer: str) -> str:
    """The label of a self-reported diversity answer; districts (free text) as written."""
    from workshop.i18n import MissingTranslation, translate

    try:
        return translate(lang, f"diversity.{attribute}.{answer}")
    except MissingTranslation:
        return answer


# -- the records behind the numbers -----------------------------------------------------------

RECORDS_LIMIT = 1000


def meetings_frame(store: Store, committee_id: int | None) -> pd.DataFrame:
    """Per meeting: people, ideas and dots (the records behind the headline numbers)."""
    where, params = _committee_filter(committee_id)
    rows = store.query(
        f"""
        SELECT outer_m.id AS meeting_id, c.title AS committee, outer_m.title, outer_m.kind,
          outer_m.status, outer_m.created_at,
          (SELECT COUNT(*) FROM participants p WHERE p.meeting_id = outer_m.id) AS people,
          (SELECT COUNT(*) FROM ideas i WHERE i.meeting_id = outer_m.id AND i.hidden = 0)
            AS ideas,
          {_dots_in("m.id = outer_m.id")} AS votes
        FROM meetings outer_m JOIN committees c ON c.id = outer_m.committee_id
        WHERE {where.replace("m.committee_id", "outer_m.committee_id")} ORDER BY outer_m.id DESC
        """,
        params,
    )
    return pd.DataFrame(
        rows,
        columns=[
            "meeting_id",
            "committee",
            "title",
            "kind",
            "status",
            "created_at",
            "people",
            "ideas",
            "votes",
        ],
    )


def ideas_frame(store: Store, committee_id: int | None, limit: int = RECORDS_LIMIT) -> pd.DataFrame:
    """Ideas with their dots and status, most supported first (at most ``limit``)."""
    frame = top_ideas_frame(store, committee_id, limit=limit)
    ids = [int(i) for i in frame["idea_id"]]
    marks = ", ".join("?" for _ in ids)
    status = {
        r["id"]: r["status"]
        for r in (
            store.query(f"SELECT id, status FROM ideas WHERE id IN ({marks})", ids) if ids else []
        )
    }
    return frame.assign(status=[status.get(int(i), "") for i in frame["idea_id"]])


def members_frame(store: Store, committee_id: int | None) -> pd.DataFrame:
    """Committee members with their role and term."""
    where, params = _committee_filter(committee_id, "cm.committee_id")
    rows = store.query(
        f"SELECT cm.id AS member_id, c.title AS committee, cm.name, cm.role, cm.starts_on,"
        f" cm.ends_on FROM committee_members cm JOIN committees c ON c.id = cm.committee_id"
        f" WHERE {where} ORDER BY cm.committee_id, cm.id",
        params,
    )
    return pd.DataFrame(
        rows, columns=["member_id", "committee", "name", "role", "starts_on", "ends_on"]
    )


# -- agreements and feedback (the agreements feature's tables) -------------------------------


def agreement_status(store: Store, committee_id: int | None, today: date) -> dict[str, int]:
    """Agreements (published or draft) and their commitments (done, open, overdue).

    A committee's agreements are its own and those of its meetings.
    """
    if committee_id is None:
        scope, params = "1 = 1", []
    else:
        scope = (
            "(a.committee_id = ? OR a.meeting_id IN"
            " (SELECT id FROM meetings WHERE committee_id = ?))"
        )
        params = [committee_id, committee_id]
    row = store.query_one(
        f"""
        SELECT
          (SELECT COUNT(*) FROM agreements a WHERE {scope}) AS agreements,
          (SELECT COUNT(*) FROM agreements a WHERE {scope} AND a.published_at IS NOT NULL)
            AS published,
          (SELECT COUNT(*) FROM commitments c JOIN agreements a ON a.id = c.agreement_id
            WHERE {scope}) AS commitments,
          (SELECT COUNT(*) FROM commitments c JOIN agreements a ON a.id = c.agreement_id
            WHERE {scope} AND c.done_at IS NOT NULL) AS done,
          (SELECT COUNT(*) FROM commitments c JOIN agreements a ON a.id = c.agreement_id
            WHERE {scope} AND c.done_at IS NULL AND c.due_on < ?) AS overdue
        """,
        [*params, *params, *params, *params, *params, today.isoformat()],
    )
    assert row is not None
    return {key: int(value or 0) for key, value in row.items()}


# -- recommendations and decisions -------------------------------------------------------------


def recommendations_frame(store: Store, committee_id: int | None) -> pd.DataFrame:
    """One row per recommendation with its ideas and the latest decision of each body."""
    where, params = _committee_filter(committee_id, "r.committee_id")
    rows = store.query(
        f"""
        WITH latest AS (
          SELECT d.* FROM current_decisions d
          WHERE d.id = (SELECT MAX(x.id) FROM decisions x
                        WHERE x.recommendation_id = d.recommendation_id AND x.body = d.body)
        )
        SELECT r.id AS recommendation_id, r.committee_id, c.title AS committee, r.title,
          (SELECT COUNT(*) FROM recommendation_ideas ri WHERE ri.recommendation_id = r.id)
            AS ideas,
          sc.outcome AS standing_committee, sc.decided_at AS standing_committee_at,
          co.outcome AS council, co.decided_at AS council_at,
          COALESCE(NULLIF(co.rationale, ''), sc.rationale, '') AS rationale,
          COALESCE(sc.rationale, '') AS standing_committee_rationale,
          COALESCE(co.rationale, '') AS council_rationale,
          o.id AS outcome_id
        FROM recommendations r
        JOIN committees c ON c.id = r.committee_id
        LEFT JOIN latest sc ON sc.recommendation_id = r.id AND sc.body = 'standing_committee'
        LEFT JOIN latest co ON co.recommendation_id = r.id AND co.body = 'council'
        LEFT JOIN outcomes o ON o.recommendation_id = r.id
        WHERE {where}
        ORDER BY r.id
        """,
        params,
    )
    columns = [
        "recommendation_id",
        "committee_id",
        "committee",
        "title",
        "ideas",
        "standing_committee",
        "standing_committee_at",
        "council",
        "council_at",
        "rationale",
        "standing_committee_rationale",
        "council_rationale",
        "outcome_id",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["outcome_id"] = frame["outcome_id"].astype("Int64")
    return frame


def decision_counts(frame: pd.DataFrame) -> dict[str, int]:
    """How many recommendations stand where: the council's outcome, else waiting."""
    counts: dict[str, int] = {}
    for council, standing in zip(frame["council"], frame["standing_committee"], strict=True):
        if isinstance(council, str):
            key = council
        elif standing in ("rejected", "not_forwarded"):
            key = str(standing)
        else:
            key = "pending"
        counts[key] = counts.get(key, 0) + 1
    return counts


# -- outcomes ---------------------------------------------------------------------------------


def outcomes_frame(store: Store, committee_id: int | None) -> pd.DataFrame:
    """One row per outcome: where it came from, follow-up, and values expected/realised."""
    where, params = _committee_filter(committee_id, "o.committee_id")
    # the primary key (outcome_id, stage, value) gives SQLite the values in this order
    values = sql_group_concat(store.engine, "v.value", order_by="v.value")
    rows = store.query(
        f"""
        SELECT o.id AS outcome_id, o.committee_id, o.title,
          CASE WHEN o.recommendation_id IS NULL THEN 'idea' ELSE 'recommendation' END AS source,
          o.recommendation_id, o.idea_id, o.owner, o.status, o.progress,
          (SELECT {values} FROM outcome_values v
            WHERE v.outcome_id = o.id AND v.stage = 'expected') AS expected,
          (SELECT {values} FROM outcome_values v
            WHERE v.outcome_id = o.id AND v.stage = 'realised') AS realised,
          (SELECT MIN(rv.due_on) FROM outcome_reviews rv
            WHERE rv.outcome_id = o.id AND rv.done_at IS NULL) AS next_review
        FROM outcomes o WHERE {where} ORDER BY o.id
        """,
        params,
    )
    columns = [
        "outcome_id",
        "committee_id",
        "title",
        "source",
        "recommendation_id",
        "idea_id",
        "owner",
        "status",
        "progress",
        "expected",
        "realised",
        "next_review",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("expected", "realised"):
        frame[column] = frame[column].fillna("")
    for column in ("recommendation_id", "idea_id"):
        frame[column] = frame[column].astype("Int64")
    return frame


def reviews_frame(store: Store, committee_id: int | None, today: date) -> pd.DataFrame:
    """Overdue and due-soon reviews."""
    rows = [
        {
            "review_id": r.id,
            "outcome_id": r.outcome_id,
            "title": r.outcome_title,
            "owner": r.owner,
            "due_on": r.due_on.isoformat(),
            "state": r.state.value,
        }
        for r in outcomes.list_due_reviews(store, committee_id=committee_id, today=today)
    ]
    return pd.DataFrame(
        rows, columns=["review_id", "outcome_id", "title", "owner", "due_on", "state"]
    )


def comparison_notes(comparison: pd.DataFrame) -> list[dict[str, Any]]:
    """The honest notes of a national comparison: rows with too few (or no) outcomes."""
    return [
        {
            "row_key": row["row_key"],
            "key": row["note_key"],
            "params": {"n": int(row["our_n"]), "min_n": int(row["min_n"])},
        }
        for row in comparison.to_dict("records")
        if row["note_key"]
    ]


# -- what unites the room ---------------------------------------------------------------------


def consensus_frame(store: Store, committee_id: int | None) -> pd.DataFrame | None:
    """Statements that most people agreed with, across opinion groups (Pol.is-style).

    ``None`` when no agree/disagree votes were collected: then there is nothing to show, and
    the summary leaves the section out rather than pretending. Each statements round is its
    own conversation; its groups come from the background worker
    (:func:`workshop.voting.methods.opinion_groups_snapshot`), never from this request. While a
    round's first computation runs, the frame's ``attrs["computing"]`` is True.
    """
    methods = ", ".join("?" for _ in AGREE_DISAGREE_METHODS)
    where, params = _committee_filter(committee_id)
    rounds = store.query(
        f"""
        SELECT r.id AS round_id, m.vote_seq FROM rounds r
        JOIN steps s ON s.id = r.step_id JOIN meetings m ON m.id = s.meeting_id
        WHERE {where} AND r.method IN ({methods})
          AND EXISTS (SELECT 1 FROM ballots b WHERE b.round_id = r.id)
        ORDER BY r.id
        """,
        [*params, *AGREE_DISAGREE_METHODS],
    )
    if not rounds:
        return None
    rows: list[dict[str, Any]] = []
    computing = False
    for found in rounds:
        snapshot = vote_methods.opinion_groups_snapshot(store, found["round_id"], found["vote_seq"])
        if snapshot.result is None:
            computing = True
            continue
        groups = snapshot.result
        rows += [
            {
                "idea_id": s.statement_id,
                "share": s.share,
                "seen": s.seen,
                "groups": len(groups.groups),
            }
            for s in groups.consensus_agree
        ]
    texts: dict[Any, str] = {}
    if rows:
        ids = [r["idea_id"] for r in rows]
        texts = {
            r["id"]: r["text"]
            for r in store.query(
                f"SELECT id, text FROM ideas WHERE id IN ({', '.join('?' for _ in ids)})", ids
            )
        }
    frame = pd.DataFrame(
        [{**r, "text": texts.get(r["idea_id"], "")} for r in rows],
        columns=["idea_id", "text", "share", "seen", "groups"],
    ).sort_values("share", ascending=False, kind="stable")
    frame.attrs["computing"] = computing
    return frame


# -- the summary ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Everything a politician reads about one committee (``committee_id``) or all (None)."""

    committee_id: int | None
    title: str
    is_demo: bool
    counts: dict[str, int]
    diversity: pd.DataFrame
    top_ideas: pd.DataFrame
    recommendations: pd.DataFrame
    decisions: dict[str, int]
    outcomes: pd.DataFrame
    value_shares: pd.DataFrame
    comparison: pd.DataFrame
    reviews: pd.DataFrame
    consensus: pd.DataFrame | None
    today: date
    agreements: dict[str, int] = field(default_factory=dict)
    feedback_ideas: int = 0
    feedback_given: int = 0
    #: The outcomes as the barometer reads them (for the comparison per value category).
    outcomes_records: tuple[dict[str, Any], ...] = ()
    extras: dict[Any, Any] = field(default_factory=dict)  # derived views, e.g. chart specs

    @property
    def is_empty(self) -> bool:
        return not (
            self.counts["meetings"]
            or self.counts["members"]
            or len(self.recommendations)
            or len(self.outcomes)
        )


def summary_version(store: Store) -> tuple[Any, ...]:
    """A cheap fingerprint of everything the summary reads (indexed MAX/COUNT and counters)."""
    row = store.query_one(
        """
        SELECT
          (SELECT COUNT(*) FROM committees) AS committees,
          (SELECT COUNT(*) || ':' || COALESCE(SUM(change_seq), 0) || ':'
             || COALESCE(SUM(vote_seq), 0) || ':' || COALESCE(MAX(status), '') FROM meetings)
            AS meetings,
          (SELECT COALESCE(MAX(id), 0) FROM participants) AS participants,
          (SELECT COALESCE(MAX(id), 0) FROM ideas) AS ideas,
          (SELECT COALESCE(MAX(id), 0) FROM idea_status_events) AS idea_events,
          (SELECT COUNT(*) || ':' || COALESCE(MAX(updated_at), '') FROM recommendations)
            AS recommendations,
          (SELECT COUNT(*) FROM recommendation_ideas) AS recommendation_ideas,
          (SELECT COALESCE(MAX(id), 0) FROM decisions) AS decisions,
          (SELECT COALESCE(MAX(id), 0) FROM corrections) AS corrections,
          (SELECT COUNT(*) || ':' || COALESCE(MAX(id), 0) FROM committee_members) AS members,
          (SELECT COALESCE(MAX(id), 0) FROM application_reviews) AS applications,
          (SELECT COUNT(*) || ':' || COALESCE(MAX(published_at), '') FROM agreements)
            AS agreements,
          (SELECT COUNT(*) || ':' || COUNT(done_at) || ':' || COALESCE(MAX(due_on), '')
             FROM commitments) AS commitments,
          (SELECT COUNT(*) FROM feedback_message_ideas) AS feedback
        """
    )
    assert row is not None
    # Opinion groups finish in the background: a finished computation is a change too.
    return (*row.values(), *outcomes.outcomes_version(store), vote_methods.groups_worker.generation)


def build_summary(
    store: Store, committee_id: int | None, *, today: date, with_consensus: bool = True
) -> Summary:
    """Compute the summary now (use :func:`get_summary` to share it between viewers).

    ``with_consensus=False`` leaves ``consensus`` out (None): a worker process builds the rest,
    and the app adds the consensus from its own opinion-group computations."""
    if committee_id is None:
        title, is_demo = "", bool(store.scalar("SELECT MAX(is_demo) FROM committees"))
    else:
        row = store.query_one("SELECT title, is_demo FROM committees WHERE id = ?", [committee_id])
        if row is None:
            from workshop.errors import NotFound

            raise NotFound("error.not_found")
        title, is_demo = row["title"], bool(row["is_demo"])
    records = outcomes.barometer_records(store, committee_id)
    recommendations = recommendations_frame(store, committee_id)
    share = feedback.feedback_share(store, committee_id=committee_id)
    return Summary(
        committee_id=committee_id,
        title=title,
        is_demo=is_demo,
        counts=participation(store, committee_id),
        diversity=diversity_frame(store, committee_id),
        top_ideas=top_ideas_frame(store, committee_id),
        recommendations=recommendations,
        decisions=decision_counts(recommendations),
        outcomes=outcomes_frame(store, committee_id),
        value_shares=barometer.value_shares_frame(records),
        comparison=barometer.national_comparison_frame(records),
        reviews=reviews_frame(store, committee_id, today),
        consensus=consensus_frame(store, committee_id) if with_consensus else None,
        today=today,
        agreements=agreement_status(store, committee_id, today),
        feedback_ideas=share.ideas,
        feedback_given=share.with_feedback,
        outcomes_records=tuple(records),
    )


def summary_charts(summary: Summary, lang: str) -> dict[str, dict[str, Any]]:
    """The summary's Vega-Lite specs in ``lang``, built once per summary and language.

    Altair's validation of a layered chart takes ~50–100 ms; a politician opening the page
    after someone else pays nothing. The specs live with the cached summary.
    """
    from workshop.chart_layout import with_reader_locale
    from workshop.i18n import translate

    key = ("charts", lang)
    charts = summary.extras.get(key)
    if charts is None:
        charts = {}
        if not summary.top_ideas.empty:
            charts["top_ideas"] = top_ideas_chart(
                summary.top_ideas,
                dots_title=translate(lang, "summary.dots"),
                idea_title=translate(lang, "summary.idea"),
            ).to_dict(validate=False)
        if not summary.outcomes.empty:
            charts["values"] = barometer.value_shares_chart(summary.value_shares, lang).to_dict(
                validate=False
            )
            charts["national"] = barometer.national_comparison_chart(
                summary.comparison, lang
            ).to_dict(validate=False)
        # Every axis label and tooltip number in the reader's style ("62,5 %", "10.000").
        charts = {name: with_reader_locale(spec, lang) for name, spec in charts.items()}
        summary.extras[key] = charts
    return charts


_summaries: VersionedCache[Summary] = VersionedCache(max_entries=64)


def get_summary(store: Store, committee_id: int | None, *, today: date | None = None) -> Summary:
    """The summary of one committee (or all), computed once per change and shared.

    Computed in a worker process (``workshop.workers``): a cold summary of 200,000 votes
    would otherwise hold this process's GIL, and every phone's poll with it."""
    today = today or formats.today()
    return _summaries.get(
        (store.path, committee_id, today),
        summary_version(store),
        lambda: _summary_from_worker(store, committee_id, today),
    )


def _summary_from_worker(store: Store, committee_id: int | None, today: date) -> Summary:
    """Everything but the consensus from a worker process; the consensus here, because opinion
    groups are computed by this process's background worker (``groups_worker``), whose
    ``generation`` is part of :func:`summary_version`: a worker's own computations would
    never reach this process's cache."""
    summary = workers.run(build_summary, store, committee_id, today=today, with_consensus=False)
    return replace(summary, consensus=consensus_frame(store, committee_id))


def summary_cache() -> VersionedCache[Summary]:
    return _summaries
