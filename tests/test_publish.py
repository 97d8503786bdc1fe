"""A center's outputs are replaced as one set (files.publish): faults are injected — a
kill between the renames, a full disk while staging — and the next build must produce a
matching PDF and workbook, never skip a mixed pair as unchanged."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from budgetreport.common import files
from budgetreport.publish import forked
from conftest import ROOT, replace_once, run_cli

NAME = "厦门市住房公积金中心"
RENAMED = "厦门市住房公积金管理中心"


def outputs(out: Path) -> tuple[Path, Path, Path]:
    folder = out / "xiamen-2022"
    return folder / "xiamen-2022.pdf", folder / "xiamen-2022.xlsx", folder / ".inputs.sha256"


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture
def two_versions(tmp_path: Path, edited) -> tuple[Path, Path, dict[str, bytes]]:
    """Xiamen built once into out/; its data file then renamed the department (a change
    that shows in both the PDF and the workbook). Returns data file, out/, and the bytes
    a clean build of the changed data gives (built elsewhere)."""
    data = edited("xiamen-2022.yaml", folder="data")
    out = tmp_path / "out"
    assert run_cli("build", "-o", out, data).exit_code == 0
    text = data.read_text(encoding="utf-8")
    data.write_text(replace_once(text, f"  name: {NAME}\n", f"  name: {RENAMED}\n"), encoding="utf-8")
    clean = tmp_path / "clean"
    result = run_cli("build", "-o", clean, data)
    assert result.exit_code == 0, result.output
    expected = {k: v for k, v in snapshot(clean).items() if not k.endswith(".sha256")}
    return data, out, expected


KILL_AFTER_FIRST_RENAME = """
import os, signal, sys
from budgetreport.common import files
from budgetreport.commands.cli import main
real = os.replace
calls = []
def replace(src, dst):
    calls.append(dst)
    if len(calls) == 2:  # the first output is in place, the second not yet
        os.killpg(0, signal.SIGKILL)  # the whole tool, whichever of its processes renames
    real(src, dst)
files.os.replace = replace
sys.exit(main(sys.argv[1:]))
"""


def test_killed_between_renames_is_rebuilt_as_a_matching_pair(two_versions) -> None:
    data, out, expected = two_versions
    pdf, workbook, record = outputs(out)
    old_workbook = workbook.read_bytes()
    killed = subprocess.run([sys.executable, "-c", KILL_AFTER_FIRST_RENAME, "build", "-o", str(out),
                             str(data)], capture_output=True, text=True, cwd=ROOT, check=False,
                            start_new_session=True)
    assert killed.returncode == -9, killed.stderr
    # The kill left a mixed set — new PDF, old workbook — but no record of a good build.
    assert pdf.read_bytes() == expected["xiamen-2022/xiamen-2022.pdf"]
    assert workbook.read_bytes() == old_workbook != expected["xiamen-2022/xiamen-2022.xlsx"]
    assert not record.exists()

    again = run_cli("build", "-o", out, data)
    assert again.exit_code == 0, again.output
    assert "未变化" not in again.output and "已生成" in again.output
    assert {k: v for k, v in snapshot(out).items() if not k.endswith(".sha256")} == expected
    assert record.exists()
    assert "未变化" in run_cli("build", "-o", out, data).output  # and now it is up to date


def build_with_fault_at_second_rename(out: Path, data: Path, monkeypatch,
                                      fault: Callable[[], None]) -> Result:
    """`build` in this process, `fault()` called when the second output is renamed."""
    real = os.replace
    calls: list[object] = []

    def replace(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == 2:
            fault()
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "replace", replace)
    result = run_cli("build", "-o", out, data)
    monkeypatch.undo()
    return result


def interrupt() -> None:
    raise KeyboardInterrupt


def test_interrupt_between_renames_is_reported_and_rebuilt(two_versions, monkeypatch) -> None:
    data, out, expected = two_versions
    result = build_with_fault_at_second_rename(out, data, monkeypatch, interrupt)
    assert result.exit_code == 130
    assert "已中断" in result.output and "Traceback" not in result.output
    assert not outputs(out)[2].exists()
    assert not list(out.rglob("*.tmp"))
    again = run_cli("build", "-o", out, data)
    assert again.exit_code == 0 and "已生成" in again.output, again.output
    assert {k: v for k, v in snapshot(out).items() if not k.endswith(".sha256")} == expected


def test_full_disk_keeps_the_previous_set(two_versions, monkeypatch) -> None:
    data, out, expected = two_versions
    before = snapshot(out)
    real = files._stage
    staged: list[Path] = []

    def stage(path: Path, content: bytes) -> Path:
        staged.append(path)
        if len(staged) == 2:  # the workbook does not fit
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, content)

    monkeypatch.setattr(files, "_stage", stage)
    result = run_cli("build", "-o", out, data)
    monkeypatch.undo()
    assert result.exit_code == 1, result.output
    assert "磁盘空间不足" in result.output and "xiamen-2022.xlsx" in result.output
    assert "Traceback" not in result.output
    assert snapshot(out) == before  # old PDF, old workbook, old record: still a matching set
    again = run_cli("build", "-o", out, data)
    assert again.exit_code == 0 and "已生成" in again.output, again.output
    assert {k: v for k, v in snapshot(out).items() if not k.endswith(".sha256")} == expected


def test_publish_without_record_data_only_invalidates(tmp_path: Path) -> None:
    record = tmp_path / "r"
    record.write_text("old")
    files.publish({tmp_path / "a": b"1", tmp_path / "sub" / "b": b"2"}, record, None)
    assert (tmp_path / "a").read_bytes() == b"1" and (tmp_path / "sub" / "b").read_bytes() == b"2"
    assert not record.exists()


TERMINATE_AFTER_FIRST_RENAME = KILL_AFTER_FIRST_RENAME.replace(
    "os.killpg(0, signal.SIGKILL)", "os.kill(os.getpid(), signal.SIGTERM)")


def test_sigterm_between_renames_is_told_and_rebuilt(two_versions) -> None:
    data, out, expected = two_versions
    stopped = subprocess.run([sys.executable, "-c", TERMINATE_AFTER_FIRST_RENAME, "build", "-o",
                              str(out), str(data)], capture_output=True, text=True, cwd=ROOT,
                             check=False)
    assert stopped.returncode == 130, stopped.stderr
    assert "已中断" in stopped.stderr and "Traceback" not in stopped.stderr
    assert not outputs(out)[2].exists() and not list(out.rglob("*.tmp"))
    again = run_cli("build", "-o", out, data)
    assert again.exit_code == 0 and "已生成" in again.output, again.output
    assert {k: v for k, v in snapshot(out).items() if not k.endswith(".sha256")} == expected


def test_a_killed_center_build_fails_alone_and_is_rebuilt(two_versions, monkeypatch) -> None:
    """Only the process building the center is killed (out of memory, say): budgetreport
    itself reports it (E902, exit 1) without a traceback, and the next build redoes it."""
    if not forked.AVAILABLE:
        pytest.skip("centers are built in forked children on Linux only")
    data, out, expected = two_versions
    result = build_with_fault_at_second_rename(  # kills the child that builds the center
        out, data, monkeypatch, lambda: os.kill(os.getpid(), signal.SIGKILL))
    assert result.exit_code == 1, result.output
    assert "E902" in result.output and "SIGKILL" in result.output
    assert "Traceback" not in result.output
    assert not outputs(out)[2].exists()
    again = run_cli("build", "-o", out, data)
    assert again.exit_code == 0 and "已生成" in again.output, again.output
    assert {k: v for k, v in snapshot(out).items() if not k.endswith(".sha256")} == expected
