"""File name and MIME type of a media message sent by URL (gateways want both)."""

import mimetypes
import posixpath
from urllib.parse import urlsplit

from .base import OutboundMessage

FALLBACK_MIMETYPES = {
    "image": "image/jpeg",
    "document": "application/octet-stream",
    "video": "video/mp4",
    "audio": "audio/ogg",
}


def media_file(message: OutboundMessage) -> tuple[str, str]:
    """(file name, MIME type): the message's filename or the URL's last segment, and the
    type guessed from that name, else a common type of the message kind."""
    filename = message.filename or posixpath.basename(urlsplit(message.content).path) or "file"
    mimetype = mimetypes.guess_type(filename)[0] or FALLBACK_MIMETYPES[message.type]
    return filename, mimetype
