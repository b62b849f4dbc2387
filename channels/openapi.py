"""The OpenAPI shape of a channel's `config`: one schema per provider, from the registry.

Each transport's typed config (see `transports/config.py`) becomes a component, so a
provider added to TRANSPORTS appears in the document without further work.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent

from .transports import TRANSPORTS
from .transports.config import json_schema


def provider_config_schema(provider: str, direction: str) -> dict:
    """The settings `provider` takes (request) or shows (response: secrets left out)."""
    transport = TRANSPORTS[provider]
    secrets = transport.secret_fields
    schema = {"type": "object", "properties": {}, "additionalProperties": False}
    if transport.config_class is not None and direction == "response":
        schema = json_schema(transport.config_class, hidden=secrets)
    elif transport.config_class is not None:
        # An update may leave secrets out to keep the stored ones; a new channel needs them.
        schema = json_schema(transport.config_class, optional=secrets)
    types = ", ".join(transport.channel_types)
    description = f"`{provider}` ({transport.label}) settings, for channel types: {types}."
    if secrets:
        description += (
            f" Secret (never returned; required on create, kept when left out of an update):"
            f" {', '.join(secrets)}."
        )
    return {"title": provider, "x-provider": provider, **schema, "description": description}


def component_name(provider: str, direction: str) -> str:
    name = "".join(part.title() for part in provider.split("_")) + "Config"
    return name + "Request" if direction == "request" else name


class ProviderConfigFieldExtension(OpenApiSerializerFieldExtension):
    """`config`: the settings of the provider named by the sibling `provider` field.

    JSON Schema cannot select a branch by a sibling's value, and with secrets optional
    (updates) or hidden (responses) several providers accept `{}`; so the branches are
    listed as `anyOf` (a `oneOf` would call `{}` invalid for a console channel), each
    branch marked with `x-provider`.
    """

    target_class = "channels.serializers.ProviderConfigField"

    def map_serializer_field(self, auto_schema, direction):
        refs = []
        for provider in TRANSPORTS:
            component = ResolvedComponent(
                name=component_name(provider, direction),
                type=ResolvedComponent.SCHEMA,
                schema=provider_config_schema(provider, direction),
                object=f"{provider}-config-{direction}",
            )
            auto_schema.registry.register_on_missing(component)
            refs.append(component.ref)
        return {
            "anyOf": refs,
            "description": "Provider settings: the shape named after the channel's `provider`.",
        }
