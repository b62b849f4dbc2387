"""Opt-out and opt-in keywords in inbound messages (English and Arabic), as a pure function.

A message counts only when the whole (trimmed) text is a keyword, so "please cancel my
order" opts nobody out. Arabic is compared after folding alef/hamza forms, alef
maqsura, teh marbuta, diacritics and tatweel, so إلغاء and الغاء are the same word.
"""

import re
import unicodedata

OPT_OUT = "opt_out"
OPT_IN = "opt_in"

_OPT_OUT_WORDS = {
    "stop", "stopall", "stop all", "unsubscribe", "end", "quit", "cancel", "optout",
    "opt out", "opt-out", "revoke", "/stop",
    "الغاء", "الغاء الاشتراك", "ايقاف", "اوقف", "توقف", "قف", "ستوب", "انهاء",
    "الغاء الاشتراك من الرسائل", "لا ترسل", "ازاله",
}  # fmt: skip
_OPT_IN_WORDS = {"start", "unstop", "/start", "ابدا", "اشتراك", "اشترك", "ستارت"}

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_EDGE_PUNCTUATION = " .!?,;:،؛؟\"'()[]{}*-_~"
_BOT_SUFFIX = re.compile(r"^(/\w+)@\w+$")  # Telegram "/stop@MyBot"


def normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _INVISIBLE.sub("", _DIACRITICS.sub("", folded)).translate(_FOLD)
    folded = _SPACES.sub(" ", folded).strip(_EDGE_PUNCTUATION)
    return _BOT_SUFFIX.sub(r"\1", folded)


def keyword_action(text: str) -> str | None:
    """OPT_OUT, OPT_IN or None for an inbound message text."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    word = normalize(text)
    if word in _OPT_OUT_WORDS:
        return OPT_OUT
    if word in _OPT_IN_WORDS:
        return OPT_IN
    return None
