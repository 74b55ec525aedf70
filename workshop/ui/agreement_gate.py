"""The phone's first screen: the meeting's agreement in plain language, acknowledged once.

``agreement_gate(participant)`` does nothing when every agreement of the meeting (and of its
committee) is acknowledged in its current material version. Otherwise it shows the short
version, the whole text one tap away, and an acknowledge button, and stops the page.

A material change saved while the phone is open reaches it without a reload: the phone's
refresh sees :func:`gate_moved` and runs the page again (:func:`agreement_changed`), and a
tap made before that refresh is not carried out (:func:`gated_tap`) but shows the gate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from workshop.agreements import core as agreements
from workshop.meetings import core as meetings
from workshop.model import Participant
from workshop.ui import state
from workshop.ui.actions import flash_refusal
from workshop.ui.agreement_widgets import day, field_label, full_agreement
from workshop.ui.i18n import t
from workshop.ui.process import store
from workshop.ui.runtime import phone_turn
from workshop.ui.widgets import user_text, word_list

GATE_ERROR = "agreement_gate_error"  # session-state key: a message to show after a rerun


def agreement_gate(participant: Participant, change_seq: int | None = None) -> None:
    """Show the pending agreement and stop, or remember the gate as passed at ``change_seq``
    (the meeting's change counter the page read; looked up when not given)."""
    pending = agreements.pending_agreement(store(), participant)
    if pending is None:
        if change_seq is None:
            change_seq = meetings.meeting_state(store(), participant.meeting_id).change_seq
        stamp = agreements.gate_stamp(store(), participant.meeting_id, change_seq)
        st.session_state[state.GATE_SEEN] = (participant, stamp)
        return
    st.session_state.pop(state.GATE_SEEN, None)
    version = pending.version
    st.subheader(t("agreement_gate.title"))
    error = st.session_state.pop(GATE_ERROR, None)
    if error:
        st.error(error)
    if pending.acknowledged_version is not None:
        st.info(t("agreement_gate.changed", version=pending.acknowledged_version))
        fields = [field_label(c.field) for c in pending.changes if c.field != "summary"]
        if fields:
            st.caption(t("agreement_gate.what_changed", fields=word_list(list(fields))))
    with st.container(border=True, key="agreement_gate_card"):
        st.markdown(f"**{user_text(version.title)}**")
        st.markdown(user_text(version.summary))
        level = version.participation_level
        st.markdown(
            f"**{t('agreement_gate.level', level=t(f'agreement.level.{level}'))}**  \n"
            f"{t(f'agreement.level_promise.{level}')}"
        )
        if version.feedback_due_on:
            st.markdown(t("agreement_gate.feedback_due", date=day(version.feedback_due_on)))
        with st.expander(t("agreement_gate.read_full"), icon=":material/article:"):
            full_agreement(version)
            st.caption(t("agreement_gate.version", version=version.version))
    # The version id is bound when the button is drawn: a tap acknowledges exactly the text
    # that was on the screen, even if a newer version was saved in the meantime.
    st.button(
        t("agreement_gate.acknowledge"),
        type="primary",
        width="stretch",
        key="agreement_gate_acknowledge",
        icon=":material/check:",
        on_click=_acknowledge,
        args=(participant, version.id),
    )
    st.stop()


def _acknowledge(participant: Participant, version_id: int) -> None:
    flash_refusal(
        agreements.acknowledge_agreement, store(), participant, version_id, key=GATE_ERROR
    )


def gate_moved(change_seq: int | None = None) -> bool:
    """Whether an agreement of this phone's meeting was published or materially changed since
    the page last passed the gate (one shared look per change of the room)."""
    seen = st.session_state.get(state.GATE_SEEN)
    if seen is None:
        return False
    participant, stamp = seen
    if change_seq is None:
        change_seq = meetings.meeting_state(store(), participant.meeting_id).change_seq
    return bool(agreements.gate_stamp(store(), participant.meeting_id, change_seq) != stamp)


def agreement_changed(change_seq: int) -> bool:
    """For a refreshing fragment: the page must run again to show the gate (or a tap found it
    so); the caller then calls ``st.rerun()``."""
    return bool(st.session_state.pop(state.GATE_DUE, False)) or gate_moved(change_seq)


def gated_tap(action: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    """For a phone's ``on_click``: carry out the tap (a refusal is flashed), unless the
    agreement changed materially and this participant has not acknowledged it: then nothing
    is done and the next run shows the gate. The caller's fragment asks
    :func:`agreement_changed` first thing.

    The tap waits for the phone's turn (``runtime.phone_turn``): Streamlit runs a callback
    before the fragment, outside the fragment's turn, and 40 taps at once each holding the
    GIL a millisecond at a time made the one that held the write lock take 40 times as long
    (py-spy: 44 threads of one process waiting to write)."""
    with phone_turn():
        seen = st.session_state.get(state.GATE_SEEN)
        if (
            seen is not None
            and gate_moved()
            and agreements.pending_agreement(store(), seen[0]) is not None
        ):
            st.session_state[state.GATE_DUE] = True
            return
        flash_refusal(action, *args, **kwargs)
