"""Batch benchmark (a script, not a test): many centers, serial vs parallel, and incremental.

    .venv/bin/python scripts/benchmark_batch.py [--centers 20]
    .venv/bin/python scripts/benchmark_batch.py --province [--centers 500]

Default mode:

1. Generates N centers (copies of the two samples under other names) in a temporary folder.
2. Builds them all serially (one process) and in parallel (a pool sized to the cores) and
   prints the speedup (target ≥ 1.8× on 2 cores).
3. Changes one amount-neutral text in one center and runs the batch again: only that center
   is rebuilt (target: no more than that center's own build time + 0.5 s).

Province mode (a finance bureau rebuilding every department after a template change):

1. Generates N centers (default 500) from the samples, each under its own file and
   department name.
2. Builds them all as `budgetreport build` does (`batch.build_many`, a pool sized to the
   cores) and prints wall and CPU time, the CPU time per center split into WeasyPrint
   (HTML parsing, layout, PDF writing), the garbage collection after a worker's first build
   (every later center is built in a forked child that exits without collecting), and
   everything else (loading, validation, HTML, workbook, publishing, forking and ending the
   child; fingerprints, process start-up, result passing), the peak memory (ru_maxrss) of
   each worker or its children (pages shared with the worker included), and the ratio of
   the whole to the WeasyPrint share. With fewer centers than 500 the parent's fixed cost
   (importing the pipeline, ~1 s of CPU) weighs more per center than it would in 500.
3. Runs the command `budgetreport build DATA -o OUT` from outside, as a user would: again
   with nothing changed, then with one file edited — each after waiting (up to 150 s) for
   the load average to fall below 1, so that an idle machine is judged by wall time.
4. Builds a few centers alone (`budgetreport build FILE`) and compares their PDF and
   workbook byte for byte with the batch's.
5. Prints the targets with met / NOT met.

CPU time is what other programs on a busy machine do not inflate; wall time is printed
beside it, with the load average, and the wall time two idle cores would need (CPU time / 2)
— judge a loaded machine by that.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from budgetreport.publish.batch import Outcome, build_many

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = [ROOT / "data" / "xiamen-2022.yaml", ROOT / "data" / "shangrao-2022.yaml"]
CLI = Path(sys.executable).parent / "budgetreport"

# Targets of the province mode (issue 13), for 500 centers on 2 cores.
PROVINCE_MINUTES = 6.0
PROVINCE_RATIO = 1.15
ONE_EDIT_SECONDS = 3.0
UNCHANGED_SECONDS = 1.5
WORKER_MB = 400.0


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


def compare(args: argparse.Namespace) -> None:
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data, out = folder / "data", folder / "output"
        data.mkdir()
        files = generate(data, args.centers or 20)
        print(f"{len(files)} centers, {cores} cores")
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


# --- province mode ----------------------------------------------------------------------


def _digits(n: int) -> str:
    return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))


def department_name(sample: Path) -> str:
    for line in sample.read_text(encoding="utf-8").splitlines():
        if line.startswith("  name: "):  # the first one is department.name
            return line.split(":", 1)[1].split("#")[0].strip()
    raise ValueError(f"{sample}: no department name")


def generate_province(folder: Path, count: int) -> list[Path]:
    """`count` data files: the samples in turn, each a department of its own name
    (e.g. 厦门市住房公积金中心（一二）, no digits that a rule could read as an amount)."""
    texts = {s: (s.read_text(encoding="utf-8"), department_name(s)) for s in SAMPLES}
    files = []
    for i in range(count):
        sample = SAMPLES[i % len(SAMPLES)]
        text, name = texts[sample]
        path = folder / f"{sample.stem.split('-')[0]}{i:03d}-2022.yaml"
        path.write_text(text.replace(name, f"{name}（{_digits(i + 1)}）"), encoding="utf-8")
        files.append(path)
    return files


@dataclass
class Cost:
    """Wall and CPU seconds of a stretch of work: this process and its waited-for children."""

    wall: float = 0.0
    own_cpu: float = 0.0
    children_cpu: float = 0.0
    children_peak_kib: int = 0
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def cpu(self) -> float:
        return self.own_cpu + self.children_cpu


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def measured() -> Iterator[Cost]:
    cost = Cost()
    load = os.getloadavg()[0]
    wall, own, children = time.perf_counter(), _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    yield cost
    cost.wall = time.perf_counter() - wall
    cost.own_cpu = _cpu(resource.RUSAGE_SELF) - own
    cost.children_cpu = _cpu(resource.RUSAGE_CHILDREN) - children
    cost.children_peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    cost.load = (load, os.getloadavg()[0])


def run_cli(*args: str | Path) -> tuple[Cost, str]:
    """`budgetreport ARGS` as a user runs it, timed from outside."""
    with measured() as cost:
        result = subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True,
                                check=False)
    if result.returncode != 0:
        sys.exit(f"budgetreport {' '.join(map(str, args))} failed:\n{result.stderr[-2000:]}")
    return cost, result.stdout


def settle(limit: float = 150.0) -> None:
    """Wait (at most `limit` seconds) for the 1-minute load average to fall below 1: right
    after the full build it still counts the build's own work, and a rerun is judged by
    wall time only on a machine the load average says is idle."""
    start = time.monotonic()
    while os.getloadavg()[0] >= 1.0 and time.monotonic() - start < limit:
        time.sleep(5)
    print(f"\n(waited {time.monotonic() - start:.0f} s for the load average to settle: "
          f"{os.getloadavg()[0]:.2f})")


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report_full(cost: Cost, outcomes: list[Outcome], cores: int) -> dict[str, bool]:
    built = [o for o in outcomes if o.status == "built"]
    if len(built) != len(outcomes):
        failed = [o for o in outcomes if o.status != "built"]
        sys.exit(f"{len(failed)} centers not built: {failed[0].messages[:3]}")
    n = len(built)
    typeset = sum(o.typeset_cpu for o in built)
    collect = sum(o.collect_cpu for o in built)
    in_centers = sum(o.cpu for o in built)
    # Worker CPU outside its centers: start-up, waiting for and passing tasks and results.
    # In serial mode the centers ran in this process and there are no workers.
    workers_total = cost.children_cpu if cost.children_cpu else in_centers
    outside = max(workers_total - in_centers, 0.0)
    parent = cost.own_cpu - (0.0 if cost.children_cpu else in_centers)
    whole = parent + workers_total
    peaks: dict[int, int] = {}
    for o in built:
        peaks[o.worker] = max(peaks.get(o.worker, 0), o.peak_kib)
    pages = sum(o.pages for o in built)

    print(f"\nfull build of {n} centers ({pages} pages), {len(peaks)} worker process(es)")
    print(f"  wall {cost.wall:8.1f} s   (load average {cost.load[0]:.1f} → {cost.load[1]:.1f} "
          f"on {cores} cores)")
    print(f"  CPU  {whole:8.1f} s   → {whole / cores:.1f} s on {cores} idle cores")
    print(f"  per center, CPU ms{'':30}{'mean':>8}{'median':>8}{'share':>8}")
    rows = [
        ("WeasyPrint: parse, layout, PDF", [o.typeset_cpu for o in built]),
        ("collecting garbage (a worker's first center)", [o.collect_cpu for o in built]),
        ("ours: load, check, HTML, workbook, publish, fork",
         [o.cpu - o.typeset_cpu - o.collect_cpu for o in built]),
    ]
    for label, values in rows:
        print(f"    {label:<46}{statistics.mean(values) * 1000:8.0f}"
              f"{statistics.median(values) * 1000:8.0f}{sum(values) / whole:8.1%}")
    for label, total, what in (
            ("workers outside their centers", outside, "start-up, tasks and results, fc-match"),
            ("parent process", parent, "imports, fingerprints, pool, results")):
        print(f"    {label:<46}{total / n * 1000:8.1f}{'':8}{total / whole:8.1%}   ({what})")
    print(f"    {'whole':<46}{whole / n * 1000:8.0f}")
    print("  peak memory per worker (ru_maxrss): "
          + ", ".join(f"{kib / 1024:.0f} MB" for kib in sorted(peaks.values())))
    ratio = whole / typeset
    ratio_gc = whole / (typeset + collect)
    print(f"  whole / WeasyPrint share {ratio:.3f} ×; "
          f"whole / (WeasyPrint + the collection of its garbage) {ratio_gc:.3f} ×")
    scale = 500 / n
    minutes_cpu = whole * scale / cores / 60
    minutes_wall = cost.wall * scale / 60
    return {
        f"500 centers ≤ {PROVINCE_MINUTES:.0f} min on {cores} cores, by CPU time "
        f"({minutes_cpu:.2f} min{'' if n == 500 else ', scaled from ' + str(n)})":
            minutes_cpu <= PROVINCE_MINUTES,
        f"500 centers ≤ {PROVINCE_MINUTES:.0f} min, wall time as measured "
        f"({minutes_wall:.2f} min{'' if n == 500 else ', scaled'})": minutes_wall <= PROVINCE_MINUTES,
        f"whole ≤ {PROVINCE_RATIO} × WeasyPrint share ({ratio:.3f} ×)": ratio <= PROVINCE_RATIO,
        f"memory per worker ≤ {WORKER_MB:.0f} MB ({max(peaks.values()) / 1024:.0f} MB)":
            max(peaks.values()) / 1024 <= WORKER_MB,
    }


def judged(cost: Cost) -> tuple[float, str]:
    """Wall time on an idle machine; CPU time when other programs share the cores."""
    if max(cost.load) < 1.0:
        return cost.wall, "wall"
    return cost.cpu, "CPU, machine busy"


def report_cli(label: str, cost: Cost, limit: float, output: str, built: int) -> dict[str, bool]:
    counts = {"已生成": output.count("已生成"), "未变化，跳过": output.count("未变化，跳过")}
    if counts["已生成"] != built:
        sys.exit(f"{label}: expected {built} built, output says {counts}")
    print(f"\n{label}: `budgetreport build` from outside")
    print(f"  wall {cost.wall:6.2f} s, CPU {cost.cpu:6.2f} s (load average {cost.load[0]:.1f}); "
          f"{counts}")
    seconds, how = judged(cost)
    return {f"{label} ≤ {limit} s ({seconds:.2f} s {how})": seconds <= limit}


def same_as_alone(files: list[Path], out: Path, tmp: Path) -> dict[str, bool]:
    """Build a few centers alone and compare their outputs with the batch's, byte for byte."""
    checks = {}
    for path in files:
        alone = tmp / f"alone-{path.stem}"
        run_cli("build", path, "-o", alone)
        for suffix in (".pdf", ".xlsx"):
            name = f"{path.stem}/{path.stem}{suffix}"
            same = (alone / name).read_bytes() == (out / name).read_bytes()
            checks[f"{name} built alone = in the batch, byte for byte"] = same
    return checks


def province(args: argparse.Namespace) -> int:
    cores = os.cpu_count() or 1
    count = args.centers or 500
    with tempfile.TemporaryDirectory(prefix="budgetreport-province-") as tmp:
        folder = Path(tmp)
        data, out = folder / "data", folder / "output"
        data.mkdir()
        files = generate_province(data, count)
        print(f"province: {count} centers generated from {len(SAMPLES)} samples, {cores} cores, "
              f"Python {sys.version.split()[0]}")
        with measured() as cost:
            outcomes = build_many(files, out, force=True, jobs=args.jobs)
        results = report_full(cost, outcomes, cores)

        settle()
        cost, output = run_cli("build", data, "-o", out)
        results |= report_cli("no-change rerun", cost, UNCHANGED_SECONDS, output, 0)

        edited = files[len(files) // 2]
        edited.write_text(edited.read_text(encoding="utf-8").replace(
            "duties:\n", "duties:\n    # 修改\n", 1), encoding="utf-8")
        settle()
        cost, output = run_cli("build", data, "-o", out)
        results |= report_cli("one edited file", cost, ONE_EDIT_SECONDS, output, 1)

        picks = sorted({files[0], files[1], edited}, key=files.index)
        results |= same_as_alone(picks, out, folder)

    print("\ntargets:")
    for label, ok in results.items():
        print(f"  {verdict(ok):<8} {label}")
    return 0 if all(results.values()) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--province", action="store_true",
                        help="many generated centers, with CPU split and targets")
    parser.add_argument("--centers", type=int, default=None,
                        help="how many centers (default 20, or 500 with --province)")
    parser.add_argument("-j", "--jobs", type=int, default=None,
                        help="worker processes in province mode (default: the cores)")
    args = parser.parse_args()
    if args.province:
        return province(args)
    compare(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
