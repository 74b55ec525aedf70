"""Session-state keys, in one place."""

USER = "user"  # workshop.model.User of a logged-in staff member
LANG = "lang"  # chosen UI language
PARTICIPANT = "participant"  # workshop.model.Participant resolved from the URL token
STREAM_SEQ = "stream_seq"  # highest change_seq this phone has seen
STREAM_IDEAS = "stream_ideas"  # idea id -> Idea, what this phone has seen
STEP_SEEN = "step_seen"  # current_step_id when the page last rendered in full
FLASH = "flash"  # a message to show once after a rerun
USERS_CLEAR_NEW = "users_clear_new"  # the Users page empties its new-account form (after success)
USERS_CLEAR_PASSWORD = "users_clear_password"  # ... and its reset-password field
JOIN_CLIENT = "join_client"  # a per-browser-session id for rate limiting failed join codes
STREAM_MEETING = "stream_meeting"  # the meeting STREAM_IDEAS belongs to
BALLOT_PAGE = "ballot_page"  # which page of the ballot a phone shows
BALLOT_ORDER = "ballot_order"  # ((meeting, participant, wall ids), the wall in its order)
GATE_SEEN = "gate_seen"  # (participant, the agreements' gate stamp when the page last passed it)
GATE_DUE = "gate_due"  # a tap found the agreement changed: the next run shows the gate
JUST_JOINED = "just_joined"  # participant id: send the browser to remember it (cookie route)
NOT_ME = "not_me"  # "not you?" was pressed: the start page offers a fresh join
