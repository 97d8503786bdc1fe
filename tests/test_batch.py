"""Batch builds: parallel, incremental, one broken file never stops the others."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import DATA, replace_once, run_cli


def run(*args: str | Path) -> tuple[int, str]:
    result = run_cli(*args)
    return result.exit_code, result.output


def test_batch_is_incremental_and_isolates_failures(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    for name in ("xiamen-2022.yaml", "shangrao-2022.yaml"):
        shutil.copy(DATA / name, data / name)

    code, output = run("build", str(data), "-o", str(out), "-j", "2")  # two worker processes
    assert code == 0, output
    assert output.count("已生成") == 2
    pdf = out / "xiamen-2022" / "xiamen-2022.pdf"
    first = pdf.read_bytes()

    # Built by a pool worker or alone in this process: the same bytes.
    alone = tmp_path / "alone"
    code, output = run("build", str(data / "xiamen-2022.yaml"), "-o", str(alone))
    assert code == 0, output
    for name in ("xiamen-2022.pdf", "xiamen-2022.xlsx"):
        assert (alone / "xiamen-2022" / name).read_bytes() == (out / "xiamen-2022" / name).read_bytes()

    code, output = run("build", str(data), "-o", str(out))
    assert code == 0 and output.count("未变化，跳过") == 2, output

    # A damaged stamp is no reason to stop: that center is simply built again.
    (out / "xiamen-2022" / ".inputs.sha256").write_text("{garbled", encoding="utf-8")
    code, output = run("build", str(data), "-o", str(out))
    assert code == 0 and output.count("未变化，跳过") == 1 and output.count("已生成") == 1, output
    first = pdf.read_bytes()

    # Shangrao's data file changes (a comment is enough): only Shangrao is rebuilt.
    sr = data / "shangrao-2022.yaml"
    sr.write_text(sr.read_text(encoding="utf-8") + "# 已修改\n", encoding="utf-8")
    code, output = run("build", str(data), "-o", str(out))
    assert code == 0
    assert "shangrao-2022" in next(line for line in output.splitlines() if "已生成" in line)
    assert output.count("未变化，跳过") == 1

    # A broken Xiamen fails alone; its earlier PDF is untouched; Shangrao still builds.
    xm = data / "xiamen-2022.yaml"
    xm.write_text(replace_once(xm.read_text(encoding="utf-8"), "1734.38", "1734.39"),
                  encoding="utf-8")
    code, output = run("build", str(data), "-o", str(out), "--force")
    assert code == 1
    assert "失败" in output and "R201" in output
    assert output.count("已生成") == 1
    assert pdf.read_bytes() == first


def test_templates_lists_search_path_and_providers() -> None:
    code, output = run("templates", DATA / "shangrao-2022.yaml")
    assert code == 0, output
    lines = output.splitlines()
    assert any(line.strip().endswith("templates/regions/jiangxi") for line in lines)
    provider = {line.split("←")[0].strip(): line.split("←")[1].strip()
                for line in lines if "←" in line}
    assert provider["parts/explanation.html.j2"].endswith("regions/jiangxi/parts/explanation.html.j2")
    assert provider["parts/glossary.html.j2"].endswith("base/parts/glossary.html.j2")


def test_ctrl_c_stops_a_batch_and_leaves_every_center_whole(tmp_path: Path) -> None:
    """Ctrl-C signals the whole process group (main, pool workers, the child building each
    center). The run ends with 130 and no traceback, without building the centers that had
    not started; every output folder holds either nothing or a matching set with its record;
    the next build finishes the rest."""
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    names = [f"{stem}{i}-2022.yaml" for i in range(4) for stem in ("xiamen", "shangrao")]
    for name in names:
        shutil.copy(DATA / ("xiamen-2022.yaml" if name.startswith("x") else "shangrao-2022.yaml"),
                    data / name)
    cli = Path(sys.executable).parent / "budgetreport"
    build = subprocess.Popen([str(cli), "build", str(data), "-o", str(out), "-j", "2"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           start_new_session=True)
    deadline = time.monotonic() + 600
    # Once a worker's first center is out, its later ones are built in forked children.
    while len(list(out.glob("*/.inputs.sha256"))) < 2 and build.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    os.killpg(build.pid, signal.SIGINT)
    stdout, stderr = build.communicate(timeout=600)
    assert build.returncode == 130, stderr
    assert "已中断" in stderr and "Traceback" not in stderr + stdout
    assert not list(out.rglob("*.tmp"))
    recorded = list(out.glob("*/.inputs.sha256"))
    # Two were built before, at most the two running then could have been finishing; the
    # other four were dropped, not built after the interrupt.
    assert len(recorded) <= 4
    for record in recorded:
        folder = record.parent
        assert {p.name for p in folder.iterdir()} == {
            record.name, f"{folder.name}.pdf", f"{folder.name}.xlsx"}

    code, output = run("build", str(data), "-o", str(out), "-j", "2")
    assert code == 0, output
    assert output.count("未变化，跳过") == len(recorded)
    assert output.count("已生成") == len(names) - len(recorded)


def test_workers_end_with_a_killed_main_process(tmp_path: Path) -> None:
    """The pool's workers ignore Ctrl-C (the main process handles it); if the main process is
    killed outright (SIGKILL, as `subprocess.run` does on Ctrl-C), they must not live on."""
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    for i in range(4):
        shutil.copy(DATA / "shangrao-2022.yaml", data / f"shangrao{i}-2022.yaml")
    cli = Path(sys.executable).parent / "budgetreport"
    build = subprocess.Popen([str(cli), "build", str(data), "-o", str(out), "-j", "2"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    deadline = time.monotonic() + 600
    while not list(out.glob("*/.inputs.sha256")):  # the workers are running
        assert build.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    build.kill()
    build.wait()
    # A child building a center may finish it; then nothing of the group is left.
    while True:
        try:
            os.killpg(build.pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "processes of the killed build live on"
        time.sleep(0.2)
