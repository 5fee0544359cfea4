"""Honest player names: what a name may hold, and its confusable skeleton.

A name must show something: at least one visible character. It may not hold characters that
show as nothing or break the line (noncharacters, private-use characters, line and paragraph
separators, control and invisible formatting characters), nor a combining mark or variation
selector with nothing to combine with. Emoji sequences (👩‍💻, ❤️, flags) stay.

The skeleton is UTS #39's: two names with the same skeleton look alike ("Аlice" in Cyrillic
and "Alice"). It is kept with the player, so a name that poses as another player's on the
same board can be found with one indexed query and marked for review.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

CONFUSABLES = Path(__file__).with_name("unicode") / "confusables.txt"
SKELETON_MAX = 256  # Player.name_skeleton's length: a 64-character name's, and then some

# Letters that render as blank space though Unicode calls them letters or symbols: Hangul
# fillers, the Braille blank, the Mongolian vowel separator's old form.
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")
ZERO_WIDTH_JOINER = "\u200d"


def _is_variation_selector(ch: str) -> bool:
    return "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"


def _is_noncharacter(ch: str) -> bool:
    code = ord(ch)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def _is_emoji_tag(ch: str) -> bool:
    """The tag characters a region's flag is spelt with (🏴󠁧󠁢󠁳󠁣󠁴󠁿)."""
    return "\U000e0020" <= ch <= "\U000e007f"


def _invisible_format(ch: str) -> bool:
    """A format character (Unicode Cf) that could make one name pass for another: a
    right-to-left override, a zero-width space. Kept: the joiner and the tag characters that
    emoji sequences are made of (👩‍💻, a region's flag)."""
    return unicodedata.category(ch) == "Cf" and ch != ZERO_WIDTH_JOINER and not _is_emoji_tag(ch)


def _is_visible(ch: str) -> bool:
    category = unicodedata.category(ch)
    return not (
        category[0] in "ZCM"  # separators, controls and formats, marks
        or ch in BLANK_LOOKING
        or _is_variation_selector(ch)
    )


def name_problem(name: str) -> str | None:
    """Why ``name`` (already stripped) cannot be a player's name, or None if it can."""
    previous = ""
    for ch in name:
        category = unicodedata.category(ch)
        if category in ("Zl", "Zp"):
            return "must be on one line (no line or paragraph separators)."
        if category in ("Cc", "Cs"):
            return "must not contain control characters."
        if _is_noncharacter(ch):
            return f"must not contain noncharacters (U+{ord(ch):04X})."
        if category == "Co":
            return f"must not contain private-use characters (U+{ord(ch):04X})."
        if _invisible_format(ch):
            return (
                "must not contain invisible formatting characters "
                "(direction overrides, zero-width spaces, byte order marks)."
            )
        alone = previous == "" or unicodedata.category(previous)[0] == "Z"
        if _is_variation_selector(ch) and (alone or _is_variation_selector(previous)):
            return "must not contain a variation selector with no character before it."
        if category in ("Mn", "Me") and not _is_variation_selector(ch) and alone:
            return "must not contain a combining mark with no letter before it."
        previous = ch
    if not any(_is_visible(ch) for ch in name):
        return "must contain at least one visible character."
    return None


@cache
def _prototypes() -> dict[str, str]:
    mapping = {}
    for line in CONFUSABLES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            source, target = line.split(";")
            mapping[chr(int(source, 16))] = "".join(chr(int(c, 16)) for c in target.split())
    return mapping


def skeleton(name: str) -> str:
    """UTS #39's skeleton of ``name``: NFD, each character to its prototype, NFD again.
    Names that look alike share it."""
    prototypes = _prototypes()
    decomposed = unicodedata.normalize("NFD", name)
    mapped = "".join(prototypes.get(ch, ch) for ch in decomposed)
    return unicodedata.normalize("NFD", mapped)[:SKELETON_MAX]
