"""Pagination of a campaign's contacts: page numbers or an opaque keyset cursor.

Totals come from the campaign's counters, so no page ever counts the contacts table;
deep page numbers select ids first (an index-only scan), and cursors seek by id.
"""

import base64
import binascii
import math

from rest_framework.exceptions import ValidationError

from skylight.api.pagination import EnvelopePagination
from skylight.paging import ids_first, keyset_page

MAX_ID = 2**63 - 1


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(token: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, _, value = raw.partition(":")
        if prefix != "after" or not value.isdigit() or int(value) > MAX_ID:
            raise ValueError(raw)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationError({"cursor": ["Invalid cursor."]}) from None


class CampaignContactPagination(EnvelopePagination):
    cursor_query_param = "cursor"

    def paginate_rows(self, rows, request, *, total: int) -> list:
        """One page of `rows` (ordered by id); `total` is the listing's known size."""
        self.request = request
        self.per_page = self.get_page_size(request)
        self.total = total
        self.last_page = max(1, math.ceil(total / self.per_page))
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor:
            self.current_page = None
            page = keyset_page(rows, size=self.per_page, after=decode_cursor(cursor))
            found, next_after = page.rows, page.next_after
        else:
            self.current_page = self.get_page_number(request, None)
            found = self._page_by_number(rows)
            next_after = found[self.per_page - 1].pk if len(found) > self.per_page else None
            found = found[: self.per_page]
        self.next_cursor = encode_cursor(next_after) if next_after else None
        return found

    def _page_by_number(self, rows) -> list:
        offset = (self.current_page - 1) * self.per_page
        if offset + self.per_page + 1 > MAX_ID:
            # Past any end, and past what the database takes as an OFFSET.
            return []
        return ids_first(rows, self.per_page + 1, offset)

    def meta(self) -> dict:
        return {**super().meta(), "next_cursor": self.next_cursor}

    def meta_schema(self) -> dict:
        schema = super().meta_schema()
        properties = schema["properties"]
        properties["current_page"] = {
            **properties["current_page"],
            "nullable": True,
            "description": "null when the page was asked for by cursor",
        }
        properties["next_cursor"] = {
            "type": "string",
            "nullable": True,
            "description": "Pass as `cursor` for the next page; null on the last page.",
        }
        return {**schema, "required": [*schema["required"], "next_cursor"]}
