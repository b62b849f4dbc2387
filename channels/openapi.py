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
    hidden = transport.secret_fields if direction == "response" else ()
    schema = {"type": "object", "properties": {}, "additionalProperties": False}
    if transport.config_class is not None:
        schema = json_schema(transport.config_class, hidden=hidden)
    types = ", ".join(transport.channel_types)
    secrets = ", ".join(transport.secret_fields)
    description = f"`{provider}` ({transport.label}) settings, for channel types: {types}."
    if secrets:
        description += f" Secret, never returned: {secrets}."
    return {"title": provider, "x-provider": provider, **schema, "description": description}


def component_name(provider: str, direction: str) -> str:
    name = "".join(part.title() for part in provider.split("_")) + "Config"
    return name + "Request" if direction == "request" else name


class ProviderConfigFieldExtension(OpenApiSerializerFieldExtension):
    """`config` is oneOf the providers' settings on write.

    Responses use anyOf: with secrets left out, several providers show the same `{}`.
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
        combinator = "oneOf" if direction == "request" else "anyOf"
        return {
            combinator: refs,
            "description": "Provider settings: the shape named after the channel's `provider`.",
        }
