"""Batch benchmark (a script, not a test): many centers, serial vs parallel, and incremental.

    .venv/bin/python scripts/benchmark_batch.py [--centers 20]

1. Generates N centers (copies of the two samples under other names) in a temporary folder.
2. Builds them all serially (one process) and in parallel (a pool sized to the cores) and
   prints the speedup (target ≥ 1.8× on 2 cores).
3. Changes one amount-neutral text in one center and runs the batch again: only that center
   is rebuilt (target: no more than that center's own build time + 0.5 s).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from budgetreport.batch import build_many

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = [ROOT / "data" / "xiamen-2022.yaml", ROOT / "data" / "shangrao-2022.yaml"]


def generate(folder: Path, count: int) -> list[Path]:
    files = []
    for i in range(count):
        sample = SAMPLES[i % len(SAMPLES)]
        text = sample.read_text(encoding="utf-8")
        path = folder / f"{sample.stem.split('-')[0]}{i:02d}-2022.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def timed(label: str, files: list[Path], out: Path, **kw: object) -> float:
    start = time.perf_counter()
    outcomes = build_many(files, out, **kw)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    print(f"{label:<32} {seconds:7.2f} s   {counts}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--centers", type=int, default=20)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data, out = folder / "data", folder / "output"
        data.mkdir()
        files = generate(data, args.centers)
        print(f"{args.centers} centers, {cores} cores")
        timed("warm-up (1 center)", files[:1], out, force=True, jobs=1)
        serial = timed("serial (1 process)", files, out, force=True, jobs=1)
        parallel = timed(f"parallel ({cores} processes)", files, out, force=True)
        speedup = serial / parallel
        print(f"speedup {speedup:.2f}×  (target ≥ 1.8×: {'met' if speedup >= 1.8 else 'NOT met'})")

        timed("unchanged batch", files, out)
        changed = files[3]
        changed.write_text(changed.read_text(encoding="utf-8").replace(
            "duties:\n", "duties:\n    # 修改\n", 1), encoding="utf-8")
        one = timed("one center alone (forced)", [changed], out, force=True, jobs=1)
        changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        again = timed("batch with one center changed", files, out)
        limit = one + 0.5
        print(f"incremental {again:.2f} s vs one center {one:.2f} s + 0.5 s "
              f"(target: {'met' if again <= limit else 'NOT met'})")
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
