"""Uploaded CSV files kept between the dashboard's upload and column-mapping steps.

The file is written once to `SKYLIGHT_IMPORT_STASH_DIR` under a random token and the
account's id, with the options chosen on upload beside it; the mapping step reads it
back by token (another account's token finds nothing). Files older than a day are
swept whenever a new one is stored, and a file is removed once imported.
"""

import json
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _directory() -> Path:
    directory = Path(settings.SKYLIGHT_IMPORT_STASH_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _paths(account, token: str) -> tuple[Path, Path] | None:
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    base = _directory() / f"{account.pk}-{token}"
    return base.with_suffix(".csv"), base.with_suffix(".json")


def stash_store(*, account, upload, options: dict) -> str:
    """Copies the upload (read in chunks) and the JSON-able `options`; returns the token."""
    _sweep()
    token = secrets.token_urlsafe(18)
    data_path, options_path = _paths(account, token)
    upload.seek(0)
    with data_path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    options_path.write_text(json.dumps({**options, "filename": upload.name or ""}))
    return token


def stash_options(*, account, token: str) -> dict | None:
    """The options stored with the file, or None when the token finds no file."""
    paths = _paths(account, token)
    if paths is None or not paths[0].exists() or not paths[1].exists():
        return None
    return json.loads(paths[1].read_text())


def stash_open(*, account, token: str):
    """The stored file opened for reading (bytes); the caller closes it."""
    return _paths(account, token)[0].open("rb")


def stash_discard(*, account, token: str) -> None:
    paths = _paths(account, token)
    for path in paths or ():
        path.unlink(missing_ok=True)


def _sweep() -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in _directory().glob("*-*.*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except FileNotFoundError:  # another process swept it first
            continue
