"""Small UI pieces shared by several pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import streamlit as st

from workshop.i18n import LANGUAGES, formats, numbers, translate
from workshop.meetings.core import ERASED_IDEA_REASON
from workshop.model import Idea, Step
from workshop.text import escape_markdown
from workshop.ui.i18n import current_language, t

FACILITATOR_AVATAR = ":material/campaign:"
OWN_AVATAR = ":material/person:"
OTHER_AVATAR = ":material/lightbulb:"


def user_text(text: str) -> str:
    """User text for st.markdown: shown literally, never as markdown or HTML."""
    return escape_markdown(text)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WEB = re.compile(r"https://[^\s()<>\[\]]+")


def contact_link(contact: str) -> str:
    """The installation's own contact (a setting, not citizen text) as a link a reader can
    follow: an e-mail address as ``mailto:``, an https address as itself; anything else as
    text. Citizen text never becomes a link (``user_text``)."""
    if _EMAIL.fullmatch(contact):
        return f"[{user_text(contact)}](mailto:{contact})"
    if _WEB.fullmatch(contact):
        return f"[{user_text(contact)}]({contact})"
    return user_text(contact)


def author_label(idea: Idea) -> str:
    name = idea.author_name or t("idea.anonymous")
    if idea.on_behalf:
        return t("idea.on_behalf", name=name)
    return name


def word_list(items: list[str]) -> str:
    """Items in a sentence in the reader's language: "Anna, Bo og Carl"."""
    return formats.word_list(items, current_language())


def flag_words(flags: tuple[str, ...], lang: str | None = None) -> str:
    """The kinds of personal data found in an idea, in words: "et telefonnummer og en
    e-mailadresse" (in ``lang``, by default the reader's)."""
    lang = lang or current_language()
    return formats.word_list([translate(lang, f"personal_data.kind.{k}") for k in flags], lang)


def hide_reason_text(idea: Idea) -> str:
    """Why an idea was hidden, for its reader: a reason the product words (the one-tap hide
    of a held idea) in the reader's language, whatever the facilitator's was (a trial's
    Norwegian author read the Danish reason); a reason the facilitator typed as typed."""
    reason = idea.hide_reason or ""
    if reason == ERASED_IDEA_REASON:  # its words erased at the author's request
        return t("idea.erased_reason")
    for lang in LANGUAGES:
        for flags in (idea.flags, ()) if idea.flags else ((),):
            if reason == one_tap_reason(flags, lang):
                return one_tap_reason(flags)
    return reason


def one_tap_reason(flags: tuple[str, ...], lang: str | None = None) -> str:
    """The reason the one-tap hide of a held idea gives (in ``lang``, by default the
    reader's): what personal data was found, or that the facilitator did not approve it."""
    lang = lang or current_language()
    if flags:
        return translate(lang, "moderation_scale.personal_reason", what=flag_words(flags, lang))
    return translate(lang, "moderation_scale.not_approved_reason")


# What a phone says of its idea still held for the facilitator (without and with what it
# seems to contain), by where the meeting is: live, at its wrap-up (the wall is over, the
# facilitator may still see it), closed.
HELD_WORDS = {
    "live": ("idea.held_waiting", "idea.held_for_you"),
    "wrap_up": ("idea.held_over", "idea.held_over_for_you"),
    "closed": ("idea.held_closed", "idea.held_closed_for_you"),
}


def idea_message(
    idea: Idea, *, own: bool, merged_with: str | None = None, moment: str = "live"
) -> None:
    """One idea as a chat message; ``merged_with``: the text of the idea it was merged into
    (its author reads what became of it, not that it was hidden). ``moment``: a key of
    :data:`HELD_WORDS`, so that an idea still held is not said to be on its way to a wall
    that is over."""
    with st.chat_message(
        "user" if own else "assistant", avatar=OWN_AVATAR if own else OTHER_AVATAR
    ):
        edited = f" · _{t('idea.edited')}_" if idea.edited else ""
        st.markdown(f"**{user_text(author_label(idea))}**{edited}  \n{user_text(idea.text)}")
        if idea.merged_into_id is not None:
            st.caption(
                t("idea.merged_with", idea=user_text(merged_with))
                if merged_with
                else t("idea.merged_for_you")
            )
        elif idea.held:
            waiting, found = HELD_WORDS[moment]
            st.caption(t(found, what=flag_words(idea.flags)) if idea.flags else t(waiting))
        elif idea.hidden:
            # The sentence ends the reason: "…uden dem.. Kun du" had two full stops.
            reason = (hide_reason_text(idea) or "—").rstrip().rstrip(".")
            st.caption(t("idea.hidden_for_you", reason=user_text(reason)))


def prompt_message(step: Step) -> None:
    with st.chat_message("assistant", avatar=FACILITATOR_AVATAR):
        prompt = step.prompt or t(f"participate.step_body.{step.kind}")
        st.markdown(f"**{t('participate.facilitator')}**  \n{user_text(prompt)}")


def step_label(step: Step) -> str:
    return t(f"step.{step.kind}")


def step_ends(step: Step) -> datetime | None:
    """The moment the step's time box ends; None before the step started."""
    if not step.started_at:
        return None
    return datetime.fromisoformat(step.started_at) + timedelta(minutes=step.time_box_minutes)


def seconds_left(step: Step) -> int | None:
    """Seconds left in the step's time box (negative when over time)."""
    ends = step_ends(step)
    return None if ends is None else round((ends - datetime.now(UTC)).total_seconds())


def minutes_left(step: Step) -> int | None:
    """Whole minutes left in the step's time box (negative when over time)."""
    ends = step_ends(step)
    return None if ends is None else round((ends - datetime.now(UTC)).total_seconds() / 60)


def demo_badge(is_demo: bool) -> None:
    if is_demo:
        st.badge(t("common.demo"), icon=":material/science:", color="orange")


def background_state(up_to_date: bool, seconds: float, *, keys: str) -> None:
    """Under background suggestions: up to date or catching up, and how long the newest
    computation took (catalogue keys ``<keys>fresh``, ``<keys>catching_up``, ``<keys>took``)."""
    state = t(f"{keys}fresh") if up_to_date else t(f"{keys}catching_up")
    took = t(f"{keys}took", seconds=numbers.decimal(seconds, current_language(), decimals=1))
    st.caption(f"{state} · {took}")
