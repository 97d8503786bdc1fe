"""`budgetreport serve` over HTTP: pages, live state, builds, diff, what it refuses to serve,
and how it stops. (The same in a real browser: test_browser.py.)"""

from __future__ import annotations

import os
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from budgetreport.common.problems import Problem
from budgetreport.inputs.region import load_region
from budgetreport.serve.preview import Preview, target
from conftest import replace_once
from serving import serving, start, wait_for_address, workspace

SECRET = "SECRET-OUTSIDE-THE-WORKSPACE"
FIGURE = ("    source: general_budget\n    personnel: 23.67\n",  # 行政单位离退休, xiamen
          "    source: general_budget\n    personnel: 25.67\n")


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(replace_once(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")


# --- the workspace model, in process ---------------------------------------------------


def test_targets_point_at_rows_cells_sentences_and_tables() -> None:
    data = {"spending": [{"code": "2080501", "personnel": Decimal("23.67")}],
            "overview": {"duties": ["配合市住房保障和房屋管理局承担住房公积金的归集"]},
            "income": {"general_budget": Decimal("2735.83")},
            "three_public": {"reception": {"amount": Decimal("0.95"), "prior": Decimal("0.95")}},
            "procurement": {"goods": Decimal("12.00")}}
    # the document's tables, each with the sections its declaration shows (as serve passes them)
    def shown(region: str) -> dict[str, tuple[str, ...]]:
        r = load_region(region)
        return {k: r.tables[k].shows() for k in r.settings["tables"]}

    base, shanghai = shown("jiangxi"), shown("shanghai")
    assert set(base["summary"]) >= {"income", "spending", "carry_forward"}
    assert target(("spending", 0, "personnel"), data, base) == {
        "anchor": "table-spending", "code": "2080501", "key": "personnel"}
    assert target(("spending", 0, "purpose"), data, shanghai) == {
        "anchor": "table-sh_spending", "code": "2080501", "key": ""}
    assert target(("overview", "duties", 0), data) == {"text": data["overview"]["duties"][0]}
    # A figure with a cell of its own: that cell, by its data path, in the region's own table.
    for tables, anchor in ((base, "table-three_public"), (shanghai, "table-sh_three_public")):
        assert target(("three_public", "reception", "amount"), data, tables) == {
            "anchor": anchor, "path": "three_public.reception.amount"}
    # A figure without one: its table, never a cell that merely shows the same amount.
    assert target(("income", "general_budget"), data, base) == {"anchor": "table-summary"}
    assert target(("income", "general_budget"), data, shanghai) == {"anchor": "table-sh_summary"}
    assert target(("economic",), data, shanghai) == {"anchor": "table-sh_economic"}
    assert target(("procurement", "goods"), data, base) is None
    assert target((), data) is None


def test_a_broken_file_keeps_the_last_good_rendering_marked_stale(tmp_path: Path) -> None:
    folder = workspace(tmp_path, "xiamen-2022.yaml") / "data"
    ws = Preview(folder, tmp_path / "output")
    path = folder / "xiamen-2022.yaml"
    good = ws.view("xiamen-2022")
    assert good is not None and good.html and not good.stale and good.status() == "通过"
    html = good.html
    edit(path, "  name: 厦门市住房公积金中心\n", "  name: [厦门市住房公积金中心\n")
    ws.apply([path])
    broken = ws.view("xiamen-2022")
    assert broken is not None and broken.stale and broken.html == html
    assert [p.code for p in broken.problems] == ["E004"] and broken.status() == "1 个错误"
    edit(path, "  name: [厦门市住房公积金中心\n", "  name: 厦门市住房公积金中心\n")
    ws.apply([path])
    assert not ws.views["xiamen-2022"].stale and ws.views["xiamen-2022"].rendered == 3


def test_a_figure_that_breaks_a_sum_is_rendered_with_its_problem(tmp_path: Path) -> None:
    folder = workspace(tmp_path, "xiamen-2022.yaml") / "data"
    ws = Preview(folder, tmp_path / "output")
    edit(folder / "xiamen-2022.yaml", *FIGURE)
    ws.apply([folder / "xiamen-2022.yaml"])
    view = ws.views["xiamen-2022"]
    assert not view.stale and view.html is not None and "25.67" in view.html
    codes = {p.code for p in view.problems}
    assert "R201" in codes
    assert all(isinstance(p, Problem) and p.loc for p in view.problems if p.code != "R201")


def test_what_check_adds_beyond_the_data_is_shown_too(tmp_path: Path) -> None:
    """An unknown font role is refused by `check` and `build`; the preview says so as well."""
    folder = workspace(tmp_path, "xiamen-2022.yaml") / "data"
    ws = Preview(folder, tmp_path / "output")
    edit(folder / "xiamen-2022.yaml", "  name: 厦门市住房公积金中心\n",
         "  name: 厦门市住房公积金中心\n  fonts:\n    marginalia: 宋体\n")
    ws.apply([folder / "xiamen-2022.yaml"])
    view = ws.views["xiamen-2022"]
    assert [p.code for p in view.problems] == ["E801"] and "marginalia" in view.problems[0].message
    assert view.status() == "1 个错误"


# --- the server, as a process ----------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = workspace(tmp_path_factory.mktemp("ws"))
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.yaml").write_text(f"secret: {SECRET}\n", encoding="utf-8")
    (outside / "secret.pdf").write_text(SECRET, encoding="utf-8")
    os.symlink(outside / "secret.yaml", root / "data" / "leak-2022.yaml")
    with serving(root) as s:
        yield s


def test_index_lists_every_center_with_its_status(served) -> None:  # type: ignore[no-untyped-def]
    page = served.get("/")
    assert page.status == 200 and "部门预算预览" in page.body
    assert "script-src 'self'" in page.headers["content-security-policy"]
    centers = served.get("/state").json()
    assert [(c["key"], c["region"], c["status"]) for c in centers] == [
        ("shangrao-2022", "jiangxi", "通过"), ("xiamen-2022", "fujian", "通过")]
    assert centers[1]["name"] == "厦门市住房公积金中心"
    # The list is in the HTML the server sends (no script needed), with the regions' own names.
    rows = re.findall(r"<tr data-key=.*?</tr>", page.body, re.S)
    assert len(rows) == 2 and "江西省" in rows[0] and "福建省（厦门市）" in rows[1]
    assert ">厦门市住房公积金中心</a>" in rows[1] and "通过" in rows[1] and "尚未生成" in rows[1]
    assert 'id="empty" hidden' in page.body


def test_center_page_and_its_document(served) -> None:  # type: ignore[no-untyped-def]
    page = served.get("/c/xiamen-2022")
    assert page.status == 200 and "生成 PDF 与 Excel" in page.body and "与上次发布比较" in page.body
    document = served.get("/c/xiamen-2022/document")
    assert document.status == 200 and 'lang="zh-CN"' in document.body
    assert "部门收支预算总体情况表" in document.body and "system-ui" in document.body
    assert document.headers["content-security-policy"].startswith("default-src 'none'")


@pytest.mark.parametrize("path", [
    "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/static/..%2fserver.py",
    "/static/%2e%2e%2f%2e%2e%2fcli.py", "/static/../../../etc/passwd",
    "/c/xiamen-2022/files/..%2f..%2fdata%2fxiamen-2022.yaml",
    "/c/xiamen-2022/files/%2Fetc%2Fpasswd", "/c/%2e%2e/files/passwd",
    "/c/leak-2022", "/c/leak-2022/document", "/c/leak-2022/state",
    "/c/xiamen-2022/files/xiamen-2022.yaml", "/c/xiamen-2022/files/.inputs.sha256",
])
def test_nothing_outside_the_workspace_is_served(served, path: str) -> None:  # type: ignore[no-untyped-def]
    reply = served.get(path)
    assert reply.status == 404, (path, reply.status)
    assert SECRET not in reply.body and "root:" not in reply.body
    assert "找不到" in reply.body


def test_a_symlink_out_of_the_workspace_is_not_a_center(served) -> None:  # type: ignore[no-untyped-def]
    assert "leak-2022" not in served.get("/state").body
    assert SECRET not in served.get("/state").body


def test_an_output_symlinked_outside_is_not_served(served) -> None:  # type: ignore[no-untyped-def]
    folder = served.folder / "output" / "shangrao-2022"
    folder.mkdir(parents=True)
    outside = served.folder.parent / "elsewhere.pdf"
    outside.write_text(SECRET, encoding="utf-8")
    os.symlink(outside, folder / "shangrao-2022.pdf")
    reply = served.get("/c/shangrao-2022/files/shangrao-2022.pdf")
    assert reply.status == 404 and SECRET not in reply.body
    assert served.state("shangrao-2022")["files"] == {}


def test_other_host_names_and_foreign_posts_are_refused(served) -> None:  # type: ignore[no-untyped-def]
    # A web page elsewhere must not reach the preview through DNS rebinding or a form post.
    assert served.get("/state", {"Host": "attacker.example"}).status == 403
    assert served.request("POST", "/c/xiamen-2022/build",
                          {"Origin": "http://attacker.example"}).status == 403


def test_data_is_escaped_everywhere(tmp_path: Path) -> None:
    root = workspace(tmp_path, "xiamen-2022.yaml")
    injected = '<script>alert("x")</script>&'
    edit(root / "data" / "xiamen-2022.yaml", "  name: 厦门市住房公积金中心\n", f"  name: '{injected}'\n")
    with serving(root) as s:
        for path in ("/c/xiamen-2022", "/c/xiamen-2022/document"):
            body = s.get(path).body
            assert injected not in body and "&lt;script&gt;alert(" in body, path
        assert s.state("xiamen-2022")["name"] == injected  # JSON, put in with textContent


def test_live_state_follows_the_file(tmp_path: Path) -> None:
    root = workspace(tmp_path, "xiamen-2022.yaml")
    path = root / "data" / "xiamen-2022.yaml"
    with serving(root) as s:
        first = s.state("xiamen-2022")
        edit(path, *FIGURE)
        broken = s.until("xiamen-2022", lambda st: st["version"] > first["version"])
        codes = {p["code"] for p in broken["problems"]}
        assert "R201" in codes and broken["status"].endswith("个错误") and not broken["stale"]
        assert "25.67" in s.get("/c/xiamen-2022/document").body
        row = [p for p in broken["problems"] if p["target"] and p["target"].get("key")]
        assert row and all(p["line"] > 0 and p["field"] for p in row)

        edit(path, "  name: 厦门市住房公积金中心\n", "  name: [厦门市住房公积金中心\n")
        stale = s.until("xiamen-2022", lambda st: st["stale"])
        assert [p["code"] for p in stale["problems"]] == ["E004"]
        assert "YAML 语法错误" in stale["problems"][0]["message"]
        assert "25.67" in s.get("/c/xiamen-2022/document").body  # the last good rendering

        edit(path, "  name: [厦门市住房公积金中心\n", "  name: 厦门市住房公积金中心\n")
        edit(path, FIGURE[1], FIGURE[0])
        clean = s.until("xiamen-2022", lambda st: not st["stale"] and not st["problems"])
        assert clean["status"] == "通过"


def test_build_offers_the_files_and_diff_compares_with_git(tmp_path: Path) -> None:
    root = workspace(tmp_path, "xiamen-2022.yaml")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "data"], check=True)
    subprocess.run([*git, "commit", "-qm", "published"], check=True)
    with serving(root) as s:
        built = s.request("POST", "/c/xiamen-2022/build", {"Origin": s.url.rstrip("/")}).json()
        assert built["status"] == "built", built
        assert set(built["files"]) == {"pdf", "xlsx"}
        pdf = s.get(built["files"]["pdf"])
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert "attachment" in pdf.headers["content-disposition"]
        assert (root / "output" / "xiamen-2022" / "xiamen-2022.pdf").read_bytes()[:5] == b"%PDF-"
        assert s.get("/state").json()[0]["built"]
        assert s.state("xiamen-2022")["outdated"] == "" and "已过时" not in s.get("/").body

        assert "无变化" in s.get("/c/xiamen-2022/diff").body
        edit(root / "data" / "xiamen-2022.yaml", "    - 配合市住房保障", "    - 协助市住房保障")
        changed = s.until("xiamen-2022", lambda st: st["version"] > 1)
        # The PDF and workbook on offer are now older than the data: marked, with the time.
        assert changed["outdated"] and changed["outdated"] >= changed["built"]
        for page in (s.get("/").body, s.get("/c/xiamen-2022").body):
            assert f"已过时：数据文件于 {changed['outdated']} 修改" in page and "PDF（已过时）" in page
        again = s.request("POST", "/c/xiamen-2022/build", {"Origin": s.url.rstrip("/")}).json()
        assert again["status"] == "built" and s.state("xiamen-2022")["outdated"] == ""
        report = s.get("/c/xiamen-2022/diff").body
        assert "<mark>配合</mark>市住房保障" in report and "<mark>协助</mark>市住房保障" in report

        edit(root / "data" / "xiamen-2022.yaml", *FIGURE)
        s.until("xiamen-2022", lambda st: st["version"] > 2)
        with_errors = s.get("/c/xiamen-2022/diff").body  # what changed, then the file's errors
        assert "25.67" in with_errors and "未通过校验的问题" in with_errors and "R203" in with_errors


def test_diff_without_git_says_why(tmp_path: Path) -> None:
    with serving(workspace(tmp_path, "xiamen-2022.yaml")) as s:
        reply = s.get("/c/xiamen-2022/diff")
        assert reply.status == 200 and "无法比较" in reply.body and "git" in reply.body


def test_ctrl_c_stops_cleanly(tmp_path: Path) -> None:
    with serving(workspace(tmp_path, "xiamen-2022.yaml")) as s:
        s.get("/")
        status, out, err = s.stop()
    assert status == 0 and "已停止预览" in out
    assert "Traceback" not in err and "Traceback" not in out


def test_another_address_only_when_asked_and_with_a_warning(tmp_path: Path) -> None:
    root = workspace(tmp_path, "xiamen-2022.yaml")
    with serving(root) as s:
        assert s.url.startswith("http://127.0.0.1:")
        assert s.stop()[0] == 0
    with serving(root, "--host", "0.0.0.0") as s:
        assert s.get("/state", {"Host": "192.0.2.1"}).status == 200
        status, _, err = s.stop()
    assert status == 0 and "警告" in err and "0.0.0.0" in err


def test_a_port_in_use_is_reported_in_chinese(tmp_path: Path) -> None:
    root = workspace(tmp_path, "xiamen-2022.yaml")
    with serving(root) as s:
        port = re.search(r":(\d+)/", s.url)
        assert port is not None
        second = start(root, "--port", port[1])
        out, err = second.communicate(timeout=120)
        assert second.returncode == 1 and "无法在 127.0.0.1" in err and "Traceback" not in err


def test_a_template_change_refreshes_every_center(tmp_path: Path) -> None:
    from budgetreport.inputs.resources import builtin_templates

    folder = workspace(tmp_path) / "data"
    ws = Preview(folder, tmp_path / "output")
    before = {k: v.version for k, v in ws.views.items()}
    ws.apply([builtin_templates() / "base" / "parts" / "overview.html.j2"])  # as the watcher reports it
    assert {k: v.version for k, v in ws.views.items()} == {k: n + 1 for k, n in before.items()}
    (folder / "shangrao-2022.yaml").unlink()
    ws.apply([folder / "shangrao-2022.yaml"])
    assert list(ws.views) == ["xiamen-2022"]


def test_serves_a_workspace_given_by_path(tmp_path: Path) -> None:
    """`init` makes a workspace; `serve <workspace>` from elsewhere previews its data/ and
    builds into its output/."""
    from conftest import run_cli
    from serving import Served

    assert run_cli("init", tmp_path / "ws").exit_code == 0
    process = start(tmp_path, str(tmp_path / "ws"))
    s = Served(process, wait_for_address(process), tmp_path / "ws")
    try:
        assert [c["key"] for c in s.get("/state").json()] == ["xiamen-2022"]
        built = s.request("POST", "/c/xiamen-2022/build").json()
        assert built["status"] == "built", built
        assert (tmp_path / "ws" / "output" / "xiamen-2022" / "xiamen-2022.pdf").is_file()
    finally:
        assert s.stop()[0] == 0
