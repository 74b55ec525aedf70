"""The committee draw: a fair lottery on record, replayable; targets from the shown options."""

from __future__ import annotations

import pytest

from tests.test_committees import apply, to_recruitment
from workshop import cli
from workshop.committees import recruitment, sortition
from workshop.committees.model import ApplicationStatus
from workshop.db import Store
from workshop.errors import InvalidInput
from workshop.model import Committee, User


@pytest.fixture
def committee(store: Store, facilitator: User) -> Committee:
    from workshop import committees

    return committees.create_committee(store, "Byens Hus", "Opgave", actor=facilitator)


def pool(store: Store, committee: Committee, facilitator: User, n: int = 12) -> None:
    to_recruitment(store, committee, facilitator)
    recruitment.set_target(
        store, committee.id, "district", "Nord", minimum=2, maximum=3, actor=facilitator
    )
    recruitment.set_target(
        store, committee.id, "gender", "woman", minimum=2, maximum=None, actor=facilitator
    )
    for i in range(n):
        apply(
            store,
            committee,
            f"P{i}",
            consent=True,
            diversity=recruitment.Diversity(
                district="Nord" if i % 4 == 0 else "Syd",
                gender="woman" if i % 3 == 0 else "man",
            ),
        )


def test_the_draw_record_publishes_every_probability_the_quotas_and_the_lottery(
    store, committee, facilitator
):
    pool(store, committee, facilitator)
    draw = recruitment.run_draw(store, committee.id, seats=5, seed="lotto 1 2", actor=facilitator)
    (record,) = recruitment.list_draws(store, committee.id)
    assert record["method"] == "leximin"
    assert record["quotas"] == [
        {"attribute": "district", "value": "Nord", "minimum": 2, "maximum": 3},
        {"attribute": "gender", "value": "woman", "minimum": 2, "maximum": None},
    ]
    distribution = sortition.Distribution.from_json(record["distribution"])
    assert distribution == draw.distribution
    probabilities = dict(distribution.probabilities)
    assert set(probabilities) == {a.id for a in recruitment.draw_pool(store, committee.id)}
    assert sum(probabilities.values()) == pytest.approx(5, abs=1e-6)
    # Nord women: 1 of 12 (P0), Nord men 2, Syd women 3: the quotas force them up.
    assert min(probabilities.values()) > 0.2
    assert record["uniform"] == draw.uniform and record["selected"] == list(draw.selected)
    assert [s["applicant_id"] for s in record["steps"]] == list(draw.selected)
    assert all(
        a.status is ApplicationStatus.SHORTLISTED
        for a in map(lambda i: recruitment.get_application(store, i), draw.selected)
    )


def test_a_published_draw_replays_and_says_so(store, committee, facilitator):
    pool(store, committee, facilitator)
    recruitment.run_draw(store, committee.id, seats=5, seed="lotto 1 2", actor=facilitator)
    (record,) = recruitment.list_draws(store, committee.id)
    replay = recruitment.replay_draw(store, record["id"])
    assert replay.fingerprint_matches and replay.distribution_matches and replay.panel_matches
    assert replay.matches
    assert replay.recomputed_selected == tuple(record["selected"])


def test_a_replay_after_the_pool_changed_shows_both_fingerprints(store, committee, facilitator):
    pool(store, committee, facilitator)
    recruitment.run_draw(store, committee.id, seats=5, seed="lotto 1 2", actor=facilitator)
    (first,) = recruitment.list_draws(store, committee.id)
    apply(store, committee, "Late", consent=True, diversity=recruitment.Diversity(gender="man"))
    # The same seed again after the pool changed: the new record names the earlier fingerprint.
    recruitment.run_draw(store, committee.id, seats=5, seed="lotto 1 2", actor=facilitator)
    second = recruitment.list_draws(store, committee.id)[0]
    assert second["applicants_digest"] != first["applicants_digest"]
    assert second["earlier"] == [
        {
            "draw": first["id"],
            "applicants_digest": first["applicants_digest"],
            "quotas": first["quotas"],
        }
    ]
    # A quota added in between with the same seed shows as well.
    recruitment.set_target(
        store, committee.id, "gender", "man", minimum=1, maximum=None, actor=facilitator
    )
    recruitment.run_draw(store, committee.id, seats=5, seed="lotto 1 2", actor=facilitator)
    third = recruitment.list_draws(store, committee.id)[0]
    assert [e["draw"] for e in third["earlier"]] == [first["id"], second["id"]]
    assert third["quotas"] != second["quotas"]


def test_impossible_quotas_are_named_and_nothing_is_drawn(store, committee, facilitator):
    pool(store, committee, facilitator)
    recruitment.set_target(
        store, committee.id, "district", "Syd", minimum=4, maximum=None, actor=facilitator
    )
    with pytest.raises(sortition.QuotaConflict) as caught:
        recruitment.run_draw(store, committee.id, seats=5, seed="x", actor=facilitator)
    assert caught.value.key == "error.sortition.quota_conflict"
    assert [(q.attribute, q.value) for q in caught.value.conflicts] == [
        ("district", "Nord"),
        ("district", "Syd"),
    ]
    assert recruitment.list_draws(store, committee.id) == []
    assert {a.status for a in recruitment.list_applications(store, committee.id)} == {
        ApplicationStatus.INTERESTED
    }


def test_a_pool_smaller_than_the_seats_is_refused(store, committee, facilitator):
    pool(store, committee, facilitator, n=4)
    with pytest.raises(InvalidInput) as caught:
        recruitment.run_draw(store, committee.id, seats=5, seed="x", actor=facilitator)
    assert caught.value.key == "error.sortition.not_enough_applicants"
    assert recruitment.list_draws(store, committee.id) == []


def test_replay_draw_on_the_command_line(store, committee, facilitator, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    pool(store, committee, facilitator)
    recruitment.run_draw(store, committee.id, seats=5, seed="lotto 1 2", actor=facilitator)
    (record,) = recruitment.list_draws(store, committee.id)
    code = cli.main(["--db", str(store.path), "replay-draw", str(record["id"])])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "matches" in out and record["applicants_digest"] in out
    assert cli.main(["--db", str(store.path), "replay-draw", "999"]) == 2


# -- targets and districts from what the facilitator sees ---------------------------------------


def test_districts_come_from_the_configured_list(store, committee, facilitator, monkeypatch):
    monkeypatch.setenv("SAMSKAB_DISTRICTS", "Nord, Syd ,Øst")
    assert recruitment.district_options() == ("Nord", "Syd", "Øst")
    to_recruitment(store, committee, facilitator)
    with pytest.raises(InvalidInput) as caught:
        apply(store, committee, "A", consent=True, diversity=recruitment.Diversity(district="nord"))
    assert caught.value.key == "error.application.bad_option"
    apply(store, committee, "A", consent=True, diversity=recruitment.Diversity(district="Nord"))
    with pytest.raises(InvalidInput):
        recruitment.set_target(
            store, committee.id, "district", "Vest", minimum=1, maximum=None, actor=facilitator
        )
    recruitment.set_target(
        store, committee.id, "district", "Øst", minimum=1, maximum=None, actor=facilitator
    )
    assert [t.value for t in recruitment.list_targets(store, committee.id)] == ["Øst"]


def test_target_options_are_what_the_facilitator_sees(store, committee, facilitator, monkeypatch):
    monkeypatch.delenv("SAMSKAB_DISTRICTS", raising=False)
    to_recruitment(store, committee, facilitator)
    apply(store, committee, "A", consent=True, diversity=recruitment.Diversity(district="Syd"))
    assert recruitment.target_options(store, committee.id, "gender") == ("woman", "man", "other")
    # Without a configured list: the districts the applicants gave.
    assert recruitment.target_options(store, committee.id, "district") == ("Syd",)
    monkeypatch.setenv("SAMSKAB_DISTRICTS", "Nord,Syd")
    assert recruitment.target_options(store, committee.id, "district") == ("Nord", "Syd")


def test_replay_draw_speaks_the_cli_locale_and_names_a_missing_draw(
    store, committee, facilitator, capsys, monkeypatch
):
    from workshop.i18n import translate

    monkeypatch.setenv("LANG", "da_DK.UTF-8")
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    pool(store, committee, facilitator)
    recruitment.run_draw(store, committee.id, seats=5, seed="lotto 1 2", actor=facilitator)
    (record,) = recruitment.list_draws(store, committee.id)
    assert cli.main(["--db", str(store.path), "replay-draw", str(record["id"])]) == 0
    out = capsys.readouterr().out
    assert translate("da", "draw.replay.matches") in out
    assert translate("da", "draw.method.leximin") in out and "0,0" in out
    for english in ("matches", "(leximin)\n", "lottery", "draw", "e+00"):
        assert english not in out.lower().replace(record["applicants_digest"], ""), english
    assert cli.main(["--db", str(store.path), "replay-draw", "99"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == translate("da", "error.draw.not_found", id=99)
    assert "99" in translate("nb", "error.draw.not_found", id=99)


def test_the_published_record_alone_replays_the_draw(store, committee, facilitator):
    """Everything an outsider needs, without names and without the database."""
    import json

    pool(store, committee, facilitator)
    draw = recruitment.run_draw(store, committee.id, seats=5, seed="lotto 1 2", actor=facilitator)
    (stored,) = recruitment.list_draws(store, committee.id)
    text = json.dumps(recruitment.draw_record(store, stored["id"]), ensure_ascii=False)
    assert "P0" not in text and "P11" not in text  # no names
    record = json.loads(text)
    assert sorted(record["applicants"]) == sorted(stored["applicant_ids"])
    assert record["lottery"]["compositions"] == [
        [list(c), p] for c, p in draw.distribution.compositions
    ]
    store.close()  # nothing below reads the database
    replay = sortition.replay_record(record)
    assert replay.lottery_matches and replay.largest_difference == 0.0
    assert replay.selected == draw.selected and replay.matches
    record["seed"] = "lotto 1 3"
    assert not sortition.replay_record(record).matches


@pytest.mark.parametrize(
    ("field", "tamper"),
    [
        ("uniform", lambda r: r.update(uniform=0.1)),
        ("composition", lambda r: r.update(composition=r["composition"] + 1)),
        ("seed_digest", lambda r: r.update(seed_digest="f" * 64)),
        ("applicants", lambda r: r.update(applicants=[*r["applicants"], 99_999])),
        ("applicants", lambda r: r.update(applicants=r["applicants"][1:])),
        ("method", lambda r: r.update(method="greedy")),
        ("lottery", lambda r: r["lottery"]["compositions"][0].__setitem__(1, 0.0)),
        ("selected", lambda r: r.update(selected=list(reversed(r["selected"])))),
    ],
)
def test_every_published_value_of_a_record_is_checked(
    store, committee, facilitator, field, tamper
) -> None:
    """A record that was changed anywhere does not replay as matching, and the replay names
    what differs (a fresh-eyes trial changed the published "u" and the seed's fingerprint and
    was told the record matched)."""
    import json

    pool(store, committee, facilitator)
    recruitment.run_draw(store, committee.id, seats=5, seed="lotto 7", actor=facilitator)
    (stored,) = recruitment.list_draws(store, committee.id)
    record = json.loads(json.dumps(recruitment.draw_record(store, stored["id"])))
    assert sortition.replay_record(record).differences == ()
    tamper(record)
    replay = sortition.replay_record(record)
    assert not replay.matches
    assert field in replay.differences


def test_replay_draw_from_a_downloaded_record_file(
    store, committee, facilitator, capsys, monkeypatch, tmp_path
):
    import json

    from workshop.i18n import translate

    monkeypatch.setenv("LANG", "nb_NO.UTF-8")
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    pool(store, committee, facilitator)
    recruitment.run_draw(store, committee.id, seats=5, seed="lotto 1 2", actor=facilitator)
    (stored,) = recruitment.list_draws(store, committee.id)
    path = tmp_path / "trekning.json"
    path.write_text(json.dumps(recruitment.draw_record(store, stored["id"])), encoding="utf-8")
    missing_db = tmp_path / "none.db"
    assert cli.main(["--db", str(missing_db), "replay-draw", "--record", str(path)]) == 0
    out = capsys.readouterr().out
    assert translate("nb", "draw.replay.matches") in out and not missing_db.exists()
    record = json.loads(path.read_text(encoding="utf-8"))
    record["selected"] = list(reversed(record["selected"]))
    record["uniform"] = 0.1
    path.write_text(json.dumps(record), encoding="utf-8")
    assert cli.main(["replay-draw", "--record", str(path)]) == 1
    out = capsys.readouterr().out
    assert translate("nb", "draw.replay.mismatch") in out
    fields = ", ".join(
        translate("nb", f"draw.record_field.{name}") for name in ("uniform", "selected")
    )
    assert translate("nb", "draw.replay.differs_in", fields=fields) in out
    path.write_text("{not json", encoding="utf-8")
    assert cli.main(["replay-draw", "--record", str(path)]) == 2
    assert capsys.readouterr().err.strip() == translate(
        "nb", "error.draw.record_unreadable", path=str(path)
    )
