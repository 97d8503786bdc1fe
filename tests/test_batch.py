"""Batch builds: parallel, incremental, one broken file never stops the others."""

from __future__ import annotations

import shutil
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
