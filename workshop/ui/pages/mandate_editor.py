"""The mandate (kommissorium) editor: every save a new version; compare; record approval."""

import streamlit as st

from workshop import committees
from workshop.committees import mandates
from workshop.committees.model import MANDATE_FIELDS, MANDATE_TEXT_FIELDS, Action
from workshop.i18n import formats
from workshop.model import Role
from workshop.ui.actions import shows_refusal
from workshop.ui.committee_widgets import (
    committee_header,
    day_text,
    phase_label,
    picked_committee,
    public_url,
)
from workshop.ui.i18n import date_format, t
from workshop.ui.link_widgets import renew_link
from workshop.ui.process import store
from workshop.ui.session import flash, require_role, show_flash
from workshop.ui.widgets import user_text

user = require_role(Role.FACILITATOR, Role.ADMIN)
db = store()
show_flash()
committee = picked_committee()
state = committees.get_state(db, committee.id)
latest = mandates.find_mandate(db, committee.id)

committee_header(
    committee, state.phase, t("mandate_editor.title", title=committee.title), "mandate_editor"
)

public = committees.public_link_token(db, committee.id)
if public is not None:
    link = public_url("mandate", public)
    with st.container(horizontal=True, vertical_alignment="center", key="mandate_editor_links"):
        st.link_button(
            t("mandate_editor.open_public"), link, icon=":material/open_in_new:", type="secondary"
        )
    st.code(link, language=None)
renew_link(
    public,
    lambda: committees.new_public_link(db, committee.id, actor=user),
    key="mandate_editor_new_link",
)

if latest is None:
    st.info(t("mandate_editor.first_draft"))
else:
    status = (
        t(
            "mandate_editor.approved_by",
            body=latest.approved_by_body or "",
            date=day_text(latest.approved_on),
        )
        if latest.is_approved
        else t("mandate_editor.not_approved")
    )
    st.markdown(
        t(
            "mandate_editor.current",
            version=latest.version,
            name=latest.created_by_name or "—",
            date=day_text(latest.created_at),
        )
        + f" · {status}"
    )

editable = committees.is_allowed(db, committee.id, Action.EDIT_MANDATE)
editor_tab, versions_tab = st.tabs([t("mandate_editor.tab.edit"), t("mandate_editor.tab.versions")])

with editor_tab:
    if not editable:
        st.info(t("mandate_editor.locked", phase=phase_label(state.phase)))
    with st.form("mandate_editor_form"):
        values: dict[str, object] = {}
        for field in MANDATE_TEXT_FIELDS:
            values[field] = st.text_area(
                t(f"mandate.field.{field}"),
                value=str(getattr(latest, field)) if latest else "",
                max_chars=mandates.FIELD_MAX,
                help=t(f"mandate.help.{field}"),
                key=f"mandate_editor_{field}",
                disabled=not editable,
            )
        with st.container(horizontal=True):
            values["politicians_target"] = st.number_input(
                t("mandate.field.politicians_target"),
                0,
                50,
                latest.politicians_target if latest else committee.politicians_target,
                key="mandate_editor_politicians",
                disabled=not editable,
            )
            values["citizens_target"] = st.number_input(
                t("mandate.field.citizens_target"),
                0,
                200,
                latest.citizens_target if latest else committee.citizens_target,
                key="mandate_editor_citizens",
                disabled=not editable,
            )
        note = st.text_input(
            t("mandate_editor.change_note"),
            max_chars=mandates.NOTE_MAX,
            key="mandate_editor_note",
            disabled=not editable,
        )
        new_version = False
        if latest is not None and latest.is_approved:
            st.warning(t("mandate_editor.approved_warning", version=latest.version))
            new_version = st.checkbox(
                t("mandate_editor.confirm_new_version", version=latest.version + 1),
                key="mandate_editor_new_version",
                disabled=not editable,
            )
        if st.form_submit_button(t("mandate_editor.save"), type="primary", disabled=not editable):
            with shows_refusal():
                saved = mandates.save_mandate(
                    db,
                    committee.id,
                    {f: values[f] for f in MANDATE_FIELDS},
                    based_on=latest.version if latest else None,
                    actor=user,
                    change_note=note,
                    new_version=new_version,
                )
                flash(t("mandate_editor.saved", version=saved.version))
                st.rerun()

    if (
        latest is not None
        and not latest.is_approved
        and committees.is_allowed(db, committee.id, Action.APPROVE_MANDATE)
    ):
        with st.form("mandate_editor_approve", border=True):
            st.subheader(t("mandate_editor.approve_title", version=latest.version))
            body = st.text_input(
                t("mandate_editor.approve_body"),
                max_chars=mandates.BODY_MAX,
                placeholder=t("mandate_editor.approve_body_placeholder"),
                key="mandate_editor_approve_body",
            )
            approved_on = st.date_input(
                t("mandate_editor.approve_date"),
                value=formats.today(),
                format=date_format(),
                key="mandate_editor_approve_date",
            )
            if st.form_submit_button(t("mandate_editor.approve"), type="primary"):
                with shows_refusal():
                    mandates.approve_mandate(
                        db,
                        committee.id,
                        latest.version,
                        body=body,
                        approved_on=approved_on or formats.today(),
                        actor=user,
                    )
                    flash(t("mandate_editor.approved", version=latest.version))
                    st.rerun()

with versions_tab:
    versions = mandates.list_versions(db, committee.id)
    if not versions:
        st.info(t("mandate_editor.no_versions"))
    for version in versions:
        line = t(
            "mandate_editor.version_line",
            version=version.version,
            name=version.created_by_name or "—",
            date=day_text(version.created_at),
        )
        if version.is_approved:
            line += " · " + t(
                "mandate_editor.approved_by",
                body=version.approved_by_body or "",
                date=day_text(version.approved_on),
            )
        st.markdown(f"**{user_text(line)}**")
        if version.change_note:
            st.caption(user_text(version.change_note))
    if len(versions) >= 2:
        st.subheader(t("mandate_editor.compare"))
        numbers = [v.version for v in versions]
        with st.container(horizontal=True):
            old = st.selectbox(
                t("mandate_editor.compare_old"), numbers, index=1, key="mandate_editor_old"
            )
            new = st.selectbox(
                t("mandate_editor.compare_new"), numbers, index=0, key="mandate_editor_new"
            )
        changes = mandates.compare_versions(db, committee.id, int(old or 1), int(new or 1))
        if not changes:
            st.info(t("mandate_editor.no_changes"))
        for change in changes:
            st.markdown(f"**{t(f'mandate.field.{change.field}')}**")
            st.code("\n".join(change.diff) or f"- {change.old}\n+ {change.new}", language="diff")
