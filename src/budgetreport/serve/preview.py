"""What `serve` shows: every center's latest check and its last good rendering.

A `View` is refreshed from the file whenever the file or a template changes (`watch`). The
document is re-rendered whenever the data can be computed — also when a sum disagrees, so
the officer sees the figure she changed — and kept as it was, marked stale, when it cannot
(a YAML syntax error, a schema error, a broken template).
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checks.validate import check_file, expand
from ..common.bounds import special_file
from ..common.problems import BudgetError, Loc, Problem, Severity
from ..compute.figures import LINE_COLUMNS, compute
from ..inputs.resources import shared_folders
from ..layout.render import render_html
from ..layout.tables import build_tables
from ..publish.build import document_problems, html_output, outputs

# The 附表 that shows a data section is the first of the document's tables whose declaration
# draws it (`TableSpec.shows`: its row source, lines and columns): a problem about the section,
# or about a figure with no cell of its own, shows there — never at another cell that happens
# to hold the same amount.
# Sections whose figures are table cells keyed by their data path (tables.Cell.key).
KEYED = ("three_public", "running_costs")


@dataclass
class View:
    """One center as the page shows it."""

    path: Path
    version: int = 0  # bumps on every refresh
    problems: list[Problem] = field(default_factory=list)
    data: Any = None  # the file's plain data when it could be read (for targets and words)
    html: str | None = None  # the last good rendering
    rendered: int = 0  # the version that rendering comes from
    stale: bool = False  # the file changed since, and could not be rendered
    name: str = ""
    year: str = ""
    region: str = ""
    region_name: str = ""  # the region's own name ("上海市"), from its settings
    # the 附表 of the last good rendering: key → the data sections it shows (in document order)
    tables: dict[str, tuple[str, ...]] = field(default_factory=dict)
    mtime: int = 0  # of the file as last read

    @property
    def key(self) -> str:
        return self.path.stem

    def counts(self) -> tuple[int, int]:
        errors = sum(p.severity is Severity.error for p in self.problems)
        return errors, sum(p.severity is Severity.warning for p in self.problems)

    def status(self) -> str:
        errors, warnings = self.counts()
        if errors:
            return f"{errors} 个错误" + (f"、{warnings} 个警告" if warnings else "")
        return f"{warnings} 个警告" if warnings else "通过"


def target(loc: Loc, data: Any, tables: Mapping[str, Sequence[str]] | None = None) -> dict[str, str] | None:
    """Where in the rendered document a problem at `loc` shows, as the page script finds it:
    a 科目 line's row by its code (and the cell of the field), a figure's cell by its data
    path, a text's sentence, or else the 附表 of the section (`tables`: the document's table
    keys, in order, each with the data sections its declaration shows). None when the
    document has no place of its own for it."""
    if not loc:
        return None
    section = loc[0] if isinstance(loc[0], str) else ""
    if section == "sections" and len(loc) >= 2 and isinstance(loc[1], str):
        section = loc[1]  # a region data section: the table drawing its records
    tables = tables or {}
    anchor = next((f"table-{t}" for t, shown in tables.items() if shown[:1] == (section,)), "") or \
        next((f"table-{t}" for t, shown in tables.items() if section in shown), "")
    found: dict[str, str] = {"anchor": anchor} if anchor else {}
    if section in ("spending", "economic") and len(loc) >= 2 and isinstance(loc[1], int):
        line = _at(data, loc[:2])
        if isinstance(line, dict) and line.get("code"):
            key = str(loc[2]) if len(loc) > 2 and loc[2] in LINE_COLUMNS else ""
            return {**found, "code": str(line["code"]), "key": key}
    value = _at(data, loc)
    if isinstance(value, str) and value.strip():
        return {"text": value.strip()[:40]}
    if section in KEYED and len(loc) >= 2:
        return {**found, "path": ".".join(str(part) for part in loc)}
    return found or None


def _declared_key(key: str, declared: Mapping[str, Any]) -> str:
    """The declaration a drawn table comes from: its own key, or `<key>_<n>` of a table drawn
    once per record (`each: project`)."""
    if key in declared:
        return key
    stem, _, n = key.rpartition("_")
    return stem if n.isdigit() and stem in declared else ""


def _at(data: Any, loc: Loc) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


class Preview:
    """The data files of one folder, kept checked and rendered; thread-safe."""

    def __init__(self, data_dir: Path, out_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.out_dir = out_dir
        self.templates = shared_folders()  # templates and catalogues, built-in and the workspace's
        self.views: dict[str, View] = {}
        self.generation = 0  # bumps whenever any view changes
        self._changed = threading.Condition()
        self.build_lock = threading.Lock()
        self.ready = threading.Event()  # the watcher is following the files
        for path in self.files():
            self.refresh(path)

    # --- reading ---------------------------------------------------------------------

    def files(self) -> list[Path]:
        """The data files, leaving out any that leads outside the folder (a symlink) or is
        no regular file (a link loop, a FIFO, a folder named *.yaml)."""
        try:
            found = expand([self.data_dir])
        except OSError:  # the folder itself went away or was replaced
            return []
        return [p for p in found if (real := _resolved(p)) is not None
                and real.is_relative_to(self.data_dir) and special_file(p) is None and p.is_file()]

    def view(self, key: str) -> View | None:
        with self._changed:
            return self.views.get(key)

    def all(self) -> list[View]:
        with self._changed:
            return [self.views[k] for k in sorted(self.views)]

    def output_files(self, view: View) -> dict[str, Path]:
        """The center's built outputs that exist, by file name; only inside the output folder."""
        pdf, workbook = outputs(view.path, self.out_dir)
        root = self.out_dir.resolve()
        found = {}
        for path in (pdf, workbook, html_output(view.path, self.out_dir)):
            if path.is_file() and path.resolve().is_relative_to(root):
                found[path.name] = path
        return found

    def built_at(self, view: View) -> str:
        built = _mtime(outputs(view.path, self.out_dir)[0])
        return _clock(built) if built else ""

    def outdated(self, view: View) -> str:
        """When the data file changed after the outputs were built (its time, shown to the
        officer), or "" when the outputs are current or there are none."""
        built = _mtime(outputs(view.path, self.out_dir)[0])
        return _clock(view.mtime) if built and view.mtime > built else ""

    # --- changing --------------------------------------------------------------------

    def refresh(self, path: Path) -> None:
        """Check and render `path` again (outside the lock: it takes a moment), then publish."""
        mtime = _mtime(path)
        checked = check_file(path)
        problems = list(checked.problems)
        html: str | None = None
        keys: dict[str, tuple[str, ...]] = {}
        if checked.budget is not None and checked.resolved is not None:
            try:
                figures = compute(checked.budget, checked.resolved)
                tables = build_tables(figures, checked.resolved)
                html = render_html(figures, checked.resolved, tables, medium="screen")
                declared = checked.resolved.tables
                keys = {t.key: declared[base].shows() if (base := _declared_key(t.key, declared)) else ()
                        for t in tables}
                if not checked.errors():  # what `check` adds to a file whose data holds
                    problems.extend(document_problems(checked, tables))
            except BudgetError as exc:  # a template's error, with its file and line
                problems.extend(exc.problems)
            except Exception as exc:  # noqa: BLE001 — whatever it is, the preview goes on
                name = checked.source.name if checked.source else str(path)
                problems.append(Problem(name, 0, 0, "E900", f"无法生成预览：{_reason(exc)}"))
        with self._changed:
            view = self.views.setdefault(path.stem, View(path))
            view.version += 1
            view.mtime = mtime
            view.problems = problems
            if checked.source is not None:
                view.data = checked.source.data
            if checked.budget is not None:
                dept = checked.budget.department
                view.name, view.year, view.region = dept.name, str(dept.year), dept.region
                view.region_name = str(checked.region.settings.get("name") or dept.region) \
                    if checked.region is not None else dept.region
            if html is not None:
                view.html, view.rendered, view.stale, view.tables = html, view.version, False, keys
            else:
                view.stale = view.html is not None
            self._bump()

    def forget(self, path: Path) -> None:
        with self._changed:
            if self.views.pop(path.stem, None) is not None:
                self._bump()

    def touched(self) -> None:
        """Something that is not a data file changed (a build): tell the pages."""
        with self._changed:
            self._bump()

    def _bump(self) -> None:
        self.generation += 1
        self._changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """Block until the generation passes `seen` or `timeout` seconds pass; return it."""
        with self._changed:
            self._changed.wait_for(lambda: self.generation != seen, timeout)
            return self.generation

    # --- following the files ---------------------------------------------------------

    def apply(self, changed: Iterable[Path]) -> None:
        """Bring the views up to date after `changed` files changed on disk."""
        changed = [real for p in changed if (real := _resolved(Path(p))) is not None]
        current = {real: p for p in self.files() if (real := _resolved(p)) is not None}
        if any(p.is_relative_to(t) for t in self.templates for p in changed):
            targets = list(current.values())  # a template or region setting: every center
        else:
            targets = [current[p] for p in changed if p in current]
        for path in targets:
            self.refresh(path)
        for path in [v.path for v in self.all() if _resolved(v.path) not in current]:
            self.forget(path)

    def watch(self, stop: threading.Event) -> None:
        """Follow the data folder and the templates until `stop` is set (a thread's body).
        `ready` is set once changes are seen; what changed before that is caught up then."""
        import watchfiles

        # Whatever the files become (a link to themselves, a FIFO, a folder; the folder
        # replaced), the watcher goes on: a failed round is told once and the watch restarts.
        told = ""
        while not stop.is_set():
            caught_up = False
            watched = _identity(self.data_dir)
            try:
                for changes in watchfiles.watch(self.data_dir, *self.templates, stop_event=stop,
                                                debounce=100, step=20, rust_timeout=500,
                                                yield_on_timeout=True, raise_interrupt=False):
                    self.ready.set()
                    if _identity(self.data_dir) != watched:  # the folder replaced (or back)
                        self.apply([self.data_dir, *(v.path for v in self.all())])
                        break
                    if (folders := shared_folders()) != self.templates:
                        self.templates = folders  # a templates/ or catalogue/ folder made (or gone)
                        changes |= {(watchfiles.Change.modified, str(f)) for f in folders}
                        self.apply(Path(p) for _, p in changes)
                        break  # watch again, with it
                    if not caught_up:  # what changed before the watch (re)started
                        caught_up = True
                        changes |= {(watchfiles.Change.modified, str(v.path)) for v in self.all()
                                    if _mtime(v.path) != v.mtime}
                        changes |= {(watchfiles.Change.added, str(p)) for p in self.files()
                                    if self.view(p.stem) is None}
                    if changes:
                        self.apply(Path(p) for _, p in changes)
                continue  # stopped, or restarted on purpose: at once
            except Exception as exc:  # noqa: BLE001 — the preview must keep following the files
                if type(exc).__name__ != told:  # once, not every second while it lasts
                    told = type(exc).__name__
                    what = "找不到或无法读取数据文件夹、模板文件夹" if isinstance(exc, OSError) else "出错"
                    print(f"预览：跟踪文件变化时{what}，每秒重试，恢复后自动继续", file=sys.stderr)
            stop.wait(1.0)


def _resolved(path: Path) -> Path | None:
    """`path` with its links resolved, or None when they loop or cannot be followed."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: "Symlink loop" (Python 3.11)
        return None


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        st = folder.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _clock(ns: int) -> str:
    return dt.datetime.fromtimestamp(ns / 1e9).strftime("%Y-%m-%d %H:%M:%S")


def _reason(exc: Exception) -> str:
    where = getattr(exc, "filename", None)
    line = getattr(exc, "lineno", None)
    place = f"{where}:{line}：" if where and line else ""
    return f"{place}{type(exc).__name__}：{exc}"
