"""The public mandate page, opened by link (``/mandate?link=<token>``): readable and printable.

Shows the latest approved version; before approval, the latest draft, clearly marked.
"""

import streamlit as st

from workshop import committees
from workshop.committees import mandates
from workshop.committees.records import MANDATE_TEXT_FIELDS, Action
from workshop.ui.committee_widgets import day_text, linked_committee, phase_label
from workshop.ui.i18n import language_switcher, t
from workshop.ui.session import store
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
    st.stop()
    raise SystemExit

if shown.is_approved:
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

for field in MANDATE_TEXT_FIELDS:
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
