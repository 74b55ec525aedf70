"""Going back a phase, correcting recorded values, and telling applicants their outcome.

A correction is shown where the value is, as "corrected on … by …, was: …" under the current
value, oldest first. Every control sends the version it showed, so a correction made by
someone else meanwhile is refused instead of overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time

import streamlit as st

from workshop import committees
from workshop.committees import corrections, recruitment
from workshop.committees.model import (
    Application,
    ApplicationStatus,
    Correction,
    MeetingPlan,
    Phase,
)
from workshop.db import Store
from workshop.i18n import formats
from workshop.meetings import qr
from workshop.model import User
from workshop.ui.actions import shows_refusal
from workshop.ui.committee_widgets import day_text, phase_label
from workshop.ui.i18n import current_language, date_format, moment, t, tn
from workshop.ui.process import settings
from workshop.ui.session import flash
from workshop.ui.widgets import user_text


def seen_version(key: str, current: int) -> int:
    """The version this browser first showed (the page re-reads the value on every rerun, the
    click included, so the version must be remembered to notice a correction made meanwhile)."""
    return int(st.session_state.setdefault(f"{key}_seen", current))


def forget_seen(key: str) -> None:
    """After a correction (or a refusal) the next one starts from the value shown then."""
    st.session_state.pop(f"{key}_seen", None)


def save_correction(key: str, save: Callable[[], object], done: str | None = None) -> None:
    """Run one correction: on success a flash (``done``, or "saved") and a rerun; on a refusal
    the reason in the user's language. Either way the next one starts from the value shown
    then."""
    with shows_refusal(after=lambda: forget_seen(key)):
        save()
        forget_seen(key)
        flash(done or t("correction.saved"))
        st.rerun()


def was_lines(
    fixes: list[Correction] | tuple[Correction, ...], show: Callable[[dict], str]
) -> None:
    """One caption per correction: when, by whom, and the value it replaced."""
    for fix in fixes:
        st.caption(
            t(
                "correction.line",
                date=day_text(fix.corrected_at),
                name=fix.corrected_by_name or "—",
                was=show(fix.before),
            )
        )


def go_back_control(db: Store, committee_id: int, phase: Phase, user: User) -> None:
    """A popover to move the committee back one phase, with a required reason."""
    earlier = phase.previous
    if earlier is None:
        return
    key = f"committee_back_{committee_id}"
    seen = Phase(st.session_state.setdefault(f"{key}_seen", phase.value))
    with st.popover(t("committee.back.open"), icon=":material/undo:", key="committee_back"):
        st.caption(t("committee.back.help"))
        reason = st.text_area(
            t("committee.back.reason"),
            max_chars=committees.core.REASON_MAX,
            key="committee_back_reason",
        )
        if st.button(
            t("committee.back.button", phase=phase_label(earlier)), key="committee_back_go"
        ):
            save_correction(
                key,
                lambda: committees.go_back_phase(
                    db, committee_id, expected=seen, reason=reason, actor=user
                ),
                t("committee.back.done", phase=phase_label(earlier)),
            )


def phase_history(db: Store, committee_id: int) -> None:
    """Every phase change, with who and when, and the reason of each step back."""
    with st.expander(t("committee.history.title"), icon=":material/history:"):
        for change in committees.phase_changes(db, committee_id):
            params = {
                "date": day_text(change.changed_at),
                "name": change.changed_by_name or "—",
                "to_phase": phase_label(change.to_phase),
            }
            if change.from_phase is None:
                st.markdown(t("committee.history.start", **params))
                continue
            line = t("committee.history.line", from_phase=phase_label(change.from_phase), **params)
            if change.is_back:
                line += " · " + t("committee.history.back", reason=user_text(change.reason or ""))
            st.markdown(line)


def deadline_corrections(db: Store, committee_id: int) -> None:
    """Earlier planned dates, under the timeline."""
    for phase_key, fixes in corrections.deadline_corrections(db, committee_id).items():
        for fix in fixes:
            st.caption(
                t(
                    "committee.deadlines.corrected",
                    phase=phase_label(Phase(phase_key)),
                    date=day_text(fix.corrected_at),
                    name=fix.corrected_by_name or "—",
                    was=day_text(fix.before.get("due_on")),
                )
            )


def seen_deadline_versions(db: Store, committee_id: int) -> dict[Phase, int]:
    """The versions of the planned dates this browser first showed (see ``seen_version``)."""
    fixes = corrections.deadline_corrections(db, committee_id)
    now = {p.value: 1 + len(fixes.get(p.value, [])) for p in Phase}
    seen = st.session_state.setdefault(f"committee_deadlines_{committee_id}_seen", now)
    return {Phase(p): int(v) for p, v in seen.items()}


def meeting_date_correction(db: Store, plan: MeetingPlan, user: User) -> None:
    """Earlier dates of a committee meeting, and a control to correct its date."""
    fixes = corrections.history(db, "meeting_date", plan.meeting_id)
    was_lines(fixes, lambda b: moment(b["planned_at"]))
    key = f"committee_redate_{plan.meeting_id}"
    version = seen_version(key, 1 + len(fixes))
    with st.popover(t("committee.meeting.correct_date"), icon=":material/edit_calendar:", key=key):
        when = datetime.fromisoformat(plan.planned_at)
        with st.container(horizontal=True):
            day = st.date_input(
                t("committee.meeting.new_date"),
                value=when.date(),
                format=date_format(),
                key=f"{key}_day",
            )
            clock = st.time_input(
                t("committee.meeting.new_time"), value=when.time(), key=f"{key}_time"
            )
        if st.button(t("correction.save"), key=f"{key}_go"):
            save_correction(
                key,
                lambda: corrections.correct_meeting_date(
                    db,
                    plan.meeting_id,
                    datetime.combine(day or formats.today(), clock or time(17, 0)),
                    expected_version=version,
                    actor=user,
                ),
            )


def rationale_correction(
    db: Store, application: Application, fixes: list[Correction], user: User
) -> None:
    """The current reason for an application's status, its earlier wordings, and a control to
    correct it (the review history above stays as written)."""
    if application.status is ApplicationStatus.INTERESTED:
        return
    if fixes:
        now = recruitment.rationale_text(application.rationale, current_language())
        st.caption(t("recruitment.rationale_now", rationale=user_text(now)))
        was_lines(fixes, lambda b: user_text(b.get("rationale", "")))
    key = f"recruitment_fix_{application.id}"
    version = seen_version(key, application.rationale_version)
    with st.popover(t("recruitment.correct_rationale"), icon=":material/edit_note:", key=key):
        text = st.text_area(
            t("recruitment.rationale"),
            value=application.rationale,
            max_chars=recruitment.RATIONALE_MAX,
            key=f"{key}_text",
        )
        if st.button(t("correction.save"), key=f"{key}_go"):
            save_correction(
                key,
                lambda: recruitment.correct_rationale(
                    db, application.id, text, expected_version=version, actor=user
                ),
            )


def send_outcomes_panel(db: Store, committee_id: int, user: User) -> None:
    """Tell every decided applicant their outcome in one action; every delivery is listed,
    and those without an e-mail address are named for staff to tell another way."""
    with st.container(border=True, key="recruitment_outcomes"):
        st.subheader(t("recruitment.outcomes.title"))
        st.caption(t("recruitment.outcomes.intro"))
        if st.button(
            t("recruitment.outcomes.send"),
            type="primary",
            icon=":material/send:",
            key="recruitment_outcomes_send",
        ):
            base = qr.base_url(settings().public_url, st.context.url)
            with shows_refusal():
                sent = recruitment.send_outcomes(db, committee_id, actor=user, link_base=base)
                st.success(
                    t(
                        "recruitment.outcomes.sent",
                        delivered=sent.delivered,
                        no_contact=sent.no_contact,
                        failed=sent.failed,
                        already=sent.already_told,
                    )
                )
                if sent.undecided:
                    st.caption(tn("recruitment.outcomes.undecided", sent.undecided))
        notices = recruitment.list_notices(db, committee_id)
        everyone = {a.id: a for a in recruitment.list_applications(db, committee_id)}
        latest: dict[int, recruitment.Notice] = {}
        for notice in notices:  # newest first
            latest.setdefault(notice.application_id, notice)
        untold = [
            n
            for n in latest.values()
            if n.delivery == "no_contact"
            and n.application_id in everyone
            and everyone[n.application_id].status is n.status
        ]
        if untold:
            st.warning(t("recruitment.outcomes.no_contact_title"), icon=":material/call:")
            for notice in untold:
                contact = everyone[notice.application_id].contact
                st.markdown(
                    "- "
                    + t(
                        "recruitment.outcomes.no_contact_line",
                        name=user_text(notice.name),
                        status=t(f"application.status.{notice.status.value}"),
                        contact=f" · {user_text(contact)}" if contact else "",
                    )
                )
        if notices:
            st.markdown(f"**{t('recruitment.outcomes.deliveries')}**")
            st.dataframe(
                [
                    {
                        t("recruitment.outcomes.col.name"): n.name,
                        t("recruitment.outcomes.col.status"): t(
                            f"application.status.{n.status.value}"
                        ),
                        t("recruitment.outcomes.col.delivery"): t(
                            f"recruitment.outcomes.delivery.{n.delivery}"
                        ),
                        t("recruitment.outcomes.col.by"): n.sent_by_name or "—",
                        t("recruitment.outcomes.col.at"): moment(n.sent_at),
                    }
                    for n in notices
                ],
                hide_index=True,
                key="recruitment_outcomes_deliveries",
                placeholder=t("table.empty"),
            )
