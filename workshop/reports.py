"""Read models for summaries, as DataFrames and Altair charts. No streamlit here."""

from __future__ import annotations

import altair as alt
import pandas as pd

from workshop.db import Store


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


def top_ideas_frame(store: Store, committee_id: int, limit: int = 10) -> pd.DataFrame:
    """The committee's ideas with the most dots, across all its meetings."""
    rows = store.query(
        """
        SELECT i.id AS idea_id, i.text, m.title AS meeting,
               COALESCE(SUM(e.value), 0) AS dots
        FROM ideas i
        JOIN meetings m ON m.id = i.meeting_id
        LEFT JOIN ballot_entries e ON e.idea_id = i.id
        WHERE m.committee_id = ? AND i.hidden = 0
        GROUP BY i.id
        ORDER BY dots DESC, i.id
        LIMIT ?
        """,
        [committee_id, limit],
    )
    return pd.DataFrame(rows, columns=["idea_id", "text", "meeting", "dots"])


def top_ideas_chart(frame: pd.DataFrame, *, dots_title: str, idea_title: str) -> alt.Chart:
    shown = frame.assign(
        label=frame["text"]
        .str.slice(0, 60)
        .where(frame["text"].str.len() <= 60, frame["text"].str.slice(0, 57) + "…")
    )
    return (
        alt.Chart(shown)
        .mark_bar(color="#0b6e4f")
        .encode(
            x=alt.X("dots:Q", title=dots_title, axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("label:N", title=idea_title, sort="-x", axis=alt.Axis(labelLimit=380)),
            tooltip=[
                alt.Tooltip("text:N", title=idea_title),
                alt.Tooltip("dots:Q", title=dots_title),
                "meeting:N",
            ],
        )
        .properties(height=alt.Step(28))
    )
