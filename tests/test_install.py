"""The tool as someone installs it: an sdist and a wheel built from the repository, the wheel
installed into a fresh virtual environment in a folder outside the repository, and a
workspace made and built there. Slow (about half a minute: it builds the package in an
isolated environment), kept in the default suite because nothing else checks the wheel."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

RESOURCES = ("templates/base/document.html.j2", "templates/base/region.yaml",
             "templates/regions/fujian/region.yaml", "catalogue/codes.yaml", "catalogue/glossary.yaml",
             "budget.schema.json", "samples/xiamen-2022.yaml")


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=False, timeout=540)


@pytest.mark.slow
def test_wheel_installs_outside_the_repository_and_builds_a_new_workspace(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = run(sys.executable, "-m", "build", "--outdir", dist, ROOT, cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    names = set(zipfile.ZipFile(wheel).namelist())
    for resource in RESOURCES:
        assert f"budgetreport/{resource}" in names, resource
    with tarfile.open(sdist) as tar:
        members = {m.split("/", 1)[1] for m in tar.getnames() if "/" in m}
    assert "templates/base/document.html.j2" in members and "src/budgetreport/inputs/resources.py" in members

    # A fresh environment: the wheel alone, no index; its dependencies are lent by the test
    # environment through a .pth file (the editable budgetreport there is not on that path).
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path).returncode == 0
    python = venv / "bin" / "python"
    installed = run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
                    wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                  cwd=tmp_path).stdout.strip()
    Path(purelib, "_lent_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = run(python, "-c", "import budgetreport, pathlib; print(pathlib.Path(budgetreport.__file__).parent)",
                cwd=elsewhere, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr

    cli = venv / "bin" / "budgetreport"
    made = run(cli, "init", "ws", cwd=elsewhere, env=env)
    assert made.returncode == 0, made.stdout + made.stderr
    result = run(cli, "build", cwd=elsewhere / "ws", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output
    pdfs = list((elsewhere / "ws" / "output").glob("*/*.pdf"))
    workbooks = list((elsewhere / "ws" / "output").glob("*/*.xlsx"))
    assert len(pdfs) == 1 and pdfs[0].read_bytes().startswith(b"%PDF-"), output
    assert len(workbooks) == 1 and workbooks[0].read_bytes().startswith(b"PK"), output
    # A sample of a sub-region (a city's form, "guangdong/guangzhou") finds its folders in
    # the installed package too.
    package = Path(where.stdout.strip())
    nested = [p for p in (package / "samples").glob("*.yaml")
              if re.search(r"^  region: \w+/\w+$", p.read_text(encoding="utf-8"), re.M)]
    assert nested, "no built-in sample of a sub-region"
    checked = run(cli, "check", nested[0], cwd=elsewhere / "ws", env=env)
    assert checked.returncode == 0 and "Traceback" not in checked.stdout + checked.stderr, \
        checked.stdout + checked.stderr
    # The templates come from the installed package, not from the repository.
    shown = run(cli, "templates", next((elsewhere / "ws" / "data").glob("*.yaml")), cwd=elsewhere / "ws", env=env)
    assert shown.returncode == 0 and str(ROOT) not in shown.stdout and str(venv) in shown.stdout, shown.stdout
