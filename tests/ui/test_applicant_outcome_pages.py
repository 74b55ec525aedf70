"""AppTest: staff tell applicants their outcome in one action; applicants see it at their
own link."""

from __future__ import annotations

from tests.test_applicant_outcomes import outbox
from tests.ui.conftest import PAGES, texts
from tests.ui.test_committee_pages import da, lifecycle, open_page
from workshop.committees import recruitment
from workshop.i18n import translate
from workshop.model import Role

fixture = lifecycle  # keep the imported fixture visible to pytest


def decide_three(lifecycle) -> dict[str, int]:
    db, user, committee = (
        lifecycle["store"],
        lifecycle["users"][Role.FACILITATOR],
        lifecycle["committee"],
    )
    made = {}
    for name, contact, status, reason, lang in (
        ("Anna", "anna@example.org", "appointed", "Erfaring med unge", "da"),
        ("Bjørn", "bjorn@example.org", "reserve", "Første reserve", "nb"),
        ("Carl", "+45 12 34 56 78", "declined", "Profilen er dækket", "da"),
    ):
        made[name] = recruitment.submit_application(
            db, committee.id, name=name, contact=contact, motivation="Gerne", lang=lang
        ).id
        recruitment.review_application(
            db, made[name], status, rationale=reason, actor=user, confirm_over_target=True
        )
    return made


def test_staff_send_outcomes_in_one_action_and_see_every_delivery(
    lifecycle, make_app, tmp_path, monkeypatch
) -> None:
    path = tmp_path / "outbox.txt"
    monkeypatch.setenv("SAMSKAB_FEEDBACK_SENDER", f"file:{path}")
    decide_three(lifecycle)
    user = lifecycle["users"][Role.FACILITATOR]
    at = open_page(make_app, user, "recruitment", committee=str(lifecycle["committee"].id))
    at.button(key="recruitment_outcomes_send").click().run()
    assert not at.exception
    shown = texts(at)
    assert da("recruitment.outcomes.sent", delivered=2, no_contact=1, failed=0, already=0) in (
        shown
    )
    assert sorted(m["To"] for m in outbox(path)) == ["anna@example.org", "bjorn@example.org"]
    assert da("recruitment.outcomes.no_contact_title") in shown
    assert "Carl" in shown and "+45 12 34 56 78" in shown
    assert da("recruitment.outcomes.undecided.one") in shown  # Sofie has no outcome yet
    (table,) = [
        d for d in at.dataframe if da("recruitment.outcomes.col.delivery") in d.value.columns
    ]
    rows = table.value.to_dict("records")
    assert sorted(r[da("recruitment.outcomes.col.delivery")] for r in rows) == sorted(
        [
            da("recruitment.outcomes.delivery.delivered"),
            da("recruitment.outcomes.delivery.delivered"),
            da("recruitment.outcomes.delivery.no_contact"),
        ]
    )
    assert {r[da("recruitment.outcomes.col.by")] for r in rows} == {user.display_name}

    at.button(key="recruitment_outcomes_send").click().run()  # a second click sends nothing
    assert da("recruitment.outcomes.sent", delivered=0, no_contact=0, failed=0, already=3) in (
        texts(at)
    )
    assert len(outbox(path)) == 2
    body = next(m for m in outbox(path) if m["To"] == "bjorn@example.org").get_content()
    assert "Første reserve" in body
    assert translate("nb", "applicant_outcome.reserve", committee="Fremtidens bibliotek") in body


def test_the_applicant_link_shows_the_outcome_with_its_reason(lifecycle, make_app) -> None:
    db = lifecycle["store"]
    made = decide_three(lifecycle)
    token = recruitment.applicant_link_token(db, made["Anna"])
    at = make_app(query={"a": token}).run()
    at.switch_page(f"{PAGES}/apply.py").run()
    assert not at.exception
    shown = texts(at)
    assert da("application.status.appointed") in shown
    assert da("applicant_outcome.reason", reason="Erfaring med unge") in shown
    waiting = recruitment.applicant_link_token(db, lifecycle["application"].id)
    at = make_app(query={"a": waiting}).run()
    at.switch_page(f"{PAGES}/apply.py").run()
    assert da("apply.mine.waiting") in texts(at)
    at = make_app(query={"a": "forkert"}).run()
    at.switch_page(f"{PAGES}/apply.py").run()
    assert da("error.application.link_unknown") in texts(at)


def test_an_applicant_gets_their_own_link_when_applying(lifecycle, make_app) -> None:
    db, committee = lifecycle["store"], lifecycle["committee"]
    at = make_app(query={"link": lifecycle["link"], "lang": "nb"}).run()
    at.switch_page(f"{PAGES}/apply.py").run()
    at.text_input(key="apply_name").input("Omar")
    at.text_area(key="apply_motivation").input("Jeg bruker biblioteket")
    at.button(key="apply_send").click().run()
    assert not at.exception
    made = recruitment.list_applications(db, committee.id)[-1]
    assert made.lang == "nb"
    token = recruitment.applicant_link_token(db, made.id)
    assert token is not None
    assert any(f"/apply?a={token}" in c.value for c in at.code)
