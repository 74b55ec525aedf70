"""Audit log (admin): every staff action, filtered on screen, exported as CSV or JSON."""

from datetime import date
from typing import Any

import streamlit as st

from workshop import audit
from workshop.model import Role
from workshop.ui.code_labels import action_label, audit_csv, audit_json, audit_rows
from workshop.ui.i18n import date_format, t, tn
from workshop.ui.process import store
from workshop.ui.session import require_role

SHOWN = 500  # newest entries on screen; the downloads hold every matching entry

require_role(Role.ADMIN)
db = store()

st.title(t("page.audit"))
st.caption(t("privacy.audit.lead"))

with st.container(horizontal=True, key="audit_filters"):
    action = st.selectbox(
        t("privacy.audit.action"),
        ["", *audit.list_actions(db)],
        format_func=lambda value: action_label(value) if value else t("privacy.audit.all"),
        key="audit_action",
    )
    actor = st.selectbox(
        t("privacy.audit.actor"),
        ["", *audit.list_actors(db)],
        format_func=lambda value: value or t("privacy.audit.all"),
        key="audit_actor",
    )
    since = st.date_input(
        t("privacy.audit.since"), value=None, format=date_format(), key="audit_since"
    )
    until = st.date_input(
        t("privacy.audit.until"), value=None, format=date_format(), key="audit_until"
    )


def entries(limit: int | None = None) -> list[dict[str, Any]]:
    return audit.query_entries(
        db,
        action=action or None,
        actor=actor or None,
        since=since.isoformat() if isinstance(since, date) else None,
        until=until.isoformat() if isinstance(until, date) else None,
        limit=limit,
    )


newest = list(reversed(entries(SHOWN)))

if not newest:
    st.info(t("privacy.audit.none"))
else:
    st.caption(tn("privacy.audit.shown", len(newest), limit=SHOWN))
    shown = audit_rows(db, newest)
    st.dataframe(
        shown,
        placeholder=t("table.empty"),
        hide_index=True,
        column_order=["at", "actor", "action", "entity", "entity_id", "before", "after"],
        column_config={
            name: st.column_config.TextColumn(t(f"privacy.audit.col.{name}"))
            for name in ("at", "actor", "action", "entity", "before", "after")
        }
        | {"entity_id": st.column_config.NumberColumn(t("privacy.audit.col.entity_id"))},
        key="audit_table",
    )
    everything = entries()
    st.caption(t("privacy.audit.json_note"))
    with st.container(horizontal=True):
        st.download_button(
            t("privacy.audit.download_csv"),
            data=audit_csv(db, everything),
            file_name=f"samskab-{t('documents.file.audit')}.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
            key="audit_download_csv",
        )
        st.download_button(
            t("privacy.audit.download_json"),
            data=audit_json(everything),
            file_name="samskab-audit-log.json",
            mime="application/json",
            icon=":material/download:",
            on_click="ignore",
            key="audit_download_json",
        )
