"""Page-number pagination in the envelope; `per_page` is clamped to 100."""

import math

from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class EnvelopePagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "per_page"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        try:
            size = int(raw) if raw is not None else self.page_size
        except ValueError:
            size = self.page_size
        return min(max(size, 1), self.max_page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, 1)
        try:
            return max(int(raw), 1)
        except (TypeError, ValueError):
            return 1

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
                "success": {"type": "boolean", "example": True},
                "data": schema,
                "meta": {
                    "type": "object",
                    # The examples let drf-spectacular wrap an item example in a page.
                    "properties": {
                        name: {"type": "integer", "example": example}
                        for name, example in (
                            ("current_page", 1),
                            ("per_page", 25),
                            ("total", 1),
                            ("last_page", 1),
                        )
                    },
                },
            },
        }


__all__ = ["EnvelopePagination", "NotFound"]
