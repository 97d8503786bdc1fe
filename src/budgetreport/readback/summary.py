"""Many publications at once: `verify` over a folder (a finance bureau checking every
department's published PDF) gives one line per document — tables read, findings — and can
write the whole as an HTML report with each document's findings under its line.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from ..common.problems import BudgetError, Problem, Severity


@dataclass
class Checked:
    """One document verified: its tables, its findings, or why it could not be read."""

    name: str
    pages: int = 0
    tables: int = 0
    problems: list[Problem] = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)  # not readable: missing, damaged, over a limit

    def count(self, severity: Severity) -> int:
        return sum(1 for p in self.problems if p.severity is severity)

    @property
    def outcome(self) -> str:
        if self.refused:
            return "无法读取"
        if not self.tables:
            return "没有附表"
        errors = self.count(Severity.error)
        return f"{errors} 处不一致" if errors else "一致"


def check_one(pdf: Path, region: str | None = None) -> Checked:
    """`verify` of one PDF without data, with what the summary line needs."""
    from . import verify_document
    from .pdf import read_pdf

    try:
        doc = read_pdf(pdf)
    except BudgetError as exc:
        return Checked(str(pdf), refused=exc.problems)
    return Checked(doc.name, len(doc.pages), len(doc.tables), verify_document(doc, None, region))


def pdfs_in(paths: list[Path]) -> list[Path]:
    """The PDFs named, and those in the folders named (their subfolders too), in order."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.suffix.lower() == ".pdf" and f.is_file())
        else:
            out.append(p)
    return out


HEAD = ("文件", "页数", "附表", "错误", "警告", "结论")


def _row(c: Checked) -> tuple[str, ...]:
    return (c.name, str(c.pages), str(c.tables), str(c.count(Severity.error)),
            str(c.count(Severity.warning)), c.outcome)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def text_table(checked: list[Checked]) -> str:
    """The summary as aligned columns (CJK characters counted double width)."""
    rows = [HEAD, *(_row(c) for c in checked)]
    widths = [max(_width(r[i]) for r in rows) for i in range(len(HEAD))]
    lines = []
    for r in rows:
        cells = [r[0] + " " * (widths[0] - _width(r[0]))]
        cells += [" " * (widths[i] - _width(r[i])) + r[i] for i in range(1, len(r) - 1)]
        cells.append(r[-1])
        lines.append("  ".join(cells))
    errors = sum(c.count(Severity.error) for c in checked)
    clean = sum(1 for c in checked if c.outcome in ("一致", "没有附表"))
    lines.append(f"共 {len(checked)} 个文件：{clean} 个一致或只有文字，错误共 {errors} 处")
    return "\n".join(lines)


CSS = """body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}
th,td{border:1px solid #bbb;padding:.3em .6em;vertical-align:top}td.n{text-align:right}
tr.bad td.o{color:#a00;font-weight:bold}tr.ok td.o{color:#060}details{margin:.2em 0}
li.warning{color:#864}li.hint{color:#555}"""


def html_report(checked: list[Checked], title: str = "预算公开文件核对结果") -> str:
    """The summary as one HTML page: the table, and each document's findings under it."""
    e = html.escape
    rows = []
    for c in checked:
        cls = "ok" if c.outcome in ("一致", "没有附表") else "bad"
        cells = "".join(f'<td class="n">{e(x)}</td>' for x in _row(c)[1:-1])
        found = c.refused or c.problems
        items = "".join(f'<li class="{_level(p)}">{e(_text(p, c.name))}</li>' for p in found)
        detail = f"<details><summary>{len(found)} 条</summary><ol>{items}</ol></details>" if found else ""
        rows.append(f'<tr class="{cls}"><td>{e(c.name)}</td>{cells}<td class="o">{e(c.outcome)}{detail}</td></tr>')
    head = "".join(f"<th>{h}</th>" for h in HEAD)
    return (f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f"<style>{CSS}</style></head><body><h1>{e(title)}</h1>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"<p>{e(text_table(checked).splitlines()[-1])}</p></body></html>\n")


def _level(p: Problem) -> str:
    return {Severity.error: "error", Severity.warning: "warning"}.get(p.severity, "hint")


def _text(p: Problem, name: str) -> str:
    """A finding without the file's name (it heads the line), with its page."""
    text = str(p)
    return text.removeprefix(name).lstrip(":：").strip() or text
