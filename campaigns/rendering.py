"""Per-contact message rendering: placeholders and spintax, in one linear pass.

Placeholders: `{{name}}`, `{{first_name}}`, `{{phone}}`, `{{attributes.KEY}}`, each with an
optional default after a bar (`{{name|there}}`) used when the value is empty. Unknown
placeholders are left as written, so a typo shows instead of vanishing silently.

Spintax: `{Hi|Hello}` picks one option (nesting allowed, a brace group without a bar is
literal text, and so is an unbalanced brace). The choice is seeded by campaign, contact
and message position, so a retry renders exactly the same text.

Templates are parsed once into a tree by a single left-to-right scan (no backtracking
regex, no rescans), and rendered without recursion: the work grows linearly with the
template, whatever its nesting. Templates are also checked on save
(`template_problems`) so that nobody stores one deeper or wider than a person writes.
"""

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

# Linear: the default stops at the first brace, so a failed match never rescans.
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w.\-]*)\s*(?:\|([^{}]*))?\}\}")

MAX_SPIN_OPTIONS = 50
MAX_SPIN_DEPTH = 5


@dataclass(frozen=True)
class Recipient:
    """What a template may refer to about one contact."""

    name: str
    phone: str
    attributes: dict


@dataclass(frozen=True)
class Placeholder:
    key: str
    default: str | None
    raw: str


@dataclass(frozen=True)
class Group:
    """A brace group: several options are spintax, a single one is literal `{…}` text."""

    options: tuple[tuple, ...]


@dataclass(frozen=True)
class Text:
    """Parts rendered as they come (an unclosed group's content)."""

    parts: tuple


def placeholder_value(recipient: Recipient, key: str) -> str | None:
    """The value a placeholder names, "" when empty, None when the name is unknown."""
    if key == "name":
        return recipient.name or ""
    if key == "first_name":
        parts = (recipient.name or "").split()
        return parts[0] if parts else ""
    if key == "phone":
        return recipient.phone or ""
    if key.startswith("attributes."):
        value = (recipient.attributes or {}).get(key.removeprefix("attributes."))
        return "" if value is None else str(value)
    return None


# One token per match, found by the regex engine in a single pass: a placeholder, a
# brace or bar, or a run of other text. The placeholder alternative is tried first.
_TOKEN = re.compile(PLACEHOLDER.pattern + r"|[{|}]|[^{|}]+")


def _literal(options: list[tuple], current: list) -> "Text":
    """An unclosed group as plain text (its `{` and bars kept); nested parts are shared."""
    parts: list = ["{"]
    for option in [*options, current]:
        parts.extend(option)
        parts.append("|")
    parts.pop()
    return Text(tuple(parts))


@lru_cache(maxsize=512)
def parse(template: str) -> tuple:
    """The template as a tree of str, `Placeholder`, `Group` and `Text` nodes (one scan)."""
    # Each open group is (its finished options, the option being read).
    stack: list[tuple[list, list]] = [([], [])]
    for match in _TOKEN.finditer(template):
        token = match[0]
        options, current = stack[-1]
        if token == "{":
            stack.append(([], []))
        elif token == "|" and len(stack) > 1:
            options.append(tuple(current))
            stack[-1] = (options, [])
        elif token == "}" and len(stack) > 1:
            stack.pop()
            stack[-1][1].append(Group((*options, tuple(current))))
        elif match[1] is not None:
            default = None if match[2] is None else match[2].strip()
            current.append(Placeholder(match[1], default, token))
        else:
            current.append(token)
    while len(stack) > 1:
        options, current = stack.pop()
        stack[-1][1].append(_literal(options, current))
    return tuple(stack[0][1])


def _resolve(placeholder: Placeholder, recipient: Recipient) -> str:
    value = placeholder_value(recipient, placeholder.key)
    if value is None:
        return placeholder.raw
    if not value and placeholder.default is not None:
        return placeholder.default
    return value


def render(template: str, recipient: Recipient, seed: str) -> str:
    """Renders one template for one recipient; `seed` fixes the spintax choices.

    Options are chosen depth-first in reading order; placeholder values are data and
    never spun.
    """
    if not template:
        return ""
    pick = _Picker(seed)
    out: list[str] = []
    pending = [iter(parse(template))]
    while pending:
        node = next(pending[-1], None)
        if node is None:
            pending.pop()
        elif isinstance(node, str):
            out.append(node)
        elif isinstance(node, Placeholder):
            out.append(_resolve(node, recipient))
        elif isinstance(node, Text):
            pending.append(iter(node.parts))
        elif len(node.options) == 1:
            pending.append(iter(("{", *node.options[0], "}")))
        else:
            pending.append(iter(pick(node.options)))
    return "".join(out)


class _Picker:
    """Spintax choices as a function of the seed alone: a 64-bit state from the seed's
    BLAKE2 hash, stepped by a linear congruential generator (Knuth's MMIX constants) for
    each choice. About ten times cheaper than seeding a Mersenne Twister per message, and
    only computed when the template has a choice to make."""

    MULTIPLIER, INCREMENT, MASK = 6364136223846793005, 1442695040888963407, (1 << 64) - 1

    def __init__(self, seed: str):
        self.seed = seed
        self.state: int | None = None

    def __call__(self, options: tuple):
        if self.state is None:
            digest = hashlib.blake2b(self.seed.encode(), digest_size=8).digest()
            self.state = int.from_bytes(digest, "big")
        self.state = (self.state * self.MULTIPLIER + self.INCREMENT) & self.MASK
        return options[(self.state >> 32) % len(options)]  # the high bits: the best mixed


def template_problems(template: str) -> list[str]:
    """Why a template should not be saved: unbalanced braces, too deep or wide spintax."""
    problems: list[str] = []
    depth = 0
    options = [1]
    for token in _tokens(template):
        if token == "{":
            depth += 1
            options.append(1)
            if depth > MAX_SPIN_DEPTH and not problems:
                problems.append(f"Spintax nests at most {MAX_SPIN_DEPTH} levels deep.")
        elif token == "|" and depth:
            options[-1] += 1
        elif token == "}":
            if not depth:
                return [*problems, "A closing brace '}' has no opening brace."]
            depth -= 1
            if options.pop() > MAX_SPIN_OPTIONS:
                problems.append(f"A spintax group has at most {MAX_SPIN_OPTIONS} options.")
    if depth:
        problems.append("An opening brace '{' is never closed.")
    return list(dict.fromkeys(problems))


def _tokens(template: str):
    """The braces and bars of `template` outside placeholders, in order."""
    for match in _TOKEN.finditer(template):
        if match[0] in ("{", "|", "}"):
            yield match[0]


def render_seed(campaign_id: int, contact_id: int, position: int) -> str:
    return f"{campaign_id}:{contact_id}:{position}"
