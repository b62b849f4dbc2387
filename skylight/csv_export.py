"""Streaming CSV downloads: rows read in keyset chunks, cells safe to open in a spreadsheet.

Memory stays flat however many rows there are: each chunk is read with `id > last id`
(an index range, never an OFFSET), written out and dropped before the next is read.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer, JSONRenderer

CHUNK_ROWS = 2000
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value) -> str:
    """The cell's text, prefixed with a quote when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def keyset_chunks(queryset: QuerySet, size: int | None = None) -> Iterator[list]:
    """The queryset's rows in id order, `size` (CHUNK_ROWS) at a time, a query per chunk."""
    size = size or CHUNK_ROWS
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not chunk:
            return
        yield chunk
        if len(chunk) < size:
            return
        last = chunk[-1].pk


def csv_lines(header: list[str], chunks: Iterable[list], to_row: Callable) -> Iterator[str]:
    """The header, then each chunk's rows as one block of CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield buffer.getvalue()
    for chunk in chunks:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([neutralised(cell) for cell in to_row(item)] for item in chunk)
        yield buffer.getvalue()


def csv_download(filename: str, lines: Iterator[str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class CSVRenderer(BaseRenderer):
    """Lets an API client ask for `text/csv`; errors still answer in the JSON envelope."""

    media_type = "text/csv"
    format = "csv"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


def csv_schema(description: str, example: str) -> dict:
    """drf-spectacular `responses` for a CSV download, with an example file."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiExample, OpenApiResponse

    from skylight.api.schema import ERROR_SCHEMA

    return {
        (200, "text/csv"): OpenApiResponse(
            response=OpenApiTypes.STR,
            description=description,
            examples=[OpenApiExample("A small export", value=example, media_type="text/csv")],
        ),
        # `?format=` picks the renderer: anything but csv or json is no such download.
        (404, "application/json"): OpenApiResponse(
            response=ERROR_SCHEMA, description="An unknown `format` (use csv, the default)."
        ),
    }


class CSVErrorsAsJSON:
    """A view mixin: an error answering a CSV download (401, 404, 422...) is the JSON
    envelope with its own content type, never JSON labelled text/csv."""

    def finalize_response(self, request, response, *args, **kwargs):
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and getattr(renderer, "format", "") == "csv":
            from skylight.api.renderers import EnvelopeJSONRenderer

            request.accepted_renderer = EnvelopeJSONRenderer()
            request.accepted_media_type = EnvelopeJSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
