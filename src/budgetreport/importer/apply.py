"""Import stage 5: the imported figures written into a data file's YAML tree, in place.

The tree is ruamel's round-trip tree, so texts, comments and key order stay the user's. A
figure is replaced only when it differs from the workbook's at the precision the workbook
shows (a file in 元 under a 万元 table keeps its 元). A figure that cannot be placed without
inventing a split (a changed 基本支出 with no 人员/公用 figures) is a problem, not a guess.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

from ..common.money import round_to
from ..common.problems import Problem, Severity
from ..inputs.model import UNIT_FACTOR
from .mapping import Imported, Line
from .sheets import Amount
from .workbook import problem


def in_unit(a: Amount, unit: str) -> Decimal | int:
    """The workbook figure in the file's unit, exact; whole 元 as an integer, otherwise with
    at least two decimals (as the samples write 78.00)."""
    v = a.value * UNIT_FACTOR[unit] / UNIT_FACTOR["元"]
    if unit == "元" and v == v.to_integral_value():
        return int(v)
    text = f"{v.normalize():f}"
    whole, _, frac = text.partition(".")
    return Decimal(f"{whole}.{frac.ljust(2, '0')}")


def differs(old: Any, a: Amount, unit: str) -> bool:
    """Does the file's figure differ from the workbook's, as the workbook shows figures?"""
    if not isinstance(old, (int, Decimal)) or isinstance(old, bool):
        return True
    yuan = Decimal(old) * UNIT_FACTOR["元"] / UNIT_FACTOR[unit]
    return round_to(yuan, a.step) != round_to(a.value, a.step)


def _num(node: Any, key: str) -> Decimal:
    v = node.get(key) if isinstance(node, dict) else None
    return Decimal(v) if isinstance(v, (int, Decimal)) and not isinstance(v, bool) else Decimal(0)


@dataclass
class Writer:
    root: CommentedMap
    unit: str
    data_name: str
    line_of: Callable[[tuple[str | int, ...]], int]
    fresh: bool = False  # a new file (-o): under-determined figures are left to fill in
    catalogued: builtins.set[str] = field(default_factory=set)  # codes named by the catalogue
    problems: list[Problem] = field(default_factory=list)

    def set(self, node: CommentedMap, key: str, a: Amount, absent_is_zero: bool = True) -> None:
        if key not in node and absent_is_zero and not a.value:
            return  # an amount left out is 0 already
        if differs(node.get(key), a, self.unit):
            node[key] = in_unit(a, self.unit)

    def where(self, loc: tuple[str | int, ...]) -> str:
        return f"{self.data_name}:{self.line_of(loc)}"

    # --- the sections -----------------------------------------------------------------

    def income(self, imp: Imported) -> None:
        node = self.root.setdefault("income", CommentedMap())
        for source, a in imp.income.items():
            if source in node or a.value:
                self.set(node, source, a)

    def carry_forward(self, imp: Imported) -> None:
        if imp.carry_forward is not None and ("carry_forward" in self.root or imp.carry_forward.value):
            self.set(self.root, "carry_forward", imp.carry_forward)

    def three_public(self, imp: Imported) -> None:
        node = self.root.get("three_public")
        if not isinstance(node, CommentedMap):
            node = self.root["three_public"] = CommentedMap()
        for item, figs in imp.three_public.items():
            target = node.get(item)
            if not isinstance(target, CommentedMap):
                target = node[item] = CommentedMap()
            for key, a in figs.items():
                self.set(target, key, a, absent_is_zero=key != "prior")

    def transfers(self, imp: Imported) -> None:
        if imp.transfers is None:
            return
        seq = self.root.get("transfers")
        if not isinstance(seq, CommentedSeq):
            seq = self.root["transfers"] = CommentedSeq()
        names = [str(x.get("name")) if isinstance(x, CommentedMap) else "" for x in seq]
        wanted = [name for name, _, _ in imp.transfers]
        for i in reversed(range(len(seq))):
            if names[i] not in wanted:
                del seq[i]
        for name, code, a in imp.transfers:
            item = next((x for x in seq if isinstance(x, CommentedMap) and x.get("name") == name), None)
            if item is None:
                item = CommentedMap(name=name)
                if code:
                    item["code"] = Quoted(code)
                seq.append(item)
            self.set(item, "amount", a)

    def lines(self, section: str, lines: list[Line] | None, covered: builtins.set[str],
              key: Callable[[dict[str, Any]], str], fields: tuple[str, ...]) -> None:
        """Update the list `section` (spending or economic) by its key; add the lines the
        workbook has and the file has not; drop nonzero lines the workbook leaves out."""
        if lines is None:
            return
        seq = self.root.get(section)
        if not isinstance(seq, CommentedSeq):
            seq = self.root[section] = CommentedSeq()
        for i in reversed(range(len(seq))):  # a skeleton's placeholder line
            if isinstance(seq[i], CommentedMap) and seq[i].get("code") is None:
                del seq[i]
        groups: dict[str, list[int]] = {}
        for i, item in enumerate(seq):
            groups.setdefault(key(item), []).append(i)
        wanted = {f"{ln.code}/{ln.source}" if ln.source else ln.code: ln for ln in lines}
        for k, ln in wanted.items():
            at = groups.get(k, [])
            if len(at) == 1:
                self.update(seq[at[0]], ln, (section, at[0]))
            elif at:
                self.group(seq, at, ln, section)
            else:
                self.add(seq, ln, fields, section)
        drop = [i for k, at in groups.items() if k not in wanted
                and (k.partition("/")[2] in covered or "/" not in k)
                and any(_num(seq[i], f) for i in at for f in ("personnel", "public", "project", "basic"))
                for i in at]
        for i in sorted(drop, reverse=True):  # by index, so the other lines keep their comments
            del seq[i]

    def update(self, item: CommentedMap, ln: Line, loc: tuple[str | int, ...]) -> None:
        f = ln.figures
        if "project" in f:
            self.set(item, "project", f["project"])
        split = item.get("personnel") is not None or item.get("public") is not None
        if "personnel" in f and "public" in f:
            if not split and item.get("basic") is not None and not differs(item["basic"], f["basic"], self.unit):
                return  # the file gives 基本支出 unsplit and it agrees: keep it so
            self.set(item, "personnel", f["personnel"])
            self.set(item, "public", f["public"])
            item.pop("basic", None)
            return
        basic = _num(item, "personnel") + _num(item, "public") if split else _num(item, "basic")
        if "basic" in f and differs(basic, f["basic"], self.unit):
            # the workbook gives 基本支出 without its 人员/公用 split: the old split no longer
            # holds and a new one would be invented, so the line keeps 基本支出 only
            at = list(item).index("personnel") if "personnel" in item else len(item)
            for key in ("personnel", "public"):
                item.pop(key, None)
            if f["basic"].value:
                item.insert(min(at, len(item)), "basic", in_unit(f["basic"], self.unit))
            else:
                item.pop("basic", None)
        elif "basic" not in f and "total" in f and differs(basic + _num(item, "project"), f["total"], self.unit):
            self.problems.append(problem(f["total"].ref, "E551", (
                f"“{ln.name or ln.code}”（{ln.code}）{_source_words(ln.source)}合计为 {f['total'].shown()}，"
                f"工作簿没有给出其基本支出与项目支出的划分，请在数据文件（{self.where(loc)}）中填写")))

    def group(self, seq: CommentedSeq, at: list[int], ln: Line, section: str) -> None:
        """Several lines of one code and source: unchanged when their sums agree."""
        for f, a in ln.figures.items():
            got = sum((_num(seq[i], x) for i in at for x in _parts(f)), Decimal(0))
            if differs(got, a, self.unit):
                self.problems.append(problem(a.ref, "E552", (
                    f"数据文件中 {ln.code}{_source_words(ln.source)}有{len(at)}行（{self.where((section, at[0]))}），"
                    f"其{_WORDS.get(f, f)}之和 {got}{self.unit} 与工作簿 {a.shown()} 不同，无法确定修改哪一行")))
                return

    def add(self, seq: CommentedSeq, ln: Line, fields: tuple[str, ...], section: str) -> None:
        f = ln.figures
        if section == "spending" and not ("personnel" in f and "public" in f):
            fields = ("basic", "project")  # 基本支出 given without its split
        missing = [x for x in fields if x not in f]
        words = (f"科目“{ln.name or ln.code}”（{ln.code}）{_source_words(ln.source)}：工作簿没有给出其"
                 f"{'、'.join(_WORDS[x] for x in missing)}")
        if missing and not self.fresh:
            self.problems.append(problem(next(iter(f.values())).ref, "E553", (
                f"新的{'经济分类' if section == 'economic' else ''}{words}，无法写入数据文件")))
            return
        if missing:  # a new file: the line is written with those figures left to fill in
            self.problems.append(problem(next(iter(f.values())).ref, "W553", f"{words}，已留空待填",
                                         Severity.warning))
        item = CommentedMap(code=Quoted(ln.code))
        if ln.name and ln.code not in self.catalogued:  # else the catalogue's name applies
            item["name"] = ln.name
        if ln.source:
            item["source"] = ln.source
        for x in fields:
            if x in missing:
                item[x] = None
            elif f[x].value or x == fields[-1] and not any(f[y].value for y in fields if y in f):
                item[x] = in_unit(f[x], self.unit)
        at = sum(1 for x in seq if str(x.get("code") or "") <= ln.code)
        seq.insert(at, item)


_WORDS = {"total": "合计", "basic": "基本支出", "personnel": "人员经费", "public": "公用经费",
          "project": "项目支出"}


def _parts(f: str) -> tuple[str, ...]:
    return {"total": ("personnel", "public", "basic", "project"),
            "basic": ("personnel", "public", "basic")}.get(f, (f,))


def _source_words(source: str) -> str:
    from ..inputs.model import SOURCE_NAMES, Source
    return f"（{SOURCE_NAMES[Source(source)]}）" if source else ""


def spending_key(item: dict[str, Any]) -> str:
    return f"{item.get('code')}/{item.get('source') or 'general_budget'}"


def economic_key(item: dict[str, Any]) -> str:
    return str(item.get("code"))


def running_costs(w: Writer, imp: Imported) -> None:
    """A 机关运行经费 the file states as a figure follows the workbook; one the file leaves to
    be computed is compared after writing (`importer._running_costs`). A new file states it
    as published: the region's definition (the 公用经费 of some economic 类) need not be the
    publisher's (a 街道's is not), and the published figure is the one to keep."""
    if imp.running_costs is None:
        return
    node = w.root.get("running_costs")
    if w.fresh and not isinstance(node, CommentedMap):
        node = w.root["running_costs"] = CommentedMap()
    if isinstance(node, CommentedMap) and (w.fresh or node.get("amount") is not None):
        w.set(node, "amount", imp.running_costs, absent_is_zero=False)


def write_figures(w: Writer, imp: Imported) -> None:
    w.income(imp)
    w.lines("spending", imp.lines, imp.covered, spending_key, ("personnel", "public", "project"))
    w.carry_forward(imp)
    w.lines("economic", imp.economic, {""}, economic_key, ("personnel", "public"))
    if w.fresh and imp.economic is None:
        _drop_placeholders(w.root, "economic")  # optional: no economic table read, none written
    w.three_public(imp)
    running_costs(w, imp)
    w.transfers(imp)


def _drop_placeholders(root: CommentedMap, section: str) -> None:
    """A new file's list whose lines are only the skeleton's empty placeholder: left out."""
    seq = root.get(section)
    if isinstance(seq, CommentedSeq) and all(
            isinstance(x, CommentedMap) and x.get("code") is None for x in seq):
        del root[section]


def place_texts(root: CommentedMap, texts: list[Any]) -> Problem:
    """A published PDF's or a filled official workbook's texts (`readback.texts.Placed`)
    into a new file, each under a comment naming its page or sheet, and the warning that
    lists them for review."""
    for t in texts:
        node = root
        for key in t.path[:-1]:
            node = node.setdefault(key, CommentedMap())
        if node.get(t.path[-1]) in ([], {}):  # "projects: []" and its commented template
            node.ca.items.pop(t.path[-1], None)
        node[t.path[-1]] = _tree(t.value)
        node.yaml_set_comment_before_after_key(
            t.path[-1], before=f"取自 {t.pdf} {t.where}，请核对后删去本行", indent=2 * (len(t.path) - 1))
    listed = "、".join(f"{t.words}（{t.where}）" for t in texts)
    source = "工作簿" if texts[0].sheet else "PDF"
    return problem(texts[0].pdf, "W560", f"已从{source}填入以下文字，请逐一核对：{listed}", Severity.warning)


def _tree(value: Any) -> Any:
    if isinstance(value, dict):
        return CommentedMap((k, _tree(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_tree(v) for v in value)
    return value
