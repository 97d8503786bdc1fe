"""Import stage 2b: one sheet read as a table — title, unit, header, columns, body rows.

The header is found by its labels, not by fixed coordinates: it starts after the title and
the "编制单位：… 单位：元" line and ends at the first row that holds a figure, a code or a
合计 label. Each column is named by the path of labels above it (merged cells give their text
to every column they cover), then given a meaning (`labels.column_key`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from ..checks.limits import MAX_YUAN
from ..common.problems import Problem, Severity
from ..inputs.declared import SOURCES as SOURCE_KEYS
from ..inputs.declared import LineSpec, TableSpec
from ..inputs.model import UNIT_FACTOR
from .labels import COLUMNS, ORDINAL, SOURCES, TOTAL_ROWS, column_key, norm, title_key
from .workbook import Ref, Sheet, number, problem

Kind = Literal["classified", "paired", "three_public", "transfers", "lines", "skip"]


def declared_kind(spec: TableSpec) -> tuple[Kind, str]:
    """How a sheet of a declared table is read back, from its declaration: the kind of its
    rows and what they are — spending of one source (or of all, or of 财政拨款), income by
    source, or the economic classification."""
    rows = spec.rows
    measures = {c.measure for c in spec.leaves() if c.measure}
    coded = any(c.text in ("code", "类", "款", "项") for c in spec.leaves())
    if rows.source in ("economic", "functional") and not coded:
        return "skip", ""  # lines printed by name only (深圳's 基本支出总表): no code to key them by
    if rows.source == "paired":
        each = next((x for x in (*rows.left, *rows.right) if x.each), None)
        return "paired", "fiscal" if each is not None and each.funds == ("fiscal",) else "all"
    if rows.source == "economic":
        return "classified", "economic"
    if rows.source == "functional":
        funds = rows.funds
        if funds == ("all",):
            by_source = measures & {*SOURCE_KEYS, "fiscal", "other_income"}
            return "classified", "income" if by_source else "all"
        return "classified", funds[0] if len(funds) == 1 else "all"
    if rows.source == "fixed" and any(m.startswith("three_public.") for m in measures):
        return "three_public", "all"
    if rows.source == "records" and rows.section == "transfers":
        return "transfers", "all"
    if rows.source == "fixed" and measures & {"current", "prior"} and any(
            line_figure(x) for x in rows.lines):
        return "lines", "all"  # a line per figure (因公出国（境）费 …, 机关运行经费): read by its label
    return "skip", ""


def line_figure(line: LineSpec) -> str | None:
    """The one figure a fixed line prints that import can take back: a 三公 item, its total,
    or 机关运行经费 ("abroad", "total", "running_costs"); None for anything else."""
    if len(line.figure) != 1 or line.less:
        return None
    f = line.figure[0]
    if f.startswith("three_public.") and f.count(".") == 1:
        return f.removeprefix("three_public.")
    return "running_costs" if f in ("running_costs", "running_costs.amount") else None


CODE = re.compile(r"\d{3}(?:\d{2}){0,2}")
UNIT = re.compile(r"单位[：:]\s*(万元|元)")
PREPARED = re.compile(r"(?:编制(?:单位|部门)|部门[（(]单位[)）]|单位[（(]部门[)）]|部门名称|单位名称|预算单位|填报单位)"
                      r"[：:]\s*(.*?)(?:\s{2,}|\s*单位[：:]|$)")
NOTE = re.compile(r"本表|无数据|空表|^[（(]?注[：:]")
NONE = {"无", "（无）", "(无)"}


@dataclass(frozen=True)
class Amount:
    """A figure read from a cell: exact, in 元, with the step its sheet shows."""

    value: Decimal  # 元
    unit: str  # the sheet's
    ref: Ref
    blank: bool = False  # the cell was empty (read as 0)

    @property
    def step(self) -> Decimal:
        """The smallest difference the sheet can show, in 元: 0.01 of its unit."""
        return Decimal("0.01") * UNIT_FACTOR["元"] / UNIT_FACTOR[self.unit]

    def shown(self, value: Decimal | None = None) -> str:
        """In the sheet's unit, as the sheet shows it: "2,735.83", "171,915,169"."""
        v = ((self.value if value is None else value) * UNIT_FACTOR[self.unit] / UNIT_FACTOR["元"]).normalize()
        whole, _, frac = f"{v:,f}".partition(".")
        if self.unit == "元" and not frac:
            return whole
        return f"{whole}.{frac.ljust(2, '0')}"


@dataclass
class Row:
    row: int
    code: str | None = None
    name: str = ""
    label: str = ""  # normalised text of the label cell (paired / three_public rows)
    total: bool = False
    amounts: dict[str, Amount] = field(default_factory=dict)


@dataclass
class Table:
    key: str
    sheet: Sheet
    kind: Kind
    unit: str
    title: str
    prepared_by: str | None
    year: int | None
    scope: str = ""
    rows: list[Row] = field(default_factory=list)   # classified, three_public, transfers
    left: list[Row] = field(default_factory=list)   # paired: income side
    right: list[Row] = field(default_factory=list)  # paired: spending side
    labels: dict[str, str] = field(default_factory=dict)  # column key → its header text


def heading(sheet: Sheet) -> tuple[str, str | None, str | None, int]:
    """Title, unit, 编制单位 and the last row of the heading (title and 编制 line)."""
    title, unit, prepared, last = "", None, None, 0
    for r in range(1, min(sheet.max_row, 8) + 1):
        texts = [sheet.text(r, c) for c in range(1, sheet.max_col + 1) if sheet.text(r, c)]
        line = "  ".join(texts)
        if not line:
            continue
        if m := UNIT.search(line):
            unit, last = m.group(1), r
        if m := PREPARED.search(line):
            prepared, last = m.group(1).strip() or prepared, r  # a blank template's is empty
        if not title and len(texts) == 1 and not UNIT.search(line) and not PREPARED.search(line):
            title, last = texts[0], max(last, r)
    return title, unit, prepared, last


def _is_code(text: str) -> bool:
    return bool(CODE.fullmatch(text))


def _body_start(sheet: Sheet, first: int) -> int:
    """The first row that is not header: it holds a figure, a code or a 合计/总计 label, or
    is a note."""
    for r in range(first, sheet.max_row + 1):
        cells = [sheet.raw(r, c) for c in range(1, sheet.max_col + 1)]
        texts = [norm(v) for v in cells if isinstance(v, str) and v.strip()]
        if any(isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) for v in cells):
            return r
        lead = next((v.strip() for v in cells if isinstance(v, str) and v.strip()), "")
        if texts and (texts == [texts[0]] and texts[0] in TOTAL_ROWS  # not a 合计 column label
                      or _is_code(texts[0]) or NOTE.search(texts[0])
                      or ORDINAL.match(lead)  # "一、一般公共预算收入": a body line, figures or not
                      or set(texts) <= NONE):  # the "无" row of an empty table
            return r
    return sheet.max_row + 1


def numbering_row(sheet: Sheet, r: int) -> bool:
    """The row numbering the columns: "栏次 1 2 3", "** ** 1 2 3" (under a header, and again
    under the header a continued page repeats)."""
    marks = [norm(sheet.text(r, c, merged=True)) for c in range(1, sheet.max_col + 1)]
    return norm(sheet.text(r, 1, merged=True)) in ("栏次", "行次") or all(
        m in ("", "**", "*", "甲", "乙", "丙") or m.isdigit() for m in marks)


def column_paths(sheet: Sheet, top: int, bottom: int) -> dict[int, tuple[str, ...]]:
    """Each column's header labels, top first. Merged cells name every column they cover;
    a header drawn without merges gets its upper labels carried right over blank cells."""
    merged = any(top <= m[0] <= bottom or top <= m[2] <= bottom for m in sheet.merges)
    paths: dict[int, list[str]] = {c: [] for c in range(1, sheet.max_col + 1)}
    for r in range(top, bottom + 1):
        if numbering_row(sheet, r):
            continue  # the row numbering the columns ("栏次 1 2 3", "** ** 1 2 3") names none
        carry = ""
        for c in range(1, sheet.max_col + 1):
            text = norm(sheet.text(r, c, merged=True))
            if not text and not merged and r < bottom:
                text = carry
            carry = text or carry
            if text and (not paths[c] or paths[c][-1] != text):
                paths[c].append(text)
    return {c: tuple(p) for c, p in paths.items() if p}


def declared_labels(spec: TableSpec) -> dict[str, str]:
    """A declared table's own header words read back as the measure they name: a column
    declared `{label: 在职人员经费, measure: personnel}` reads as 人员经费 — only words the
    importer does not know already (normalised label → a known label of that measure)."""
    known: dict[str, str] = {}
    for label, key in (*COLUMNS.items(), *SOURCES.items()):
        known.setdefault(key, label)
    out: dict[str, str] = {}
    for c in spec.leaves():
        if not c.measure:
            continue
        key = c.measure.removeprefix("three_public.")
        label = norm(c.label)
        if label and label not in COLUMNS and label not in SOURCES and key in known:
            out[label] = known[key]
        elif label == "合计" and key != "total" and key in known:  # 西安 基本支出明细表: 合计 = 基本支出
            out[label] = known[key]
    return out


def derived_lines(spec: TableSpec) -> frozenset[str]:
    """The labels of a declared 收支总表's lines that are not one figure of the data as it is
    (a sum of figures, a figure less others, a region data section's figure — 重庆's 本年收入
    less its 上年结转): the importer leaves them unread rather than take them for the figure
    their words name."""
    return frozenset(norm(x.label) for x in (*spec.rows.left, *spec.rows.right)
                     if x.label and (x.less or len(x.figure) > 1
                                     or any(f.startswith("section:") for f in x.figure)))


def read_table(key: str, sheet: Sheet, settings_rename: dict[str, str], kind: Kind | None,
               problems: list[Problem], scope: str = "", spec: TableSpec | None = None) -> Table:
    title, unit, prepared, last = heading(sheet)
    year_match = re.search(r"(\d{4})年", title or sheet.name)
    if unit is None:
        problems.append(problem(sheet.ref(1, 1), "W510",
                                "表头没有“单位：元/万元”，按万元读取", Severity.warning))
    table = Table(key, sheet, kind or "skip", unit or "万元", title, prepared,
                  int(year_match.group(1)) if year_match else None)
    if kind == "skip":
        return table
    body = _body_start(sheet, last + 1)
    top = next((r for r in range(last + 1, body) if any(
        sheet.text(r, c, merged=True) for c in range(1, sheet.max_col + 1))), body)
    paths = column_paths(sheet, top, body - 1)
    if kind is None:
        table.kind = _infer_kind(paths)
    table.scope = scope or _infer_scope(title_key(title or sheet.name))
    reader = {"classified": _classified, "paired": _paired, "three_public": _three_public,
              "transfers": _transfers}.get(table.kind)
    if table.kind == "lines" and spec is not None:
        _fixed_lines(table, paths, body, spec)
    elif reader:
        reader(table, paths, settings_rename, body, problems)
    return table


def _infer_kind(paths: dict[int, tuple[str, ...]]) -> Kind:
    leaves = [p[-1] for p in paths.values()]
    if leaves.count("项目") >= 2:
        return "paired"
    if any(x in leaves for x in ("因公出国（境）费", "公务接待费")):
        return "three_public"
    if "项目名称" in leaves:
        return "transfers"
    if any("编码" in x or x in ("类", "款", "项") for x in leaves):
        return "classified"
    return "skip"


def _infer_scope(title: str) -> str:
    for word, scope in (("财政拨款收支", "fiscal"), ("经济分类", "economic"), ("收入", "income"),
                        ("一般公共预算", "general_budget"), ("政府性基金", "gov_fund"),
                        ("国有资本经营", "state_capital")):
        if word in title:
            return scope
    return "all"


# --- amounts -----------------------------------------------------------------------------


def _amount(table: Table, row: int, col: int, problems: list[Problem]) -> Amount | None:
    """The figure in a cell (a blank is 0); None, with a problem, when it is not a number or
    is merged across amount columns."""
    sheet = table.sheet
    ref = sheet.ref(row, col)
    m = sheet.merge_at(row, col)
    if m and m[1] != m[3]:
        if (m[0], m[1]) == (row, col) and sheet.raw(row, col) is not None:
            problems.append(problem(ref, "E511", f"金额单元格与相邻的列合并（{sheet.ref(m[0], m[1]).cell}:"
                                    f"{sheet.ref(m[2], m[3]).cell}），无法确定数字属于哪一列；请取消合并"))
        return None
    v = number(sheet.shown(row, col) if m else sheet.raw(row, col))
    if isinstance(v, str):
        problems.append(problem(ref, "E512", f"应为数字，实为文字“{v}”"))
        return None
    if v is not None and abs(v) * UNIT_FACTOR["元"] / UNIT_FACTOR[table.unit] >= MAX_YUAN:
        problems.append(problem(ref, "E517", f"金额 {v:.3E}{table.unit} 超出部门预算可能的范围（应小于 1 万亿元）"))
        return None
    return Amount((v or Decimal(0)) * UNIT_FACTOR["元"] / UNIT_FACTOR[table.unit], table.unit, ref,
                  blank=v is None)


def _money_columns(table: Table, paths: dict[int, tuple[str, ...]], rename: dict[str, str],
                   skip: set[int], problems: list[Problem]) -> dict[int, str]:
    out: dict[int, str] = {}
    years = {int(m.group(1)) for p in paths.values() if (m := YEAR_LABEL.fullmatch(p[-1]))}
    year = table.year or (next(iter(years)) if len(years) == 1 else None)  # the only year named
    for c, path in paths.items():
        if c in skip:
            continue
        if (m := YEAR_LABEL.fullmatch(path[-1])) and year and int(m.group(1)) == year:
            path = (*path[:-1], m.group(2))  # "2026年预算数" in a 2026 table: 预算数
        key = column_key(path, rename)
        if key is None:
            problems.append(problem(table.sheet.ref(1, c), "W513",
                                    f"不认识的列“{'／'.join(path)}”，其数字未导入", Severity.warning))
            continue
        if key in out.values() and len(path) > 1 and path[-1] in ("小计", "合计") \
                and column_key(path[-2:-1], rename) is None:
            # the 小计 of a group the importer does not read (2026年政府采购项目>小计)
            problems.append(problem(table.sheet.ref(1, c), "W513",
                                    f"不认识的列“{'／'.join(path)}”，其数字未导入", Severity.warning))
            continue
        if key in out.values():
            problems.append(problem(table.sheet.ref(1, c), "E514",
                                    f"列“{'／'.join(path)}”与前面的列含义相同，无法确定取哪一列"))
            continue
        out[c] = key
        table.labels[key] = path[-1]
    return out


YEAR_LABEL = re.compile(r"(\d{4})年度?(.+)")


def _fill(table: Table, r: Row, columns: dict[int, str], problems: list[Problem]) -> None:
    for c, key in columns.items():
        a = _amount(table, r.row, c, problems)
        if a is not None:
            r.amounts[key] = a


def _blank(table: Table, r: int, columns: dict[int, str]) -> bool:
    return all(number(table.sheet.raw(r, c)) is None for c in columns)


def _zero(table: Table, r: int, columns: dict[int, str]) -> bool:
    """Every amount of the row is zero (or blank)."""
    return all(not isinstance(v := number(table.sheet.raw(r, c)), str) and not v for c in columns)


# --- table shapes ------------------------------------------------------------------------


def _classified(table: Table, paths: dict[int, tuple[str, ...]], rename: dict[str, str],
                body: int, problems: list[Problem]) -> None:
    sheet = table.sheet
    # a table may print two classifications side by side (部门 and 政府 economic codes): the
    # first is read, the columns of the second are labels too, not amounts
    parts: dict[str, int] = {}
    leaf = {c: rename.get(p[-1], p[-1]) for c, p in paths.items()}  # 功能科目 → 科目名称 (import_labels)
    for c, _p in sorted(paths.items()):
        if leaf[c] in ("类", "款", "项"):
            parts.setdefault(leaf[c], c)
    unit_cols = {c for c in paths if UNIT_COLUMN.fullmatch(leaf[c])}
    code_cols = [c for c in sorted(paths) if c not in unit_cols and (
        "编码" in leaf[c] or "代码" in leaf[c] or leaf[c].endswith("科目"))]
    code_col = _key_column(code_cols, paths, table.scope)
    name_col = next((c for c in paths if "名称" in leaf[c] and c not in unit_cols), None)
    label_cols = {c for c in paths if leaf[c] in ("类", "款", "项") or "名称" in leaf[c]} \
        | unit_cols | set(code_cols)
    columns = _money_columns(table, paths, rename, label_cols, problems)
    if not parts and code_col is None:
        problems.append(problem(sheet.ref(body, 1), "E515", "找不到科目编码列（“科目编码”或“类/款/项”）"))
        return
    first_col = min(label_cols)
    upper = {"类": "", "款": ""}
    for r in range(body, sheet.max_row + 1):
        texts = [norm(sheet.text(r, c, merged=True)) for c in sorted(label_cols)]
        lead = next((t for t in texts if t), "")
        name = norm(sheet.text(r, name_col)) if name_col else ""
        if parts:
            code = _code_from_parts(sheet, r, parts, upper)
        else:
            raw = sheet.raw(r, code_col) if code_col else None
            code, named = _code_cell(raw)
            name = name or named
        row = Row(r, code, name, lead)
        if code is None:
            unit = next((t for c in sorted(unit_cols) if (t := norm(sheet.text(r, c, merged=True)))), "")
            if NOTE.search(lead) or lead == "**":
                continue  # 本表无数据 / 注：… / the 栏次 row ("** ** 1 2 3") a header repeats on the next page
            if lead in TOTAL_ROWS:
                row.total = True
            elif _blank(table, r, columns) or _zero(table, r, columns):
                continue  # a blank line, or a padding row of zeros (the 预算单位 of an empty table)
            elif numbering_row(sheet, r):
                continue  # "** ** 1 2 3" under the header a continued page repeats (湖州)
            elif not table.rows and table.prepared_by and lead == norm(table.prepared_by):
                row.total = True  # (深圳) the department's own name over its lines
            elif unit and unit == lead:
                continue  # a 预算单位's own line over its rows
            else:
                problems.append(problem(sheet.ref(r, first_col), "E516",
                                        f"这一行有数字，但没有科目编码{f'（“{lead}”）' if lead else ''}"))
                continue
        _fill(table, row, columns, problems)
        table.rows.append(row)
    _repeated_blocks(table, problems)


# A 预算单位 column: the unit each row belongs to (not 单位资金, an amount)
UNIT_COLUMN = re.compile(r"(?:预算)?(?:单位|部门)(?:名称|编码|代码)?")
CODE_CELL = re.compile(r"(\d{3}(?:\d{2}){0,2})(?:\s*[-－—_:：\s]\s*(.*))?")


def _key_column(code_cols: list[int], paths: dict[int, tuple[str, ...]], scope: str) -> int | None:
    """Of several classification columns side by side (功能分类 × 政府经济分类 × 部门经济分类),
    the one the table's rows are keyed by: 部门 economic codes in an economic table, else the
    function codes; the others are labels."""
    if len(code_cols) < 2:
        return code_cols[0] if code_cols else None
    words = {c: "".join(paths[c]) for c in code_cols}
    if scope == "economic":
        prefer = [c for c in code_cols if "经济" in words[c] and "政府" not in words[c]] or \
            [c for c in code_cols if "经济" in words[c]]
    else:
        prefer = [c for c in code_cols if "功能" in words[c]] or \
            [c for c in code_cols if "经济" not in words[c]]
    return (prefer or code_cols)[0]


def _code_cell(raw: object) -> tuple[str | None, str]:
    """A code cell: the code alone ("2050303"), or code and name in one ("2050303-技校教育")."""
    if raw is None:
        return None, ""
    if m := CODE_CELL.fullmatch(str(raw).strip()):
        return m.group(1), norm(m.group(2) or "")
    return None, ""


def _repeated_blocks(table: Table, problems: list[Problem]) -> None:
    """The same code on several rows. When the rows fall into blocks that each hold their
    own 类/款 rows (one block per 预算单位, or one row per pair of codes of a table crossing two
    classifications), a code's figure is the sum of its rows — or, when the first block is
    the sum of the others (the department's total over its units' rows), the first block's.
    Anything else (a row typed twice) is left for the cross-checks to report (E532)."""
    coded = [r for r in table.rows if r.code]
    if len({r.code for r in coded}) == len(coded):
        return
    blocks: list[list[Row]] = [[]]
    for r in coded:
        if any(x.code == r.code for x in blocks[-1]):
            blocks.append([])
        blocks[-1].append(r)
    codes = {r.code for r in coded}
    for block in blocks:
        inside = {r.code for r in block}
        for r in block:
            assert r.code is not None
            parents = [r.code[:n] for n in (3, 5) if n < len(r.code)]
            if any(p in codes and p not in inside for p in parents):
                return  # a row out of its block: a duplicate, not a block structure
    summed: dict[str, Row] = {}
    for r in coded[len(blocks[0]):]:
        assert r.code is not None
        summed[r.code] = _added(summed[r.code], r) if r.code in summed else r
    first = {r.code or "": r for r in blocks[0]}
    if set(first) >= set(summed) and all(
            _same_amounts(first[c], summed.get(c)) for c in first):
        kept = set(map(id, blocks[0]))  # the department's total, then its units: the total
        table.rows = [r for r in table.rows if not r.code or id(r) in kept]
        return
    merged: dict[str, Row] = {}
    for r in coded:
        assert r.code is not None
        merged[r.code] = _added(merged[r.code], r) if r.code in merged else r
    out, placed = [], set()
    for r in table.rows:
        if not r.code:
            out.append(r)
        elif r.code not in placed:
            placed.add(r.code)
            out.append(merged[r.code])
    table.rows = out


def _added(a: Row, b: Row) -> Row:
    amounts = dict(a.amounts)
    for k, x in b.amounts.items():
        y = amounts.get(k)
        amounts[k] = x if y is None else Amount(y.value + x.value, y.unit, y.ref, y.blank and x.blank)
    return Row(a.row, a.code, a.name, a.label, a.total, amounts)


def _same_amounts(a: Row, b: Row | None) -> bool:
    if b is None:
        return all(not x.value for x in a.amounts.values())
    keys = set(a.amounts) | set(b.amounts)
    return all((a.amounts[k].value if k in a.amounts else 0) == (b.amounts[k].value if k in b.amounts else 0)
               for k in keys)


def _code_from_parts(sheet: Sheet, r: int, parts: dict[str, int], upper: dict[str, str]) -> str | None:
    """类/款/项 columns → one code. A 款 or 项 cell may hold the whole code ("20106") or only
    its own digits ("06", or 6 as a number); a blank 类 or 款 on a lower row repeats the last."""
    got = {}
    for part, width in (("类", 3), ("款", 2), ("项", 2)):
        raw = sheet.raw(r, parts[part]) if part in parts else None
        text = "" if raw is None else str(raw).strip()
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            text = str(int(raw)).zfill(width) if len(str(int(raw))) <= width else str(int(raw))
        elif part != "类" and text.isdigit() and len(text) < width:
            text = text.zfill(width)  # printed without its leading zero: "2" for 款 02
        got[part] = text
    if not any(got.values()) or not all(t.isdigit() for t in got.values() if t):
        return None
    c3, c5, c7 = got["类"], got["款"], got["项"]
    if len(c7) == 7:
        code = c7
    elif len(c5) == 5:
        code = c5 + c7
    elif c5:  # a 类 cut short ("7" for 210, its cell too narrow) is the rows' above
        code = (c3 if len(c3) == 3 or not upper.get("类") else upper["类"]) + c5 + c7
    elif c7:
        code = (upper["款"] if not c3 or upper["款"].startswith(c3) else "") + c7
    else:
        code = c3
    if not _is_code(code):
        return None
    upper["类"] = code[:3]
    if len(code) >= 5:
        upper["款"] = code[:5]
    return code


def _paired(table: Table, paths: dict[int, tuple[str, ...]], rename: dict[str, str], body: int,
            problems: list[Problem]) -> None:
    sides: dict[str, list[int]] = {"left": [], "right": []}
    for c, path in paths.items():
        side = "left" if "收入" in path[0] else "right" if "支出" in path[0] else None
        if side is None:
            problems.append(problem(table.sheet.ref(1, c), "W513",
                                    f"不认识的列“{'／'.join(path)}”，其数字未导入", Severity.warning))
            continue
        sides[side].append(c)
    for side, cols in sides.items():
        label = next((c for c in cols if paths[c][-1] == "项目"), None)
        if label is None:
            problems.append(problem(table.sheet.ref(body, cols[0] if cols else 1), "E515",
                                    f"找不到{'收入' if side == 'left' else '支出'}一侧的“项目”列"))
            continue
        columns = _money_columns(table, {c: paths[c][1:] or paths[c] for c in cols}, rename,
                                 {label}, problems)
        out = table.left if side == "left" else table.right
        for r in range(body, table.sheet.max_row + 1):
            text = norm(table.sheet.text(r, label))
            text = rename.get(text, text)  # a region's own line words (import_labels)
            if not text and _blank(table, r, columns):
                continue
            if NOTE.search(text):
                continue
            row = Row(r, label=text)
            _fill(table, row, columns, problems)
            out.append(row)


def _three_public(table: Table, paths: dict[int, tuple[str, ...]], rename: dict[str, str],
                  body: int, problems: list[Problem]) -> None:
    """One row per year ("2025年预算数", "2026年预算数"), or the two years side by side, their
    columns under a header naming each year: then each sheet row gives a row per year."""
    label = next((c for c, p in paths.items() if p[-1] in ("项目", "年度", "预算年度")), None)
    skip = {c for c, p in paths.items() if UNIT_COLUMN.fullmatch(p[-1])} | ({label} if label else set())
    # an item printed by fund source (因公出国（境）费 > 一般公共预算 | 政府性基金预算 | …): the
    # item is the sum of its sources' columns
    parts: dict[int, list[int]] = {}
    first_of: dict[tuple[str, ...], int] = {}
    for c, p in sorted(paths.items()):
        if c not in skip and len(p) > 1 and p[-1] in SOURCES and column_key(p[:-1], rename):
            at = first_of.setdefault(p[:-1], c)
            parts.setdefault(at, []).append(c)
            if at != c:
                skip.add(c)
    paths = {c: (p[:-1] if c in parts else p) for c, p in paths.items()}
    by_year: dict[str, dict[int, tuple[str, ...]]] = {}
    for c, p in paths.items():
        if c not in skip and (y := next((m.group(0) for x in p if (m := _YEAR_GROUP.search(x))), None)):
            by_year.setdefault(y, {})[c] = tuple(x for x in p if not _YEAR_GROUP.search(x))
    if len(by_year) > 1:
        groups = [(y, _money_columns(table, cols, rename, set(), problems)) for y, cols in by_year.items()]
    else:
        groups = [("", _money_columns(table, paths, rename, skip, problems))]
    for r in range(body, table.sheet.max_row + 1):
        text = norm(table.sheet.text(r, label)) if label else ""
        if CHANGE_ROW.search(text):
            continue  # 增减变化金额: this year less last year, no figure of its own
        for year, columns in groups:
            if _blank(table, r, columns) and not text:
                continue
            row = Row(r, label=year or text)
            _fill(table, row, columns, problems)
            for c, key in columns.items():
                if len(parts.get(c, ())) > 1 and key in row.amounts:
                    summed = [a for x in parts[c] if (a := _amount(table, r, x, problems)) is not None]
                    first = row.amounts[key]
                    row.amounts[key] = Amount(sum((a.value for a in summed), Decimal(0)), first.unit,
                                              first.ref, all(a.blank for a in summed))
            table.rows.append(row)


def _fixed_lines(table: Table, paths: dict[int, tuple[str, ...]], body: int, spec: TableSpec) -> None:
    """A table of fixed lines, each one figure (行政经费, “三公”经费, 其中：因公出国（境）支出 …):
    a row is the declared line its label names; its figure is in the first column declared
    `current` (this year) or `prior` (last year), found by its header label."""
    def words(text: str) -> str:
        return norm(re.sub(r"^\s*其中[：:]", "", norm(text)))

    wanted = {words(x.label): f for x in spec.rows.lines if x.label and (f := line_figure(x))}
    leaves = {norm(c.label): c.measure for c in spec.leaves() if c.measure in ("current", "prior")}
    columns: dict[str, int] = {}
    for c, p in sorted(paths.items()):
        if (m := leaves.get(p[-1])) and m not in columns:
            columns[m] = c
    label = next((c for c, p in sorted(paths.items()) if c not in columns.values()), None)
    if label is None or not columns:
        return
    for r in range(body, table.sheet.max_row + 1):
        figure = wanted.get(words(table.sheet.text(r, label, merged=True)))
        if figure is None:
            continue
        row = Row(r, label=figure)
        for measure, c in columns.items():
            if (a := _amount(table, r, c, [])) is not None:
                row.amounts[measure] = a
        table.rows.append(row)


_YEAR_GROUP = re.compile(r"\d{4}年|上年|本年")
CHANGE_ROW = re.compile(r"增减|变化|差额")


def _transfers(table: Table, paths: dict[int, tuple[str, ...]], rename: dict[str, str],
               body: int, problems: list[Problem]) -> None:
    name_col = next((c for c, p in paths.items() if "名称" in p[-1] or p[-1] == "项目"), None)
    code_col = next((c for c, p in paths.items() if "编码" in p[-1]), None)
    skip = {c for c in (name_col, code_col) if c}
    columns = _money_columns(table, paths, rename, skip, problems)
    for r in range(body, table.sheet.max_row + 1):
        name = table.sheet.text(r, name_col) if name_col else ""
        raw = table.sheet.raw(r, code_col) if code_col else None
        if not name and _blank(table, r, columns) or NOTE.search(norm(name)):
            continue
        row = Row(r, str(raw).strip() if raw is not None else None, name.strip(), norm(name),
                  total=norm(name) in TOTAL_ROWS)
        _fill(table, row, columns, problems)
        table.rows.append(row)


__all__ = ["SOURCES", "Amount", "Row", "Table", "read_table"]
