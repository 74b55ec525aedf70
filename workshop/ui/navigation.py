"""Which pages exist and who may see them: one table, read by the router.

Audiences: ``anonymous`` (no login, no token), ``citizen`` (a participant token in the URL),
``screen`` (a projector's screen link), and the staff roles. A page listed for an audience is
registered for it; all others do not exist for that visitor (and each page checks again).
``linked`` pages are reachable by URL but not shown in the menu (public pages opened by link).
"""

from __future__ import annotations

from dataclasses import dataclass

ANONYMOUS = "anonymous"
CITIZEN = "citizen"
SCREEN = "screen"
ADMIN = "admin"
FACILITATOR = "facilitator"
POLITICIAN = "politician"
STAFF = (ADMIN, FACILITATOR)
EVERYONE = (ANONYMOUS, CITIZEN, SCREEN, ADMIN, FACILITATOR, POLITICIAN)


@dataclass(frozen=True)
class PageSpec:
    name: str  # file workshop/ui/pages/<name>.py, URL /<name>, title key page.<name>
    icon: str
    audiences: tuple[str, ...]
    default_for: tuple[str, ...] = ()
    linked: bool = False  # reachable by URL, hidden from the menu
    wide: bool = False  # the router lays the page out wide (console, projector, audit log)


PAGES: list[PageSpec] = [
    PageSpec("start", ":material/login:", (ANONYMOUS,), default_for=(ANONYMOUS,)),
    PageSpec("login", ":material/badge:", (ANONYMOUS,)),
    PageSpec("participate", ":material/chat:", (CITIZEN,), default_for=(CITIZEN,)),
    PageSpec("committees", ":material/groups:", STAFF, default_for=STAFF),
    PageSpec("console", ":material/tune:", STAFF, wide=True),
    PageSpec("projector", ":material/cast:", (*STAFF, SCREEN), default_for=(SCREEN,), wide=True),
    PageSpec("summary", ":material/bar_chart:", (*STAFF, POLITICIAN), default_for=(POLITICIAN,)),
    PageSpec("outcomes", ":material/flag:", STAFF),
    PageSpec("users", ":material/manage_accounts:", (ADMIN,)),
    PageSpec("audit", ":material/history:", (ADMIN,), wide=True),
    PageSpec("agreements", ":material/handshake:", STAFF),
    PageSpec("feedback", ":material/forum:", STAFF),
    PageSpec("logout", ":material/logout:", (*STAFF, POLITICIAN)),
    PageSpec("my_data", ":material/shield_person:", (CITIZEN,), linked=True),
    PageSpec("committee", ":material/dashboard:", STAFF, linked=True),
    PageSpec("mandate_editor", ":material/description:", STAFF, linked=True),
    PageSpec("recruitment", ":material/person_add:", STAFF, linked=True),
    PageSpec("recommendations", ":material/lightbulb:", STAFF, linked=True),
    PageSpec("mandate", ":material/article:", (ANONYMOUS, *STAFF, POLITICIAN), linked=True),
    PageSpec("apply", ":material/how_to_reg:", (ANONYMOUS, *STAFF, POLITICIAN), linked=True),
    PageSpec("my_ideas", ":material/lightbulb:", (CITIZEN,), linked=True),
    PageSpec("meeting_outcome", ":material/public:", (ANONYMOUS, *STAFF, POLITICIAN), linked=True),
    PageSpec("accessibility", ":material/accessibility:", EVERYONE, linked=True),
]


def page_file(name: str) -> str:
    return f"workshop/ui/pages/{name}.py"


def pages_for(audience: str) -> list[PageSpec]:
    return [page for page in PAGES if audience in page.audiences]
