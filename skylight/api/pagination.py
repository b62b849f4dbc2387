"""Page-number pagination in the envelope; `per_page` is clamped to 100."""

import math
import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

_INTEGER = re.compile(r"-?[0-9]+")


def _integer_param(request, name: str, default: int) -> int:
    """The query parameter as an integer; not one at all is 422 (out of range is clamped)."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw):
        raise ValidationError({name: ["Enter a whole number."]})
    return int(raw)


class EnvelopePagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "per_page"
    max_page_size = 100

    def get_page_size(self, request):
        size = _integer_param(request, self.page_size_query_param, self.page_size)
        return min(max(size, 1), self.max_page_size)

    def get_page_number(self, request, paginator):
        return max(_integer_param(request, self.page_query_param, 1), 1)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.per_page = self.get_page_size(request)
        self.total = queryset.count()
        self.current_page = self.get_page_number(request, None)
        self.last_page = max(1, math.ceil(self.total / self.per_page))
        offset = (self.current_page - 1) * self.per_page
        if offset and offset >= self.total:
            return []
        return list(queryset[offset : offset + self.per_page])

    def meta(self) -> dict:
        return {
            "current_page": self.current_page,
            "per_page": self.per_page,
            "total": self.total,
            "last_page": self.last_page,
        }

    def get_paginated_response(self, data):
        response = Response({"success": True, "data": data, "meta": self.meta()})
        response.enveloped = True
        return response

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "properties": {
                "success": {"type": "boolean", "x-const": True, "example": True},
                "data": schema,
                "meta": self.meta_schema(),
            },
            "required": ["success", "data", "meta"],
        }

    def meta_schema(self) -> dict:
        names = ("current_page", "per_page", "total", "last_page")
        return {
            "type": "object",
            "properties": {
                # Examples let drf-spectacular wrap an item's example in a page.
                "current_page": {"type": "integer", "minimum": 1, "example": 1},
                "per_page": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "example": 25,
                },
                "total": {"type": "integer", "minimum": 0, "example": 1},
                "last_page": {"type": "integer", "minimum": 1, "example": 1},
            },
            "required": list(names),
        }
