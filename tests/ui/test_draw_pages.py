"""AppTest for the draw and the targets on the recruitment page, and districts on the form."""

from __future__ import annotations

import pytest

from tests.ui.conftest import PAGES, texts
from tests.ui.test_committee_pages import MANDATE, da, open_page
from workshop import committees
from workshop.committees import mandates, recruitment
from workshop.committees.model import Phase
from workshop.i18n.formats import percent
from workshop.model import Role
from workshop.ui.widgets import user_text


@pytest.fixture
def lifecycle(world):
    """A committee in recruitment with an approved mandate and one application."""
    db, facilitator = world["store"], world["users"][Role.FACILITATOR]
    committee = committees.create_committee(db, "Fremtidens bibliotek", "", actor=facilitator)
    mandates.save_mandate(db, committee.id, MANDATE, based_on=None, actor=facilitator)
    mandates.approve_mandate(
        db, committee.id, 1, body="Kommunalbestyrelsen", approved_on="2026-03-01", actor=facilitator
    )
    committees.advance_phase(db, committee.id, expected=Phase.MANDATE, actor=facilitator)
    recruitment.submit_application(
        db, committee.id, name="Sofie Borger", motivation="Jeg låner bøger hver uge"
    )
    link = committees.public_link_token(db, committee.id)
    return {**world, "committee": committee, "link": link}


def people(db, committee_id: int) -> None:
    """Nine applicants: one woman in Nord, two more women, the rest men in Syd."""
    answers = [("Nord", "woman"), ("Syd", "woman"), ("Syd", "woman")] + [("Syd", "man")] * 5
    answers.append(("Nord", "man"))
    for n, (district, gender) in enumerate(answers):
        recruitment.submit_application(
            db,
            committee_id,
            name=f"Borger {n}",
            motivation="Gerne",
            consent=True,
            diversity=recruitment.Diversity(district=district, gender=gender),
        )


def test_targets_are_chosen_by_their_labels(lifecycle, make_app, monkeypatch) -> None:
    monkeypatch.delenv("SAMSKAB_DISTRICTS", raising=False)
    db, user = lifecycle["store"], lifecycle["users"][Role.FACILITATOR]
    committee = lifecycle["committee"]
    at = open_page(make_app, user, "recruitment", committee=str(committee.id))
    at.selectbox(key="recruitment_target_attribute").select("gender").run()
    chooser = at.selectbox(key="recruitment_target_value_gender")
    assert chooser.options == ["Kvinde", "Mand", "Andet"]  # what the facilitator reads
    chooser.select("woman")
    at.number_input(key="recruitment_target_min").set_value(1)
    at.button(key="recruitment_target_save").click().run()
    assert not at.exception
    assert [
        (x.attribute, x.value, x.minimum) for x in recruitment.list_targets(db, committee.id)
    ] == [("gender", "woman", 1)]


def test_district_targets_come_from_the_configured_list(lifecycle, make_app, monkeypatch) -> None:
    monkeypatch.setenv("SAMSKAB_DISTRICTS", "Nord,Syd,Øst")
    db, user = lifecycle["store"], lifecycle["users"][Role.FACILITATOR]
    committee = lifecycle["committee"]
    at = open_page(make_app, user, "recruitment", committee=str(committee.id))
    at.selectbox(key="recruitment_target_attribute").select("district").run()
    chooser = at.selectbox(key="recruitment_target_value_district")
    assert chooser.options == ["Nord", "Syd", "Øst"]
    chooser.select("Øst")
    at.button(key="recruitment_target_save").click().run()
    assert [x.value for x in recruitment.list_targets(db, committee.id)] == ["Øst"]


def test_the_application_form_offers_the_configured_districts(
    lifecycle, make_app, monkeypatch
) -> None:
    monkeypatch.setenv("SAMSKAB_DISTRICTS", "Nord,Syd,Øst")
    db, committee = lifecycle["store"], lifecycle["committee"]
    at = make_app(query={"link": lifecycle["link"]}).run()
    at.switch_page(f"{PAGES}/apply.py").run()
    at.text_input(key="apply_name").input("Omar")
    at.text_area(key="apply_motivation").input("Jeg bor i Øst")
    at.checkbox(key="apply_consent").check().run()
    assert at.selectbox(key="apply_district_choice").options == ["Nord", "Syd", "Øst"]
    at.selectbox(key="apply_district_choice").select("Øst")
    at.button(key="apply_send").click().run()
    assert not at.exception
    assert recruitment.list_applications(db, committee.id)[-1].district == "Øst"


def table(at, column: str):
    (frame,) = [d.value for d in at.dataframe if column in d.value.columns]
    return frame


def run_page_draw(at, seats: int, seed: str) -> None:
    at.number_input(key="recruitment_draw_seats").set_value(seats)
    at.text_input(key="recruitment_draw_seed").input(seed)
    at.button(key=f"FormSubmitter:recruitment_draw-{da('recruitment.draw_run')}").click().run()


def test_the_draw_record_shows_chances_quotas_seed_and_fingerprints(
    lifecycle, make_app, monkeypatch
) -> None:
    monkeypatch.delenv("SAMSKAB_DISTRICTS", raising=False)
    db, user = lifecycle["store"], lifecycle["users"][Role.FACILITATOR]
    committee = lifecycle["committee"]
    people(db, committee.id)
    recruitment.set_target(db, committee.id, "gender", "woman", minimum=2, maximum=None, actor=user)
    recruitment.set_target(db, committee.id, "district", "Nord", minimum=1, maximum=1, actor=user)
    at = open_page(make_app, user, "recruitment", committee=str(committee.id))
    assert da("draw.explain.title") in [e.label for e in at.expander]
    run_page_draw(at, 3, "Lotto 3 11 17")
    assert not at.exception
    (draw,) = recruitment.list_draws(db, committee.id)
    at.run()
    shown = texts(at)
    assert da("draw.method.leximin") in shown
    assert da("recruitment.draw_digest", digest=draw["applicants_digest"]) in shown
    assert da("draw.record.seed_digest", digest=draw["seed_digest"]) in shown
    quotas = table(at, da("draw.col.min"))
    assert list(quotas[da("draw.col.value")]) == ["Nord", "Kvinde"]
    chances = table(at, da("draw.col.chance"))
    assert len(chances) == 10  # Sofie (no answers) and the nine
    published = dict(draw["distribution"]["probabilities"])
    assert sorted(chances[da("draw.col.chance")]) == sorted(
        percent(p, "da") for p in published.values()
    )
    assert all("," in c and c.endswith("%") for c in chances[da("draw.col.chance")])
    assert "Bydel Nord, Køn Kvinde" in list(chances[da("draw.col.group")])
    assert "docs/sortition.md" not in shown
    at.button(key=f"draw_replay_{draw['id']}").click().run()
    assert da("draw.replay.matches") in texts(at)


def test_conflicting_quotas_are_named_by_their_labels_and_nothing_is_drawn(
    lifecycle, make_app
) -> None:
    db, user = lifecycle["store"], lifecycle["users"][Role.FACILITATOR]
    committee = lifecycle["committee"]
    people(db, committee.id)
    recruitment.set_target(db, committee.id, "gender", "woman", minimum=4, maximum=None, actor=user)
    recruitment.set_target(db, committee.id, "district", "Syd", minimum=0, maximum=6, actor=user)
    at = open_page(make_app, user, "recruitment", committee=str(committee.id))
    run_page_draw(at, 3, "Lotto 3 11 17")
    assert "Køn Kvinde: ≥ 4" in texts(at)
    assert "Bydel Syd" not in " ".join(e.value for e in at.error)
    assert recruitment.list_draws(db, committee.id) == []


@pytest.mark.parametrize("seats", [20])
def test_a_pool_smaller_than_the_seats_is_refused_on_the_page(lifecycle, make_app, seats) -> None:
    db, user = lifecycle["store"], lifecycle["users"][Role.FACILITATOR]
    committee = lifecycle["committee"]
    at = open_page(make_app, user, "recruitment", committee=str(committee.id))
    run_page_draw(at, seats, "x")
    assert da("error.sortition.not_enough_applicants", seats=seats, applicants=1) in texts(at)
    assert recruitment.list_draws(db, committee.id) == []


def test_the_page_alone_replays_the_draw_and_speaks_danish(
    lifecycle, make_app, monkeypatch
) -> None:
    """Application numbers, groups and the lottery on the page; the record as JSON (also the
    download) replays without the database; numbers and the review history in Danish."""
    import json

    from workshop.committees import sortition

    monkeypatch.delenv("SAMSKAB_DISTRICTS", raising=False)
    db, user = lifecycle["store"], lifecycle["users"][Role.FACILITATOR]
    committee = lifecycle["committee"]
    people(db, committee.id)
    recruitment.set_target(db, committee.id, "gender", "woman", minimum=2, maximum=None, actor=user)
    recruitment.set_target(db, committee.id, "district", "Nord", minimum=1, maximum=1, actor=user)
    at = open_page(make_app, user, "recruitment", committee=str(committee.id))
    run_page_draw(at, 3, "Lotto 3 11 17")
    (draw,) = recruitment.list_draws(db, committee.id)
    at.run()
    assert not at.exception
    shown = texts(at)
    # each applicant by application number; the groups and the compositions with chances
    chances = table(at, da("draw.col.chance"))
    assert sorted(chances[da("draw.col.number")]) == sorted(draw["applicant_ids"])
    groups = table(at, da("draw.col.numbers"))
    assert sorted(n for cell in groups[da("draw.col.numbers")] for n in cell.split(", ")) == sorted(
        str(i) for i in draw["applicant_ids"]
    )
    lottery = table(at, da("draw.col.probability"))
    assert len(lottery) == len(draw["distribution"]["compositions"])
    assert all("," in p or p in ("0 %", "100 %") for p in lottery[da("draw.col.probability")])
    assert "e+0" not in shown and "e-0" not in shown
    assert da("draw.steps.help") in shown
    # the record, on the page and as a download, replays the draw without the database
    records = [json.loads(c.value) for c in at.code if c.value.startswith("{")]
    assert len(records) == 1, [c.value[:80] for c in at.code]
    (record,) = records
    assert "Borger" not in json.dumps(record, ensure_ascii=False)
    replay = sortition.replay_record(record)
    assert replay.matches and list(replay.selected) == draw["selected"]
    names = [str(b.proto) for b in at.get("download_button")]
    assert any(da("draw.record.download") in n for n in names)  # the same JSON, to download
    body = next(e for e in at.expander if e.label == da("draw.explain.title"))
    assert da("draw.explain.replay") in " ".join(m.value for m in body.markdown)
    # the drawn applicants' review history names the draw in Danish
    assert "seed Lotto" not in shown and "sortition" not in shown.lower()
    assert user_text(da("draw.rationale", draw=draw["id"], seed="Lotto 3 11 17")) in shown
