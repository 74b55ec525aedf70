"""Secrets in links (``?p=``, ``?screen=``, ``?link=``, ``?o=``, ``?a=``) and staff cookies,
at rest.

The database never holds a working link. Every secret is looked up by its SHA-256
(:func:`hash_secret`): the secrets are 192 or 256 random bits, so a plain, fast, unsalted hash
is enough (nobody can guess their way back from the digest; salts and slow hashes are for
low-entropy passwords, which go through argon2 in ``workshop.accounts.users``).

Two kinds of secret:

* **Shown once.** A participant's link is random (:func:`new_token`) and only its digest is
  stored: it exists on the phone that joined, and nowhere else.
* **Shown again.** Staff must see the projector (screen) link, a committee's mandate and
  application link and a meeting's public outcome link whenever they open the page that
  shows them. These are *derived*: ``HMAC-SHA256(server key, kind:salt)``, cut to 192 bits,
  where the salt is random and stored with the digest. The server key (``SAMSKAB_SECRET_KEY``,
  or a random key kept in a file beside the database, ``<database>.key``) is never in the
  database, so a backup alone opens nothing. A new salt makes a new link and retires the old
  one. A link whose derivation no longer matches its digest (made before links were hashed,
  or under another key) cannot be shown again, but keeps working until staff make a new one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path

from sqlite_utils import Database

LINK_BYTES = 24  # 192 bits in every link secret
KEY_BYTES = 32
KEY_ENV = "SAMSKAB_SECRET_KEY"

_keys: dict[str, bytes] = {}
_keys_lock = threading.Lock()


def hash_secret(secret: str) -> str:
    """The SHA-256 hex digest stored in place of a token, ticket or link secret.

    Unsalted on purpose: every secret hashed here carries at least 192 random bits.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_token(nbytes: int = LINK_BYTES) -> str:
    """A fresh random secret for a link that is shown once."""
    return secrets.token_urlsafe(nbytes)


def new_salt() -> str:
    return secrets.token_hex(16)


def key_path(db_path: str | Path) -> Path:
    """Where the generated server key is kept when ``SAMSKAB_SECRET_KEY`` is not set: beside
    a SQLite file; for a PostgreSQL database (a URL, no file), in the project's ``data/``
    folder under a name made from the URL (several app hosts must set SAMSKAB_SECRET_KEY)."""
    name = str(db_path)
    if "://" in name:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
        return Path(__file__).resolve().parent.parent / "data" / f"postgresql-{digest}.key"
    path = Path(db_path)
    return path.with_name(path.name + ".key")


def server_key(db_path: str | Path) -> bytes:
    """The key links are derived with: ``SAMSKAB_SECRET_KEY``, else the key file beside the
    database (made on first use, readable by the app's user only; every process of the app
    reads the same file)."""
    configured = os.environ.get(KEY_ENV, "")
    if configured:
        return hashlib.sha256(configured.encode("utf-8")).digest()
    name = str(db_path)
    with _keys_lock:
        if name == ":memory:" or not name:
            return _keys.setdefault(":memory:", secrets.token_bytes(KEY_BYTES))
        path = key_path(db_path)
        cache_key = str(path.resolve())
        if cache_key in _keys and path.exists():
            return _keys[cache_key]
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(KEY_BYTES) + "\n")
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(partial, path)  # atomic, and never replaces a key another process made
            except FileExistsError:
                pass
            finally:
                partial.unlink(missing_ok=True)
        key = bytes.fromhex(path.read_text().strip())
        _keys[cache_key] = key
        return key


def derive(key: bytes, kind: str, salt: str) -> str:
    """The link secret of ``kind`` (``screen``, ``committee``, ``outcome``, ``application``)
    for ``salt``."""
    mac = hmac.new(key, f"samskab-link:{kind}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:LINK_BYTES]).decode("ascii")


def fresh_link(db_path: str | Path, kind: str) -> tuple[str, str, str]:
    """A new derived link: ``(salt, secret, digest)``; store the salt and the digest."""
    salt = new_salt()
    secret = derive(server_key(db_path), kind, salt)
    return salt, secret, hash_secret(secret)


def shown_link(db_path: str | Path, kind: str, salt: str | None, digest: str) -> str | None:
    """The link secret behind a stored ``(salt, digest)``, or None when it cannot be derived
    any more (made before links were hashed, or under another server key)."""
    if not salt:
        return None
    secret = derive(server_key(db_path), kind, salt)
    return secret if hmac.compare_digest(hash_secret(secret), digest) else None


def hash_in_place(db: Database, table: str, column: str, *, keep_prefix: str = "") -> None:
    """Migration helper: replace every plaintext secret in ``table.column`` by its digest
    (values starting with ``keep_prefix`` are markers, not secrets, and stay).

    ``secure_delete`` is on meanwhile, so the pages keep no copy of the old plaintext in their
    free space (a backup copies pages as they are).
    """
    conn = db.conn
    conn.create_function(
        "samskab_hash_secret",
        1,
        lambda value: None if value is None else hash_secret(str(value)),
        deterministic=True,
    )
    previous = int(conn.execute("PRAGMA secure_delete").fetchone()[0])
    conn.execute("PRAGMA secure_delete = ON")
    try:
        where = f" WHERE substr([{column}], 1, {len(keep_prefix)}) != ?" if keep_prefix else ""
        conn.execute(
            f"UPDATE [{table}] SET [{column}] = samskab_hash_secret([{column}]){where}",
            [keep_prefix] if keep_prefix else [],
        )
    finally:
        conn.execute(f"PRAGMA secure_delete = {previous}")
