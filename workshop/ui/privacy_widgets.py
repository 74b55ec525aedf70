"""Privacy pieces other pages show: the way to "My data" from a phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from workshop.i18n import LANGUAGE_NAMES
from workshop.model import Participant
from workshop.privacy import core as privacy
from workshop.ui.actions import shows_refusal
from workshop.ui.i18n import moment, t, tn
from workshop.ui.process import store
from workshop.ui.session import flash
from workshop.ui.widgets import user_text


def my_data_link(participant: Participant) -> None:
    """A small link to My data (download or delete), carrying the phone's own token."""
    st.page_link(
        "workshop/ui/pages/my_data.py",
        label=t("privacy.my_data_link"),
        icon=":material/shield_person:",
        query_params={"p": participant.token},
    )


# The order the My data page lists votes in, and the phrase for each method's count.
VOTE_FACTS = (
    ("dot_vote", "privacy.my_data.dots"),
    ("statements", "privacy.my_data.count.statements"),
    ("pairwise", "privacy.my_data.count.pairwise"),
    ("two_axis", "privacy.my_data.count.two_axis"),
    ("ranked", "privacy.my_data.count.ranked"),
    ("consent", "privacy.my_data.count.consent"),
)


def vote_facts(counts: dict[str, int]) -> list[str]:
    """ "3 dots placed", "23 statements answered"…: one line per method the person voted in."""
    return [tn(key, counts[method]) for method, key in VOTE_FACTS if counts.get(method)]


# My data's preview in words: each field of the export (``privacy.export_participant_data``)
# by its label ``my_data.field.<key>``; a stored code by the label the rest of the app gives it.
# The downloaded file keeps the machine keys.
VALUE_LABELS = {
    "kind": ("meeting.kind.",),
    "method": ("step.",),
    "status": ("idea_status.label.", "my_data.value."),
    "answer": ("ballot.statements.",),
    "response": ("tally.consent.",),
    "channel": ("my_data.value.",),
}
PREVIEW_SECTIONS = (
    "participant",
    "ideas",
    "ballots",
    "acknowledgements",
    "contact",
    "feedback",
    "meeting",
)


def _is_moment(key: str) -> bool:
    return key == "at" or key.endswith("_at")


def _value_in_words(key: str, value: Any) -> str:
    """One stored value as a person reads it."""
    if value is None or value == "":
        return t("table.empty")
    if isinstance(value, bool) or key == "hidden":
        return t("audit.yes") if value else t("audit.no")
    if _is_moment(key):
        return moment(value)
    if key == "lang":
        return LANGUAGE_NAMES.get(str(value), str(value))
    for prefix in VALUE_LABELS.get(key, ()):
        try:
            return t(f"{prefix}{value}")
        except KeyError:
            continue
    if isinstance(value, dict) and "text" in value:  # an idea someone voted on
        return user_text(str(value["text"]))
    return user_text(str(value))


def _choice_in_words(record: dict[str, Any]) -> dict[str, Any]:
    """A pairwise choice's chosen idea by its words (``None``: "I can't decide")."""
    if "chosen_id" not in record:
        return record
    chosen = record["chosen_id"]
    picked = [
        side["text"]
        for side in (record.get("left"), record.get("right"))
        if isinstance(side, dict) and side.get("id") == chosen
    ]
    shown = picked[0] if chosen is not None and picked else t("my_data.cant_decide")
    return {**record, "chosen_id": shown}


def _lines(record: dict[str, Any], depth: int) -> list[str]:
    indent = "  " * depth
    lines: list[str] = []
    for key, value in _choice_in_words(record).items():
        label = t(f"my_data.field.{key}")
        if isinstance(value, list):
            if not value:
                lines.append(f"{indent}- **{label}:** {t('my_data.none')}")
                continue
            lines.append(f"{indent}- **{label}:**")
            for number, item in enumerate(value, start=1):
                if isinstance(item, dict):
                    lines.append(f"{indent}  - {t('my_data.number', number=number)}")
                    lines += _lines(item, depth + 2)
                else:
                    lines.append(f"{indent}  - {_value_in_words(key, item)}")
        elif isinstance(value, dict) and "text" not in value:
            lines.append(f"{indent}- **{label}:**")
            lines += _lines(value, depth + 1)
        else:
            lines.append(f"{indent}- **{label}:** {_value_in_words(key, value)}")
    return lines


def data_in_words(data: dict[str, Any]) -> list[tuple[str, str]]:
    """My data's export as (heading, markdown) per section, in the reader's language: a label
    for every field, dates and times in the reader's style and time zone, codes in words."""
    sections = []
    for section in PREVIEW_SECTIONS:
        value = data.get(section)
        heading = t(f"my_data.field.{section}")
        if not value:
            sections.append((heading, t("my_data.none")))
        elif isinstance(value, dict):
            sections.append((heading, "\n".join(_lines(value, 0))))
        else:
            parts = []
            for number, item in enumerate(value, start=1):
                parts.append(f"**{t('my_data.number', number=number)}**")
                parts.append("\n".join(_lines(item, 0)))
            sections.append((heading, "\n\n".join(parts)))
    exported = t("my_data.field.exported_at")
    sections.append((exported, moment(data["exported_at"])))
    return sections


def erased_link_notice() -> bool:
    """If this browser's link (``?p=``) belonged to a participant who deleted their data, say
    so plainly, in their language, and return True. The link itself works no more."""
    token = st.query_params.get("p")
    if not token or not privacy.link_was_erased(store(), token):
        return False
    with st.container(key="erased_notice"):
        st.success(t("privacy.erased.notice"), icon=":material/delete_forever:")
        st.caption(t("privacy.erased.join_again"))
    return True


def erase_person_control(
    kind: str, item_id: int, name: str, erased: bool, erase: Callable[[], object]
) -> None:
    """Staff erase one applicant's (``kind="application"``) or member's (``"member"``) data on
    their request: a popover that says what goes and what stays, a confirmation tick, and
    the button. An erased person shows a badge instead."""
    go_key = f"erase_{kind}_go_{item_id}"
    if erased:
        st.badge(t("privacy.erase.erased"), icon=":material/delete_forever:", color="gray")
        if st.session_state.get(go_key):  # pressed here while another tab erased them
            st.warning(t("error.erasure.already_erased"), icon=":material/info:")
        return
    with st.popover(
        t("privacy.erase.open"), icon=":material/person_remove:", key=f"erase_{kind}_{item_id}"
    ):
        st.caption(t(f"privacy.erase.what_{kind}"))
        confirmed = st.checkbox(
            t("privacy.erase.confirm", name=user_text(name)), key=f"erase_{kind}_confirm_{item_id}"
        )
        if st.button(
            t("privacy.erase.go"),
            type="primary",
            disabled=not confirmed,
            icon=":material/delete_forever:",
            key=go_key,
        ):
            with shows_refusal():
                erase()
                flash(t("privacy.erase.done"))
                st.rerun()
