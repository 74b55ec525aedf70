"""Personal data: inventory, a copy on request, erasure, retention, the audit log export."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.factories import join, make_meeting, start
from workshop import audit, cli
from workshop.db import Store
from workshop.errors import NotFound
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.model import Idea, Meeting, Participant, User
from workshop.privacy import core as privacy
from workshop.voting import ballots as voting

ROOT = Path(__file__).resolve().parent.parent
KEEP = privacy.PrivacySettings(keep_anonymised_ideas=True, retention_days=365)
DROP = privacy.PrivacySettings(keep_anonymised_ideas=False, retention_days=365)


def vote_on(store: Store, meeting: Meeting, participant, idea_id: int, dots: int = 1) -> None:
    meetings.next_step(store, meeting.id, actor=None)  # brainstorm → dot vote
    vote_round = voting.current_round(store, meeting.id)
    assert vote_round is not None
    for _ in range(dots):
        voting.place_dot(store, participant, vote_round.id, idea_id)


# -- the inventory -------------------------------------------------------------------------------


def test_every_personal_field_exists_and_is_in_the_data_inventory(store: Store) -> None:
    inventory = (ROOT / "docs" / "data-inventory.md").read_text(encoding="utf-8")
    for table, column in privacy.PERSONAL_FIELDS:
        assert store.has_column(table, column), (table, column)
        assert f"`{table}.{column}`" in inventory, (table, column)


def test_the_start_page_states_consent_before_the_name_field() -> None:
    source = (ROOT / "workshop" / "ui" / "pages" / "start.py").read_text(encoding="utf-8")
    assert source.index("privacy.consent.name") < source.index('t("start.name_label")')


# -- access --------------------------------------------------------------------------------------


def test_export_holds_everything_about_me_and_nothing_about_others(
    store: Store, meeting: Meeting
) -> None:
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    bo = join(store, meeting, "Bo")
    mine = ideas.submit_idea(store, anna, "Flere bænke <b>nu</b>")
    ideas.submit_idea(store, bo, "Bo's idé")
    vote_on(store, meeting, anna, mine.id, dots=2)

    data = privacy.export_participant_data(store, anna)

    assert data["participant"]["name"] == "Anna"
    assert data["meeting"]["title"] == meeting.title
    assert [i["text"] for i in data["ideas"]] == ["Flere bænke <b>nu</b>"]
    [ballot] = data["ballots"]
    assert ballot["method"] == "dot_vote"
    assert ballot["choices"] == [
        {"idea_id": mine.id, "idea_text": "Flere bænke <b>nu</b>", "dots": 2}
    ]
    text = json.dumps(data, ensure_ascii=False)
    assert "Bo's idé" not in text and "Bo" not in data["participant"]["name"]
    assert anna.token not in text  # the secret link never goes into a file people forward


# -- erasure -------------------------------------------------------------------------------------


def bo_dots_annas_idea(
    store: Store, meeting: Meeting
) -> tuple[Participant, Participant, Idea, Idea]:
    """Anna and Bo each post an idea; Bo puts a dot on Anna's. Returns anna, bo, mine, theirs."""
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    bo = join(store, meeting, "Bo")
    mine = ideas.submit_idea(store, anna, "Lys på stien")
    theirs = ideas.submit_idea(store, bo, "Bænke")
    vote_on(store, meeting, bo, mine.id)
    return anna, bo, mine, theirs


def test_erasure_keeps_ideas_anonymised_when_the_policy_says_so(
    store: Store, meeting: Meeting
) -> None:
    anna, bo, mine, theirs = bo_dots_annas_idea(store, meeting)
    before_seq = meetings.meeting_state(store, meeting.id).change_seq

    report = privacy.erase_participant(store, anna, settings=KEEP)

    assert report == privacy.ErasureReport(ideas_kept=1, ideas_deleted=0, ballots_kept=0)
    kept = ideas.get_idea(store, mine.id)
    assert kept.text == "Lys på stien" and kept.author_name == ""
    assert kept.seq > before_seq  # phones redraw it without the name
    assert ideas.get_idea(store, theirs.id).author_name == "Bo"
    with pytest.raises(NotFound):
        meetings.get_participant(store, anna.token)  # the link is dead
    row = store.query_one("SELECT * FROM participants WHERE id = ?", [anna.id])
    assert row is not None and row["display_name"] == "" and row["last_seen_at"] is None
    assert privacy.is_erased(store, anna.id)
    # Bo's dot on Anna's idea still counts.
    vote_round = voting.current_round(store, meeting.id)
    assert vote_round is not None
    assert voting.my_dots(store, vote_round.id, bo.id) == {mine.id: 1}
    entry = audit.query_entries(store, action="erase_participant")[-1]
    assert "Anna" not in (entry["after"] or "") and entry["actor"] == "system"


def test_erasure_deletes_ideas_and_their_dots_when_the_policy_says_so(
    store: Store, meeting: Meeting
) -> None:
    anna, bo, _, theirs = bo_dots_annas_idea(store, meeting)
    vote_round = voting.current_round(store, meeting.id)
    assert vote_round is not None
    voting.place_dot(store, anna, vote_round.id, theirs.id)

    report = privacy.erase_participant(store, anna, settings=DROP)

    assert report == privacy.ErasureReport(ideas_kept=0, ideas_deleted=1, ballots_kept=1)
    assert [i.id for i in ideas.list_ideas(store, meeting.id, include_hidden=True)] == [theirs.id]
    assert voting.my_dots(store, vote_round.id, bo.id) == {}
    # Anna's own dot stays counted, linked only to an anonymous shell.
    assert store.scalar("SELECT SUM(value) FROM ballot_entries") == 1
    if store.engine == "sqlite":  # PostgreSQL checks every foreign key at once, always
        assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_erasing_twice_says_so_and_a_stale_token_is_a_clear_not_found(
    store: Store, meeting: Meeting
) -> None:
    from dataclasses import replace

    from workshop.errors import NotAllowed

    start(store, meeting)
    anna = join(store, meeting, "Anna")
    privacy.erase_participant(store, anna, settings=KEEP)
    with pytest.raises(NotAllowed) as raised:
        privacy.erase_participant(store, anna, settings=KEEP)
    assert raised.value.key == "error.erasure.already_erased"
    with pytest.raises(NotFound) as unknown:
        privacy.erase_participant(store, replace(anna, token="never-issued"), settings=KEEP)
    assert unknown.value.key == "error.participant.unknown"


def test_the_default_policy_keeps_anonymised_ideas() -> None:
    assert privacy.load_privacy_settings({}).keep_anonymised_ideas is True
    assert privacy.load_privacy_settings({"SAMSKAB_KEEP_ANONYMISED_IDEAS": "0"}) == (
        privacy.PrivacySettings(keep_anonymised_ideas=False, retention_days=365)
    )


# -- retention -----------------------------------------------------------------------------------


def test_purge_anonymises_only_meetings_idle_past_the_retention_period(
    store: Store, facilitator: User
) -> None:
    old = make_meeting(store, facilitator)
    start(store, old)
    anna = join(store, old, "Anna")
    ideas.submit_idea(store, anna, "Gammel idé")
    ideas.submit_on_behalf(store, old.id, "Skrevet for Carl", author_name="Carl", actor=facilitator)
    meetings.close_meeting(store, old.id, actor=facilitator)
    fresh = make_meeting(store, facilitator)
    start(store, fresh)
    bo = join(store, fresh, "Bo")
    store.execute("INSERT INTO rate_events (kind, subject, at) VALUES ('join', 'ip:1.2.3.4', 0)")

    later = datetime.now(UTC) + timedelta(days=400)
    # Make the fresh meeting active "just now" relative to the later clock.
    store.execute(
        "UPDATE participants SET last_seen_at = ? WHERE id = ?",
        [(later - timedelta(days=1)).isoformat(), bo.id],
    )
    dry = privacy.purge_expired(store, days=365, now=later, dry_run=True, settings=KEEP)
    assert (dry.meetings, dry.participants, dry.rate_events) == (1, 1, 1)
    assert meetings.get_participant(store, anna.token).display_name == "Anna"

    report = privacy.purge_expired(store, days=365, now=later, settings=KEEP)

    assert (report.meetings, report.participants, report.ideas_kept) == (1, 1, 1)
    assert report.typed_names_removed == 1
    assert {i.author_name for i in ideas.list_ideas(store, old.id)} == {""}
    assert {i.text for i in ideas.list_ideas(store, old.id)} == {"Gammel idé", "Skrevet for Carl"}
    assert meetings.get_participant(store, bo.token).display_name == "Bo"
    assert store.scalar("SELECT COUNT(*) FROM rate_events") == 0
    again = privacy.purge_expired(store, days=365, now=later, settings=KEEP)
    assert (again.meetings, again.participants) == (0, 0)


def test_purge_command_reports_what_it_did(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SAMSKAB_RETENTION_DAYS", "30")
    assert cli.main(["--db", str(tmp_path / "p.db"), "purge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Would anonymise 0 participants in 0 meetings" in out


# -- the audit log -------------------------------------------------------------------------------


def test_audit_log_stays_append_only(store: Store, meeting: Meeting) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store.execute("UPDATE audit_log SET actor = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError):
        store.execute("DELETE FROM audit_log")


def test_audit_export_csv_is_safe_for_spreadsheets(store: Store, facilitator: User) -> None:
    committee_meeting = make_meeting(store, facilitator, prompt="=HYPERLINK(1)")
    start(store, committee_meeting)
    ideas.submit_on_behalf(
        store, committee_meeting.id, "=cmd|' /C calc'!A0", author_name="@x", actor=facilitator
    )
    entries = audit.query_entries(store)
    assert {e["action"] for e in entries} >= {"create_meeting", "submit_on_behalf"}
    rows = list(csv.reader(io.StringIO(audit.to_csv(entries))))
    assert rows[0] == list(audit.EXPORT_COLUMNS)
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)
    decoded = json.loads(audit.to_json(entries))
    on_behalf = next(e for e in decoded if e["action"] == "submit_on_behalf")
    assert on_behalf["after"]["text"] == "=cmd|' /C calc'!A0"  # JSON keeps the exact words
    assert on_behalf["actor"] == "fie"


def test_audit_filters_by_day_actor_and_action(store: Store, facilitator: User) -> None:
    make_meeting(store, facilitator)
    today = datetime.now(UTC).date().isoformat()
    assert audit.query_entries(store, since=today, until=today, actor="fie")
    assert audit.query_entries(store, until="2000-01-01") == []
    assert audit.query_entries(store, action="no_such_action") == []
    assert len(audit.query_entries(store, limit=1)) == 1


def test_export_audit_command_writes_a_file(
    tmp_path: Path, store: Store, facilitator: User
) -> None:
    make_meeting(store, facilitator)
    out = tmp_path / "audit.json"
    args = ["--db", store.path, "export-audit", "--format", "json", "--output", str(out)]
    assert cli.main(args) == 0
    assert {e["action"] for e in json.loads(out.read_text())} >= {"create_meeting"}


# -- the pages -----------------------------------------------------------------------------------


@pytest.fixture
def app_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from workshop.accounts import users as accounts
    from workshop.app import shared_store
    from workshop.model import Role

    db_path = tmp_path / "app.db"
    monkeypatch.setenv("SAMSKAB_DB_PATH", str(db_path))
    monkeypatch.setenv("SAMSKAB_DEMO_DATA", "0")
    store = shared_store(db_path)
    admin = accounts.create_user(store, "ada", "a long passphrase", Role.ADMIN, "Ada")
    staff = accounts.create_user(store, "fie", "a long passphrase", Role.FACILITATOR, "Fie")
    meeting = make_meeting(store, staff)
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    ideas.submit_idea(store, anna, "Flere bænke i parken")
    return {"store": store, "admin": admin, "meeting": meeting, "anna": anna}


def _app(query: dict[str, str] | None = None, user=None, page: str | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if user is not None:
        at.session_state["user"] = user
    if page:
        at.switch_page(f"workshop/ui/pages/{page}.py")
    return at


def _all_text(at) -> str:
    parts = []
    for kind in (
        "title",
        "markdown",
        "caption",
        "info",
        "success",
        "error",
        "subheader",
        "checkbox",
        "button",
    ):
        for element in getattr(at, kind):
            parts.append(str(getattr(element, "value", "") or ""))
            parts.append(str(getattr(element, "label", "") or ""))
    return "\n".join(parts)


def test_my_data_page_shows_downloads_and_deletes(app_world) -> None:
    from workshop.i18n import translate

    anna = app_world["anna"]
    at = _app({"p": anna.token}, page="my_data").run()
    assert not at.exception
    text = _all_text(at)
    assert translate("da", "privacy.my_data.name", name="Anna") in text
    assert translate("da", "privacy.my_data.stays_keep") in text
    delete = at.button(key="my_data_delete")
    assert delete.disabled  # nothing happens without the confirmation tick
    at.checkbox(key="my_data_confirm").check().run()
    at.button(key="my_data_delete").click().run()
    assert not at.exception
    assert privacy.is_erased(app_world["store"], anna.id)
    # The phone says so, in its language (the dead link stays in the address bar, so a reload
    # says it again).
    assert translate("da", "privacy.erased.notice") in _all_text(at)
    assert [i.author_name for i in ideas.list_ideas(app_world["store"], anna.meeting_id)] == [""]


def test_my_data_page_says_plainly_when_ideas_are_deleted(app_world, monkeypatch) -> None:
    from workshop.i18n import translate

    monkeypatch.setenv("SAMSKAB_KEEP_ANONYMISED_IDEAS", "0")
    at = _app({"p": app_world["anna"].token}, page="my_data").run()
    assert translate("da", "privacy.my_data.stays_delete") in _all_text(at)


def test_start_page_shows_consent_before_the_name(app_world) -> None:
    from workshop.i18n import translate

    at = _app().run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any(translate("da", "privacy.consent.name") in c for c in captions)
    assert any(translate("da", "privacy.consent.record", days=365) in c for c in captions)


@pytest.mark.parametrize("configured", [False, True], ids=["unset", "set"])
def test_start_page_says_who_is_responsible_who_reads_and_whom_to_ask(
    app_world, monkeypatch, configured
) -> None:
    """What a data-protection officer checks before a citizen takes part: the controller, who
    sees the ideas, and where to ask or complain (a trial found the notice silent on all)."""
    from workshop.i18n import translate

    if configured:
        monkeypatch.setenv("SAMSKAB_PRIVACY_CONTROLLER", "Gentofte Kommune")
        monkeypatch.setenv("SAMSKAB_PRIVACY_CONTACT", "dpo@gentofte.dk")
    else:
        monkeypatch.delenv("SAMSKAB_PRIVACY_CONTROLLER", raising=False)
        monkeypatch.delenv("SAMSKAB_PRIVACY_CONTACT", raising=False)
    at = _app().run()
    assert not at.exception
    # Markdown escapes and the word joiner that keeps text from linking, which nobody sees.
    shown = " ".join(c.value for c in at.caption).replace("\\", "").replace("\u2060", "")
    assert translate("da", "privacy.consent.who") in shown
    if configured:
        assert "Gentofte Kommune er ansvarlig for dine data (dataansvarlig)." in shown
        assert "en klage: [dpo@gentofte.dk](mailto:dpo@gentofte.dk)." in shown
    else:
        assert translate("da", "privacy.consent.controller_unset") in shown
        assert translate("da", "privacy.consent.contact_unset") in shown


def test_audit_page_lists_and_filters_for_admins_only(app_world) -> None:
    at = _app(user=app_world["admin"], page="audit").run()
    assert not at.exception
    from workshop.i18n import translate

    created_meeting = translate("da", "audit.action.create_meeting")
    created_user = translate("da", "audit.action.create_user")
    frame = at.dataframe[0].value
    # actions read in words, not codes
    assert {created_meeting, created_user} <= set(frame["action"])
    at.selectbox(key="audit_action").set_value("create_user").run()
    assert set(at.dataframe[0].value["action"]) == {created_user}
    # A facilitator typing the URL gets a refusal, not the log.
    from workshop.model import Role

    staff = app_world["store"].query_one("SELECT id FROM users WHERE username = 'fie'")
    from workshop.accounts.users import get_user

    fie = get_user(app_world["store"], staff["id"])
    assert fie.role == Role.FACILITATOR
    denied = _app(user=fie, page="audit").run()
    assert not denied.dataframe


# -- abuse: logins -------------------------------------------------------------------------------


def test_logins_are_audited_and_spraying_is_limited_per_network(
    store: Store, facilitator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workshop.accounts import users as accounts
    from workshop.errors import InvalidInput, RateLimited

    monkeypatch.setattr(accounts, "LOGIN_FAILURES_PER_NETWORK", 3)  # argon2 is slow on purpose

    accounts.authenticate(store, "fie", "correct horse battery", network="ip:10.0.0.1")
    assert audit.query_entries(store, action="log_in")[-1]["actor"] == "fie"
    for n in range(accounts.LOGIN_FAILURES_PER_NETWORK):
        with pytest.raises(InvalidInput):
            accounts.authenticate(store, f"user{n}", "wrong password", network="ip:10.0.0.9")
    with pytest.raises(RateLimited) as raised:
        accounts.authenticate(store, "fie", "correct horse battery", network="ip:10.0.0.9")
    assert raised.value.key == "error.rate_limited"
    # Another address is not affected.
    assert accounts.authenticate(store, "fie", "correct horse battery", network="ip:10.0.0.2")


def test_erasure_forgets_a_feedback_email(store: Store, meeting: Meeting) -> None:
    from workshop.feedback import core as feedback

    start(store, meeting)
    anna = join(store, meeting, "Anna")
    feedback.set_contact(store, anna, "anna@example.dk", consent=True, lang="da")
    assert privacy.export_participant_data(store, anna)["contact"]["email"] == "anna@example.dk"
    privacy.erase_participant(store, anna, settings=KEEP)
    assert store.scalar("SELECT COUNT(*) FROM participant_contacts") == 0
