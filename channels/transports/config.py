"""Typed provider configs: string-field dataclasses validated into ConfigError(field errors).

A config class is a frozen dataclass whose fields are strings (or on/off flags made with
`flag()`); a field without a default is required. `setting(check=fn)` adds a check
returning an error message or None; `help=` says where the user finds the value (the
dashboard shows it); a `check()` method on the class validates across fields.
"""

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from skylight.text import unstorable_text

MAX_LENGTH = 1024


class ConfigError(Exception):
    """Invalid provider configuration; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(str(errors))
        self.errors = errors


Check = Callable[[str], str | None]


def setting(default: str | None = None, *, check: Check | None = None, help: str = "") -> Any:
    """A config field: required when `default` is None."""
    metadata = {"check": check, "help": help}
    if default is None:
        return dataclasses.field(metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


TRUE_WORDS = {"true", "1", "on", "yes"}
FALSE_WORDS = {"false", "0", "off", "no"}


def flag(default: bool, *, help: str = "") -> Any:
    """An on/off setting, stored as a JSON boolean."""
    return dataclasses.field(default=default, metadata={"kind": bool, "help": help})


def is_flag(spec: dataclasses.Field) -> bool:
    return spec.metadata.get("kind") is bool


def parse(config_class: type, data: Any) -> Any:
    """An instance of `config_class` from raw JSON, or ConfigError naming each bad field."""
    if not isinstance(data, dict):
        raise ConfigError({"config": ["Expected an object of provider settings."]})
    known = {f.name: f for f in dataclasses.fields(config_class)}
    errors = {key: ["Unknown setting for this provider."] for key in data if key not in known}
    values = {}
    for name, spec in known.items():
        error, value = _field_value(spec, data.get(name))
        if error:
            errors[name] = [error]
        elif value is not None:
            values[name] = value
    if errors:
        raise ConfigError(errors)
    instance = config_class(**values)
    cross = instance.check() if hasattr(instance, "check") else {}
    if cross:
        raise ConfigError(cross)
    return instance


def _flag_value(raw: Any) -> tuple[str | None, bool | None]:
    if raw is None or isinstance(raw, bool):
        return None, raw
    word = str(raw).strip().lower()
    if word in TRUE_WORDS | FALSE_WORDS:
        return None, word in TRUE_WORDS
    return "Must be true or false.", None


def _field_value(spec: dataclasses.Field, raw: Any) -> tuple[str | None, Any]:
    if is_flag(spec):
        return _flag_value(raw)
    required = spec.default is dataclasses.MISSING
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ("This setting is required." if required else None), None
    if not isinstance(raw, str):
        return "Must be a string.", None
    value = raw.strip()
    if problem := unstorable_text(value):
        return problem, None
    if len(value) > MAX_LENGTH:
        return f"At most {MAX_LENGTH} characters.", None
    check = spec.metadata.get("check")
    error = check(value) if check else None
    return error, (None if error else value)


def dump(instance: Any) -> dict[str, str]:
    """The config as JSON to store: empty optional settings left out."""
    return {key: value for key, value in dataclasses.asdict(instance).items() if value != ""}


def matches(pattern: str, message: str) -> Check:
    compiled = re.compile(pattern)

    def check(value: str) -> str | None:
        return None if compiled.fullmatch(value) else message

    check.json_schema = {"pattern": f"^{pattern}$"}
    return check


def min_length(length: int) -> Check:
    def check(value: str) -> str | None:
        return None if len(value) >= length else f"At least {length} characters."

    check.json_schema = {"minLength": length}
    return check


def json_schema(
    config_class: type, *, hidden: tuple[str, ...] = (), optional: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The JSON Schema of a config class (for the OpenAPI document), without `hidden` fields
    and with `optional` ones not required.

    A check may describe itself with a `json_schema` attribute (a pattern, a minimum length).
    """
    properties, required = {}, []
    for spec in dataclasses.fields(config_class):
        if spec.name in hidden:
            continue
        schema = {"type": "string", "maxLength": MAX_LENGTH}
        schema.update(getattr(spec.metadata.get("check"), "json_schema", {}))
        if spec.default is dataclasses.MISSING and spec.name not in optional:
            required.append(spec.name)
            schema.setdefault("minLength", 1)
        elif spec.default is not dataclasses.MISSING:  # null or "" leave it unset
            schema["nullable"] = True
            if "pattern" in schema:
                schema["pattern"] = f"^({schema['pattern'][1:-1]})?$"
        properties[spec.name] = schema
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    if config_class.__doc__ and not config_class.__doc__.startswith(config_class.__name__ + "("):
        schema["description"] = config_class.__doc__.strip()
    return schema
