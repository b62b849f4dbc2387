"""A cap on uploaded files, applied while the body streams in (nothing over it is stored).

Django spools uploads to memory or a temporary file before any view runs (the CSRF
check already reads a multipart body). This handler comes first: a body announced
larger than `SKYLIGHT_MAX_UPLOAD_BYTES`, or a file that grows past it, is skipped
instead of stored, and `upload_too_large(request)` tells the view to refuse it.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


def max_upload_bytes() -> int:
    return settings.SKYLIGHT_MAX_UPLOAD_BYTES


def upload_limit_text() -> str:
    """The cap as people write it: "50 MB", or "2 KB" for small test caps."""
    limit = max_upload_bytes()
    if limit >= 1024 * 1024:
        return f"{limit // (1024 * 1024)} MB"
    return f"{max(1, limit // 1024)} KB"


def upload_too_large(request) -> bool:
    """Whether the request's body is (or was found while streaming) over the cap."""
    request = getattr(request, "_request", request)  # a DRF request wraps Django's
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return length > max_upload_bytes() or getattr(request, "upload_too_large", False)


class UploadSizeLimitHandler(FileUploadHandler):
    """Skips every file of a body over the cap; later handlers never see its bytes."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        self.over = content_length > max_upload_bytes()
        if self.over and self.request is not None:
            self.request.upload_too_large = True

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.over:
            raise SkipFile()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_upload_bytes():
            if self.request is not None:
                self.request.upload_too_large = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None
