from rest_framework.renderers import JSONRenderer


class EnvelopeJSONRenderer(JSONRenderer):
    """Wraps successful payloads as {"success": true, "data": ...}."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if (
            response is not None
            and response.status_code < 400
            and response.status_code != 204
            and not getattr(response, "enveloped", False)
        ):
            data = {"success": True, "data": data}
        return super().render(data, accepted_media_type, renderer_context)
