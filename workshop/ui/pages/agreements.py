"""Facilitators: expectation-setting agreements. Create from a template, edit (every save is a
version), compare versions, track commitments, and see who acknowledged which version."""

from datetime import date

import streamlit as st

from workshop import committees
from workshop.agreements import core as agreements
from workshop.agreements.core import TEXT_FIELDS, ParticipationLevel, Party, Template
from workshop.i18n import formats
from workshop.meetings import core as meetings
from workshop.model import Role
from workshop.ui.actions import shows_refusal
from workshop.ui.agreement_widgets import day, field_label
from workshop.ui.i18n import current_language, date_format, t
from workshop.ui.process import store
from workshop.ui.session import flash, require_role, show_flash
from workshop.ui.widgets import user_text

NEW_RESET = "agreements_new_reset"
NEW_KEYS = ("agreements_new_description", "agreements_new_owner", "agreements_new_due")

user = require_role(Role.FACILITATOR, Role.ADMIN)
db = store()
show_flash()
st.title(t("page.agreements"))
st.caption(t("agreements.intro"))

all_committees = {c.id: c for c in committees.list_committees(db)}
if not all_committees:
    st.info(t("agreements.no_committees"))
    st.stop()
wanted = st.query_params.get("committee")
committee_id = st.selectbox(
    t("agreements.pick_committee"),
    list(all_committees),
    format_func=lambda cid: all_committees[cid].title,
    index=list(all_committees).index(int(wanted))
    if wanted and wanted.isdigit() and int(wanted) in all_committees
    else 0,
    key="agreements_committee",
)
committee_meetings = {m.id: m for m in meetings.list_meetings(db, committee_id)}
WHOLE = 0
scope = st.selectbox(
    t("agreements.attach_to"),
    [WHOLE, *committee_meetings],
    format_func=lambda mid: (
        t("agreements.meeting_option", title=committee_meetings[mid].title)
        if mid
        else t("agreements.whole_committee")
    ),
    key=f"agreements_scope_{committee_id}",
)
in_scope = (
    agreements.list_agreements(db, meeting_id=scope)
    if scope
    else agreements.list_agreements(db, committee_id=committee_id)
)


def create_form() -> None:
    with st.form(f"agreements_create_{committee_id}_{scope}"):
        template = st.selectbox(
            t("agreements.template"),
            list(Template),
            format_func=lambda tpl: t(f"agreement.template_name.{tpl}"),
            index=1 if scope else 0,
            key="agreements_template",
        )
        if st.form_submit_button(t("agreements.create"), type="primary"):
            with shows_refusal():
                agreements.create_agreement(
                    db,
                    template,
                    lang=current_language(),
                    committee_id=None if scope else committee_id,
                    meeting_id=scope or None,
                    actor=user,
                )
                flash(t("agreements.created"))
                st.rerun()


if not in_scope:
    st.info(t("agreements.none"))
    create_form()
    st.stop()

by_id = {a.id: a for a in in_scope}
chosen = (
    st.selectbox(
        t("agreements.pick"),
        list(by_id),
        format_func=lambda aid: by_id[aid].current.title,
        key=f"agreements_pick_{committee_id}_{scope}",
    )
    if len(by_id) > 1
    else next(iter(by_id))
)
agreement = by_id[chosen]
current = agreement.current

st.subheader(user_text(current.title))
with st.container(horizontal=True, vertical_alignment="center"):
    st.caption(t("agreements.version_line", version=current.version, date=day(current.created_at)))
    if agreement.is_published:
        st.badge(t("agreements.published"), icon=":material/visibility:", color="green")
    else:
        st.badge(t("agreements.draft"), icon=":material/edit_note:", color="gray")
        if st.button(t("agreements.publish"), type="primary", key="agreements_publish"):
            agreements.publish_agreement(db, agreement.id, actor=user)
            flash(t("agreements.published_now"))
            st.rerun()

text_tab, commitments_tab, versions_tab, acks_tab = st.tabs(
    [
        t("agreements.tab_text"),
        t("agreements.tab_commitments"),
        t("agreements.tab_versions"),
        t("agreements.tab_acks"),
    ]
)

# -- the text: every save is a new version ---------
with text_tab, st.form(f"agreements_edit_{agreement.id}_{current.version}"):
    edit_key = f"{agreement.id}_{current.version}"
    changes: dict[str, object] = {}
    for name in TEXT_FIELDS:
        label = field_label(name)
        if name == "title":
            changes[name] = st.text_input(
                label,
                current.texts[name],
                max_chars=agreements.TITLE_MAX,
                key=f"agreements_{name}_{edit_key}",
            )
        else:
            changes[name] = st.text_area(
                label,
                current.texts[name],
                max_chars=agreements.SUMMARY_MAX if name == "summary" else agreements.FIELD_MAX,
                help=t("agreements.summary_help") if name == "summary" else None,
                height=160 if name in ("summary", "roles") else "content",
                key=f"agreements_{name}_{edit_key}",
            )
        if name == "fixed":
            levels = list(ParticipationLevel)
            changes["participation_level"] = st.selectbox(
                field_label("participation_level"),
                levels,
                index=levels.index(current.participation_level),
                format_func=lambda lvl: (
                    f"{t(f'agreement.level.{lvl}')} – {t(f'agreement.level_promise.{lvl}')}"
                ),
                key=f"agreements_level_{edit_key}",
            )
        if name == "feedback_how":
            changes["feedback_due_on"] = st.date_input(
                field_label("feedback_due_on"),
                date.fromisoformat(current.feedback_due_on) if current.feedback_due_on else None,
                format=date_format(),
                key=f"agreements_feedback_due_{edit_key}",
            )
    changes["signed_off_on"] = st.date_input(
        field_label("signed_off_on"),
        date.fromisoformat(current.signed_off_on) if current.signed_off_on else None,
        format=date_format(),
        key=f"agreements_signed_off_on_{edit_key}",
    )
    material = st.checkbox(
        t("agreements.material"),
        value=True,
        help=t("agreements.material_help"),
        key=f"agreements_material_{edit_key}",
    )
    note = st.text_input(
        t("agreements.change_note"),
        max_chars=agreements.NOTE_MAX,
        key=f"agreements_note_{edit_key}",
    )
    # A material change reaches the running room's phones at once: asked before it is saved.
    running = agreements.running_meetings(db, agreement.id) if agreement.is_published else []
    confirmed = bool(running) and st.checkbox(
        t(
            "agreements.confirm_running",
            meetings=", ".join(user_text(m.title) for m in running),
        ),
        key=f"agreements_confirm_running_{edit_key}",
    )
    if st.form_submit_button(t("agreements.save"), type="primary"):
        with shows_refusal():
            saved = agreements.save_version(
                db,
                agreement.id,
                changes,
                material=material,
                change_note=note,
                confirm_running=confirmed,
                actor=user,
            )
            # Say which kind was saved: the box is ticked by default, and a click meant to
            # tick it unticks it.
            if saved.material:
                flash(t("agreements.saved_material", version=saved.version))
            else:
                flash(t("agreements.saved_wording", version=saved.version))
            st.rerun()

# -- commitments: owner, due date, done with evidence ---------
with commitments_tab:
    today = formats.today()
    items = agreements.list_commitments(db, agreement.id)
    if not items:
        st.caption(t("agreements.no_commitments"))
    for item in items:
        with st.container(border=True, key=f"agreements_commitment_{item.id}"):
            st.markdown(
                f"**{t(f'agreement.party.{item.party}')}** · {user_text(item.description)}  \n"
                f"{t('agreements.owner_shown', owner=user_text(item.owner))}"
            )
            if item.done_at:
                st.badge(
                    t("agreements.commitment_done", date=day(item.done_at)),
                    icon=":material/task_alt:",
                    color="green",
                )
                if item.evidence:
                    st.caption(t("agreements.evidence_shown", evidence=user_text(item.evidence)))
                continue
            if item.is_overdue(today):
                st.badge(
                    t("agreements.commitment_overdue", date=day(item.due_on)),
                    icon=":material/schedule:",
                    color="red",
                )
            else:
                st.badge(
                    t("agreements.commitment_open", date=day(item.due_on)),
                    icon=":material/event:",
                    color="blue",
                )
            if item.evidence_required:
                st.caption(t("agreements.evidence_required"))
            with st.form(f"agreements_close_{item.id}", border=False):
                evidence = st.text_input(
                    t("agreements.evidence"), key=f"agreements_evidence_{item.id}"
                )
                if st.form_submit_button(t("agreements.close")):
                    with shows_refusal():
                        agreements.close_commitment(db, item.id, evidence=evidence, actor=user)
                        flash(t("agreements.closed"))
                        st.rerun()

    if st.session_state.pop(NEW_RESET, False):  # after a success the form starts empty
        for widget in NEW_KEYS:
            st.session_state.pop(widget, None)
    with (
        st.expander(t("agreements.add_commitment"), icon=":material/add:"),
        st.form(f"agreements_add_{agreement.id}"),
    ):
        party = st.selectbox(
            t("agreements.party"),
            list(Party),
            format_func=lambda p: t(f"agreement.party.{p}"),
            key="agreements_new_party",
        )
        description = st.text_input(t("agreements.description"), key="agreements_new_description")
        owner = st.text_input(t("agreements.owner"), key="agreements_new_owner")
        due_on = st.date_input(
            t("agreements.due_on"), None, format=date_format(), key="agreements_new_due"
        )
        evidence_required = st.checkbox(
            t("agreements.evidence_required"), key="agreements_new_evidence"
        )
        new_material = st.checkbox(
            t("agreements.material"),
            help=t("agreements.material_help"),
            key="agreements_new_material",
        )
        if st.form_submit_button(t("agreements.add"), type="primary"):
            with shows_refusal():
                agreements.add_commitment(
                    db,
                    agreement.id,
                    party=party or "",
                    description=description,
                    owner=owner,
                    due_on=due_on or "",
                    evidence_required=evidence_required,
                    material=new_material,
                    actor=user,
                )
                flash(t("agreements.added", version=current.version + 1))
                st.session_state[NEW_RESET] = True
                st.rerun()

# -- versions and the difference between two ---------
with versions_tab:
    versions = agreements.list_versions(db, agreement.id)
    for v in reversed(versions):
        kind = t("agreements.version_material") if v.material else t("agreements.version_wording")
        line = t("agreements.version_option", version=v.version, date=day(v.created_at))
        note = f" · {user_text(v.change_note)}" if v.change_note else ""
        st.markdown(f"- **{line}** · {kind}{note}")
    if len(versions) < 2:
        st.caption(t("agreements.only_one_version"))
    else:
        numbers = [v.version for v in versions]
        with st.container(horizontal=True):
            older = st.selectbox(
                t("agreements.compare_from"),
                numbers,
                index=len(numbers) - 2,
                key=f"agreements_older_{agreement.id}",
            )
            newer = st.selectbox(
                t("agreements.compare_to"),
                numbers,
                index=len(numbers) - 1,
                key=f"agreements_newer_{agreement.id}",
            )
        differences = agreements.diff_versions(db, agreement.id, older, newer)
        if not differences:
            st.caption(t("agreements.no_changes"))
        for change in differences:
            with st.container(border=True):
                st.markdown(f"**{field_label(change.field)}**")
                for line in change.removed:
                    st.markdown(t("agreements.diff_removed", line=user_text(line)))
                for line in change.added:
                    st.markdown(t("agreements.diff_added", line=user_text(line)))

# -- who acknowledged which version ---------
with acks_tab:
    rows = agreements.list_acknowledgements(db, agreement.id)
    if not rows:
        st.caption(t("agreements.ack_none"))
    else:
        done = sum(r.up_to_date for r in rows)
        st.markdown(
            t(
                "agreements.ack_count",
                done=done,
                total=len(rows),
                version=agreement.material_version,
            )
        )
        st.progress(done / len(rows))
        st.dataframe(
            [
                {
                    t("agreements.col_name"): r.name or t("agreements.anonymous"),
                    t("agreements.col_meeting"): r.meeting_title,
                    # An int column with gaps would be sent as text: "None" on screen.
                    t("agreements.col_version"): (
                        t("table.empty") if r.version is None else str(r.version)
                    ),
                    t("agreements.col_at"): day(r.acknowledged_at) if r.acknowledged_at else "",
                    t("agreements.col_up_to_date"): r.up_to_date,
                }
                for r in rows
            ],
            hide_index=True,
            key="agreements_acks",
            placeholder=t("table.empty"),
        )

# -- another agreement for the same committee or meeting ----------------------------------
with st.expander(t("agreements.new_from_template"), icon=":material/add:"):
    create_form()
