"""AppTest: staff erase an applicant (recruitment page) or a member (committee page) on
request, after a confirmation tick; the audit log says so; erasing again changes nothing."""

from __future__ import annotations

from tests.ui.conftest import texts
from tests.ui.test_committee_pages import da, lifecycle, open_page  # noqa: F401 (fixture)
from workshop import audit
from workshop.committees import members, recruitment
from workshop.model import Role
from workshop.privacy import core as privacy


def test_staff_erase_an_applicant_from_the_recruitment_page(lifecycle, make_app) -> None:  # noqa: F811
    db, application = lifecycle["store"], lifecycle["application"]
    user = lifecycle["users"][Role.FACILITATOR]
    at = open_page(make_app, user, "recruitment", committee=str(lifecycle["committee"].id))
    assert "Sofie Borger" in texts(at)
    erase = at.button(key=f"erase_application_go_{application.id}")
    assert erase.disabled  # nothing happens without the confirmation tick
    at.checkbox(key=f"erase_application_confirm_{application.id}").check().run()
    at.button(key=f"erase_application_go_{application.id}").click().run()
    assert not at.exception
    assert recruitment.get_application(db, application.id).name == privacy.REDACTED_TEXT
    assert "Sofie Borger" not in texts(at)
    assert da("privacy.erase.erased") in texts(at)
    assert da("error.erasure.already_erased") not in texts(at)
    assert audit.query_entries(db, action="erase_application")[-1]["actor"] == user.username
    # Already erased: no button any more, and the service refuses clearly.
    assert not [b for b in at.button if b.key == f"erase_application_go_{application.id}"]


def test_staff_erase_a_member_from_the_committee_page(lifecycle, make_app) -> None:  # noqa: F811
    db, committee = lifecycle["store"], lifecycle["committee"]
    user = lifecycle["users"][Role.ADMIN]
    member = members.add_member(
        db, committee.id, name="Mette Medlem", role="chair", starts_on="2026-03-01", actor=user
    )
    at = open_page(make_app, user, "committee", committee=str(committee.id))
    assert "Mette Medlem" in texts(at)
    at.checkbox(key=f"erase_member_confirm_{member.id}").check().run()
    at.button(key=f"erase_member_go_{member.id}").click().run()
    assert not at.exception
    assert members.get_member(db, member.id).name == privacy.REDACTED_TEXT
    assert "Mette Medlem" not in texts(at)
    assert audit.query_entries(db, action="erase_member")[-1]["entity_id"] == member.id


def test_erasing_someone_erased_meanwhile_says_so_and_changes_nothing(
    lifecycle,  # noqa: F811
    make_app,
) -> None:
    db, application = lifecycle["store"], lifecycle["application"]
    user = lifecycle["users"][Role.FACILITATOR]
    at = open_page(make_app, user, "recruitment", committee=str(lifecycle["committee"].id))
    at.checkbox(key=f"erase_application_confirm_{application.id}").check().run()
    # Another tab erases the applicant first.
    recruitment.erase_application(db, application.id, actor=user)
    entries = len(audit.query_entries(db))
    at.button(key=f"erase_application_go_{application.id}").click().run()
    assert not at.exception
    assert da("error.erasure.already_erased") in texts(at)
    assert len(audit.query_entries(db)) == entries
