"""Import stage 2: which sheet is which table of the region's set, by its title.

A sheet is recognised by its name or by its title row, each compared without the
platform's code prefix ("3.15"), the year and the 部门/单位 wording (`labels.title_key`).
Unknown visible sheets and hidden sheets are listed and left unread; a table of the set that
no sheet carries is an error, since its figures would silently keep their old values.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from ..common.problems import Problem, Severity
from ..inputs.declared import TableSpec
from .labels import inverse_labels, loose, norm, title_key, titles_by_key
from .sheets import Kind, Table, declared_kind, declared_labels, derived_lines, heading, read_table
from .workbook import Book, problem

UNKNOWN_YEAR = 2000  # titles are matched without their year; messages leave it out


def _title(settings: Mapping[str, Any], key: str) -> str:
    """A table's title as messages show it: without the year when the year is unknown."""
    return re.sub(rf"^{UNKNOWN_YEAR}年度?", "", settings["table_titles"][key])


def table_keys(book: Book, settings: Mapping[str, Any]) -> list[str | None]:
    """Each sheet's table key in the region's set, by its name or title (None: not one of them)."""
    titles = titles_by_key(settings)
    loosely: dict[str, str | None] = {}
    for title, table in titles.items():  # a loose title two tables share matches neither
        loosely[loose(title)] = table if loosely.get(loose(title), table) == table else None
    out: list[str | None] = []
    for sheet in book.sheets:
        names = [title_key(sheet.name), title_key(heading(sheet)[0])]
        keys = [titles.get(n) for n in names] + [loosely.get(loose(n)) for n in names if n]
        out.append(next((k for k in keys if k), None))
    return out


def recognise(book: Book, settings: Mapping[str, Any], known: Collection[str] = (),
              declared: Mapping[str, TableSpec] | None = None) -> tuple[list[Table], list[Problem]]:
    """The sheets that are tables of the region's set, read as each one's declaration says
    (`declared`: the region's `tables`; a table without one is read as its header looks);
    `known` names sheets that are no table but not unknown either (an official workbook's
    cover, contents and texts)."""
    kinds: dict[str, tuple[Kind | None, str]] = {k: declared_kind(s) for k, s in (declared or {}).items()}
    sheet_word = "附表" if book.name.lower().endswith(".pdf") else "工作表"
    problems: list[Problem] = []
    tables: list[Table] = []
    found: dict[str, str] = {}
    unknown: list[str] = []
    for sheet, key in zip(book.sheets, table_keys(book, settings), strict=True):
        if key is None:
            if sheet.values and sheet.name.strip() not in known:
                unknown.append(sheet.name)
            continue
        if key in found and declared and key in declared and declared[key].each:
            continue  # one sheet per record (a 绩效目标表 per project): texts, no figures to read
        if key in found:
            problems.append(problem(f"{book.name}!{sheet.name}", "E521", (
                f"与{sheet_word}“{found[key]}”是同一张表（{_title(settings, key)}），无法确定取哪一张")))
            continue
        found[key] = sheet.name
        kind, scope = kinds.get(key, (None, ""))
        words = (declared_labels(declared[key]) if declared and key in declared else {}) \
            | inverse_labels(settings, key)  # the region's own rewording wins
        table = read_table(key, sheet, words, kind, problems, scope,
                           declared.get(key) if declared else None)
        if declared and key in declared:  # lines the region computes otherwise: not read as figures
            derived = derived_lines(declared[key])
            table.left = [r for r in table.left if norm(r.label) not in derived]
            table.right = [r for r in table.right if norm(r.label) not in derived]
        tables.append(table)
    if unknown:
        problems.append(problem(book.name, "W520", (
            f"不认识的{sheet_word}，未导入：{'、'.join(unknown)}（本地区的附表为："
            f"{'、'.join(_title(settings, k) for k in settings['tables'])}）"), Severity.warning))
    if book.hidden:
        problems.append(problem(book.name, "W521", f"隐藏的工作表，未读取：{'、'.join(book.hidden)}",
                                Severity.warning))
    if not found:
        problems.append(problem(book.name, "E524", (
            f"没有一张{sheet_word}是本地区（{settings.get('name', '')}）的附表：按表题应有"
            f"{'、'.join(_title(settings, k) for k in settings['tables'])}；"
            f"{'PDF' if sheet_word == '附表' else '工作簿'}属于别的地区时请用 --region 指明")))
        return tables, problems
    missing = [k for k in settings["tables"] if k not in found and kinds.get(k, (None, ""))[0] != "skip"]
    for key in missing:
        problems.append(problem(book.name, "E522", (
            f"缺少{sheet_word}“{_title(settings, key)}”：其中的数字无法导入，也无法与其他表核对")))
    return tables, problems
