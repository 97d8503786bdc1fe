"""Compiled templates are kept in the user's cache folder between runs; a cache file that is
stale, truncated, corrupt or foreign is ignored and replaced, never unpickled, and a cache
folder that cannot be made leaves `check` working without one."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment
from jinja2.bccache import Bucket, bc_magic

from budgetreport.layout import render
from conftest import DATA

ROOT = Path(__file__).resolve().parents[1]


def cached_env(folder: Path, source: str = "{{ 1 + 2 }}") -> tuple[Environment, render._QuietCache]:
    cache = render._QuietCache(str(folder))
    return Environment(loader=DictLoader({"t.j2": source}), bytecode_cache=cache), cache


def bucket(env: Environment, source: str = "{{ 1 + 2 }}") -> Bucket:
    assert env.bytecode_cache is not None
    return env.bytecode_cache.get_bucket(env, "t.j2", None, source)


def test_a_compiled_template_is_used_by_the_next_run(tmp_path: Path) -> None:
    env, _ = cached_env(tmp_path)
    assert env.get_template("t.j2").render() == "3"
    [file] = tmp_path.iterdir()
    fresh, _ = cached_env(tmp_path)
    assert bucket(fresh).code is not None  # loaded, not compiled again
    edited, _ = cached_env(tmp_path, "{{ 2 + 2 }}")
    assert bucket(edited, "{{ 2 + 2 }}").code is None  # another source: stale, not used
    assert edited.get_template("t.j2").render() == "4"


@pytest.mark.parametrize("content", [
    b"", b"garbage", bc_magic, bc_magic + b"\x80", bc_magic + pickle.dumps("other checksum", 2),
    bc_magic + pickle.dumps(pickle.loads, 2)],
    ids=["empty", "garbage", "magic only", "truncated pickle", "other checksum", "foreign pickle"])
def test_broken_cache_file_is_ignored_and_replaced(tmp_path: Path, content: bytes) -> None:
    env, _ = cached_env(tmp_path)
    env.get_template("t.j2")
    [file] = tmp_path.iterdir()
    good = file.read_bytes()
    file.write_bytes(content)
    fresh, _ = cached_env(tmp_path)
    assert bucket(fresh).code is None
    assert fresh.get_template("t.j2").render() == "3"
    assert file.read_bytes() == good


def test_truncated_code_is_ignored(tmp_path: Path) -> None:
    env, _ = cached_env(tmp_path)
    env.get_template("t.j2")
    [file] = tmp_path.iterdir()
    file.write_bytes(file.read_bytes()[:-5])
    fresh, _ = cached_env(tmp_path)
    assert bucket(fresh).code is None and fresh.get_template("t.j2").render() == "3"


def check(cache_home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    return subprocess.run([str(Path(sys.executable).with_name("budgetreport")), "check",
                           str(DATA / "xiamen-2022.yaml")],
                          capture_output=True, text=True, cwd=ROOT, env=env, check=False)


def test_check_survives_a_corrupt_cache_and_an_impossible_cache_folder(tmp_path: Path) -> None:
    home = tmp_path / "cache"
    assert check(home).returncode == 0
    files = list((home / "budgetreport" / "jinja").iterdir())
    assert files
    for n, file in enumerate(files):
        file.write_bytes(bc_magic + b"\x80" if n % 2 else b"not a cache")
    done = check(home)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    blocked = tmp_path / "a file"
    blocked.write_text("x")
    done = check(blocked)  # the cache folder cannot be made under a file
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
