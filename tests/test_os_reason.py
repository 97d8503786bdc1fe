"""Operating-system errors are explained in Chinese, by errno, never by English strerror."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest

from budgetreport.common.problems import BudgetError, os_reason
from budgetreport.inputs.load import read


def _raised(action) -> OSError:
    try:
        action()
    except OSError as exc:
        return exc
    raise AssertionError("no OSError")


@pytest.mark.parametrize(("action", "expected"), [
    (lambda tmp: (tmp / "missing.yaml").read_bytes(), "文件不存在"),
    (lambda tmp: tmp.read_bytes(), "是一个文件夹"),
    (lambda tmp: (tmp / "f").write_text("x") and (tmp / "f" / "g").read_bytes(), "不是文件夹"),
    (lambda tmp: os.mkdir(tmp), "文件已存在"),
    (lambda tmp: (tmp / ("x" * 300)).read_bytes(), "文件名过长"),
])
def test_real_errors_read_in_chinese(tmp_path: Path, action, expected: str):
    reason = os_reason(_raised(lambda: action(tmp_path)))
    assert expected in reason
    assert not re.search(r"[A-Za-z]", reason)


@pytest.mark.parametrize(("number", "expected"), [
    (errno.EACCES, "没有读取或写入权限"),
    (errno.ENOSPC, "磁盘空间不足"),
    (errno.EROFS, "只读文件系统"),
])
def test_errors_hard_to_provoke(number: int, expected: str):
    assert expected in os_reason(OSError(number, os.strerror(number)))


def test_unknown_errno_falls_back_to_chinese_with_the_number():
    number = next(n for n in range(200, 10000) if n not in errno.errorcode)
    reason = os_reason(OSError(number, "Some English text"))
    assert str(number) in reason and "English" not in reason
    assert os_reason(OSError("no errno at all")) == "操作系统错误"


def test_reading_a_folder_says_so_in_chinese(tmp_path: Path):
    with pytest.raises(BudgetError) as caught:
        read(tmp_path)
    message = str(caught.value)
    assert "是一个文件夹" in message and "Is a directory" not in message
