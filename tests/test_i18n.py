"""Every UI string goes through t(); every catalogue has every key.

Three checks: the catalogues agree; every key the code uses (``t("…")``, error keys, and keys
built from enumerations) exists; and no UI call in ``workshop/ui`` or the router gets a
hard-coded human-language string.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from workshop.i18n import LANGUAGES, catalogue, language_from_locale, translate
from workshop.model import MeetingKind, MeetingStatus, Role, StepKind

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "workshop"
UI_FILES = [ROOT / "streamlit_app.py", *sorted((PACKAGE / "ui").rglob("*.py"))]
ERROR_CLASSES = {"WorkshopError", "NotFound", "NotAllowed", "InvalidInput", "RateLimited"}
# Streamlit calls whose string arguments people read.
DISPLAY_CALLS = {
    "title",
    "header",
    "subheader",
    "write",
    "markdown",
    "caption",
    "text",
    "error",
    "warning",
    "info",
    "success",
    "toast",
    "button",
    "form_submit_button",
    "text_input",
    "text_area",
    "number_input",
    "selectbox",
    "radio",
    "checkbox",
    "toggle",
    "metric",
    "link_button",
    "page_link",
    "chat_input",
    "expander",
    "popover",
    "tabs",
    "badge",
    "download_button",
    "multiselect",
    "slider",
    "date_input",
    "select_slider",
    "segmented_control",
    "pills",
    "Page",
    "dialog",
    "progress",
    "spinner",
    "status",
}
DISPLAY_KEYWORDS = {"label", "placeholder", "help", "body", "title", "text", "caption"}
LETTER = re.compile(r"[^\W\d_]")


def python_files() -> list[Path]:
    return [ROOT / "streamlit_app.py", *sorted(PACKAGE.rglob("*.py"))]


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = (
                node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            )
            position = 1 if name in {"translate", "translate_count"} else 0
            plural = name in {"tn", "translate_count"}
            if (
                name in {"t", "translate"} | {"tn", "translate_count"} | ERROR_CLASSES
                and len(node.args) > position
            ):
                arg = node.args[position]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    keys |= {f"{arg.value}.one", f"{arg.value}.other"} if plural else {arg.value}
    return keys


def enumerated_keys() -> set[str]:
    """Keys the code builds with f-strings from enumerations and page names."""
    keys = {f"step.{k}" for k in StepKind} | {f"participate.step_body.{k}" for k in StepKind}
    keys |= {f"projector.prompt.{k}" for k in StepKind}
    keys |= {f"meeting.status.{s}" for s in MeetingStatus}
    keys |= {f"meeting.kind.{k}" for k in MeetingKind}
    keys |= {f"role.{r}" for r in Role}
    keys |= {f"page.{p.stem}" for p in (PACKAGE / "ui" / "pages").glob("*.py")}
    keys |= outcome_keys()
    keys |= agreement_keys()
    keys |= committee_keys()
    audit_columns = ("at", "actor", "action", "entity", "entity_id", "before", "after")
    keys |= {f"privacy.audit.col.{c}" for c in audit_columns}
    from workshop.meetings.moderation import ACTIONS as moderation_actions

    keys |= {f"moderation.action.{a}" for a in moderation_actions}
    from workshop.meetings.personal_data import KINDS as personal_data_kinds

    keys |= {f"personal_data.kind.{k}" for k in personal_data_kinds}
    from workshop.meetings.idea_search import STATUSES as idea_statuses

    keys |= {f"moderation_scale.filter.{s}" for s in idea_statuses}
    return keys


def agreement_keys() -> set[str]:
    """Keys the agreement and feedback pages build from their enumerations and templates."""
    from workshop.agreements import core as agreements
    from workshop.model import IdeaStatus

    keys = {f"idea_status.{k}.{s}" for k in ("label", "explain") for s in IdeaStatus}
    keys |= {f"agreement.party.{p}" for p in agreements.Party}
    keys |= {
        f"agreement.{k}.{lvl}"
        for k in ("level", "level_promise")
        for lvl in agreements.ParticipationLevel
    }
    fields = (
        *agreements.TEXT_FIELDS,
        "participation_level",
        "commitments",
        *agreements.DATE_FIELDS,
    )
    keys |= {f"agreement.field.{f}" for f in fields}
    for template, defaults in agreements.TEMPLATE_DEFAULTS.items():
        keys.add(f"agreement.template_name.{template}")
        keys |= {f"agreement.template.{template}.{f}" for f in agreements.TEXT_FIELDS}
        for number in range(1, len(defaults["commitments"]) + 1):
            for part in ("description", "owner"):
                keys.add(f"agreement.template.{template}.commitment.{number}.{part}")
    return keys


def committee_keys() -> set[str]:
    """Keys the committee pages build from the lifecycle's enumerations."""
    from workshop.committees import model as c

    keys = {f"phase.{p}" for p in c.Phase} | {f"phase.hint.{p}" for p in c.Phase}
    keys |= {f"error.phase.{a}" for a in c.Action}
    keys |= {f"member.role.{r}" for r in c.MemberRole}
    keys |= {f"application.status.{s}" for s in c.ApplicationStatus}
    keys |= {f"decision.body.{b}" for b in c.DecisionBody}
    keys |= {f"decision.outcome.{o}" for o in c.DecisionOutcome}
    keys |= {f"recommendation.stage.{s}" for s in c.STAGES}
    keys |= {f"diversity.{a}" for a in c.DIVERSITY_ATTRIBUTES}
    keys |= {f"diversity.{a}.{v}" for a, vs in c.DIVERSITY_OPTIONS.items() for v in vs}
    keys |= {f"mandate.field.{f}" for f in c.MANDATE_FIELDS}
    keys |= {f"mandate.help.{f}" for f in c.MANDATE_TEXT_FIELDS}
    keys |= {f"recruitment.kind.{k}" for k in ("competence", *c.DIVERSITY_ATTRIBUTES)}
    keys |= {
        f"phase.blocker.{b}"
        for b in (
            "mandate_not_approved",
            "no_members",
            "no_recommendations",
            "decisions_missing",
            "last_phase",
        )
    }
    return keys


def outcome_keys() -> set[str]:
    """Keys the summary, outcomes page and PDF brief build from their enumerations."""
    from workshop.outcomes import EvidenceKind, OutcomeStatus, ReviewState, Source
    from workshop.reports import summary as reports

    keys = {f"summary.column.{c}" for c in reports.RECORD_COLUMNS}
    keys |= {f"summary.records.{k}" for k in reports.RECORD_KINDS}
    keys |= {f"summary.attribute.{a}" for a in reports.DIVERSITY_ATTRIBUTES}
    keys |= {f"outcomes.decision.{d}" for d in (*reports.DECISION_OUTCOMES, "pending")}
    keys |= {f"outcomes.body.{b}" for b in reports.DECISION_BODIES}
    keys |= {f"outcomes.status.{s}" for s in OutcomeStatus}
    keys |= {f"outcomes.source.{s}" for s in Source}
    keys |= {f"outcomes.evidence_kind.{k}" for k in EvidenceKind}
    keys |= {f"outcomes.review_state.{s}" for s in ReviewState}
    keys |= {"summary.review.overdue", "summary.review.due", "outcomes.shared.yes"}
    keys |= {"outcomes.shared.no", "brief.dots.one", "brief.dots.other"}
    keys |= {f"summary.download_{k}" for k in ("csv", "xlsx", "json")}
    return keys


def test_every_language_has_exactly_the_same_keys() -> None:
    reference = set(catalogue("en"))
    for lang in LANGUAGES:
        assert set(catalogue(lang)) == reference, lang


def test_no_catalogue_entry_is_empty_and_templates_agree() -> None:
    fields = re.compile(r"\{(\w+)\}")
    for key, english in catalogue("en").items():
        for lang in LANGUAGES:
            text = catalogue(lang)[key]
            assert text.strip(), (lang, key)
            assert set(fields.findall(text)) == set(fields.findall(english)), (lang, key)


def test_every_key_the_code_uses_is_in_the_catalogues() -> None:
    missing = sorted((used_keys() | enumerated_keys()) - set(catalogue("en")))
    assert missing == []


def literal_strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant)]
    return []


def _is_logger(target: ast.expr) -> bool:
    """``log.warning(…)``, ``logging.getLogger(…).error(…)``: a logger, not ``st.warning``."""
    if isinstance(target, ast.Name):
        return target.id in {"log", "logger", "_log", "LOG", "LOGGER"}
    return (
        isinstance(target, ast.Call)
        and isinstance(target.func, ast.Attribute)
        and target.func.attr == "getLogger"
    )


def test_ui_code_has_no_hard_coded_words() -> None:
    offenders = []
    for path in UI_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = (
                node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            )
            if name not in DISPLAY_CALLS:
                continue
            if isinstance(node.func, ast.Attribute) and _is_logger(node.func.value):
                continue  # the operator's log (English, as the code), not the reader's page
            args = list(node.args) + [k.value for k in node.keywords if k.arg in DISPLAY_KEYWORDS]
            for arg in args:
                for text in literal_strings(arg):
                    if name in {"Page", "page_link"} and text.endswith(".py"):
                        continue  # a page's file, not a label
                    if LETTER.search(text):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}({text!r})")
    assert offenders == []


def test_empty_pickers_show_a_placeholder_in_the_users_language() -> None:
    """Streamlit's own placeholder is English ("Choose an option", "Choose options"): every
    multiselect, and every selectbox that starts empty (index=None), brings its own."""
    offenders = []
    for path in UI_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            starts_empty = node.func.attr == "multiselect" or (
                node.func.attr == "selectbox"
                and isinstance(keywords.get("index"), ast.Constant)
                and keywords["index"].value is None  # type: ignore[attr-defined]
            )
            if starts_empty and "placeholder" not in keywords:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.func.attr}")
    assert offenders == []


def test_unknown_key_fails_loudly() -> None:
    with pytest.raises(KeyError):
        translate("da", "no.such.key")


@pytest.mark.parametrize(
    ("locale", "lang"),
    [
        ("da-DK", "da"),
        ("da", "da"),
        ("nb-NO", "nb"),
        ("no", "nb"),
        ("nn-NO", "nb"),
        ("en-GB", "en"),
        ("de-DE", "en"),
        (None, "da"),
    ],
)
def test_language_follows_the_browser_locale(locale, lang) -> None:
    assert language_from_locale(locale) == lang
