"""Politicians (and staff): per committee and across committees, what the citizens did, what
was decided, and what it became, beside the national Innovationsbarometer.

Everything shown comes from one cached read model (``reports.get_summary``), computed once per
change and shared by every viewer; the records behind a number are read only when asked for.
"""

import streamlit as st

from workshop import barometer, committees
from workshop.i18n import translate
from workshop.model import Role
from workshop.reports import brief, exports, workbook
from workshop.reports import summary as reports
from workshop.ui.accessibility import chart_text
from workshop.ui.i18n import current_language, day, number, percent, t, tn
from workshop.ui.overdue import overdue_panel
from workshop.ui.process import store
from workshop.ui.session import require_role
from workshop.ui.widgets import demo_badge, user_text

require_role(Role.POLITICIAN, Role.FACILITATOR, Role.ADMIN)
db = store()
lang = current_language()
st.title(t("summary.title"))

all_committees = {c.id: c for c in committees.list_committees(db)}
if not all_committees:
    st.info(t("summary.empty"))
    st.stop()

ALL = 0
SHOWN = 12  # rows listed in full; the rest are in the records behind the numbers
chosen = st.selectbox(
    t("summary.committee"),
    [ALL, *all_committees],
    format_func=lambda cid: all_committees[cid].title if cid else t("summary.all_committees"),
    index=1 if len(all_committees) == 1 else 0,
    key="summary_committee",
)
committee_id = chosen or None
summary = reports.get_summary(db, committee_id)

demo_badge(summary.is_demo)
if committee_id:
    st.subheader(user_text(summary.title))
else:
    st.subheader(tn("summary.across", len(all_committees)))
if summary.is_empty:
    st.info(t("summary.nothing_yet"))

# -- participation ----------------------------------------------------------------------------
st.markdown(f"### {t('summary.participation')}")
counts = summary.counts
with st.container(horizontal=True, key="summary_headline"):
    for name in ("meetings", "people", "ideas", "votes", "members"):
        st.metric(t(f"summary.{name}"), number(counts[name]), border=True)

shown = st.segmented_control(
    t("summary.show_records"),
    reports.RECORD_KINDS,
    format_func=lambda key: t(f"summary.records.{key}"),
    key="summary_records",
)
if shown == "meetings":
    frame = reports.meetings_frame(db, committee_id)
    st.dataframe(
        frame.assign(kind=[t(f"meeting.kind.{k}") for k in frame["kind"]]).rename(
            columns=lambda c: t(f"summary.column.{c}")
        ),
        hide_index=True,
        width="stretch",
        placeholder=t("table.empty"),
    )
elif shown == "ideas":
    frame = reports.ideas_frame(db, committee_id)
    st.caption(tn("summary.records_ideas_note", len(frame), limit=reports.RECORDS_LIMIT))
    st.dataframe(
        frame.drop(columns=["committee_id"]).rename(columns=lambda c: t(f"summary.column.{c}")),
        hide_index=True,
        width="stretch",
        placeholder=t("table.empty"),
    )
elif shown == "members":
    frame = reports.members_frame(db, committee_id)
    st.dataframe(
        frame.rename(columns=lambda c: t(f"summary.column.{c}")),
        hide_index=True,
        width="stretch",
        placeholder=t("table.empty"),
    )
elif shown == "recommendations":
    st.dataframe(
        summary.recommendations.drop(columns=["committee_id"]).rename(
            columns=lambda c: t(f"summary.column.{c}")
        ),
        hide_index=True,
        width="stretch",
        placeholder=t("table.empty"),
    )
elif shown == "outcomes":
    st.dataframe(
        summary.outcomes.drop(columns=["committee_id"]).rename(
            columns=lambda c: t(f"summary.column.{c}")
        ),
        hide_index=True,
        width="stretch",
        placeholder=t("table.empty"),
    )

diversity = summary.diversity
if int(diversity["members"].max() or 0) > 0:
    st.markdown(f"**{t('summary.diversity')}**")
    st.caption(t("summary.diversity_note"))
    for row in diversity.to_dict("records"):
        answers = ", ".join(
            f"{reports.answer_label(lang, row['attribute'], key)} {count}"
            for key, count in row["answers"].items()
        )
        st.markdown(
            t(
                "summary.diversity_row",
                attribute=t(f"summary.attribute.{row['attribute']}"),
                reported=row["reported"],
                members=row["members"],
            )
            + (f" – {user_text(answers)}" if answers else "")
        )

# -- agreement status, overdue commitments and feedback --------------------------------------
st.markdown(f"### {t('summary.agreements')}")
promises = summary.agreements
with st.container(horizontal=True, key="summary_agreement_status"):
    st.metric(
        t("summary.agreements_published"),
        f"{promises['published']}/{promises['agreements']}",
        border=True,
    )
    st.metric(
        t("summary.commitments_done"), f"{promises['done']}/{promises['commitments']}", border=True
    )
    st.metric(t("summary.commitments_overdue"), promises["overdue"], border=True)
    st.metric(
        t("summary.feedback_share"),
        percent(summary.feedback_given / summary.feedback_ideas) if summary.feedback_ideas else "–",
        help=t("summary.feedback_help", given=summary.feedback_given, ideas=summary.feedback_ideas),
        border=True,
    )
overdue_panel(committee_id)

# -- top ideas and what unites the room -------------------------------------------------------
st.markdown(f"### {t('summary.top_ideas')}")
charts = reports.summary_charts(summary, lang)
if summary.top_ideas.empty:
    st.info(t("summary.no_ideas"))
else:
    st.vega_lite_chart(charts["top_ideas"], width="stretch")
    chart_text(charts["top_ideas"])
if summary.consensus is not None:
    st.markdown(f"**{t('summary.unites')}**")
    if summary.consensus.attrs.get("computing"):
        st.caption(t("results.groups_computing"))
    elif summary.consensus.empty:
        st.caption(t("summary.unites_none"))
    for row in summary.consensus.to_dict("records"):
        st.markdown(
            f"- {user_text(row['text'])} · "
            + t("summary.unites_row", share=percent(row["share"]), seen=row["seen"])
        )

# -- recommendations and decisions ------------------------------------------------------------
st.markdown(f"### {t('summary.recommendations')}")
if summary.recommendations.empty:
    st.info(t("summary.no_recommendations"))
else:
    with st.container(horizontal=True, key="summary_decisions"):
        for key, count in summary.decisions.items():
            st.metric(t(f"outcomes.decision.{key}"), count, border=True)
    shown_recommendations = summary.recommendations.head(SHOWN)
    for row in shown_recommendations.to_dict("records"):
        council, standing = row["council"], row["standing_committee"]
        if isinstance(council, str):
            status = f"{t(f'outcomes.decision.{council}')} · {t('outcomes.body.council')}"
        elif isinstance(standing, str):
            status = (
                f"{t(f'outcomes.decision.{standing}')} · {t('outcomes.body.standing_committee')}"
            )
        else:
            status = t("outcomes.decision.pending")
        st.markdown(f"**{user_text(row['title'])}** – {status}")
        # Both levels, each with its reasons: an amendment by the standing committee stays in
        # view after the council has decided.
        for level in ("standing_committee", "council"):
            outcome = row[level]
            if not isinstance(outcome, str):
                continue
            reason = row[f"{level}_rationale"]
            body = t(f"decision.body.{level}")
            st.markdown(
                t(
                    "summary.decision_reason" if reason else "summary.decision_at",
                    body=body[:1].upper() + body[1:],
                    outcome=t(f"decision.outcome.{outcome}"),
                    date=day(row[f"{level}_at"]),
                    reason=user_text(reason),
                )
            )
        st.caption(tn("summary.from_ideas", int(row["ideas"])))
    if len(summary.recommendations) > SHOWN:
        st.caption(tn("summary.more_in_records", len(summary.recommendations) - SHOWN))

# -- outcomes and values ----------------------------------------------------------------------
st.markdown(f"### {t('summary.outcomes')}")
if summary.outcomes.empty:
    st.info(t("summary.no_outcomes"))
else:
    st.vega_lite_chart(charts["values"], width="stretch")
    chart_text(charts["values"])
    st.vega_lite_chart(charts["national"], width="stretch")
    chart_text(charts["national"])
    for note in reports.comparison_notes(summary.comparison):
        st.caption(f"{t(note['row_key'])}: {translate(lang, note['key'], **note['params'])}")
    # Every value category beside its national figure (edition and n), or in words that the
    # barometer has none: a table, so that no row is ever empty.
    st.markdown(f"**{t('summary.national_by_value')}**")
    national = barometer.national_by_value_frame(summary.outcomes_records, lang)
    st.table(
        national[["label", "ours", "national"]]
        .rename(
            columns={
                "label": t("brief.col.value"),
                "ours": t("brief.col.realised"),
                "national": t("brief.col.national"),
            }
        )
        .set_index(t("brief.col.value"))
    )
    st.caption(t("national.source"))
reviews = summary.reviews
if len(reviews):
    st.markdown(f"**{t('summary.reviews')}**")
    overdue = int((reviews["state"] == "overdue").sum())
    st.caption(t("summary.reviews_count", overdue=overdue, due=len(reviews) - overdue))
    for row in reviews.head(SHOWN).to_dict("records"):
        line = t(f"summary.review.{row['state']}", title=row["title"], date=day(row["due_on"]))
        if row["state"] == "overdue":
            st.warning(user_text(line), icon=":material/schedule:")
        else:
            st.caption(user_text(line))

# -- downloads --------------------------------------------------------------------------------
st.markdown(f"### {t('summary.downloads')}")
if not exports.has_records(db, committee_id):
    st.info(t("summary.export_empty"))
else:
    # the raw data's name stays in English like its column names (data, not text)
    scope = f"committee-{committee_id}" if committee_id else "all-committees"
    demo = "-DEMO" if summary.is_demo else ""

    def pdf_bytes() -> bytes:
        return brief.brief_file(db, committee_id, lang)

    def workbook_bytes() -> bytes:
        return workbook.workbook_file(db, committee_id, lang)

    def export(kind: str):
        # A file that cannot be built raises: the button then says so in words
        # (ui/frontend_words) instead of handing over an empty file.
        def make() -> bytes:
            return exports.export_file(db, committee_id, kind)

        return make

    with st.container(horizontal=True, key="summary_downloads"):
        st.download_button(
            t("summary.download_pdf"),
            pdf_bytes,
            file_name=workbook.file_name(lang, "brief", committee_id, is_demo=summary.is_demo),
            mime="application/pdf",
            icon=":material/picture_as_pdf:",
            type="primary",
            on_click="ignore",
            key="summary_pdf",
        )
        st.download_button(
            t("summary.download_workbook"),
            workbook_bytes,
            file_name=workbook.file_name(lang, "workbook", committee_id, is_demo=summary.is_demo),
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/grid_on:",
            type="primary",
            on_click="ignore",
            key="summary_workbook",
        )
    st.caption(t("summary.raw_data"))
    with st.container(horizontal=True, key="summary_raw_downloads"):
        for kind, mime, icon in (
            ("csv", "application/zip", ":material/table:"),
            (
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ":material/grid_on:",
            ),
            ("json", "application/json", ":material/data_object:"),
        ):
            suffix = "csv.zip" if kind == "csv" else kind
            st.download_button(
                t(f"summary.download_{kind}"),
                export(kind),
                file_name=f"samskab-{scope}{demo}.{suffix}",
                mime=mime,
                icon=icon,
                on_click="ignore",
                key=f"summary_{kind}",
            )
