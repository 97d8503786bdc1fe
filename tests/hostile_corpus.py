"""A generated corpus of hostile data files: every field of the samples mutated, and files
broken as a whole (encodings, structure, YAML features, file-system oddities).

Nothing here is committed as a file: `data_cases()` derives every case from the samples at
test time. A case says what must happen — `refused` (the file fails `check`, and `line`, when
given, is where one of its problems must point) or `None` (either way, as long as the tool
keeps its promises: no traceback, Chinese, located messages).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from conftest import DATA, ROOT

SIFA = ROOT / "tests" / "samples" / "sifa" / "data" / "qingshan-sifa-2022.yaml"
SAMPLES = {
    "xiamen": DATA / "xiamen-2022.yaml",
    "shangrao": DATA / "shangrao-2022.yaml",
    "sifa": SIFA,
    "wanli": DATA / "shanghai-putuo-wanli-2025.yaml",
}
YEARS = {"xiamen": 2022, "shangrao": 2022, "sifa": 2022, "wanli": 2025}


@dataclass
class DataCase:
    id: str
    make: Callable[[Path], None]  # writes the case at the given path (file, folder or link)
    refused: bool | None = True  # True: check must fail; False: must pass; None: either
    line: int | None = None  # a problem must point at this line
    codes: tuple[str, ...] = ()  # one of the problems must carry one of these codes
    name: str = ""  # file name; default: <id>-<year>.yaml
    located: bool = True  # every problem has a line (not only the file)
    builds: bool = False  # worth building (passes check, yet odd)
    quoted: str = ""  # the user's own text a message may quote (Latin words allowed there)


def _text(content: str | bytes) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")

    return make


# --- every field of every sample, mutated ---------------------------------------------------

SCALAR = re.compile(r"^(?P<indent> *)(?P<dash>- )?(?P<key>[a-z_0-9]+): (?P<value>[^#\s][^#]*?)\s*(?:#.*)?$")
NUMBER = re.compile(r"-?\d+(\.\d+)?")

# Hostile replacements of a number: (label, text, refused?)
NUMBER_VALUES: list[tuple[str, str, bool | None]] = [
    ("text", "两千万", True),
    ("fullwidth digits", "１２３４", True),
    ("fullwidth minus", "－５", True),
    ("thousands separator", "'1,234.56'", True),
    ("wan yuan suffix", "１２.５万元", True),
    ("nan", ".nan", True),
    ("NaN", ".NaN", True),
    ("inf", ".inf", True),
    ("negative inf", "-.inf", True),
    ("Infinity word", "Infinity", True),
    ("exponent huge", "1e400", True),
    ("exponent tiny", "1e-400", True),
    ("exponent plain", "1.5e2", None),
    ("negative", "-0.01", True),
    ("negative zero", "-0", None),
    ("huge integer", "9" * 60, True),
    ("many decimals", "0.000000000000001", True),
    ("list", "[1, 2]", True),
    ("mapping", "{a: 1}", True),
    ("null", "null", True),
    ("tilde", "~", True),
    ("empty string", "''", True),
    ("boolean", "yes", True),
    ("octal", "0o17", True),
    ("binary", "0b101", True),
    ("underscores", "1_000", None),
    ("plus sign", "+5", None),
    ("trailing dot", "5.", None),
    ("date", "2022-01-01", True),
    ("zero-width space", "\"12\u200b3\"", True),
    ("str tag", "!!str 12", True),
    ("float tag on text", "!!float abc", True),
    ("int tag on float", "!!int 1.5", True),
]

TEXT_VALUES: list[tuple[str, str, bool | None]] = [
    ("number", "12345", None),
    ("list", "[a, b]", True),
    ("mapping", "{a: b}", True),
    ("null", "null", None),
    ("empty", "''", None),
    ("very long", "长" * 20_000, True),
    ("emoji", "'🏦预算📊'", None),
    ("rtl mark", "\"预\u200f算\"", None),
    ("zero-width joiner", "\"预\u200d算\"", None),
    ("lone surrogate escape", "\"\\ud800\"", None),
    ("astral escape", "\"\\U0001F600\"", None),
    ("fullwidth figure", "收入１２.５万元", None),
    ("boolean", "no", None),
    ("date", "2022-02-30", None),
    ("anchor alias", "&x 厦门", None),
    ("html", "'<script>alert(1)</script>{{ 7*7 }}'", None),
    ("jinja", "'{% for i in range(10**9) %}x{% endfor %}'", None),
    ("placeholder", "'{year}{name}{0}'", None),
    ("backslashes", "'C:\\\\x\\\\y'", None),
    ("newlines", "\"a\\nb\\r\\nc\"", None),
]

DATE_VALUES: list[tuple[str, str, bool | None]] = [
    ("impossible date", "2022-02-30", True),
    ("month 13", "2022-13-01", True),
    ("timestamp", "2022-02-15t21:59:43.10-05:00", None),
    ("year zero", "0000-01-01", True),
    ("text date", "二〇二二年二月", True),
    ("number", "20220215", True),
    ("list", "[2022, 2, 15]", True),
]


def _mutations(sample: str) -> Iterator[DataCase]:
    """Each scalar field of the sample (first occurrence of each key), given hostile values;
    the values are spread over the fields round-robin so every field and every value occur."""
    path = SAMPLES[sample]
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    seen: set[str] = set()
    counters = {"number": 0, "text": 0, "date": 0}
    for n, row in enumerate(lines):
        m = SCALAR.match(row.rstrip("\n"))
        if not m or m["key"] in seen or m["key"] in ("region", "unit"):
            continue
        seen.add(m["key"])
        value = m["value"]
        if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
            kind, pool, per_field = "date", DATE_VALUES, 1
        elif NUMBER.fullmatch(value) and m["key"] not in ("code",):
            kind, pool, per_field = "number", NUMBER_VALUES, 1
        else:
            kind, pool, per_field = "text", TEXT_VALUES, 1
        for _ in range(per_field):
            label, new, refused = pool[counters[kind] % len(pool)]
            counters[kind] += 1
            if m["key"] == "year" and kind == "number":
                refused = True
            if kind == "text" and m["key"] in ("code", "source", "funding_type", "prior_kind", "scope"):
                refused = None  # a closed set of values: anything may be refused
            prefix = m["indent"] + (m["dash"] or "") + m["key"] + ": "
            mutated = lines[:n] + [prefix + new + "\n"] + lines[n + 1:]
            case_id = f"{sample} {m['key']} {label}"
            yield DataCase(case_id, _text("".join(mutated)), refused=refused,
                           line=n + 1 if refused else None, quoted=f"{m['key']} {new}")


# --- whole-file breakage ----------------------------------------------------------------


def _symlink(target: str | Path) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.symlink_to(target)

    return make


def _loop(path: Path) -> None:
    other = path.with_name(path.name + ".other")
    path.symlink_to(other)
    other.symlink_to(path)


def _folder(path: Path) -> None:
    path.mkdir()


def _bomb(width: int, depth: int) -> str:
    rows = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    for i in range(1, depth):
        rows.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(rows) + "\n"


def _whole_files() -> list[DataCase]:
    x = SAMPLES["xiamen"].read_text(encoding="utf-8")
    name = "  name: 厦门市住房公积金中心\n"
    year_line = "  year: 2022\n"
    first_spending = '  - code: "2080501"\n'

    def at(needle: str, text: str = x) -> int:
        return text[: text.index(needle)].count("\n") + 1

    def edit(old: str, new: str) -> str:
        assert x.count(old) == 1, old
        return x.replace(old, new)

    income_start = x.index("income:\n")
    spending_start = x.index("spending:\n")
    income_block = x[income_start:spending_start]
    cases = [
        DataCase("empty file", _text(""), codes=("E005",), located=False),
        DataCase("only comments", _text("# 注释\n# 只有注释\n"), codes=("E005",), located=False),
        DataCase("only a document marker", _text("---\n...\n"), codes=("E005",), located=False),
        DataCase("only null", _text("null\n"), codes=("E005",)),
        DataCase("a bare string", _text("厦门\n"), codes=("E005",)),
        DataCase("a number", _text("42\n"), codes=("E005",)),
        DataCase("an empty list", _text("[]\n"), codes=("E005",)),
        DataCase("BOM then data", _text("\ufeff" + x), refused=None),
        DataCase("CRLF line ends", _text(x.replace("\n", "\r\n")), refused=False),
        DataCase("CR line ends", _text(x.replace("\n", "\r")), refused=None),
        DataCase("UTF-16 with BOM", _text(x.encode("utf-16")), refused=None),
        DataCase("UTF-16 big endian, no BOM", _text(x.encode("utf-16-be")), codes=("E002", "E007")),
        DataCase("GBK", _text(x.encode("gbk", "replace")), codes=("E002",)),
        DataCase("Latin-1 byte in a comment", _text(x.encode() + b"# caf\xe9\n"), codes=("E002",)),
        DataCase("PNG header", _text(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4), codes=("E002", "E007")),
        DataCase("zip file", _text(b"PK\x03\x04" + b"\x00" * 200), codes=("E007", "E002")),
        DataCase("one very long line", _text("a: '" + "x" * 1_900_000 + "'\n"), codes=("E100",)),
        DataCase("tab after key", _text(edit(name, "  name:\t厦门市住房公积金中心\n")), refused=None),
        DataCase("zero-width space in a key", _text(edit(name, "  na\u200bme: 厦门市住房公积金中心\n")),
                 line=at(name)),
        DataCase("fullwidth colon", _text(edit(name, "  name：厦门市住房公积金中心\n")), line=None),
        DataCase("duplicate nested key", _text(edit(name, name + name)), codes=("E004",)),
        DataCase("duplicate top-level section", _text(x + "\n" + income_block), codes=("E004",)),
        DataCase("year at the top level", _text(edit(year_line, "") + "year: 2022\n"), refused=True),
        DataCase("unknown top-level key", _text(x + "extra: 1\n"), line=x.count("\n") + 1),
        DataCase("unknown key in department", _text(edit(name, name + "  nickname: x\n")),
                 line=at(name) + 1),
        DataCase("spending as a mapping", _text(edit("spending:\n", "spending:\n  a: 1\nold_spending:\n")),
                 refused=True),
        DataCase("income as a list", _text(x[:income_start] + "income:\n  - 1\n  - 2\n"
                                           + x[spending_start:]), line=at("income:\n")),
        DataCase("department as a string", _text(x.replace(
            x[x.index("department:\n"): x.index("\n\n", x.index("department:\n"))],
            "department: 厦门")), refused=True),
        DataCase("spending empty list", _text(x[:spending_start] + "spending: []\n"
                                              + x[x.index("\n\n", spending_start):]), refused=True),
        DataCase("spending null", _text(x[:spending_start] + "spending:\n"
                                        + x[x.index("\n\n", spending_start):]), refused=True),
        DataCase("department null", _text(edit("department:\n", "department:\nolddepartment:\n")),
                 refused=True),
        DataCase("integer keys", _text(x + "1: a\n2: b\n"), refused=True),
        DataCase("null key", _text(x + "null: a\n"), codes=("E014",), line=x.count("\n") + 1),
        DataCase("boolean key", _text(edit(name, name + "  true: 1\n")), codes=("E014",), line=at(name) + 1),
        DataCase("yes as a key", _text(edit(name, name + "  yes: 1\n")), refused=True, line=at(name) + 1),
        DataCase("complex key", _text(x + "? [a, b]\n: c\n"), codes=("E014",)),
        DataCase("mapping as a key", _text(x + "? {a: 1}\n: c\n"), codes=("E014",)),
        DataCase("float key", _text(x + "1.5: c\n"), codes=("E014",), line=x.count("\n") + 1),
        DataCase("date key", _text(x + "2022-01-01: c\n"), refused=True, line=x.count("\n") + 1),
        DataCase("anchor and alias for a line", _text(edit(first_spending, "  - &line\n    code: \"2080501\"\n")
                                                      .replace("spending:\n", "spending:\n", 1) +
                                                      "extra_lines: *line\n"), refused=True),
        DataCase("merge key in a line", _text(edit(first_spending, "  - <<: {source: general_budget}\n"
                                                                   "    code: \"2080501\"\n")), refused=None),
        DataCase("merge of a list", _text(edit(name, name + "  <<: [1, 2]\n")), refused=True),
        DataCase("alias to undefined anchor", _text(edit(name, "  name: *nowhere\n")), codes=("E004",)),
        DataCase("two documents", _text(x + "\n---\n" + x), codes=("E004",)),
        DataCase("document end then junk", _text(x + "...\njunk: [\n"), codes=("E004",)),
        DataCase("wide alias bomb", _text(_bomb(50, 4)), codes=("E010",)),
        DataCase("self-referencing alias", _text("a: &a [*a]\n"), refused=True),
        DataCase("recursive mapping", _text("a: &a {b: *a}\n"), refused=True),
        DataCase("deep mapping", _text("a:\n" + "".join(" " * i + "b:\n" for i in range(1, 60))), codes=("E009",)),
        DataCase("deep flow mapping", _text("a: " + "{b: " * 500 + "1" + "}" * 500 + "\n"), codes=("E009",)),
        DataCase("many keys", _text("".join(f"k{i}: {i}\n" for i in range(60_000))), refused=True),
        DataCase("many list items", _text(edit("spending:\n", "spending:\n" + "  - 1\n" * 50_000)
                                          ), refused=True),
        DataCase("NEL line break", _text(edit(name, "  name: 厦门\u0085市\n")), refused=None),
        DataCase("line separator", _text(edit(name, "  name: 厦门\u2028市\n")), refused=None),
        DataCase("paragraph separator", _text(edit(name, "  name: 厦门\u2029市\n")), refused=None),
        DataCase("noncharacter", _text(edit(name, "  name: 厦门\ufffe市\n")), codes=("E007",), line=at(name)),
        DataCase("private use", _text(edit(name, "  name: 厦门\ue000市\n")), refused=None),
        DataCase("DEL", _text(edit(name, "  name: 厦门\x7f市\n")), codes=("E007",), line=at(name)),
        DataCase("escape sequence", _text(edit(name, "  name: 厦门\x1b[31m市\n")), codes=("E007",), line=at(name)),
        DataCase("escaped NUL in quotes", _text(edit(name, '  name: "厦门\\0市"\n')), refused=True, line=at(name)),
        DataCase("escaped bell in quotes", _text(edit(name, '  name: "厦门\\a市"\n')), refused=True, line=at(name)),
        DataCase("escaped RTL override in quotes", _text(edit(name, '  name: "厦门\\u202e市"\n')),
                 refused=True, line=at(name)),
        DataCase("escaped lone surrogate", _text(edit(name, '  name: "厦门\\udc80市"\n')), refused=True,
                 line=at(name)),
        DataCase("escaped noncharacter", _text(edit(name, '  name: "厦门\\uffff市"\n')), refused=True,
                 line=at(name)),
        DataCase("emoji everywhere", _text(edit(name, "  name: 厦门🏦市住房公积金中心👍\n")), refused=None,
                 builds=True),
        DataCase("name of combining marks", _text(edit(name, "  name: 厦" + "\u0301" * 90 + "\n")),
                 refused=None),
        DataCase("name 100 characters", _text(edit(name, "  name: " + "厦" * 100 + "\n")), refused=None,
                 builds=True),
        DataCase("name of spaces", _text(edit(name, "  name: '   '\n")), refused=True, line=at(name)),
        DataCase("year as text", _text(edit(year_line, "  year: 二〇二二\n")), refused=True, line=at(year_line)),
        DataCase("year fullwidth", _text(edit(year_line, "  year: ２０２２\n")), refused=True, line=at(year_line)),
        DataCase("year float", _text(edit(year_line, "  year: 2022.0\n")), refused=True, line=at(year_line)),
        DataCase("year far future", _text(edit(year_line, "  year: 99999\n")), refused=True, line=at(year_line)),
        DataCase("region unknown", _text(edit("  region: fujian\n", "  region: mars\n")), refused=True,
                 line=at("  region: fujian\n")),
        DataCase("region path", _text(edit("  region: fujian\n", "  region: ../../etc\n")), refused=True,
                 line=at("  region: fujian\n")),
        DataCase("region list", _text(edit("  region: fujian\n", "  region: [fujian]\n")), refused=True,
                 line=at("  region: fujian\n")),
        DataCase("region empty", _text(edit("  region: fujian\n", "  region: ''\n")), refused=True,
                 line=at("  region: fujian\n")),
        DataCase("unit dollars", _text(edit("unit: 万元\n", "unit: 美元\n")), refused=True, line=at("unit: 万元")),
        DataCase("unit yuan without cents", _text(edit("unit: 万元\n", "unit: 元\n")), refused=None),
        DataCase("unit null", _text(edit("unit: 万元\n", "unit:\n")), refused=True, line=at("unit: 万元")),
        DataCase("code with spaces", _text(edit(first_spending, '  - code: " 2080501 "\n')), refused=True,
                 line=at(first_spending)),
        DataCase("code fullwidth", _text(edit(first_spending, '  - code: "２０８０５０１"\n')), refused=True,
                 line=at(first_spending)),
        DataCase("code too long", _text(edit(first_spending, '  - code: "20805011"\n')), refused=True,
                 line=at(first_spending)),
        DataCase("code negative", _text(edit(first_spending, "  - code: -2080501\n")), refused=True,
                 line=at(first_spending)),
        DataCase("code float", _text(edit(first_spending, "  - code: 2080501.0\n")), refused=True,
                 line=at(first_spending)),
        DataCase("code exponent", _text(edit(first_spending, "  - code: 2.080501e6\n")), refused=True,
                 line=at(first_spending)),
        DataCase("spending line null", _text(edit(first_spending, "  -\n  - code: \"2080501\"\n")), refused=True,
                 line=at(first_spending)),
        DataCase("spending line a string", _text(edit(first_spending, "  - 行政单位离退休\n  - code: \"2080501\"\n")),
                 refused=True, line=at(first_spending)),
        DataCase("spending nested list", _text(edit(first_spending, "  - [1, 2]\n  - code: \"2080501\"\n")),
                 refused=True, line=at(first_spending)),
    ]
    # file-system oddities (named like a data file)
    cases += [
        DataCase("a folder", _folder, codes=("E003",), located=False),
        DataCase("symlink loop", _loop, codes=("E003", "E001"), located=False),
        DataCase("dangling symlink", _symlink("/nonexistent/nowhere.yaml"), codes=("E001", "E003"),
                 located=False),
        DataCase("symlink to dev null", _symlink("/dev/null"), codes=("E003", "E005"), located=False),
        DataCase("symlink to dev zero", _symlink("/dev/zero"), codes=("E003", "E006"), located=False),
        DataCase("symlink to proc", _symlink("/proc/self/status"), refused=True, located=False),
        DataCase("symlink to a folder", _symlink("/tmp"), codes=("E003",), located=False),
    ]
    # names
    cases += [
        DataCase("name with a space", _text(x), codes=("E011",), name="xia men-2022.yaml", located=False),
        DataCase("name starting with a dash", _text(x), refused=True, name="-x-2022.yaml", located=False),
        DataCase("name with a newline", _text(x), refused=True, name="xia\nmen-2022.yaml", located=False),
        DataCase("name with emoji", _text(x), refused=True, name="🏦-2022.yaml", located=False),
        DataCase("name with an RTL mark", _text(x), refused=True, name="xia\u202emen-2022.yaml", located=False),
        DataCase("name fullwidth year", _text(x), codes=("E011",), name="xiamen-２０２２.yaml", located=False),
        DataCase("name year mismatch", _text(x), refused=True, name="xiamen-2023.yaml", located=True),
        DataCase("name with no year", _text(x), refused=None, name="xiamen.yaml"),
        DataCase("name only a year", _text(x), refused=None, name="2022.yaml"),
        DataCase("name with a dot", _text(x), refused=True, name="xia.men-2022.yaml", located=False),
        DataCase("name in Chinese", _text(x), refused=None, name="厦门公积金-2022.yaml"),
        DataCase("name 64 characters", _text(x), refused=None, name="x" * 59 + "-2022.yaml"),
        DataCase("name with backslash", _text(x), refused=True, name="xia\\men-2022.yaml", located=False),
        DataCase("name with invalid UTF-8", _text(x), refused=True, name=b"xia\xffmen-2022.yaml".decode(
            "utf-8", "surrogateescape"), located=False),
    ]
    return cases


def data_cases() -> list[DataCase]:
    cases = [c for sample in SAMPLES for c in _mutations(sample)] + _whole_files()
    seen: set[str] = set()
    for i, case in enumerate(cases):
        assert case.id not in seen, case.id
        seen.add(case.id)
        if not case.name:
            sample = case.id.split(" ", 1)[0]
            case.name = f"c{i:03d}-{YEARS.get(sample, 2022)}.yaml"
    return cases


__all__ = ["DataCase", "data_cases", "field"]
