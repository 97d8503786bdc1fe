"""Chinese text in a terminal: widths in display columns (a Chinese character takes two)
and line breaking that respects them — click's own wrapping counts characters."""

from __future__ import annotations

import re
import string
import unicodedata

OPENING = "（“‘《「『([{<"
CLOSING = "，。；：、）」』”’！？》"
ASCII_CLOSING = "".join(c for c in string.punctuation if c not in OPENING)


def width(text: str) -> int:
    """Columns a text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most `columns` display columns: Chinese may break between any two
    characters, an ASCII word is kept whole, closing punctuation never starts a line and
    an opening bracket never ends one (what cannot be broken may overflow)."""
    lines: list[str] = []
    line: list[str] = []  # tokens of the line being filled
    for token in re.findall(r"[!-~]+|\s+|.", text):
        if token.isspace():
            line += [" "] if line else []
            continue
        if line and width("".join(line) + token) > columns:
            cut = _break(line, token)
            if cut:
                lines.append("".join(line[:cut]).rstrip())
                line = line[cut:]
                while line and line[0] == " ":
                    line.pop(0)
        line.append(token)
    return [*lines, "".join(line).rstrip()] if "".join(line).strip() else lines


def _break(line: list[str], token: str) -> int:
    """The last place in `line` (followed by `token`) where a line may end; 0 if none."""
    following = [*line, token]
    for cut in range(len(line), 0, -1):
        before, after = line[cut - 1], following[cut]
        if after == " ":
            continue
        if not _closing(after) and before[-1] not in OPENING and "".join(line[:cut]).strip():
            return cut
    return 0


def _closing(token: str) -> bool:
    """A token that must stay on the line before it: Chinese closing punctuation, or ASCII
    punctuation alone (">/" of "<文件名>/"), but not a path such as "./output/"."""
    return token[0] in CLOSING or all(c in ASCII_CLOSING for c in token)


def join_lines(lines: list[str]) -> str:
    """A paragraph's lines as one: a space only between two ASCII words."""
    out = ""
    for line in (x.strip() for x in lines):
        out += " " if out and line and out[-1].isascii() and line[0].isascii() else ""
        out += line
    return out
