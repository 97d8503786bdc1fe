"""The one error path: every failure becomes Chinese lines and an exit status.

A failure the user can cause — bad data, a broken template or settings file, a full disk,
an unwritable folder — is a `BudgetError` or an `OSError` and is told in Chinese with its
file (and line). Anything else is a defect of budgetreport itself: its traceback is shown,
followed by a request to report it. Exit statuses are those README promises.
"""

from __future__ import annotations

import signal
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

import click

from .problems import BudgetError, Problem, display_path, os_reason, visible

EXIT_PROBLEM = 1  # a file has an error (data, template, settings, file system)
EXIT_USAGE = 2  # click's own status for a usage error
EXIT_BUG = 3  # a defect of budgetreport
EXIT_INTERRUPTED = 130  # Ctrl-C / SIGTERM, as shells report SIGINT

BUG_REQUEST = ("内部错误：这是 budgetreport 自身的缺陷，不是您的数据或模板有误。"
               "请把以上全部信息报告给维护者。")


def os_problem(exc: OSError, fallback: str = "") -> Problem:
    """A file-system failure as a Problem naming the file it concerns."""
    name = display_path(Path(exc.filename)) if exc.filename else fallback
    other = f"（{display_path(Path(exc.filename2))}）" if exc.filename2 else ""
    return Problem(name, 0, 0, "E900", f"读写文件失败{other}：{os_reason(exc)}")


MAX_SHOWN = 100  # problems listed per file; a generated file may hold tens of thousands


def lines(problems: list[Problem]) -> list[str]:
    """The lines that tell `problems`: at most MAX_SHOWN per file, then how many more."""
    out: list[str] = []
    shown: dict[str, int] = {}
    for p in problems:
        shown[p.file] = shown.get(p.file, 0) + 1
        if shown[p.file] <= MAX_SHOWN:
            out.append(str(p))
    for file, count in shown.items():
        if count > MAX_SHOWN:
            out.append(f"{visible(file)}: 另有 {count - MAX_SHOWN:,} 个问题未列出（先改正以上问题再校验）")
    return out


def report(problems: list[Problem], err: bool = True) -> None:
    """Print `problems` (to stderr unless `err` is False), as every command does."""
    for line in lines(problems):
        click.echo(line, err=err)


def bug_report(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)) + BUG_REQUEST


def describe(exc: Exception, name: str = "") -> tuple[list[str], int]:
    """The lines to print for `exc` and the exit status it calls for."""
    if isinstance(exc, BudgetError):
        return lines(exc.problems), EXIT_PROBLEM
    if isinstance(exc, OSError):
        return [str(os_problem(exc, name))], EXIT_PROBLEM
    if isinstance(exc, RecursionError | MemoryError):
        return [f"{visible(name)}: 内容过于复杂（嵌套过深或过大），无法处理 [E901]"], EXIT_PROBLEM
    return [bug_report(exc)], EXIT_BUG


class GuardedGroup(click.Group):
    """A click group whose commands never end in a bare traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        # SIGTERM (a service manager, `kill`) is told like Ctrl-C instead of dying silently.
        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _interrupt) if main_thread else None
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("已中断：已有的输出保持原样，下次生成时会重新生成未完成的单位。", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            lines, status = describe(exc)
            for line in lines:
                click.echo(line, err=True)
            sys.exit(status)
        finally:
            if main_thread:
                signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
