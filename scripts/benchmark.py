"""Where a build spends its time, and what the tool costs on top of WeasyPrint.

    .venv/bin/python scripts/benchmark.py [--runs N] [--check-only] [FILE.yaml ...]

For each center (default: the samples in data/) the stages of `build.build` are timed one by
one — load, validate, compute, tables, render HTML, layout (`HTML.render()`), write PDF
(`Document.write_pdf()`), save files — then the whole `build.build()` is timed as a user runs
it, and so is WeasyPrint's bare rendering of the same final HTML
(`weasyprint.HTML(string=html).write_pdf()`: no URL fetcher, no warning capture). Every figure
is the median of N runs after one warm-up run (fontconfig and the font files are loaded
then). Peak memory: tracemalloc's peak during one extra, untimed build (Python allocations
only), and the process's maximum resident set size so far (getrusage).

Then `budgetreport check` of each file is run as a new process, as a user runs it (target:
≤ 0.3 s of CPU; `--check-only` times just that). The target of a build: a whole build takes
at most 1.15 × WeasyPrint's bare rendering. It is judged on
CPU time (`time.process_time`), which other programs on the machine do not inflate; wall
times are printed beside it. Garbage is collected before every timed run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import weasyprint

from budgetreport.checks.rules import RULES
from budgetreport.checks.schema import parse
from budgetreport.checks.validate import center_key, check_file
from budgetreport.common.files import write_atomic
from budgetreport.compute.figures import compute
from budgetreport.inputs.catalogue import load_catalogue
from budgetreport.inputs.load import read
from budgetreport.inputs.region import load_region
from budgetreport.inputs.resources import builtin_samples
from budgetreport.layout.fonts import FONT_DIRS, font_css
from budgetreport.layout.render import render_html
from budgetreport.layout.tables import build_tables
from budgetreport.publish.build import build, outputs
from budgetreport.publish.excel import write_workbook

# Private helpers on purpose: the layout and write stages must be timed exactly as
# pdf.render_pdf runs them (same fetcher, same warning capture), only split in two.
from budgetreport.publish.pdf import _collect_weasyprint_warnings, _LocalFetcher

TARGET = 1.15
STAGES = ("load", "validate", "compute", "tables", "render HTML", "layout", "write PDF",
          "save files")
T = TypeVar("T")


Times = dict[str, tuple[float, float]]  # stage → (wall seconds, CPU seconds)


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def settled() -> None:
    """Collect garbage left by the previous run, so that no run pays for another's."""
    gc.collect()


def since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = clock()
    return wall - start[0], cpu - start[1]


def timed(times: Times, stage: str, fn: Callable[[], T]) -> T:
    start = clock()
    result = fn()
    times[stage] = since(start)
    return result


def staged_build(path: Path, out_dir: Path) -> tuple[Times, str, int]:
    """build.build() cut into its stages; returns the stage times, the HTML and the pages."""
    t: Times = {}
    settled()
    source = timed(t, "load", lambda: read(path))

    def validate() -> Any:
        # Mirrors validate.check_file after its read(): schema, region, catalogue, rules.
        budget = parse(source)
        region = load_region(budget.department.region, center_key(path))
        catalogue = load_catalogue(budget.department.year)
        findings = [f for rule in RULES for f in rule(budget, catalogue, region)]
        return budget, region, findings

    budget, region, _ = timed(t, "validate", validate)
    figures = timed(t, "compute", lambda: compute(budget))
    tables = timed(t, "tables", lambda: build_tables(figures, region))
    html = timed(t, "render HTML", lambda: render_html(
        figures, region, tables, css=font_css(budget.department.fonts)))
    document_html = weasyprint.HTML(
        string=html, base_url=region.folders[0].resolve().as_uri() + "/",
        url_fetcher=_LocalFetcher((*region.folders, *FONT_DIRS)))
    with _collect_weasyprint_warnings() as warnings:
        document = timed(t, "layout", lambda: document_html.render(pdf_variant=None))
        data = timed(t, "write PDF", lambda: document.write_pdf(pdf_variant=None))
    if warnings:
        print(f"  WeasyPrint warnings: {warnings}", file=sys.stderr)
    pdf_path, xlsx_path = outputs(path, out_dir)

    def save() -> None:
        write_atomic(pdf_path, data)
        published = figures.published  # as build.build() calls it
        write_workbook(tables, xlsx_path, title=f"{figures.name}{figures.year}年部门预算附表",
                       creator=figures.name,
                       created=dt.datetime(published.year, published.month, published.day))

    timed(t, "save files", save)
    return t, html, len(document.pages)


def bare(html: str) -> tuple[float, float]:
    settled()
    start = clock()
    weasyprint.HTML(string=html).write_pdf()
    return since(start)


def whole(path: Path, out_dir: Path) -> tuple[float, float]:
    settled()
    start = clock()
    build(path, out_dir)
    return since(start)


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def bench(path: Path, runs: int, out_dir: Path) -> bool:
    if check_file(path).errors():
        print(f"{path}: has errors, skipped (run `budgetreport check {path}`)")
        return True
    staged_build(path, out_dir)  # warm-up: fontconfig, font files, catalogue, imports
    whole(path, out_dir)
    stage_runs: list[Times] = []
    wholes: list[tuple[float, float]] = []
    bares: list[tuple[float, float]] = []
    pages = 0
    for i in range(runs):
        times, html, pages = staged_build(path, out_dir)
        stage_runs.append(times)
        # Alternate the order so neither side always runs with warmer caches.
        if i % 2:
            bares.append(bare(html))
            wholes.append(whole(path, out_dir))
        else:
            wholes.append(whole(path, out_dir))
            bares.append(bare(html))

    tracemalloc.start()
    build(path, out_dir)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    def median(values: list[tuple[float, float]], k: int) -> float:
        return statistics.median(v[k] for v in values)

    wall = {s: median([r[s] for r in stage_runs], 0) for s in STAGES}
    cpu = {s: median([r[s] for r in stage_runs], 1) for s in STAGES}
    print(f"\n{path.name}: {pages} pages, median of {runs} runs")
    print(f"  {'stage':<16}{'wall ms':>9}{'CPU ms':>9}{'CPU share':>11}")
    for s in STAGES:
        share = cpu[s] / sum(cpu.values())
        print(f"  {s:<16}{wall[s] * 1000:>9.1f}{cpu[s] * 1000:>9.1f}{share:>11.1%}")
    total_wall, total_cpu = sum(wall.values()) * 1000, sum(cpu.values()) * 1000
    print(f"  {'sum of stages':<16}{total_wall:>9.1f}{total_cpu:>9.1f}")
    ratios = {}
    for k, kind in ((0, "wall"), (1, "CPU")):
        w, b = median(wholes, k), median(bares, k)
        ratios[kind] = w / b
        per_run = statistics.median(x[k] / y[k] for x, y in zip(wholes, bares, strict=True))
        print(f"  {kind:>4}: whole build.build() {w * 1000:7.1f} ms, "
              f"bare WeasyPrint {b * 1000:7.1f} ms"
              f" → ratio {w / b:.3f} × (median of per-run ratios {per_run:.3f} ×)")
    if median(wholes, 0) > 1.1 * median(wholes, 1):
        print("  (wall time well above CPU time: the machine was busy; trust the CPU figures)")
    met = ratios["CPU"] <= TARGET
    print(f"  peak memory: tracemalloc {peak / 2**20:.1f} MiB (Python objects, one build); "
          f"max RSS so far {maxrss_mb():.0f} MiB")
    print(f"  target whole ≤ {TARGET:.2f} × bare (CPU time): "
          f"{'met' if met else 'NOT met'} ({ratios['CPU']:.3f} ×)")
    return met


CHECK_TARGET = 0.3  # seconds of CPU for `budgetreport check` of one center, start to end


def check_command(path: Path, runs: int) -> bool:
    """`budgetreport check FILE` as a user runs it — a new process, imports included — timed
    by the CPU it used (children's rusage) and by the wall clock; median of `runs` after one
    warm-up run. The warm-up leaves what an installed tool has after its first run: the
    modules' bytecode (pip compiles it on install; PYTHONDONTWRITEBYTECODE, if set here, is
    not passed on) and the compiled templates in the user's cache."""
    command = [str(Path(sys.executable).with_name("budgetreport")), "check", str(path)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(command, capture_output=True, check=False, env=env)
    cpu, wall = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False, env=env)
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    median = statistics.median(cpu)
    print(f"  check (new process): {median:.3f} s CPU (fastest {min(cpu):.3f}), "
          f"{statistics.median(wall):.3f} s wall; target ≤ {CHECK_TARGET} s CPU: "
          f"{'met' if median <= CHECK_TARGET else 'NOT met'} (load average {os.getloadavg()[0]:.1f})")
    return median <= CHECK_TARGET


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="budget files (default: data/*.yaml)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per file (default 5)")
    parser.add_argument("--check-only", action="store_true",
                        help="time only `budgetreport check` of each file, not the builds")
    args = parser.parse_args(argv)
    files = args.files or sorted(builtin_samples().glob("*.yaml"))
    print(f"WeasyPrint {weasyprint.__version__}, Python {sys.version.split()[0]}, "
          f"{args.runs} runs per file after one warm-up")
    results = []
    if not args.check_only:
        with tempfile.TemporaryDirectory(prefix="budgetreport-bench-") as tmp:
            results = [bench(f, args.runs, Path(tmp)) for f in files]
    checks = []
    for f in files:
        print(f"{f.name}:")
        checks.append(check_command(f, args.runs))
    if results:
        print(f"\n1.15× target met for {sum(results)} of {len(results)} files.")
    print(f"check ≤ {CHECK_TARGET} s target met for {sum(checks)} of {len(checks)} files.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
