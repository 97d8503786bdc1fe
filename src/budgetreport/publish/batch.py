"""Many centers at once: a process pool sized to the cores, and incremental builds.

A center is skipped when the fingerprint of everything its output depends on — its data
file, the templates, the catalogues and settings (built-in and the workspace's), the fonts, the
tool's own code and the build options —
equals the one stamped beside its last good build. One broken file never stops the others.

Throughput (a province is some 500 centers; `scripts/benchmark_batch.py --province`): the
parent imports the pipeline once before the workers fork, so they start warm; the inputs
every center shares are fingerprinted once per run; the garbage collector stays out of a
build — WeasyPrint's box trees are large and cyclic, and collecting them again and again
mid-build, through every imported module, cost a tenth of the run. A worker builds its first
center itself (filling its caches) and collects once; every later center is built in a child
forked from it (`forked`), which exits without collecting or freeing at all. Results passed
back are small (`Outcome`).
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import resource
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Literal

from .. import __version__
from ..common.bounds import DATA_BYTES, read_regular
from ..common.errors import describe
from ..common.names import center_key, html_output, outputs, record_path
from ..common.problems import BudgetError, display_path
from ..inputs.resources import Workspace, builtin_catalogue, builtin_templates, current
from ..layout.fonts import DEFAULT_FAMILIES
from . import forked

PACKAGE = Path(__file__).resolve().parent.parent  # the whole package: its code is an input of every build

Status = Literal["built", "skipped", "failed"]
STATUS_NAMES: dict[Status, str] = {"built": "已生成", "skipped": "未变化，跳过", "failed": "失败"}


@dataclass(frozen=True)
class Outcome:
    source: Path
    status: Status
    pages: int = 0
    seconds: float = 0.0
    messages: tuple[str, ...] = ()
    # What this center cost its process (benchmarks read these): CPU seconds in all, of
    # which in WeasyPrint and in the collection after the build; the process's peak
    # resident memory so far (KiB) and its id.
    cpu: float = 0.0
    typeset_cpu: float = 0.0
    collect_cpu: float = 0.0
    peak_kib: int = 0
    worker: int = 0


def _hash_files(files: Iterable[Path], digest: hashlib._Hash) -> None:
    for f in sorted(files):
        try:
            content = read_regular(f, HASHED_BYTES)  # a FIFO or device swapped in is not read
        except OSError as exc:
            content = f"unreadable: {exc.errno}".encode()
        digest.update(str(f).encode() + b"\0" + content + b"\0")


HASHED_BYTES = 64_000_000  # a template or catalogue is a few kB; no file is read past this


def _tree(folder: Path | None) -> list[Path]:
    """Every regular file under `folder` (none if it does not exist), through symbolic links
    to folders too — the template loader reads through them, so the fingerprint must —, but
    never into a folder that holds one already walked (a link back up, or to "/", would walk
    the whole machine), and no further than `TREE_FILES` files."""
    if not folder or not folder.is_dir():
        return []
    found: list[Path] = []
    seen: list[str] = []
    for root, dirs, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if any(real == s or s.startswith(real.rstrip(os.sep) + os.sep) for s in seen):
            dirs[:] = []  # an ancestor of (or the same as) a folder already walked
            continue
        seen.append(real)
        found += [p for name in names if (p := Path(root) / name).is_file()]
        if len(found) > TREE_FILES:
            break
    return found[:TREE_FILES]


TREE_FILES = 20_000


@cache
def _font_files(families: tuple[str, ...]) -> str:
    """The font file fontconfig picks for each family, with its size and time."""
    # One fc-match per family, all started at once: each spends most of its time loading
    # fontconfig's caches.
    queries = [subprocess.Popen(["fc-match", "-f", "%{file}", family], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True) for family in families]
    lines = []
    for family, query in zip(families, queries, strict=True):
        found = query.communicate()[0]
        stat = os.stat(found) if found and os.path.exists(found) else None
        lines.append(f"{family}={found}:{stat.st_size if stat else 0}:{stat.st_mtime_ns if stat else 0}")
    return "\n".join(lines)


def shared_fingerprint(options: str, ws: Workspace) -> str:
    """What every center's output depends on: code, built-in templates and catalogues, the
    workspace's settings, region templates and catalogues, fonts and options (a region's
    change rebuilds other regions' centers too: cheap and safe)."""
    digest = hashlib.sha256(f"{__version__}\n{options}\n".encode())
    _hash_files(sorted([*PACKAGE.glob("*.py"), *PACKAGE.glob("*/*.py")]), digest)
    _hash_files(_tree(builtin_templates()) + _tree(builtin_catalogue()), digest)
    if ws.root is not None:
        assert ws.settings_file is not None and ws.templates is not None
        _hash_files([ws.settings_file, *_tree(ws.templates / "regions"), *_tree(ws.catalogue)], digest)
    digest.update(_font_files(DEFAULT_FAMILIES).encode())
    return digest.hexdigest()


def fingerprint(path: Path, shared: str, ws: Workspace) -> str | None:
    """The shared inputs' fingerprint, the center's own template folder in the workspace, and
    its data file (None if the data file cannot be read: then it is built, and the build
    reports why)."""
    digest = hashlib.sha256(shared.encode())
    try:
        _hash_files(_tree(ws.center_folder(center_key(path))), digest)
        digest.update(read_regular(path, DATA_BYTES))  # never waits on a FIFO nor reads a device
    except OSError:
        return None
    return digest.hexdigest()


def last_build(path: Path, out_dir: Path, inputs: str | None, html: bool = False) -> int | None:
    """Pages of the last good build if it was made from `inputs` and its outputs exist."""
    try:
        pdf, workbook = outputs(path, out_dir)
    except BudgetError:  # not a usable name: the build reports it
        return None
    stamp = record_path(path, out_dir)
    if inputs is None or not (pdf.exists() and workbook.exists() and stamp.exists()):
        return None
    if html and not html_output(path, out_dir).exists():
        return None
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
        return int(recorded["pages"]) if recorded["inputs"] == inputs else None
    except (ValueError, KeyError, TypeError):  # a damaged stamp: build again
        return None


def build_center(path: Path, out_dir: Path, strict: bool, variant: str | None,
                 inputs: str | None, html: bool = False, tagged: bool = False, *,
                 last: bool = False) -> Outcome:
    """One center, in a worker process or the main one: never raises, reports instead (a
    defect of budgetreport with its traceback and a request to report it); Ctrl-C raises
    KeyboardInterrupt once the center's files are left as they were or complete.
    `inputs` is the fingerprint taken before the build, recorded beside its outputs.

    A process builds its first center itself, so that its caches — templates, catalogues,
    fonts — are filled, then collects the garbage once; every later center is built in a
    child forked for it (`forked`), which inherits those caches and exits without collecting.
    `last`: no center follows in this process, so even the first needs no collecting."""
    global _warm
    if _stopped:  # this worker saw Ctrl-C: the run is ending, build nothing more
        raise KeyboardInterrupt
    args = (path, out_dir, strict, variant, inputs, html, tagged)
    if not forked.AVAILABLE or not (_warm or last):
        outcome = _build_here(*args, collect=True)
        _warm = True
        if _in_worker:  # what survives a worker's first build is its caches
            gc.freeze()
        return outcome
    start, cpu = time.perf_counter(), time.process_time()
    try:
        child = forked.call(lambda: _build_here(*args, collect=False))
    except forked.ChildDied as died:
        return Outcome(path, "failed", messages=(
            f"{display_path(path)}: 生成进程意外终止（{died.cause}），请重新运行 build [E902]",))
    except KeyboardInterrupt:
        _stop()
        raise
    # Its cost includes the fork, the child's exit and the wait; memory is the child's peak,
    # pages shared with this process included.
    return replace(child.value, seconds=time.perf_counter() - start,
                   cpu=time.process_time() - cpu + child.cpu, worker=os.getpid(),
                   peak_kib=max(child.peak_kib, child.value.peak_kib))


def _build_here(path: Path, out_dir: Path, strict: bool, variant: str | None,
                inputs: str | None, html: bool, tagged: bool, *, collect: bool) -> Outcome:
    from .build import build  # here, not above: a rerun with nothing to build never needs it

    start, cpu = time.perf_counter(), time.process_time()
    collecting = gc.isenabled()
    gc.disable()  # see the module's docstring; collected below, before it is enabled again
    try:
        built = build(path, out_dir, strict=strict, pdf_variant=variant, inputs=inputs,
                      html=html, tagged=tagged)
        notes = tuple(map(str, built.problems)) + tuple(f"{path}: 排版警告：{w}" for w in built.warnings)
        outcome = Outcome(path, "built", built.pages, 0.0, notes, typeset_cpu=built.typeset_cpu)
    except Exception as exc:  # one center's failure never stops the others
        lines, _ = describe(exc, display_path(path))
        outcome = Outcome(path, "failed", 0, 0.0, tuple(lines))
    finally:
        before = time.process_time()
        if collect:
            gc.collect()  # WeasyPrint's document: cyclic, so only a collection frees it
            if collecting:
                gc.enable()
        # Otherwise the process ends next, and the collector stays off: enabled, it would
        # soon run through every object the build left.
        collect_cpu = time.process_time() - before
    return replace(outcome, seconds=time.perf_counter() - start, cpu=time.process_time() - cpu,
                   collect_cpu=collect_cpu, worker=os.getpid(),
                   peak_kib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


_warm = False  # this process has built a center: its caches are filled
_in_worker = False  # this process is a pool worker
_stopped = False  # a pool worker that saw Ctrl-C


def _stop() -> None:
    global _stopped
    _stopped = _in_worker  # the main process (or a test's) stays usable


def _start_worker(parent: int) -> None:
    """Once per worker process, before its first center. A forked worker holds the pipeline
    already, imported and frozen by the parent (`_load_pipeline`); a spawned one imported it
    to unpickle its first task. Either way, long-lived objects go to the permanent
    generation, so that each collection looks at one build's objects only.
    Ctrl-C is for the main process, which cancels what has not started, and for the child
    building a center (`forked`), which stops it: the worker only passes it on — and ends
    with the main process if that is killed."""
    global _in_worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    forked.die_with(parent)
    gc.collect()
    gc.freeze()
    _in_worker = True


def _load_pipeline() -> None:
    """Import all a build needs, WeasyPrint and openpyxl included, before the workers fork
    (each would otherwise import it again), and freeze it: a worker's collections then
    neither scan it nor copy the parent's memory pages by touching it."""
    from . import build, excel, pdf  # noqa: F401

    gc.collect()
    gc.freeze()


def build_many(paths: Sequence[Path], out_dir: Path, *, strict: bool = False,
               variant: str | None = None, force: bool = False, jobs: int | None = None,
               html: bool = False, tagged: bool = False,
               done: Callable[[Outcome], None] = lambda _: None) -> list[Outcome]:
    """Build every center that needs it, in parallel; outcomes in the order of `paths`."""
    options = json.dumps({"strict": strict, "variant": variant, "html": html, "tagged": tagged},
                         sort_keys=True)
    results: dict[Path, Outcome] = {}
    todo: dict[Path, str | None] = {}
    ws = current()
    shared = shared_fingerprint(options, ws)
    for path in paths:
        inputs = fingerprint(path, shared, ws)
        pages = None if force else last_build(path, out_dir, inputs, html)
        if pages is not None:
            results[path] = Outcome(path, "skipped", pages)
            done(results[path])
        else:
            todo[path] = inputs
    workers = min(jobs or os.cpu_count() or 1, len(todo))
    if workers <= 1:
        for n, (path, inputs) in enumerate(todo.items(), 1):
            results[path] = build_center(path, out_dir, strict, variant, inputs, html, tagged,
                                         last=n == len(todo))
            done(results[path])
    else:
        _load_pipeline()
        try:
            with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                                     initargs=(os.getpid(),)) as pool:
                futures = {pool.submit(build_center, p, out_dir, strict, variant, i, html, tagged): p
                           for p, i in todo.items()}
                try:
                    for future in as_completed(futures):
                        try:
                            outcome = future.result()
                        except Exception as exc:  # the worker itself died (killed, out of memory)
                            source = futures[future]
                            outcome = Outcome(source, "failed", messages=(
                                f"{display_path(source)}: 生成进程意外终止（{type(exc).__name__}），"
                                "请重新运行 build [E902]",))
                        results[futures[future]] = outcome
                        done(outcome)
                except KeyboardInterrupt:  # centers not yet started are dropped, not waited for
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise
        finally:
            gc.unfreeze()
    return [results[p] for p in paths]
