"""OpenAPI post-processing."""


def strip_trailing_slashes(result, generator, request, public):
    """Document paths as the reference writes them (`/campaigns`); both forms are served."""
    result["paths"] = {
        (path.rstrip("/") if path != "/" else path): item for path, item in result["paths"].items()
    }
    return result
