"""How long `verify` takes on a published document (target: ≤ 1 s of CPU for a 35-page one).

    .venv/bin/python scripts/benchmark_verify.py [--runs N] [FILE.yaml | FILE.pdf | DIR ...]

Each sample (default: every file in data/) is built once into a temporary folder; then
`readback.verify` is timed with its data file and without, N times each (median). A PDF (or
each PDF in a folder: published documents) is timed as read (`read_pdf`: page objects and
tables) and verified without data. CPU time (`time.process_time`) is what the target is
judged on, since other programs on the machine do not inflate it; wall time is printed
beside it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from budgetreport.publish.build import build
from budgetreport.readback import verify
from budgetreport.readback.pdf import read_pdf

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.0  # seconds of CPU for a 35-page document


def timed(run: Callable[[], object], runs: int) -> tuple[float, float]:
    cpu, wall = [], []
    for _ in range(runs):
        c, w = time.process_time(), time.perf_counter()
        run()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(cpu), statistics.median(wall)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "data").glob("*.yaml"))
    pdfs = [p for f in files for p in (sorted(f.rglob("*.pdf")) if f.is_dir() else [f]) if p.suffix.lower() == ".pdf"]
    ok = True
    print(f"{'文件':<36}{'页数':>5}{'核对方式':>10}{'CPU 秒':>9}{'墙钟秒':>9}{'每35页CPU秒':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        for data in [f for f in files if f.suffix.lower() in (".yaml", ".yml")]:
            pdf = build(data, Path(tmp)).pdf
            ok &= _row(data.stem, pdf, [("对照数据", partial(verify, pdf, data)), ("自身", partial(verify, pdf))],
                       args.runs)
    for pdf in pdfs:  # a published document: reading alone, then verify without data
        ok &= _row(pdf.stem[:34], pdf, [("读取", partial(read_pdf, pdf)), ("自身", partial(verify, pdf))], args.runs)
    print(f"目标：35 页的文档核对 ≤ {TARGET:.0f} 秒（CPU）— {'达到' if ok else '未达到'}")
    return 0 if ok else 1


def _row(name: str, pdf: Path, runs_of: list[tuple[str, Callable[[], object]]], runs: int) -> bool:
    pages = len(read_pdf(pdf).pages)
    ok = True
    for label, run in runs_of:
        cpu, wall = timed(run, runs)
        per35 = cpu / pages * 35
        ok &= per35 <= TARGET
        print(f"{name:<36}{pages:>5}{label:>10}{cpu:>9.2f}{wall:>9.2f}{per35:>13.2f}", flush=True)
    return ok


if __name__ == "__main__":
    sys.exit(main())
