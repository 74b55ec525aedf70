"""The committee's public page, opened by link (``/mandate?link=<token>``): readable and
printable, no login. The municipality links to it.

Shows the mandate (the latest approved version; before approval, the latest draft, clearly
marked), then the members by role, the minutes the committee has approved, recommendations
with both decisions and their reasons, and the outcomes followed up
(``committees.public.committee_page``: no contact data, citizens by role only).
"""

import streamlit as st

from workshop import committees
from workshop.committees import mandates, public
from workshop.committees.model import MANDATE_TEXT_FIELDS, Action
from workshop.ui.committee_widgets import day_text, linked_committee, phase_label
from workshop.ui.i18n import language_switcher, t
from workshop.ui.process import store
from workshop.ui.widgets import demo_badge, user_text

# Printing: no app chrome, no buttons, black text on white.
st.html(
    """<style>
    @media print {
      header[data-testid="stHeader"], [data-testid="stToolbar"], .st-key-mandate_tools,
      [data-testid="stSidebar"] {display: none !important;}
      .block-container {padding-top: 0 !important; max-width: 100% !important;}
      * {color: #000 !important;}
    }
    </style>"""
)

db = store()
committee = linked_committee()

state = committees.get_state(db, committee.id)
shown = mandates.approved_mandate(db, committee.id) or mandates.find_mandate(db, committee.id)

with st.container(horizontal=True, horizontal_alignment="right", key="mandate_tools"):
    language_switcher("mandate_language")
demo_badge(committee.is_demo)
st.caption(t("mandate.kicker"))
st.title(user_text(committee.title))

if shown is None:
    st.info(t("mandate.none_yet"))
elif shown.is_approved:
    st.success(
        t(
            "mandate.approved_line",
            version=shown.version,
            body=shown.approved_by_body or "",
            date=day_text(shown.approved_on),
        ),
        icon=":material/verified:",
    )
else:
    st.warning(t("mandate.draft_line", version=shown.version), icon=":material/edit_note:")
st.caption(t("mandate.phase_line", phase=phase_label(state.phase)))

for field in MANDATE_TEXT_FIELDS if shown is not None else ():
    assert shown is not None
    text = str(getattr(shown, field))
    if not text:
        continue
    st.subheader(t(f"mandate.field.{field}"))
    if field == "competence_profile":
        for competence in shown.competences:
            st.markdown(f"- {user_text(competence)}")
    else:
        st.markdown(user_text(text))
    if field == "budget":
        st.subheader(t("mandate.composition"))
        st.markdown(
            t(
                "committees.composition",
                politicians=shown.politicians_target,
                citizens=shown.citizens_target,
            )
        )

if committees.can(state.phase, Action.APPLY):
    with st.container(border=True, key="mandate_tools_apply"):
        st.markdown(f"**{t('mandate.recruiting')}**")
        st.page_link(
            "workshop/ui/pages/apply.py",
            label=t("mandate.apply"),
            icon=":material/person_add:",
            query_params={"link": st.query_params.get("link", "")},
        )

page = public.committee_page(db, committee.id)

st.header(t("public.members"), divider="gray")
if not page.members:
    st.caption(t("public.no_members"))
for person in page.members:
    role = t(f"member.role.{person.role.value}")
    if person.name:
        st.markdown(f"- **{user_text(person.name)}** · {role}")
    else:
        st.markdown(f"- **{role}** · {t('public.citizen_member')}")
if any(person.name is None for person in page.members):
    st.caption(t("public.names_note"))

st.header(t("public.minutes"), divider="gray")
if not page.minutes:
    st.caption(t("public.no_minutes"))
for plan in page.minutes:
    with st.container(border=True, key=f"mandate_minutes_{plan.meeting_id}"):
        st.subheader(user_text(plan.title))
        st.caption(
            t(
                "public.minutes_line",
                date=day_text(plan.planned_at),
                approved_at=user_text(plan.approved_at_title or ""),
            )
        )
        st.markdown(user_text(plan.minutes))

st.header(t("public.recommendations"), divider="gray")
if not page.recommendations:
    st.caption(t("public.no_recommendations"))
for item in page.recommendations:
    with st.container(border=True):
        st.subheader(user_text(item.title))
        st.caption(t(f"recommendation.stage.{item.stage}"))
        if item.body:
            st.markdown(user_text(item.body))
        for decision in item.decisions:
            st.markdown(
                "**"
                + t(
                    "public.decision_line",
                    body=t(f"decision.body.{decision.body.value}"),
                    outcome=t(f"decision.outcome.{decision.outcome.value}"),
                    date=day_text(decision.decided_at),
                )
                + "**"
            )
            if decision.rationale:
                st.markdown(t("public.reason", reason=user_text(decision.rationale)))

st.header(t("public.outcomes"), divider="gray")
if not page.outcomes:
    st.caption(t("public.no_outcomes"))
for result in page.outcomes:
    st.markdown(
        f"- **{user_text(result.title)}** · "
        + t(
            "public.outcome_line",
            status=t(f"outcomes.status.{result.status}"),
            progress=result.progress,
        )
    )
