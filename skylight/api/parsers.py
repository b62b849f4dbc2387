"""The API's JSON parser: DRF's, with a cap on how deeply a body may nest.

Nothing the API accepts nests deeper than a few levels; a body of thousands of
nested brackets would otherwise exhaust the recursion limit somewhere in parsing,
validation or error rendering.
"""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32


class DepthLimitedJSONParser(JSONParser):
    """Refuses bodies nested deeper than `MAX_JSON_DEPTH` (answered 422)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_too_deep()) from None
        if json_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(_too_deep())
        return data


def _too_deep() -> str:
    return f"JSON nested more than {MAX_JSON_DEPTH} levels deep."


def json_depth(data) -> int:
    """How deeply `data` nests lists and objects (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            return depth
        stack.extend((child, depth + 1) for child in children)
    return deepest
