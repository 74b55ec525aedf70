"""Simulated Streamlit browser sessions over Streamlit's own websocket protocol.

Why this exists: a real browser per simulated phone (Playwright) costs a Chromium
each, so 100-500 phones cannot be simulated on a laptop. Streamlit's frontend
only talks to the server through one websocket carrying protobuf ``BackMsg`` /
``ForwardMsg`` frames, so an asyncio client that speaks the same protocol
exercises the exact server path phones use (session, script runs, fragments,
widget state) at a tiny fraction of the cost. See ``benchmarks/README.md`` and
stack-notes section 3 for the protocol details this module mirrors.

How to import it (``benchmarks/`` is not a package on purpose):

* from a script in ``benchmarks/``: ``from stclient import StreamlitSession``
  (Python puts the script's directory on ``sys.path``);
* from tests or elsewhere: put the directory on ``sys.path`` first::

      sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
      import stclient  # noqa: E402

Minimal use::

    async with StreamlitSession("http://127.0.0.1:8501", query_string="code=ABC") as s:
        first = await s.run()                  # RunResult: latency + element snapshot
        await s.chat("More trees")             # -> latency in seconds
        await s.click("like")                  # key or label; fragment run if inside one
        await s.tick_auto_reruns()             # fire due run_every fragments
        s.component("samskab.dots").data       # a components-v2 element's JSON data
        await s.post_json("/push/dots", {...})  # what its JavaScript fetch()es: HttpAnswer

Only loopback servers are accepted: this is a load generator, and pointing it at
someone else's host by accident would be a denial-of-service attack.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import json
import math
import re
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal
from urllib.parse import SplitResult, parse_qs, urljoin, urlsplit
from zoneinfo import ZoneInfo

from google.protobuf.message import Message
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Block_pb2 import Block as BlockProto
from streamlit.proto.Element_pb2 import Element as ElementProto
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.typing import Subprotocol

from workshop.ui.components import mounted_data

__all__ = [
    "AmbiguousElementError",
    "BucketStats",
    "Element",
    "ElementNotFoundError",
    "HttpAnswer",
    "HttpRequestError",
    "Measure",
    "RunResult",
    "ScriptError",
    "ScriptTimeoutError",
    "SessionClosedError",
    "StreamlitClientError",
    "StreamlitSession",
    "UnsafeHostError",
    "check_loopback",
    "wait_until_healthy",
]

# ForwardMsg.ScriptFinishedStatus values (streamlit/proto/ForwardMsg.proto).
FINISHED_SUCCESSFULLY: Final = 0
FINISHED_WITH_COMPILE_ERROR: Final = 1
FINISHED_EARLY_FOR_RERUN: Final = 2
FINISHED_FRAGMENT_RUN_SUCCESSFULLY: Final = 3

# Sent by the real frontend when there is no _streamlit_xsrf cookie; the server
# only validates entry 2 when an Origin header is present (we send none).
_PLACEHOLDER_AUTH_TOKEN: Final = "PLACEHOLDER_AUTH_TOKEN"
_STREAM_PATH: Final = "_stcore/stream"
# "$$ID-<md5 hex>-<user key or None>" (streamlit/elements/lib/utils.py).
_WIDGET_ID_RE: Final = re.compile(r"^\$\$ID-[0-9a-f]+-(.*)$", re.DOTALL)
# Safety bounds: every wait/loop in this module is limited by these and a deadline.
_MAX_MESSAGES_PER_RUN: Final = 200_000
_MAX_CHAINED_RERUNS: Final = 50  # st.rerun() loops end with status 2 each time
_MAX_AUTO_TICKS: Final = 100_000
_MAX_HTTP_BODY: Final = 2**20  # an answer to a component's request: small JSON
_MAX_HTTP_HEADERS: Final = 100

# Stateful widget kinds whose current value the client tracks and re-sends on
# every rerun, like the frontend's WidgetStateManager does.
_CHOICE_KINDS: Final = frozenset({"radio", "selectbox", "button_group", "multiselect", "feedback"})
_TEXT_KINDS: Final = frozenset({"text_input", "text_area"})
_TRIGGER_KINDS: Final = frozenset({"button", "download_button"})

WidgetField = Literal[
    "json_value",
    "bool_value",
    "double_value",
    "int_value",
    "string_value",
    "double_array_value",
    "string_array_value",
]


# --------------------------------------------------------------------------- errors


class StreamlitClientError(Exception):
    """Base class for everything this client raises on purpose."""


class UnsafeHostError(StreamlitClientError, ValueError):
    """The target is not a loopback address; load tests never leave the machine."""


class SessionClosedError(StreamlitClientError):
    """The websocket is gone or the session is unusable after a timeout."""


class ScriptTimeoutError(StreamlitClientError, TimeoutError):
    """No final ``script_finished`` arrived within the time limit."""


class ElementNotFoundError(StreamlitClientError, LookupError):
    """No rendered element matched; the message lists what *is* on the page."""


class AmbiguousElementError(StreamlitClientError, LookupError):
    """Several elements matched a label; use the widget key instead."""


class HttpRequestError(StreamlitClientError):
    """An HTTP request beside the websocket (``post_json``) got no whole answer: refused,
    reset, closed early, malformed or not within its time limit. Whether the server acted on
    it is unknown."""


class ScriptError(StreamlitClientError):
    """The run rendered a Streamlit ``exception`` element or failed to compile.

    The run itself completed (the server answered), so ``result`` holds the full
    RunResult for inspection; the session stays usable.
    """

    def __init__(self, message: str, result: RunResult, exceptions: Sequence[Element]) -> None:
        super().__init__(message)
        self.result = result
        self.exceptions = tuple(exceptions)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class Element:
    """One rendered node of the page, flattened out of the delta stream.

    ``path`` is the delta path (root container first: 0 main, 1 sidebar,
    2 event/toasts, 3 bottom/chat_input), so sorting by path gives document order.
    ``text`` is the readable content: markdown/heading/caption/alert/toast body,
    code text, "Type: message" for exceptions; for blocks (chat_message,
    expander, ...) it is the joined text of everything inside them.
    For an ``st.components.v2`` component (kind ``bidi_component``), ``component`` is its
    registered name (e.g. "samskab.dots") and ``data`` the JSON data it was mounted with,
    parsed (None when it was given no JSON data); both are empty for other elements.
    """

    path: tuple[int, ...]
    kind: str
    is_block: bool
    fragment_id: str
    widget_id: str | None
    key: str | None
    label: str
    text: str
    proto: Message = field(repr=False, compare=False)
    run_id: str = field(repr=False, default="")
    component: str = ""
    data: Any = field(repr=False, compare=False, default=None)


@dataclass(frozen=True, slots=True)
class RunResult:
    """Outcome of one request: latency to the final ``script_finished`` plus a snapshot."""

    latency: float
    status: int
    script_run_id: str
    fragment_ids: tuple[str, ...]
    elements: tuple[Element, ...]
    query_string: str
    messages: int
    chained_reruns: int

    @property
    def is_fragment_run(self) -> bool:
        return self.status == FINISHED_FRAGMENT_RUN_SUCCESSFULLY


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """The answer to ``post_json``, as a component's ``fetch()`` gets it."""

    latency: float  # request sent (a new connection's connect included) -> whole answer read
    status: int
    headers: dict[str, str]  # names in lower case; a repeated header keeps its last value
    body: Any  # the JSON answer, parsed; None when the body is not JSON


@dataclass(slots=True)
class _AutoRerun:
    fragment_id: str
    interval: float
    next_due: float


@dataclass(slots=True)
class _RunState:
    """Book-keeping while one request is in flight."""

    script_run_id: str = ""  # from the latest new_session seen during this request
    fragment_ids: tuple[str, ...] = ()
    messages: int = 0
    stale_messages: int = 0
    chained_reruns: int = 0


# --------------------------------------------------------------------------- helpers


def check_loopback(url: str) -> str:
    """Return the host of ``url`` or raise UnsafeHostError unless it is loopback.

    Accepts 127.0.0.0/8, ::1 and the literal name ``localhost`` (no DNS lookup, so a
    poisoned resolver cannot redirect the load elsewhere).
    """
    host = urlsplit(url).hostname
    if not host:
        raise UnsafeHostError(f"no host in URL {url!r}")
    if host.lower() == "localhost":
        return host
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        raise UnsafeHostError(
            f"refusing non-loopback host {host!r}: only 127.0.0.0/8, ::1 and localhost "
            "are allowed for load tests"
        ) from None
    if not addr.is_loopback:
        raise UnsafeHostError(
            f"refusing non-loopback address {host}: only 127.0.0.0/8, ::1 and localhost "
            "are allowed for load tests"
        )
    return host


def _split_base_url(base_url: str) -> tuple[str, str]:
    """(http base, websocket URL) for a base URL given as http(s):// or ws(s)://."""
    parts = urlsplit(base_url if "://" in base_url else f"http://{base_url}")
    check_loopback(parts.geturl())
    secure = parts.scheme in {"https", "wss"}
    path = parts.path.rstrip("/")
    http_base = f"{'https' if secure else 'http'}://{parts.netloc}{path}"
    ws_url = f"{'wss' if secure else 'ws'}://{parts.netloc}{path}/{_STREAM_PATH}"
    return http_base, ws_url


def wait_until_healthy(base_url: str, timeout: float = 30.0, interval: float = 0.1) -> float:
    """Poll ``/_stcore/health`` until it answers "ok"; return seconds waited.

    Blocking on purpose (use ``asyncio.to_thread`` from async code): it is meant for
    test fixtures and scripts that start a server. Proxies from the environment
    are bypassed, otherwise ``http_proxy`` would swallow loopback requests.
    """
    http_base, _ = _split_base_url(base_url)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    start = time.monotonic()
    deadline = start + timeout
    last_error = "no answer"
    while time.monotonic() < deadline:
        try:
            with opener.open(f"{http_base}/_stcore/health", timeout=2.0) as resp:
                if resp.status == 200 and resp.read().strip() == b"ok":
                    return time.monotonic() - start
                last_error = f"HTTP {resp.status}"
        except (urllib.error.URLError, OSError) as exc:
            last_error = str(exc)
        time.sleep(interval)
    raise TimeoutError(f"{http_base} not healthy after {timeout:.0f} s ({last_error})")


def _key_from_widget_id(widget_id: str) -> str | None:
    """User key encoded at the end of a generated widget id ("None" = no key)."""
    m = _WIDGET_ID_RE.match(widget_id)
    if not m or m.group(1) == "None":
        return None
    return m.group(1)


def _str_field(msg: Message, name: str) -> str:
    """String field ``name`` of ``msg`` or "" if the message type has no such field."""
    fd = msg.DESCRIPTOR.fields_by_name.get(name)
    if fd is None or fd.type != fd.TYPE_STRING or fd.is_repeated:
        return ""
    return str(getattr(msg, name))


def _element_texts(kind: str, proto: Message) -> tuple[str, str]:
    """(label, text) for a leaf element, following what the frontend displays."""
    label = _str_field(proto, "label")
    if kind == "chat_input":
        label = label or _str_field(proto, "placeholder")
    if kind == "exception":
        text = f"{_str_field(proto, 'type')}: {_str_field(proto, 'message')}"
    elif kind == "code":
        text = _str_field(proto, "code_text")
    else:
        text = _str_field(proto, "body")
    return label, text


def _component_data(kind: str, proto: Any) -> tuple[str, Any]:
    """(registered name, parsed JSON data) of a components-v2 element; ("", None) otherwise.

    Data that is not valid JSON, or not JSON at all (Arrow, bytes), is None.
    """
    if kind != "bidi_component":
        return "", None
    data = None
    if proto.WhichOneof("data") == "json":
        try:
            data = mounted_data(proto.json)
        except ValueError:
            data = None
    return str(proto.component_name), data


def _block_label(kind: str, proto: Message) -> str:
    if kind == "chat_message":
        return _str_field(proto, "name")
    if kind == "dialog":
        return _str_field(proto, "title")
    if kind == "form":
        return _str_field(proto, "form_id")
    return _str_field(proto, "label")


def _button_group_option(option: Any) -> str:
    """Wire string of a pills/segmented_control option (mirrors the frontend)."""
    icon = option.content_icon if option.HasField("content_icon") else ""
    return f"{icon} {option.content}".strip() if icon else str(option.content)


def _pick_option(options: Sequence[str], value: str | int, *, free_text: bool = False) -> str:
    """Map an index or an option string to the formatted option string sent on the wire."""
    if isinstance(value, bool):
        raise TypeError("option must be a str or an int index, not bool")
    if isinstance(value, int):
        if not 0 <= value < len(options):
            raise ValueError(f"option index {value} out of range 0..{len(options) - 1}")
        return options[value]
    if value not in options and not free_text:
        raise ValueError(f"{value!r} is not one of the options {list(options)}")
    return value


def _tz_offset_minutes(tz: str) -> int:
    """JavaScript ``Date.getTimezoneOffset()``: minutes to add to local time to get UTC."""
    try:
        offset = datetime.now(ZoneInfo(tz)).utcoffset()
    except Exception:  # unknown zone or no tzdata: behave like a UTC browser
        return 0
    return -int(offset.total_seconds() // 60) if offset is not None else 0


# --------------------------------------------------------------------------- widget values


def _initial_widget_value(
    kind: str, proto: Any, previous: tuple[WidgetField, Any] | None
) -> tuple[WidgetField, Any] | None:
    """Widget value the frontend would hold after rendering ``proto``.

    Mirrors the frontend: a ``set_value`` from the server (session_state write or an
    options change) wins, else the value the user already has, else the proto default.
    Returns None for kinds the client does not model (date/time inputs, uploaders,
    data editors...): leaving those out of the BackMsg makes the server keep its
    current value, which is what an untouched browser widget amounts to.
    """
    set_value = bool(getattr(proto, "set_value", False))
    if previous is not None and not set_value:
        return previous
    if kind in {"radio", "selectbox"}:
        if set_value:
            return "string_value", (proto.raw_value if proto.HasField("raw_value") else None)
        if proto.HasField("default") and 0 <= proto.default < len(proto.options):
            return "string_value", proto.options[proto.default]
        return "string_value", None
    if kind == "button_group":
        if set_value:
            return "string_array_value", list(proto.raw_values)
        opts = [_button_group_option(o) for o in proto.options]
        return "string_array_value", [opts[i] for i in proto.default if 0 <= i < len(opts)]
    if kind == "multiselect":
        if set_value:
            return "string_array_value", list(proto.raw_values)
        return "string_array_value", [
            proto.options[i] for i in proto.default if 0 <= i < len(proto.options)
        ]
    if kind == "feedback":
        if set_value:
            return "string_value", (str(proto.value) if proto.HasField("value") else "")
        return "string_value", (str(proto.default) if proto.HasField("default") else None)
    if kind in _TEXT_KINDS:
        if set_value:
            return "string_value", (proto.value if proto.HasField("value") else None)
        return "string_value", (proto.default if proto.HasField("default") else None)
    if kind == "checkbox":
        return "bool_value", bool(proto.value if set_value else proto.default)
    if kind == "color_picker":
        return "string_value", (proto.value if set_value else proto.default)
    if kind == "number_input":
        if set_value:
            return "double_value", (proto.value if proto.HasField("value") else None)
        return "double_value", (proto.default if proto.HasField("default") else None)
    if kind == "slider":
        if proto.type == 2:  # SELECT_SLIDER: formatted option strings
            if set_value:
                return "string_array_value", list(proto.raw_value)
            return "string_array_value", [
                proto.options[int(i)] for i in proto.default if 0 <= int(i) < len(proto.options)
            ]
        return "double_array_value", list(proto.value if set_value else proto.default)
    return None


def _encode_user_value(kind: str, proto: Any, value: Any) -> tuple[WidgetField, Any]:
    """Wire encoding for a value the simulated user picks (see README for the table)."""
    if kind in {"radio", "selectbox"}:
        if value is None:
            return "string_value", None
        free = kind == "selectbox" and bool(getattr(proto, "accept_new_options", False))
        return "string_value", _pick_option(list(proto.options), value, free_text=free)
    if kind == "button_group":
        opts = [_button_group_option(o) for o in proto.options]
        multi = proto.click_mode == 1  # MULTI_SELECT (pills(selection_mode="multi"))
        if value is None:
            return "string_array_value", []
        if isinstance(value, str | int):
            return "string_array_value", [_pick_option(opts, value)]
        if not multi:
            raise TypeError("single-select pills/segmented_control take one str or index")
        return "string_array_value", [_pick_option(opts, v) for v in value]
    if kind == "multiselect":
        vals = [] if value is None else [value] if isinstance(value, str | int) else value
        free = bool(getattr(proto, "accept_new_options", False))
        return "string_array_value", [
            _pick_option(list(proto.options), v, free_text=free) for v in vals
        ]
    if kind == "feedback":
        if value is None:
            return "string_value", ""  # explicit clear, see FeedbackSerde
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("feedback takes an int index (thumbs 0/1, faces/stars 0..4)")
        return "string_value", str(value)
    if kind in _TEXT_KINDS | {"color_picker"}:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{kind} takes a str")
        return "string_value", value
    if kind == "checkbox":
        return "bool_value", bool(value)
    if kind == "number_input":
        return "double_value", None if value is None else float(value)
    if kind == "slider":
        if proto.type == 2:
            vals = [value] if isinstance(value, str | int) else list(value)
            return "string_array_value", [_pick_option(list(proto.options), v) for v in vals]
        vals = [value] if isinstance(value, int | float) else list(value)
        return "double_array_value", [float(v) for v in vals]
    raise TypeError(f"setting values of {kind!r} widgets is not supported")


def _fill_widget_state(ws: WidgetState, fld: WidgetField, value: Any) -> None:
    """Put ``value`` into the oneof ``fld``; None leaves the oneof unset.

    An id-only WidgetState is what the frontend sends for an empty widget (for
    example radio with ``index=None``); the server then deserializes None.
    """
    if value is None:
        return
    if fld == "string_array_value":
        ws.string_array_value.data[:] = [str(v) for v in value]
    elif fld == "double_array_value":
        ws.double_array_value.data[:] = [float(v) for v in value]
    elif fld == "bool_value":
        ws.bool_value = bool(value)
    elif fld == "double_value":
        ws.double_value = float(value)
    elif fld == "int_value":
        ws.int_value = int(value)
    elif fld == "json_value":
        ws.json_value = str(value)
    else:
        ws.string_value = str(value)


# --------------------------------------------------------------------------- session


class StreamlitSession:
    """One simulated browser tab: a websocket plus the frontend's client-side state.

    State kept like the frontend does: current query string (updated by
    ``page_info_changed``), current page hash (``new_session`` / ``navigation``),
    the element tree, every stateful widget's value, and run_every timers
    (``auto_rerun``). Requests are serialized per session with a lock, so a timer
    tick never interleaves with a user action (the server would otherwise cancel
    or queue one of them and latencies would mix).
    """

    def __init__(
        self,
        base_url: str,
        query_string: str = "",
        locale: str = "da-DK",
        *,
        timezone: str = "Europe/Copenhagen",
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        raise_on_exception: bool = True,
        compression: bool = True,
    ) -> None:
        """Prepare a session; nothing is sent until ``connect()``/``run()``.

        ``timeout`` bounds every request (send -> final script_finished).
        ``compression`` offers permessage-deflate like browsers do (the server
        declines it unless ``server.enableWebsocketCompression`` is on).
        """
        self.http_base, self.ws_url = _split_base_url(base_url)
        self.query_string = query_string.lstrip("?")
        self.locale = locale
        self.timezone = timezone
        self._tz_offset = _tz_offset_minutes(timezone)
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.raise_on_exception = raise_on_exception
        self.compression = compression
        self.page_script_hash = ""
        self.main_script_hash = ""
        self.session_id = ""
        self.last_result: RunResult | None = None
        self._ws: ClientConnection | None = None
        self._broken: str | None = None
        self._lock = asyncio.Lock()
        self._nodes: dict[tuple[int, ...], Element] = {}
        self._snapshot: tuple[Element, ...] = ()
        self._widget_values: dict[str, tuple[WidgetField, Any]] = {}
        self._auto_reruns: dict[str, _AutoRerun] = {}
        self._drawn: asyncio.Event | None = None  # set when the next run is drawn (``drawn``)
        self.bytes_received = 0  # the runs' messages, as they came over the websocket
        self.cookies: dict[str, str] = {}
        # Extra headers on the websocket handshake and on ``post_json`` (e.g. X-Forwarded-For,
        # as nginx sends it).
        self.headers: dict[str, str] = {}
        # ``post_json``'s keep-alive connection, apart from the websocket (as a browser's).
        self._http: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._http_lock = asyncio.Lock()

    # ----------------------------------------------------------- connection

    async def load_page(self) -> None:
        """GET the page like a browser before its websocket, and keep the cookies it sets.

        Behind a proxy that routes by cookie (docs/deployment.md), the websocket then reaches
        the same server process as the page load did.
        """

        def fetch() -> list[str]:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(f"{self.http_base}/", timeout=self.connect_timeout) as response:
                response.read()
                return response.headers.get_all("Set-Cookie") or []

        for header in await asyncio.to_thread(fetch):
            name, _, value = header.split(";", 1)[0].partition("=")
            if name.strip():
                self.cookies[name.strip()] = value.strip()

    async def __aenter__(self) -> StreamlitSession:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def connect(self, *, resume: bool = False) -> None:
        """Open the websocket (subprotocol "streamlit").

        With ``resume=True`` the previous session id goes in the third subprotocol
        entry, exactly like the frontend after a dropped connection: the server
        then reattaches the old session (session_state kept) if it still exists.
        """
        if self._ws is not None:
            return
        protocols = [Subprotocol("streamlit"), Subprotocol(_PLACEHOLDER_AUTH_TOKEN)]
        if resume and self.session_id:
            protocols.append(Subprotocol(self.session_id))
        sent = dict(self.headers)
        if self.cookies:
            sent["Cookie"] = self.cookie_header()
        cookie_header = {"additional_headers": sent} if sent else {}
        self._ws = await connect(
            self.ws_url,
            subprotocols=protocols,
            compression="deflate" if self.compression else None,
            proxy=None,  # never let an env proxy see loopback load-test traffic
            open_timeout=self.connect_timeout,
            max_size=256 * 2**20,
            # Browsers send no websocket pings; a client ping that times out while the server
            # is busy would close a session a real phone keeps.
            ping_interval=None,
            **cookie_header,
        )
        self._broken = None

    async def close(self) -> None:
        """Close the websocket (the server keeps the session for its disconnect TTL) and the
        HTTP connection of ``post_json``."""
        self._drop_http()
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()

    async def reconnect(self) -> None:
        """Drop the socket and reattach to the same server session (phone wakes up)."""
        await self.close()
        await self.connect(resume=True)

    # ----------------------------------------------------------- element access

    @property
    def elements(self) -> tuple[Element, ...]:
        """Current page in document order (latest full run merged with fragment runs)."""
        return self._snapshot

    @property
    def query_params(self) -> dict[str, list[str]]:
        """Current URL query parameters as the browser would show them."""
        return parse_qs(self.query_string, keep_blank_values=True)

    @property
    def auto_rerun_intervals(self) -> dict[str, float]:
        """run_every timers currently registered: fragment id -> interval in seconds."""
        return {fid: a.interval for fid, a in self._auto_reruns.items()}

    def find(
        self,
        kind: str | None = None,
        *,
        key: str | None = None,
        label: str | None = None,
        text: str | None = None,
        fragment_id: str | None = None,
    ) -> list[Element]:
        """All elements matching every given filter (``text`` is a substring match)."""
        return [
            e
            for e in self._snapshot
            if (kind is None or e.kind == kind)
            and (key is None or e.key == key)
            and (label is None or e.label == label)
            and (text is None or text in e.text)
            and (fragment_id is None or e.fragment_id == fragment_id)
        ]

    def find_one(
        self,
        kind: str | None = None,
        *,
        key: str | None = None,
        label: str | None = None,
        text: str | None = None,
        fragment_id: str | None = None,
    ) -> Element:
        """Exactly one match, else a LookupError that lists what is on the page."""
        found = self.find(kind, key=key, label=label, text=text, fragment_id=fragment_id)
        if len(found) == 1:
            return found[0]
        what = ", ".join(
            f"{n}={v!r}"
            for n, v in (("kind", kind), ("key", key), ("label", label), ("text", text))
            if v is not None
        )
        if not found:
            raise ElementNotFoundError(f"no element with {what}; page has: {self._describe()}")
        raise AmbiguousElementError(
            f"{len(found)} elements with {what}: " + "; ".join(self._short(e) for e in found)
        )

    def has_text(self, text: str) -> bool:
        """True if any rendered element's text contains ``text``."""
        return any(text in e.text for e in self._snapshot if not e.is_block)

    def widget_value(self, key_or_id: str) -> Any:
        """Value the client will send for a widget (None if unset or not modelled)."""
        el = self._widget(key_or_id)
        entry = self._widget_values.get(el.widget_id or "")
        return None if entry is None else entry[1]

    @staticmethod
    def _short(e: Element) -> str:
        name = e.key or e.label or (e.text[:30] if e.text else "")
        return f"{e.kind}[{name}]@{list(e.path)}"

    def _describe(self, limit: int = 40) -> str:
        items = [self._short(e) for e in self._snapshot if e.widget_id or not e.is_block]
        more = f" ... (+{len(items) - limit})" if len(items) > limit else ""
        return ", ".join(items[:limit]) + more or "(nothing rendered yet)"

    def _widget(self, key_or_label: str, kinds: Iterable[str] | None = None) -> Element:
        """Widget by user key, then widget id, then (unique) label."""
        allowed = set(kinds) if kinds is not None else None
        pool = [e for e in self._snapshot if e.widget_id and (allowed is None or e.kind in allowed)]
        for attr in ("key", "widget_id", "label"):
            found = [e for e in pool if getattr(e, attr) == key_or_label]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise AmbiguousElementError(
                    f"{len(found)} widgets with {attr} {key_or_label!r}: "
                    + "; ".join(self._short(e) for e in found)
                    + " (give the widget a unique key)"
                )
        kinds_txt = "/".join(sorted(allowed)) if allowed else "widget"
        raise ElementNotFoundError(
            f"no {kinds_txt} with key or label {key_or_label!r}; page has: {self._describe()}"
        )

    # ----------------------------------------------------------- user actions

    async def run(
        self,
        *,
        page_script_hash: str | None = None,
        query_string: str | None = None,
        timeout: float | None = None,
    ) -> RunResult:
        """Full rerun (page load / "R" key): all widget values, no trigger.

        The first call uses an empty page hash (the server picks the main page);
        later calls send the hash from ``new_session``/``navigation``.
        ``query_string``/``page_script_hash`` change the URL/page first, like
        navigating in the address bar.
        """
        if query_string is not None:
            self.query_string = query_string.lstrip("?")
        if page_script_hash is not None:
            self.page_script_hash = page_script_hash
        return await self._request(timeout=timeout)

    async def click(self, key_or_label: str, *, timeout: float | None = None) -> float:
        """Press a button (by key, widget id or unique label); latency in seconds.

        Inside a fragment this is a fragment run, as in the browser.
        """
        el = self._widget(key_or_label, _TRIGGER_KINDS)
        trigger = WidgetState(id=el.widget_id or "", trigger_value=True)
        res = await self._request(trigger=trigger, fragment_id=el.fragment_id, timeout=timeout)
        return res.latency

    async def chat(
        self, text: str, key: str | None = None, *, timeout: float | None = None
    ) -> float:
        """Submit ``text`` in a chat_input (the only one, or the one with ``key``)."""
        if key is None:
            inputs = self.find("chat_input")
            if len(inputs) != 1:
                raise (AmbiguousElementError if inputs else ElementNotFoundError)(
                    f"{len(inputs)} chat_input elements; pass key= ({self._describe()})"
                )
            el = inputs[0]
        else:
            el = self._widget(key, {"chat_input"})
        trigger = WidgetState(id=el.widget_id or "")
        trigger.chat_input_value.data = text
        res = await self._request(trigger=trigger, fragment_id=el.fragment_id, timeout=timeout)
        return res.latency

    async def set_text(
        self,
        key: str,
        value: str | None,
        *,
        rerun: bool | None = None,
        timeout: float | None = None,
    ) -> float:
        """Type into a text_input/text_area and commit (Enter/blur)."""
        return await self._set(self._widget(key, _TEXT_KINDS), value, rerun, timeout)

    async def select(
        self, key: str, value: Any, *, rerun: bool | None = None, timeout: float | None = None
    ) -> float:
        """Choose in radio/selectbox/pills/segmented_control/multiselect/feedback.

        ``value`` is an option string (as displayed, i.e. after format_func) or an
        int index; a list for multi-select; None clears.
        """
        return await self._set(self._widget(key, _CHOICE_KINDS), value, rerun, timeout)

    async def set_value(
        self, key: str, value: Any, *, rerun: bool | None = None, timeout: float | None = None
    ) -> float:
        """Generic setter for any modelled widget (also checkbox, number, slider, colour)."""
        return await self._set(self._widget(key), value, rerun, timeout)

    async def set_component_state(
        self, key: str, state: dict[str, Any], *, timeout: float | None = None
    ) -> float:
        """Set an ``st.components.v2`` component's state as its JavaScript's ``setStateValue``
        does (the whole state as JSON) and rerun the fragment it is in; latency in seconds."""
        el = next((e for e in self.elements if e.kind == "bidi_component" and e.key == key), None)
        if el is None or el.widget_id is None:
            raise ElementNotFoundError(f"no component with key {key!r}")
        self._widget_values[el.widget_id] = ("json_value", json.dumps(state))
        res = await self._request(fragment_id=el.fragment_id, timeout=timeout)
        return res.latency

    def cookie_header(self) -> str:
        """The page's cookies as a browser sends them with a request (``Cookie:``)."""
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def has_component(self, key: str) -> bool:
        return any(e.kind == "bidi_component" and e.key == key for e in self.elements)

    def component(self, name: str) -> Element | None:
        """The ``st.components.v2`` component registered as ``name`` (e.g. "samskab.dots")
        on the page now, or None; its parsed JSON data is ``.data``. Several: the first in
        document order."""
        return next(
            (e for e in self._snapshot if e.kind == "bidi_component" and e.component == name),
            None,
        )

    async def fragment_rerun(
        self, fragment_id: str, auto: bool = True, *, timeout: float | None = None
    ) -> float:
        """Rerun one fragment (``auto=True`` = a run_every tick); latency in seconds."""
        res = await self._request(fragment_id=fragment_id, is_auto_rerun=auto, timeout=timeout)
        return res.latency

    async def _set(
        self, el: Element, value: Any, rerun: bool | None, timeout: float | None
    ) -> float:
        """Store the new value; rerun unless the browser would not (form, on_change=ignore).

        Returns 0.0 when no rerun happens.
        """
        assert el.widget_id is not None
        self._widget_values[el.widget_id] = _encode_user_value(el.kind, el.proto, value)
        if rerun is None:
            in_form = bool(_str_field(el.proto, "form_id"))
            rerun = not in_form and not bool(getattr(el.proto, "ignore_rerun", False))
        if not rerun:
            return 0.0
        res = await self._request(fragment_id=el.fragment_id, timeout=timeout)
        return res.latency

    # ----------------------------------------------------------- requests beside the websocket

    async def post_json(self, url: str, body: Any, *, timeout: float | None = None) -> HttpAnswer:
        """POST ``body`` as JSON to ``url`` (as a component's data names it, e.g. "/push/dots":
        relative to the page) the way its JavaScript ``fetch()`` does: the page's cookies, an
        Origin, one keep-alive HTTP/1.1 connection per session, requests one after another;
        no Streamlit run. Any status is an answer (see ``HttpAnswer``); no whole answer within
        ``timeout`` (default: the session's) raises HttpRequestError. A kept connection the
        server had closed while idle is opened again once, as browsers do (nothing was read
        from it, so the server never saw the request).
        """
        target = urlsplit(urljoin(f"{self.http_base}/", url))
        check_loopback(target.geturl())
        if target.scheme not in {"http", "https"} or not target.hostname:
            raise HttpRequestError(f"not an http(s) URL: {url!r}")
        origin = urlsplit(self.http_base)
        if (target.scheme, target.netloc) != (origin.scheme, origin.netloc):
            raise HttpRequestError(f"{url!r} is not on the page's origin {self.http_base}")
        payload = json.dumps(body, separators=(",", ":")).encode()
        path = target.path or "/"
        head = [
            f"POST {path}{f'?{target.query}' if target.query else ''} HTTP/1.1",
            f"Host: {target.netloc}",
            "Content-Type: application/json",
            f"Content-Length: {len(payload)}",
            "Accept: */*",
            f"Origin: {origin.scheme}://{origin.netloc}",
            *(f"{name}: {value}" for name, value in self.headers.items()),
        ]
        if self.cookies:
            head.append(f"Cookie: {self.cookie_header()}")
        request = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload
        limit = self.timeout if timeout is None else timeout
        async with self._http_lock:
            start = time.perf_counter()
            try:
                async with asyncio.timeout(limit):
                    status, headers, raw = await self._http_exchange(target, request)
            except TimeoutError:
                self._drop_http()
                raise HttpRequestError(f"no answer from POST {path} within {limit:.1f} s") from None
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                self._drop_http()
                raise HttpRequestError(f"POST {path}: {type(exc).__name__}: {exc}") from exc
            latency = time.perf_counter() - start
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return HttpAnswer(latency=latency, status=status, headers=headers, body=parsed)

    async def _http_exchange(
        self, target: SplitResult, request: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one request on the kept connection (or a new one) and read its answer."""
        for attempt in range(2):
            reused = self._http is not None
            if self._http is not None and (self._http[1].is_closing() or self._http[0].at_eof()):
                self._drop_http()
                reused = False
            if self._http is None:
                self._http = await asyncio.open_connection(
                    target.hostname,
                    target.port or (443 if target.scheme == "https" else 80),
                    ssl=target.scheme == "https" or None,
                    limit=_MAX_HTTP_BODY,
                )
            reader, writer = self._http
            try:
                writer.write(request)
                await writer.drain()
                status_line = await reader.readline()
            except (ConnectionResetError, BrokenPipeError):
                status_line = b""
            if not status_line:
                # Closed before any answer: on a kept connection the server had dropped it
                # while idle, so it never read the request; once more on a new one.
                self._drop_http()
                if reused and attempt == 0:
                    continue
                raise ConnectionError("the server closed the connection without an answer")
            status, headers, body, keep = await self._read_http_answer(reader, status_line)
            if not keep:
                self._drop_http()
            return status, headers, body
        raise AssertionError("unreachable")

    @staticmethod
    async def _read_http_answer(
        reader: asyncio.StreamReader, status_line: bytes
    ) -> tuple[int, dict[str, str], bytes, bool]:
        """(status, headers, body, connection kept) of one HTTP/1.x answer, bounded in size."""
        version, _, rest = status_line.decode("latin-1").strip().partition(" ")
        if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
            raise ValueError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
        status = int(rest[:3])
        headers: dict[str, str] = {}
        for _ in range(_MAX_HTTP_HEADERS):
            line = await reader.readline()
            if line in (b"\r\n", b"\n"):
                break
            if not line:
                raise asyncio.IncompleteReadError(b"", None)
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        else:
            raise ValueError(f"more than {_MAX_HTTP_HEADERS} headers")
        keep = version == "HTTP/1.1" and "close" not in headers.get("connection", "").lower()
        if status in {204, 304} or 100 <= status < 200:
            return status, headers, b"", keep
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = b""
            while True:
                size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                if len(body) + size > _MAX_HTTP_BODY:
                    raise ValueError(f"answer over {_MAX_HTTP_BODY} bytes")
                body += await reader.readexactly(size)
                await reader.readline()  # the CRLF after a chunk
            return status, headers, body, keep
        if "content-length" in headers:
            length = int(headers["content-length"])
            if not 0 <= length <= _MAX_HTTP_BODY:
                raise ValueError(f"answer of {length} bytes")
            return status, headers, await reader.readexactly(length), keep
        body = await reader.read(_MAX_HTTP_BODY + 1)  # until the server closes
        while len(body) <= _MAX_HTTP_BODY and (more := await reader.read(_MAX_HTTP_BODY)):
            body += more
        if len(body) > _MAX_HTTP_BODY:
            raise ValueError(f"answer over {_MAX_HTTP_BODY} bytes")
        return status, headers, body, False

    def _drop_http(self) -> None:
        http, self._http = self._http, None
        if http is not None:
            http[1].close()

    # ----------------------------------------------------------- run_every

    def next_auto_rerun_due(self) -> float | None:
        """When (monotonic) the earliest run_every timer fires; None without timers."""
        return min((a.next_due for a in self._auto_reruns.values()), default=None)

    def due_auto_reruns(self, now: float | None = None) -> list[str]:
        """Fragment ids whose run_every timer has expired at ``now`` (monotonic)."""
        t = time.monotonic() if now is None else now
        return [a.fragment_id for a in self._auto_reruns.values() if a.next_due <= t]

    async def tick_auto_reruns(self, now: float | None = None) -> list[float]:
        """Fire every due run_every fragment once, like the browser's setInterval.

        Timers are re-armed from their schedule (no catch-up burst after a stall,
        as browsers do). ``now`` lets tests fast-forward time.
        """
        latencies: list[float] = []
        for fid in self.due_auto_reruns(now):
            timer = self._auto_reruns.get(fid)
            if timer is None:  # a previous tick's full rerun may have removed it
                continue
            t = time.monotonic() if now is None else now
            timer.next_due = max(timer.next_due + timer.interval, t)
            latencies.append(await self.fragment_rerun(fid, auto=True))
        return latencies

    async def run_auto_reruns(
        self,
        duration: float,
        *,
        max_ticks: int = 1000,
        measure: Measure | None = None,
        bucket: str = "auto_rerun",
    ) -> list[float]:
        """Keep firing run_every timers for ``duration`` seconds (bounded by ``max_ticks``)."""
        latencies: list[float] = []
        deadline = time.monotonic() + duration
        for _ in range(min(max_ticks, _MAX_AUTO_TICKS)):
            if not self._auto_reruns:
                break
            now = time.monotonic()
            next_due = min(a.next_due for a in self._auto_reruns.values())
            if next_due > deadline:
                break
            if next_due > now:
                await asyncio.sleep(next_due - now)
            for lat in await self.tick_auto_reruns():
                latencies.append(lat)
                if measure is not None:
                    measure.add(bucket, lat)
        return latencies

    # ----------------------------------------------------------- protocol core

    def _build_back_msg(
        self, trigger: WidgetState | None, fragment_id: str, is_auto_rerun: bool
    ) -> BackMsg:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.SetInParent()  # an empty ClientState would leave the oneof unset ("No handler")
        cs.query_string = self.query_string
        cs.page_script_hash = self.page_script_hash
        cs.fragment_id = fragment_id
        cs.is_auto_rerun = is_auto_rerun
        ctx = cs.context_info
        ctx.timezone = self.timezone
        ctx.timezone_offset = self._tz_offset
        ctx.locale = self.locale
        ctx.url = f"{self.http_base}/" + (f"?{self.query_string}" if self.query_string else "")
        ctx.is_embedded = False
        ctx.color_scheme = "light"
        for wid, (fld, value) in self._widget_values.items():
            if trigger is not None and wid == trigger.id:
                continue
            ws = cs.widget_states.widgets.add()
            ws.id = wid
            _fill_widget_state(ws, fld, value)
        if trigger is not None:
            cs.widget_states.widgets.add().CopyFrom(trigger)
        return msg

    async def _request(
        self,
        *,
        trigger: WidgetState | None = None,
        fragment_id: str = "",
        is_auto_rerun: bool = False,
        timeout: float | None = None,
    ) -> RunResult:
        """Send one rerun_script and consume messages until its final script_finished."""
        async with self._lock:
            if self._broken:
                raise SessionClosedError(f"session unusable: {self._broken}; call reconnect()")
            if self._ws is None:
                await self.connect()
            ws = self._ws
            assert ws is not None
            limit = self.timeout if timeout is None else timeout
            state = _RunState()
            payload = self._build_back_msg(trigger, fragment_id, is_auto_rerun).SerializeToString()
            start = time.perf_counter()
            deadline = start + limit
            try:
                await ws.send(payload)
                status = await self._receive_until_finished(ws, state, deadline)
            except TimeoutError:
                # Recoverable: late messages of this run arrive before the next
                # request's new_session and are discarded there as stale.
                raise ScriptTimeoutError(
                    f"no script_finished within {limit:.1f} s "
                    f"(fragment={fragment_id or '-'}, {state.messages} messages received)"
                ) from None
            except ConnectionClosed as exc:
                self._ws = None
                self._broken = f"connection closed ({exc})"
                raise SessionClosedError(f"websocket closed during a run: {exc}") from exc
            latency = time.perf_counter() - start
            self._finish_run(state)
            result = RunResult(
                latency=latency,
                status=status,
                script_run_id=state.script_run_id,
                fragment_ids=state.fragment_ids,
                elements=self._snapshot,
                query_string=self.query_string,
                messages=state.messages,
                chained_reruns=state.chained_reruns,
            )
            self.last_result = result
            self._raise_for_errors(result)
            return result

    async def _receive_until_finished(
        self, ws: ClientConnection, state: _RunState, deadline: float
    ) -> int:
        """Process ForwardMsgs until a final status; bounded by deadline and counts."""
        while state.messages < _MAX_MESSAGES_PER_RUN:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError
            async with asyncio.timeout(remaining):
                raw = await ws.recv()
            if isinstance(raw, str):
                raise SessionClosedError("server sent a text frame; protocol mismatch")
            state.messages += 1
            self.bytes_received += len(raw)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            status = self._handle(msg, state)
            if status is None:
                continue
            if status == FINISHED_EARLY_FOR_RERUN:  # st.rerun() or a superseded run
                state.chained_reruns += 1
                if state.chained_reruns > _MAX_CHAINED_RERUNS:
                    raise StreamlitClientError(
                        f"more than {_MAX_CHAINED_RERUNS} chained reruns (st.rerun loop?)"
                    )
                continue
            return status
        raise StreamlitClientError(f"more than {_MAX_MESSAGES_PER_RUN} messages in one run")

    def _handle(self, msg: ForwardMsg, state: _RunState) -> int | None:
        """Apply one ForwardMsg to the client state; return the status if it finished a run."""
        kind = msg.WhichOneof("type")
        if kind == "delta":
            if state.script_run_id:
                self._apply_delta(msg, state)
            else:  # left over from a run we gave up on (timeout)
                state.stale_messages += 1
        elif kind == "new_session":
            ns = msg.new_session
            state.script_run_id = msg.metadata.run.script_run_id
            state.fragment_ids = tuple(msg.metadata.run.fragment_ids)
            if ns.initialize.session_id:
                self.session_id = ns.initialize.session_id
            self.main_script_hash = ns.main_script_hash
            if ns.page_script_hash:
                self.page_script_hash = ns.page_script_hash
            if not state.fragment_ids:
                # The frontend drops all run_every timers at the start of a full run;
                # the script re-announces the ones still rendered.
                self._auto_reruns.clear()
        elif kind == "navigation":
            if msg.navigation.page_script_hash:
                self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            # st.query_params writes: the browser pushes the new URL and sends this
            # query string on every later rerun.
            self.query_string = msg.page_info_changed.query_string
        elif kind == "auto_rerun":
            ar = msg.auto_rerun
            current = self._auto_reruns.get(ar.fragment_id)
            if ar.fragment_id and (current is None or current.interval != ar.interval):
                self._auto_reruns[ar.fragment_id] = _AutoRerun(
                    ar.fragment_id, float(ar.interval), time.monotonic() + ar.interval
                )
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                self._auto_reruns.pop(fid, None)
        elif kind == "script_finished":
            run_id = msg.metadata.run.script_run_id
            if not state.script_run_id or (run_id and run_id != state.script_run_id):
                # Not the run this request started: the end of a timed-out earlier run.
                state.stale_messages += 1
                return None
            return int(msg.script_finished)
        return None

    def _apply_delta(self, msg: ForwardMsg, state: _RunState) -> None:
        delta = msg.delta
        path = tuple(msg.metadata.delta_path)
        dkind = delta.WhichOneof("type")
        if dkind == "new_element":
            self._add_element(path, delta.new_element, delta.fragment_id, state)
        elif dkind == "add_block":
            self._add_block(path, delta.add_block, delta.fragment_id, state)
        # new_transient (spinners/status updates) is not part of the page tree.

    def _add_element(
        self, path: tuple[int, ...], el: ElementProto, fragment_id: str, state: _RunState
    ) -> None:
        kind = el.WhichOneof("type")
        if kind is None:
            return
        proto = getattr(el, kind)
        widget_id = _str_field(proto, "id") or None
        label, text = _element_texts(kind, proto)
        component, data = _component_data(kind, proto)
        self._nodes[path] = Element(
            path=path,
            kind=kind,
            is_block=False,
            fragment_id=fragment_id,
            widget_id=widget_id,
            key=_key_from_widget_id(widget_id) if widget_id else None,
            label=label,
            text=text,
            proto=proto,
            run_id=state.script_run_id,
            component=component,
            data=data,
        )
        if widget_id:
            value = _initial_widget_value(kind, proto, self._widget_values.get(widget_id))
            if value is not None:
                self._widget_values[widget_id] = value

    def _add_block(
        self, path: tuple[int, ...], block: BlockProto, fragment_id: str, state: _RunState
    ) -> None:
        kind = block.WhichOneof("type") or "block"
        proto: Message = getattr(block, kind) if kind != "block" else block
        block_id = block.id if block.HasField("id") else None
        self._nodes[path] = Element(
            path=path,
            kind=kind,
            is_block=True,
            fragment_id=fragment_id,
            widget_id=None,
            key=_key_from_widget_id(block_id) if block_id else None,
            label=_block_label(kind, proto),
            text="",
            proto=proto,
            run_id=state.script_run_id,
        )

    def _finish_run(self, state: _RunState) -> None:
        """Drop stale nodes like the frontend's clearStaleNodes, then prune widget state.

        Full run: everything not re-sent in this run goes. Fragment run: only nodes
        of those fragments that were not re-sent go; the rest of the page stays.
        Children of removed nodes, or of nodes that are no longer blocks, go too.
        """
        run_id, frags = state.script_run_id, set(state.fragment_ids)
        kept: dict[tuple[int, ...], Element] = {}
        for path in sorted(self._nodes):
            node = self._nodes[path]
            if frags:
                stale = node.run_id != run_id and node.fragment_id in frags
            else:
                stale = node.run_id != run_id
            parent = path[:-1]
            parent_ok = len(parent) <= 1 or (parent in kept and kept[parent].is_block)
            if not stale and parent_ok:
                kept[path] = node
        # Blocks expose the text of their content (chat_message bodies etc.).
        block_texts: dict[tuple[int, ...], list[str]] = {}
        for path, node in kept.items():
            if node.is_block or not node.text:
                continue
            for depth in range(2, len(path)):
                prefix = path[:depth]
                if prefix in kept:
                    block_texts.setdefault(prefix, []).append(node.text)
        for path, texts in block_texts.items():
            kept[path] = dataclasses.replace(kept[path], text="\n".join(texts))
        self._nodes = kept
        self._snapshot = tuple(kept.values())
        active = {e.widget_id for e in self._snapshot if e.widget_id}
        for wid in [w for w in self._widget_values if w not in active]:
            del self._widget_values[wid]
        if self._drawn is not None:
            self._drawn.set()
            self._drawn = None

    async def drawn(self, timeout: float) -> bool:
        """Wait until the page's next run (or fragment run) is drawn, at most ``timeout``
        seconds; whether one was. A load generator waiting for what a run brings waits on
        this, not by looking every few milliseconds (500 phones looking 20 times a second
        took CPU from the server it measures)."""
        if self._drawn is None:
            self._drawn = asyncio.Event()
        try:
            async with asyncio.timeout(max(0.0, timeout)):
                await self._drawn.wait()
        except TimeoutError:
            return False
        return True

    def _raise_for_errors(self, result: RunResult) -> None:
        if not self.raise_on_exception:
            return
        errors = [
            e
            for e in result.elements
            if e.kind == "exception"
            and e.run_id == result.script_run_id
            and not bool(getattr(e.proto, "is_warning", False))
        ]
        if errors or result.status == FINISHED_WITH_COMPILE_ERROR:
            first = errors[0].text if errors else "script failed to compile"
            raise ScriptError(
                f"script raised in run {result.script_run_id} "
                f"(status {result.status}): {first}"
                + (f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""),
                result,
                errors,
            )


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True, slots=True)
class BucketStats:
    """Latency summary of one bucket, in seconds (errors counted separately)."""

    count: int
    errors: int
    p50: float
    p95: float
    max: float
    mean: float


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile: always an observed value, honest for small samples."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


class Measure:
    """Collect per-action latencies into named buckets and summarise p50/p95/max.

    Single-threaded asyncio use only (no locking needed). ``track`` records an
    action's own latency (send -> script_finished), not the time spent waiting for
    the session lock, so queueing inside the client does not pollute the numbers.
    """

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = {}
        self.errors: dict[str, list[str]] = {}

    def add(self, bucket: str, seconds: float) -> None:
        self.samples.setdefault(bucket, []).append(seconds)

    def add_error(self, bucket: str, error: BaseException | str) -> None:
        text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
        self.errors.setdefault(bucket, []).append(text)

    async def track(
        self, bucket: str, action: Awaitable[float | RunResult], *, reraise: bool = False
    ) -> float | None:
        """Await an action, record its latency or its error; None on error unless reraise."""
        try:
            value = await action
        except (StreamlitClientError, OSError, WebSocketException) as exc:
            self.add_error(bucket, exc)
            if reraise:
                raise
            return None
        latency = value.latency if isinstance(value, RunResult) else float(value)
        self.add(bucket, latency)
        return latency

    @contextmanager
    def timer(self, bucket: str) -> Iterator[None]:
        """Time an arbitrary block (e.g. connect + first run) into ``bucket``."""
        start = time.perf_counter()
        yield
        self.add(bucket, time.perf_counter() - start)

    def merge(self, other: Measure) -> None:
        for b, vals in other.samples.items():
            self.samples.setdefault(b, []).extend(vals)
        for b, errs in other.errors.items():
            self.errors.setdefault(b, []).extend(errs)

    def stats(self, bucket: str) -> BucketStats:
        vals = sorted(self.samples.get(bucket, []))
        return BucketStats(
            count=len(vals),
            errors=len(self.errors.get(bucket, [])),
            p50=_percentile(vals, 0.50),
            p95=_percentile(vals, 0.95),
            max=vals[-1] if vals else math.nan,
            mean=sum(vals) / len(vals) if vals else math.nan,
        )

    def summary(self) -> dict[str, BucketStats]:
        return {b: self.stats(b) for b in sorted(set(self.samples) | set(self.errors))}

    @property
    def error_count(self) -> int:
        return sum(len(v) for v in self.errors.values())

    def report(self) -> str:
        """Fixed-width table in milliseconds, for logs and README snippets."""
        lines = [f"{'bucket':<16}{'n':>6}{'err':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"]
        for b, s in self.summary().items():
            lines.append(
                f"{b:<16}{s.count:>6}{s.errors:>5}"
                f"{s.p50 * 1e3:>9.1f}{s.p95 * 1e3:>9.1f}{s.max * 1e3:>9.1f}"
            )
        return "\n".join(lines)
