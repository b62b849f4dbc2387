"""OpenAPI post-processing."""


def strip_trailing_slashes(result, generator, request, public):
    """Document paths as the reference writes them (`/campaigns`); both forms are served."""
    result["paths"] = {
        (path.rstrip("/") if path != "/" else path): item for path, item in result["paths"].items()
    }
    return result


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
