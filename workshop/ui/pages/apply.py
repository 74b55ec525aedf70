"""The public application form, opened by link (``/apply?link=<token>``), made for a phone;
and an applicant's own page (``/apply?a=<secret>``), where they see their outcome.

Personal data is minimal. The diversity questions come only after the person has read what
they are for and ticked consent; every one of them is optional.
"""

from collections.abc import Callable

import streamlit as st

from workshop import committees
from workshop.committees import mandates, recruitment
from workshop.committees.model import DIVERSITY_OPTIONS, Action
from workshop.meetings import qr
from workshop.ui.actions import or_stop, shows_refusal
from workshop.ui.committee_widgets import APPLIED, day_text, linked_committee
from workshop.ui.i18n import current_language, language_switcher, t
from workshop.ui.process import settings, store
from workshop.ui.widgets import demo_badge, user_text

db = store()
APPLIED_LINK = "committee_applied_link"  # the secret of the application just sent


def option_label(attribute: str) -> Callable[[str], str]:
    return lambda key: t(f"diversity.{attribute}.{key}")


def applicant_page(token: str) -> None:
    """What the applicant sees at their own link: the outcome with its reason, or that no
    decision has been made yet."""
    with st.container(horizontal=True, horizontal_alignment="right"):
        language_switcher("apply_language")
    mine = or_stop(recruitment.application_by_token, db, token)  # the page ends here anyway
    applied_to = committees.get_committee(db, mine.committee_id)
    demo_badge(applied_to.is_demo)
    st.caption(t("apply.mine.kicker"))
    st.title(user_text(applied_to.title))
    st.caption(t("apply.mine.submitted", date=day_text(mine.submitted_at)))
    if mine.status.is_outcome:
        st.subheader(t(f"application.status.{mine.status.value}"))
        st.markdown(t(f"applicant_outcome.{mine.status.value}", committee=applied_to.title))
        reason = recruitment.rationale_text(mine.rationale, current_language())
        st.markdown(t("applicant_outcome.reason", reason=user_text(reason)))
    else:
        st.info(t("apply.mine.waiting"), icon=":material/hourglass_top:")


# An applicant's own link (``/apply?a=<secret>``): their application and its outcome.
if st.query_params.get("a"):
    applicant_page(st.query_params.get("a", ""))
    st.stop()

committee = linked_committee()

state = committees.get_state(db, committee.id)
mandate = mandates.approved_mandate(db, committee.id)

with st.container(horizontal=True, horizontal_alignment="right"):
    language_switcher("apply_language")
demo_badge(committee.is_demo)
st.caption(t("apply.kicker"))
st.title(user_text(committee.title))
if mandate is not None and mandate.purpose:
    st.markdown(user_text(mandate.purpose))
st.page_link(
    "workshop/ui/pages/mandate.py",
    label=t("apply.read_mandate"),
    icon=":material/description:",
    query_params={"link": st.query_params.get("link", "")},
)

if st.session_state.get(APPLIED) == committee.id:
    st.success(t("apply.thanks"), icon=":material/check_circle:")
    st.write(t("apply.what_next"))
    if mine_link := st.session_state.get(APPLIED_LINK):
        st.markdown(t("apply.mine.keep_link"))
        base = qr.base_url(settings().public_url, st.context.url)
        url = recruitment.applicant_url(base, mine_link)
        with st.container(key="apply_mine_link"):
            st.code(url, language=None, wrap_lines=True)  # the whole link, with a copy button
            st.link_button(
                t("apply.mine.open_link"), url, icon=":material/open_in_new:", type="primary"
            )
    st.stop()

if not committees.can(state.phase, Action.APPLY):
    # Someone who was filling in the form when recruitment closed keeps what they wrote.
    started = any(st.session_state.get(k) for k in ("apply_name", "apply_motivation"))
    st.info(t("apply.closed"), icon=":material/lock:")
    if not started:
        st.stop()

name = st.text_input(t("apply.field.name"), max_chars=recruitment.NAME_MAX, key="apply_name")
contact = st.text_input(
    t("apply.field.contact"),
    max_chars=recruitment.CONTACT_MAX,
    help=t("apply.field.contact_help"),
    key="apply_contact",
)
motivation = st.text_area(
    t("apply.field.motivation"),
    max_chars=recruitment.MOTIVATION_MAX,
    placeholder=t("apply.field.motivation_placeholder"),
    key="apply_motivation",
)
profile = mandate.competences if mandate is not None else []
chosen = (
    st.multiselect(
        t("apply.field.competences"),
        profile,
        key="apply_competences",
        placeholder=t("common.choose_many"),
        select_all=False,
    )
    if profile
    else []
)
other = st.text_input(
    t("apply.field.other_competences"),
    help=t("apply.field.other_competences_help"),
    max_chars=300,
    key="apply_other",
)

with st.container(border=True, key="apply_diversity"):
    st.markdown(f"**{t('apply.diversity.title')}**")
    st.caption(t("apply.diversity.consent_text"))
    consent = st.checkbox(t("apply.diversity.consent"), key="apply_consent")
    answers: dict[str, str | None] = dict.fromkeys(("age_band", "gender", "hard_to_reach"))
    district = ""
    if consent:
        for attribute, options in DIVERSITY_OPTIONS.items():
            answers[attribute] = st.selectbox(
                t(f"diversity.{attribute}"),
                options,
                index=None,
                format_func=option_label(attribute),
                placeholder=t("apply.diversity.skip"),
                key=f"apply_{attribute}",
            )
        districts = recruitment.district_options()
        if districts:  # the municipality's list: coverage never splits on spelling
            district = (
                st.selectbox(
                    t("diversity.district"),
                    districts,
                    index=None,
                    placeholder=t("apply.diversity.skip"),
                    key="apply_district_choice",
                )
                or ""
            )
        else:
            district = st.text_input(
                t("diversity.district"), max_chars=recruitment.DISTRICT_MAX, key="apply_district"
            )

if st.button(t("apply.send"), type="primary", width="stretch", key="apply_send"):
    with shows_refusal():
        made = recruitment.submit_application(
            db,
            committee.id,
            name=name,
            contact=contact,
            motivation=motivation,
            competences=[*chosen, *other.split(",")],
            consent=consent,
            diversity=recruitment.Diversity(
                age_band=answers["age_band"],
                district=district or None,
                gender=answers["gender"],
                hard_to_reach=answers["hard_to_reach"],
            )
            if consent
            else None,
            lang=current_language(),
        )
        st.session_state[APPLIED] = committee.id
        st.session_state[APPLIED_LINK] = recruitment.applicant_link_token(db, made.id)
        st.rerun()
st.caption(t("apply.privacy"))
