"""`budgetreport diff`: what changed between two versions of a budget file, for a reviewer.

Three views of one change: the input figures that were edited (with the new file's line),
the computed totals that moved because of them, and the sentences of the document whose
wording changed. Either side may be a file or `REV:path` (read with `git show`).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from difflib import SequenceMatcher
from functools import cache
from html import unescape
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, Template

from ..checks.labels import describe, label
from ..checks.validate import Checked, check_file
from ..common.bounds import DATA_BYTES
from ..common.files import write_atomic
from ..common.money import Change, number
from ..common.problems import BudgetError, Loc, Problem
from ..compute.figures import LINE_COLUMNS, Figures, Tree, compute
from ..inputs.load import Source, read
from ..layout.render import render_html
from ..layout.tables import build_tables

NONE = "（无）"


@dataclass(frozen=True)
class Changed:
    """One figure: its name in words, old and new value as shown ("（无）" when absent)."""

    name: str
    old: str
    new: str
    line: int | None = None  # in the NEW file (input figures only)
    path: str = ""  # input figures: the data path, list items by code or name


@dataclass(frozen=True)
class Sentence:
    """A sentence of the document: removed (new None), added (old None) or reworded."""

    old: str | None
    new: str | None


@dataclass
class Report:
    inputs: list[Changed] = field(default_factory=list)
    totals: list[Changed] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    # A side that does not pass `check` still shows its inputs; what could not be computed
    # from it is said (`problems` are its errors).
    problems: list[Problem] = field(default_factory=list)
    computed: bool = True  # the totals could be computed
    worded: bool = True  # the sentences could be rendered


# --- reading a side: a file, or a file as it was in a git revision ---------------------


def load_side(spec: str) -> Checked:
    """Read and validate `spec`: a data file, or "REV:path" taken from git. A file that
    fails the model keeps its plain data (`source`), whose changes can still be shown."""
    rev, sep, path = spec.partition(":")
    if Path(spec).exists() or not (sep and rev and path):
        file, content, name = Path(spec), None, None
    else:
        file, content, name = Path(path), _git_show(rev, path, spec), spec
    checked = check_file(file, content, name)
    if checked.source is None:
        try:
            checked = replace(checked, source=read(file, content, name))
        except BudgetError:
            pass  # not readable at all: its problems say why
    return checked


def _git_show(rev: str, path: str, spec: str) -> bytes:
    def fail(code: str, message: str) -> BudgetError:
        return BudgetError([Problem(spec, 0, 0, code, message)])

    target = Path(path).absolute().resolve()
    folder = next((p for p in target.parents if p.is_dir()), Path.cwd())

    def git(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, check=False)

    try:
        top = git("rev-parse", "--show-toplevel")
    except FileNotFoundError:
        raise fail("E011", "找不到 git 命令，无法读取历史版本") from None
    if top.returncode:
        if m := re.search(rb"dubious ownership in repository at '(.+?)'", top.stderr):
            repo = m[1].decode("utf-8", "replace")
            raise fail("E011", f"git 拒绝读取仓库 {repo}：它属于另一个系统用户（git 的安全检查“safe.directory”）；"
                       "请由仓库的所有者运行，或由其确认后把该仓库登记为安全目录")
        raise fail("E011", f"{folder} 不在 git 仓库中，无法读取版本“{rev}”")
    try:
        inside = target.relative_to(Path(top.stdout.decode().strip()).resolve()).as_posix()
    except ValueError:
        raise fail("E011", f"{path} 不在 git 仓库 {top.stdout.decode().strip()} 中") from None
    if git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode:
        raise fail("E012", f"git 仓库中没有版本“{rev}”")
    size = git("cat-file", "-s", f"{rev}:{inside}").stdout.strip()
    if size.isdigit() and int(size) > DATA_BYTES:  # not read into memory first
        raise fail("E006", f"版本“{rev}”中的文件 {inside} 有 {int(size):,} 字节，"
                   f"超过数据文件的上限 {DATA_BYTES:,} 字节")
    shown = git("show", f"{rev}:{inside}")
    if shown.returncode:
        raise fail("E013", f"版本“{rev}”中没有文件 {inside}")
    return shown.stdout


# --- comparing ---------------------------------------------------------------------------


def diff(old_spec: str, new_spec: str) -> Report:
    return compare(load_side(old_spec), load_side(new_spec))


def compare(old: Checked, new: Checked) -> Report:
    """The three views. A side with errors still shows the changed inputs — a reviewer needs
    them most then — and the totals and sentences where they can still be computed (the
    data read as the model, the region known); raises BudgetError only if a side cannot be
    read at all."""
    errors = old.errors() + new.errors()
    if old.source is None or new.source is None:
        raise BudgetError(errors)
    declared = new.resolved.sections if new.resolved is not None else None
    report = Report(inputs=input_changes(old.source, new.source, declared), problems=errors)
    if not (old.budget and new.budget and old.resolved and new.resolved):
        report.computed = report.worded = False
        return report
    try:
        _computed(report, old, new)
    except BudgetError:
        report.worded = False  # a template or table the inconsistent data trips
    except Exception:  # noqa: BLE001 — figures of data that breaks the rules may not compute
        if not errors:
            raise  # valid data that does not compute is a defect: shown as one
        report.totals, report.computed, report.worded = [], False, False
    return report


def _computed(report: Report, old: Checked, new: Checked) -> None:
    assert old.budget and new.budget and old.resolved and new.resolved
    f_old, f_new = compute(old.budget, old.resolved), compute(new.budget, new.resolved)
    a, b = _figures(f_old), _figures(f_new)
    changed = {k: (a.get(k, NONE), b.get(k, NONE)) for k in [*b, *(k for k in a if k not in b)]
               if a.get(k, NONE) != b.get(k, NONE)}
    # "财政拨款支出：住房保障支出（221）合计" says nothing new when "住房保障支出（221）合计"
    # changed the same way (all spending of one source): keep the shorter line only.
    report.totals = [Changed(k, *v) for k, v in changed.items()
                     if "：" not in k or changed.get(k.split("：", 1)[1]) != v]
    report.sentences = _sentences(_text(f_old, old), _text(f_new, new))


def input_changes(old: Source, new: Source, sections: Mapping[str, Any] | None = None) -> list[Changed]:
    """The input figures that differ, with their line in the new file (no validation
    needed: `import` reports what it wrote even when the file is still incomplete);
    `sections`: the region's data sections, to name their values by their titles."""
    out: list[Changed] = []
    _inputs(old.data, new.data, "", (), (), (), "", _Walk(old.data, new.data, new, out, sections))
    return out


def _is_number(v: Any) -> bool:
    return isinstance(v, (Decimal, int)) and not isinstance(v, bool)


def _show(v: Any) -> str:
    return NONE if v is None else ("是" if v else "否") if isinstance(v, bool) else str(v)


@dataclass
class _Walk:
    """The two plain data trees being compared, and where their changes go."""

    old: Any
    new: Any
    src: Source  # the new file: lines are given in it
    out: list[Changed]
    sections: Mapping[str, Any] | None = None

    def add(self, path: str, old: str, new: str, oloc: Loc | None, nloc: Loc | None,
            anchor: Loc) -> None:
        """`oloc`/`nloc`: where the value is in the old/new data (None where it is absent);
        `anchor`: the nearest enclosing path present in the new file, for the line."""
        name = describe(nloc, self.new, sections=self.sections) if nloc is not None \
            else describe(oloc or (), self.old, sections=self.sections)
        self.out.append(Changed(name, old, new, self.src.locate(anchor)[0], path))


def _inputs(old: Any, new: Any, path: str, oloc: Loc | None, nloc: Loc | None, anchor: Loc,
            name: str, walk: _Walk) -> None:
    """Walk two plain data trees; `path` names a value by keys that survive reordering
    (list items by code or name), `oloc`/`nloc` locate it in each tree."""
    if _is_number(old) or _is_number(new):
        if not (_is_number(old) and _is_number(new) and old == new):
            walk.add(path, _show(old), _show(new), oloc, nloc, anchor)
    elif not isinstance(old, (dict, list)) and not isinstance(new, (dict, list)):
        if old != new:  # a text (purpose, reason, name), a date, a choice
            walk.add(path, _show(old), _show(new), oloc, nloc, anchor)
    elif isinstance(old, dict) or isinstance(new, dict):
        o, n = (x if isinstance(x, dict) else {} for x in (old, new))
        for key in [*n, *(k for k in o if k not in n)]:
            ol = (*oloc, key) if oloc is not None and key in o else None
            nl = (*nloc, key) if nloc is not None and key in n else None
            _inputs(o.get(key), n.get(key), f"{path}.{key}" if path else key, ol, nl,
                    nl if nl is not None else anchor, key, walk)
    elif isinstance(old, list) or isinstance(new, list):
        o, n = (_keyed(x if isinstance(x, list) else [], name) for x in (old, new))
        for key in [*n, *(k for k in o if k not in n)]:
            item = f"{path}[{key}]"
            ol = (*oloc, o[key][0]) if oloc is not None and key in o else None
            nl = (*nloc, n[key][0]) if nloc is not None and key in n else None
            here = nl if nl is not None else anchor
            if key in o and key in n:
                _inputs(o[key][1], n[key][1], item, ol, nl, here, "", walk)
            elif key in n and nl is not None:
                walk.add(item, NONE, f"新增：{_summary(n[key][1], nl)}", ol, nl, here)
            elif ol is not None:
                walk.add(item, f"删去：{_summary(o[key][1], ol)}", NONE, ol, nl, here)


def _keyed(items: list[Any], name: str) -> dict[str, tuple[int, Any]]:
    """List items by a stable key — spending by (code, source), economic by code, named
    records by name, anything else (indicators, paragraphs) by position (1-based)."""
    out: dict[str, tuple[int, Any]] = {}
    for i, x in enumerate(items):
        d = x if isinstance(x, dict) else {}
        if name == "spending" and "code" in d:
            key = f"{d['code']}/{d.get('source', 'general_budget')}"
        elif name == "economic" and "code" in d:
            key = str(d["code"])
        elif name in ("projects", "subprojects", "units", "transfers") and "name" in d:
            key = str(d["name"])
        else:
            key = str(i + 1)
        while key in out:  # a repeated key: keep both, in order
            key += "′"
        out[key] = (i, x)
    return out


def _summary(item: Any, loc: Loc) -> str:
    if isinstance(item, dict):
        nums = [f"{label((*loc, k)) or k} {v}" for k, v in item.items() if _is_number(v)]
        return "，".join(nums) or str(item.get("name", "…"))
    text = str(item)
    return text if len(text) <= 40 else text[:40] + "…"


# --- computed figures, flattened to Chinese name → shown value ---------------------------

COLUMNS = {"total": "合计", "basic": "基本支出", "personnel": "人员经费",
           "public": "公用经费", "project": "项目支出"}
PROCUREMENT = {"goods": "政府采购货物预算", "works": "政府采购工程预算",
               "services": "政府采购服务预算", "total": "政府采购预算合计"}


def _figures(f: Figures) -> dict[str, str]:
    out: dict[str, str] = {"收入总计": number(f.income["total"]),
                           "本年收入合计": number(f.income["this_year"]),
                           "财政拨款收入": number(f.income["fiscal"])}
    out |= {name: number(f.income[key]) for key, name in f.source_names.items()}
    for subject, ch in (("收入总计", f.income_change), ("财政拨款收入", f.fiscal_change),
                        ("支出合计", f.spending_change), ("基本支出", f.basic_change),
                        ("项目支出", f.project_change), ("一般公共预算拨款支出", f.general_change),
                        ("政府性基金预算拨款支出", f.gov_fund_change),
                        ("国有资本经营预算拨款支出", f.state_capital_change)):
        _change(out, subject, ch)
    _tree(out, "", f.spending)
    out["非财政拨款支出"] = number(f.nonfiscal_spending)
    _tree(out, "财政拨款支出：", f.fiscal)
    for key, t in f.by_source.items():
        _tree(out, f.source_names[key].removesuffix("收入") + "支出：", t)
    _tree(out, "基本支出经济分类：", f.economic)
    for tree, changes in ((f.spending, f.class_changes), (f.economic, f.economic_changes)):
        names = {r.code: f"{r.name}（{r.code}）" for r in tree.level(1)}
        for code, ch in changes.items():
            _change(out, names[code], ch)
    for item in (*f.three_public.values(), *([f.running_costs] if f.running_costs else [])):
        out[item.name] = number(item.amount)
        _change(out, item.name, item.change)
    out |= {PROCUREMENT[k]: number(v) for k, v in f.procurement.items()}
    out["实行绩效目标管理的项目数"] = str(f.performance_count)
    out["绩效目标管理涉及资金"] = number(f.performance_amount)
    return out


def _change(out: dict[str, str], subject: str, ch: Change | None) -> None:
    if ch is not None:
        out[f"{subject}比上年增减额"] = number(ch.delta)
        sign = "-" if ch.delta < 0 else ""  # the rate is signed as the amount is
        out[f"{subject}比上年增减率"] = "—" if ch.pct is None else f"{sign}{ch.pct:f}%"


def _tree(out: dict[str, str], prefix: str, tree: Tree) -> None:
    columns = [c for c in LINE_COLUMNS if c in tree.totals]
    for c in columns:
        out[prefix + ("支出合计" if c == "total" else COLUMNS[c])] = number(tree[c])
    for row in tree.rows:
        for c in columns:
            out[f"{prefix}{row.name}（{row.code}）{COLUMNS[c]}"] = number(row[c])


# --- sentences of the rendered document --------------------------------------------------


TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL)
PARAGRAPH = re.compile(r"<(p|h[1-4])\b[^>]*>(.*?)</\1>", re.DOTALL)
SENTENCE = re.compile(r"[^。；]*[。；]|[^。；]+$")


def _text(f: Figures, checked: Checked) -> list[str]:
    """The sentences of the document's <p> and <h1>–<h4>, split after 。 and ；. Tables are
    left out (they are compared as figures). A regular expression is enough: the HTML is our
    own templates' output, and these elements do not nest."""
    assert checked.resolved is not None
    html = TABLE.sub("", render_html(f, checked.resolved, build_tables(f, checked.resolved)))
    paragraphs = (" ".join(unescape(re.sub(r"<[^>]+>", "", m[2])).split())
                  for m in PARAGRAPH.finditer(html))
    return [s.strip() for t in paragraphs for s in SENTENCE.findall(t) if s.strip()]


def _sentences(old: list[str], new: list[str]) -> list[Sentence]:
    out: list[Sentence] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op != "equal":
            out += _pair(old[i1:i2], new[j1:j2])
    return out


def _pair(old: list[str], new: list[str]) -> list[Sentence]:
    """Pair each removed sentence with the next added one that resembles it."""
    out: list[Sentence] = []
    j = 0
    for s in old:
        k = next((k for k in range(j, len(new))
                  if SequenceMatcher(None, s, new[k], autojunk=False).ratio() >= 0.5), None)
        if k is None:
            out.append(Sentence(s, None))
            continue
        out += [Sentence(None, t) for t in new[j:k]] + [Sentence(s, new[k])]
        j = k + 1
    return out + [Sentence(None, t) for t in new[j:]]


def _marks(old: str, new: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Both sentences as (text, changed) runs, from a character-level diff."""
    a: list[tuple[str, bool]] = []
    b: list[tuple[str, bool]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if i2 > i1:
            a.append((old[i1:i2], op != "equal"))
        if j2 > j1:
            b.append((new[j1:j2], op != "equal"))
    return a, b


# --- output ------------------------------------------------------------------------------

HEADINGS = ("输入数据的变化", "计算结果的变化", "文中变化的句子")


def format_text(report: Report, *, inputs_only: bool = False) -> str:
    """The report as text; `inputs_only` for a file that does not pass `check` yet, whose
    totals and sentences cannot be computed."""
    def figure(c: Changed) -> str:
        path = f"（{c.path}）" if c.path else ""
        return f"  {f'第{c.line}行  ' if c.line else ''}{c.name}{path}：{_clip(c.old)} → {_clip(c.new)}"

    def sentence(s: Sentence) -> str:
        if s.old and s.new:
            return f"  原：{s.old}\n  新：{s.new}"
        return f"  删去：{s.old}" if s.old else f"  新增：{s.new}"

    sections = (map(figure, report.inputs), map(figure, report.totals),
                map(sentence, report.sentences))
    missing = ("", "" if report.computed else not_computed(report),
               "" if report.worded else not_computed(report))
    shown = zip(HEADINGS[:1] if inputs_only else HEADINGS, map(list, sections), missing, strict=False)
    return "\n\n".join(heading + "\n" + ("\n".join(lines) or f"  {why or '无变化'}")
                       for heading, lines, why in shown) + "\n"


def not_computed(report: Report) -> str:
    """Why a view is missing: the side(s) whose errors stop it."""
    files = list(dict.fromkeys(p.file for p in report.problems))
    which = "、".join(files) if files else "数据"
    return f"（{which} 有 {len(report.problems)} 个错误，无法得出；请先运行 check 改正）"


def _clip(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[:size] + "…"


def format_html(report: Report, old_label: str, new_label: str) -> str:
    sentences = [_marks(s.old, s.new) if s.old and s.new else
                 ([(s.old, False)] if s.old else [], [(s.new, False)] if s.new else [])
                 for s in report.sentences]
    return _page().render(r=report, sentences=sentences, headings=HEADINGS,
                          old_label=old_label, new_label=new_label,
                          missing="" if report.computed and report.worded else not_computed(report))


@cache
def _page() -> Template:
    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True)
    return env.from_string(_PAGE)


def write_html(path: Path, report: Report, old_label: str, new_label: str) -> None:
    write_atomic(path, format_html(report, old_label, new_label).encode("utf-8"))


_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>预算数据变化：{{ old_label }} → {{ new_label }}</title>
<style>
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif;
       max-width: 64em; margin: 2em auto; padding: 0 1em; line-height: 1.7; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; border-bottom: 1px solid #ccc; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ddd; padding: .2em .5em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; white-space: nowrap; }
.old { color: #b00020; text-decoration: line-through; } .new { color: #1b6e20; }
.old mark { background: #fbd0d5; color: inherit; }
.new mark { background: #c8eac9; color: inherit; }
.sentence { margin: .8em 0; padding: .3em .8em; border-left: 3px solid #ccc; }
.sentence p { margin: .2em 0; } .none { color: #595959; }
code.path { color: #595959; font-size: .85em; }
</style>
</head>
<body>
<main>
<h1>预算数据变化</h1>
<p>原：<code>{{ old_label }}</code><br>新：<code>{{ new_label }}</code></p>
{% macro figures(items, lines) %}
{% if items %}
<table>
<thead><tr>{% if lines %}<th scope="col">行</th>{% endif %}<th scope="col">项目</th>
<th scope="col">原值</th><th scope="col">新值</th></tr></thead>
<tbody>
{% for c in items %}
<tr>{% if lines %}<td class="num">{{ c.line or "" }}</td>{% endif %}<td>{{ c.name }}
{%- if c.path %}<br><code class="path">{{ c.path }}</code>{% endif %}</td>
<td class="num old">{{ c.old }}</td><td class="num new">{{ c.new }}</td></tr>
{% endfor %}
</tbody>
</table>
{% else %}
<p class="none">无变化</p>
{% endif %}
{% endmacro %}
{% macro runs(cls, parts) %}
{% if parts %}<p class="{{ cls }}">{% for text, changed in parts -%}
{% if changed %}<mark>{{ text }}</mark>{% else %}{{ text }}{% endif %}{% endfor %}</p>{% endif %}
{% endmacro %}
<section id="inputs"><h2>一、{{ headings[0] }}</h2>
{{ figures(r.inputs, true) }}</section>
<section id="totals"><h2>二、{{ headings[1] }}</h2>
{% if r.computed %}{{ figures(r.totals, false) }}{% else %}<p class="none">{{ missing }}</p>{% endif %}
</section>
<section id="sentences"><h2>三、{{ headings[2] }}</h2>
{% for old, new in sentences %}
<div class="sentence">{{ runs("old", old) }}{{ runs("new", new) }}</div>
{% else %}
<p class="none">{{ "无变化" if r.worded else missing }}</p>
{% endfor %}
</section>
{% if r.problems %}<section id="problems"><h2>未通过校验的问题</h2>
<ul>{% for p in r.problems %}
<li>{{ p.file }}{% if p.line %}:{{ p.line }}{% endif %}：{{ p.message }} [{{ p.code }}]</li>
{% endfor %}</ul>
</section>{% endif %}
</main>
</body>
</html>
"""
