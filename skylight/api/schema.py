"""The OpenAPI document tells what the server answers: envelopes, errors and real constraints.

`EnvelopeAutoSchema` wraps every successful response body in `{"success": true, "data": …}`
(paginated lists already carry their envelope, see `skylight.api.pagination`) and adds the
error responses an operation can give, by its method and shape. The post-processing hooks
fix what drf-spectacular cannot know from serializers alone.
"""

from copy import deepcopy

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import (
    ResolvedComponent,
    force_instance,
    get_override,
    is_list_serializer,
)
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

MAX_ID = 2**63 - 1
# `x-const` becomes a one-value enum after drf-spectacular's enum extraction (see `constants`),
# so the envelope's flags stay inline instead of turning into enum components.
SUCCESS_TRUE = {"type": "boolean", "x-const": True}
SUCCESS_FALSE = {"type": "boolean", "x-const": False}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
PAGE_PARAMETERS = {"page", "per_page"}

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error: `errors` maps field names to messages on validation errors.",
    "properties": {
        "success": SUCCESS_FALSE,
        "message": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["success", "message"],
}
VALIDATION_ERROR_SCHEMA = {**ERROR_SCHEMA, "required": ["success", "message", "errors"]}

ERROR_DESCRIPTIONS = {
    401: "Missing, unknown or revoked X-Api-Key.",
    403: "Forbidden, or the plan's quota for this period is used up.",
    404: "No such object in this account.",
    409: "Not allowed in the object's current state (the message says why).",
    413: "The request body is too large.",
    415: "Unsupported Content-Type for the body.",
    422: "Invalid input: `errors` names each field (a malformed body is `errors.body`).",
    429: "Too many requests for this API key; retry after `Retry-After` seconds.",
}
ERROR_HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "required": True}},
    429: {
        "Retry-After": {
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
            "description": "Seconds to wait.",
            "required": True,
        }
    },
}


def error_statuses(*, method: str, path: str, has_body: bool, has_query: bool) -> list[int]:
    """The error statuses an operation can answer, from its method and shape."""
    statuses = [401, 429]
    if "{" in path:
        statuses.append(404)
    if method in WRITE_METHODS:
        statuses += [403, 409]
    if has_body:
        statuses += [413, 415, 422]
    elif has_query:
        statuses.append(422)  # a filter or cursor that does not parse
    return sorted(set(statuses))


class EnvelopeAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, describing SkyLight's envelope and error answers."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        statuses = error_statuses(
            method=method,
            path=path,
            has_body="requestBody" in operation,
            has_query=any(p.get("in") == "query" for p in operation.get("parameters", [])),
        )
        for status in statuses:
            operation["responses"].setdefault(str(status), self._error_response(status))
        return operation

    def _get_request_body(self, direction="request"):
        """Custom DELETE actions (e.g. removing list members) read a body like POST does."""
        if self.method != "DELETE" or getattr(self.view, "action", "destroy") == "destroy":
            return super()._get_request_body(direction)
        self.method = "POST"  # drf-spectacular documents bodies only for unsafe methods but DELETE
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """Lists (`many=True`, ListField): their length limits as minItems/maxItems."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        is_list = is_list_serializer(field) or isinstance(field, serializers.ListField)
        if schema and is_list and schema.get("type") == "array":
            if getattr(field, "min_length", None) is not None:
                schema["minItems"] = field.min_length
            elif not getattr(field, "allow_empty", True):
                schema["minItems"] = 1
            if getattr(field, "max_length", None) is not None:
                schema["maxItems"] = field.max_length
        return schema

    def _error_response(self, status: int) -> dict:
        name, schema = ("ValidationError", VALIDATION_ERROR_SCHEMA)
        if status != 422:
            name, schema = ("Error", ERROR_SCHEMA)
        # Copies: the post-processing hooks edit the document in place.
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, schema=deepcopy(schema), object=name
        )
        self.registry.register_on_missing(component)
        response = {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"schema": component.ref}},
        }
        if status in ERROR_HEADERS:
            response["headers"] = deepcopy(ERROR_HEADERS[status])
        return response

    def _get_response_for_code(
        self, serializer, status_code, media_types=None, direction="response"
    ):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        if not str(status_code).startswith("2") or self._paginates(serializer):
            return response
        for media in response.get("content", {}).values():
            media["schema"] = self._envelope(media["schema"])
            for example in media.get("examples", {}).values():
                if "value" in example:
                    example["value"] = {"success": True, "data": example["value"]}
        return response

    def _paginates(self, serializer) -> bool:
        """True when drf-spectacular put the body through the view's paginator schema."""
        if isinstance(serializer, OpenApiResponse):
            serializer = serializer.response
        if isinstance(serializer, dict):
            return False
        serializer = force_instance(serializer)
        return bool(
            self._is_list_view(serializer)
            and get_override(serializer, "many") is not False
            and self._get_paginator()
        )

    def _envelope(self, schema: dict) -> dict:
        wrapped = {
            "type": "object",
            "properties": {"success": deepcopy(SUCCESS_TRUE), "data": schema},
            "required": ["success", "data"],
        }
        ref = schema.get("$ref", "")
        if not ref.startswith("#/components/schemas/"):
            return wrapped
        name = ref.rsplit("/", 1)[-1] + "Envelope"
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, schema=wrapped, object=name
        )
        self.registry.register_on_missing(component)
        return component.ref


def strip_trailing_slashes(result, generator, request, public):
    """Document paths as the reference writes them (`/campaigns`); both forms are served."""
    result["paths"] = {
        (path.rstrip("/") if path != "/" else path): item for path, item in result["paths"].items()
    }
    return result


def id_limits(result, generator, request, public):
    """Ids (`{id}` in paths, `*_id` filters) are positive bigints, whatever the route matches.

    A `*_id` filter declared as text stays text (the audit log's `object_id` names objects
    of any type, so any string of its length matches or not).
    """
    for item in result["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                name, where = parameter.get("name", ""), parameter.get("in")
                is_id = name == "id" if where == "path" else name.endswith("_id")
                text = parameter.get("schema", {}).get("type") == "string" and where == "query"
                if is_id and where in ("path", "query") and not text:
                    parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    return result


def create_links(result, generator, request, public):
    """Links from each create (201) to the operations on the object it made (`/x/{id}...`).

    Clients and stateful testing follow them with the new object's `data.id`.
    """
    paths = result["paths"]
    for path, item in paths.items():
        created = item.get("post", {}).get("responses", {}).get("201")
        if created is None:
            continue
        links = {
            operation["operationId"]: {
                "operationId": operation["operationId"],
                "parameters": {"id": "$response.body#/data/id"},
            }
            for other, other_item in paths.items()
            if other.startswith(f"{path}/{{id}}")
            for method, operation in other_item.items()
            if method in {"get", "put", "patch", "post", "delete"}
        }
        if links:
            created["links"] = links
    return result


def empty_filters(result, generator, request, public):
    """An empty filter (`?type=`) means no filter, so every query parameter may be empty,
    except the page numbers, which must be whole numbers."""
    for item in result["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and parameter["name"] not in PAGE_PARAMETERS:
                    parameter["allowEmptyValue"] = True
    return result


def constants(result, generator, request, public):
    """`x-const: value` as `enum: [value]` (OpenAPI 3.0 has no `const`).

    Works on a copy: the document shares dicts with module constants (ERROR_SCHEMA).
    """
    result = deepcopy(result)
    for schema in _walk(result):
        if "x-const" in schema:
            schema["enum"] = [schema.pop("x-const")]
    return result


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Any unique string (1-255 characters), e.g. a UUID. Sent again with the same body "
        "within 24 hours, the first answer is replayed with `Idempotent-Replayed: true` and "
        "nothing is done twice. The same key with another body answers 422; while the first "
        "request still runs, 409."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "example": "9b2f6c1e-5d0a-4c7e-8a51-3f0d2c4b7e19",
}


def _error_response(description: str, message: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "success": {"type": "boolean"},
                        "message": {"type": "string"},
                        "errors": {"type": "object"},
                    },
                },
                "example": {"success": False, "message": message},
            }
        },
    }


def document_idempotency_key(result, generator, request, public):
    """Every POST takes `Idempotency-Key` (see skylight/api/idempotency.py)."""
    for item in result["paths"].values():
        operation = item.get("post")
        if operation is None:
            continue
        operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
        responses = operation.setdefault("responses", {})
        responses.setdefault(
            "409",
            _error_response(
                "The object's state forbids this, or a request with the same "
                "Idempotency-Key is still running.",
                "A request with this Idempotency-Key is still being processed; retry shortly.",
            ),
        )
        responses.setdefault(
            "422",
            _error_response(
                "Invalid input, or the Idempotency-Key was used with another request.",
                "This Idempotency-Key was already used with another request.",
            ),
        )
    return result
