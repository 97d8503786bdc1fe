"""`budgetreport serve` in a real browser: Debian's headless Chromium driven by Selenium.

A finance officer's round: open the index, open a center, change a figure in the YAML
file and watch the page follow, click the problem to find the cell, make a syntax error and
mend it, ask for a path outside the workspace. Screenshots are kept under
output/browser/ for a person to look at.

Selenium is pointed at /usr/bin/chromedriver and /usr/bin/chromium (installed by
scripts/test), so it never downloads a driver or a browser.
"""

from __future__ import annotations

import base64
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.print_page_options import PrintOptions
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ROOT, replace_once
from serving import Served, serving, workspace

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
AXE = ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"  # scripts/test installs it
SHOTS = ROOT / "output" / "browser"
WAIT = 30  # seconds; generous for a loaded machine — not a speed claim
FIGURE = ("    source: general_budget\n    personnel: 23.67\n",
          "    source: general_budget\n    personnel: 25.67\n")
SYNTAX = ("  name: 厦门市住房公积金中心\n", "  name: [厦门市住房公积金中心\n")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("找不到 Chromium 或 chromedriver：请用 ./scripts/test 运行测试，"
                    "它会安装 chromium 与 chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(120)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with serving(workspace(tmp_path)) as s:
        yield s


def shot(driver: WebDriver, name: str) -> None:
    """Keep a screenshot under output/browser/ for a person to look at."""
    path = SHOTS / f"{name}.png"
    assert driver.save_screenshot(str(path)) and path.stat().st_size > 10_000


def wait(driver: WebDriver, check: Callable[[WebDriver], Any], what: str) -> Any:
    # The live page replaces elements as updates arrive: one read of a replaced element is retried.
    return WebDriverWait(driver, WAIT, poll_frequency=0.1,
                         ignored_exceptions=[StaleElementReferenceException]).until(check, f"页面没有{what}")


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(replace_once(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")


def in_document(driver: WebDriver, script: str) -> Any:
    """Run `script` (with `doc` the previewed document) against the iframe's document."""
    return driver.execute_script(
        "const doc = document.getElementById('document').contentDocument;" + script)


def test_a_finance_officer_round(browser: WebDriver, served: Served) -> None:
    driver, data = browser, served.data / "xiamen-2022.yaml"

    # The index: every center with region and status.
    driver.get(served.url)
    rows = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#centers tbody tr"), "单位列表")
    assert len(rows) == 2
    wait(driver, lambda d: "实时更新中" in d.find_element(By.ID, "live").text, "实时连接")
    texts = wait(driver, lambda d: [r.text for r in d.find_elements(By.CSS_SELECTOR, "#centers tbody tr")],
                 "单位列表")
    assert "厦门市住房公积金中心" in texts[1] and "福建省（厦门市）" in texts[1] and "通过" in texts[1]
    shot(driver, "1-index")

    # A center: the document beside its (no) problems.
    driver.find_element(By.LINK_TEXT, "厦门市住房公积金中心").click()
    wait(driver, lambda d: d.find_element(By.ID, "status").text == "通过", "状态“通过”")
    wait(driver, lambda d: in_document(d, "return doc && doc.querySelectorAll('caption').length"),
         "文档")
    assert driver.find_element(By.ID, "clean").is_displayed()
    shot(driver, "2-center")

    # A figure changed in the file: the page follows, the problem appears.
    edit(data, *FIGURE)
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#problems li.bad"), "出现问题")
    assert "个错误" in driver.find_element(By.ID, "status").text
    wait(driver, lambda d: in_document(d, "return doc.body.textContent.includes('25.67')"),
         "更新文档中的数字")
    # The hint naming a figure that would balance the sums leads to that figure's cell.
    hint = wait(driver, lambda d: next((li.text for li in d.find_elements(By.CSS_SELECTOR, "#problems li")
                                        if "R200" in li.text), None), "R200 提示")
    code = re.search(r"（(\d{7}) ", hint)
    assert code, hint
    wait(driver, goto(driver, "R200"), "R200 的问题")
    flashed = wait(driver, lambda d: in_document(
        d, "const e = doc.querySelector('[data-flash]'); return e && [e.outerHTML, e.parentElement.dataset.code]"),
        "标出对应位置")
    assert flashed[0].startswith("<td") and 'data-key="personnel"' in flashed[0] and flashed[1] == code[1]
    assert in_document(driver, "const r = doc.querySelector('[data-flash]').getBoundingClientRect();"
                               "return r.top >= 0 && r.bottom <= doc.defaultView.innerHeight")
    shot(driver, "3-problem")

    # A syntax error: shown, the last good rendering kept and marked stale.
    edit(data, *SYNTAX)
    wait(driver, lambda d: d.find_element(By.ID, "stale").is_displayed(), "标明“已过时”")
    assert "YAML 语法错误" in driver.find_element(By.ID, "problems").text
    assert in_document(driver, "return doc.body.textContent.includes('25.67')")
    shot(driver, "4-stale")

    # Mended: the problems go, the document is current again.
    edit(data, SYNTAX[1], SYNTAX[0])
    edit(data, FIGURE[1], FIGURE[0])
    wait(driver, lambda d: d.find_element(By.ID, "status").text == "通过", "恢复“通过”")
    wait(driver, lambda d: not d.find_element(By.ID, "stale").is_displayed(), "去掉“已过时”")
    assert not driver.find_elements(By.CSS_SELECTOR, "#problems li")
    shot(driver, "5-mended")


def goto(driver: WebDriver, *needles: str) -> Callable[[WebDriver], bool]:
    """Click 在文档中查看 of the problem whose text holds every needle (a waiting condition)."""
    def click(d: WebDriver) -> bool:
        try:  # the list is redrawn whenever the state changes: look it up afresh
            for li in d.find_elements(By.CSS_SELECTOR, "#problems li.has-target"):
                if all(n in li.text for n in needles):
                    d.execute_script("arguments[0].scrollIntoView()", li)
                    li.find_element(By.CSS_SELECTOR, "button.goto").click()
                    return True
        except StaleElementReferenceException:
            pass
        return False
    return click


FLASHED = "const e = doc.querySelector('[data-flash]');"


def test_view_in_document_finds_the_problems_own_place(browser: WebDriver, tmp_path: Path) -> None:
    """A Shanghai document (its own table keys, 类/款/项 code columns, amounts in 元): each
    problem leads to its own cell or table — not to another cell showing the same amount
    (公务接待费 9,500 equals economic row 30217)."""
    driver, name = browser, "shanghai-putuo-czj-2025"
    with serving(workspace(tmp_path, f"{name}.yaml")) as s:
        data = s.data / f"{name}.yaml"
        # in_projects given as 0: the 100 over 30217 cannot be taken as spent in projects (R303)
        edit(data, "reception: {amount: 9500, prior: 9500", "reception: {amount: 9600, in_projects: 0, prior: 9500")
        edit(data, "    project: 138514.80\n", "    project: 138515.80\n")
        s.until(name, lambda st: {"R303", "R201"} <= {p["code"] for p in st["problems"]})
        driver.get(s.url + f"c/{name}")
        wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#problems li.has-target")) >= 4, "问题")
        wait(driver, lambda d: in_document(d, "return doc && doc.querySelectorAll('caption').length"), "文档")

        # 三公: the cell of the figure itself, in the 三公 table, with the keyboard focus there.
        wait(driver, goto(driver, "R303"), "R303")
        place = wait(driver, lambda d: in_document(d, FLASHED + "return e && [e.outerHTML, "
                                                   "e.closest('section').id, doc.activeElement === e]"),
                     "标出公务接待费")
        assert 'data-key="three_public.reception.amount"' in place[0] and place[1] == "table-sh_three_public"
        assert place[2], "the keyboard focus moves to the place shown"

        # A spending line: its row (found by its whole code, printed in 类/款/项 columns), the
        # cell of the changed field, the amount as the page prints it.
        wait(driver, goto(driver, "R200", "138,515.80"), "R200")
        place = wait(driver, lambda d: in_document(d, FLASHED + "return e && e.dataset.key === 'project' && "
                                                   "[e.textContent, e.parentElement.dataset.code]"), "标出项目支出")
        assert place == ["138,515.80", "2010601"]

        # A whole table (R201 is about the totals): shown from its caption, marked until the next key.
        wait(driver, goto(driver, "R201"), "R201")
        shown = wait(driver, lambda d: in_document(d, FLASHED + "return e && e.tagName === 'TABLE' && "
                                                   "e.closest('section').id"), "标出收支总表")
        assert shown == "table-sh_summary"
        assert in_document(driver, "const r = doc.querySelector('[data-flash] caption').getBoundingClientRect();"
                                   "return r.top >= 0 && r.bottom <= doc.defaultView.innerHeight")
        time.sleep(3)  # no timer takes the mark away
        assert in_document(driver, "return doc.querySelectorAll('[data-flash]').length") == 1
        ActionChains(driver).send_keys(Keys.ARROW_DOWN).perform()
        wait(driver, lambda d: in_document(d, "return !doc.querySelector('[data-flash]')"), "在下一次操作时去掉标记")
        shot(driver, "10-shanghai-goto")


def test_build_and_files_from_the_page(browser: WebDriver, served: Served) -> None:
    driver = browser
    driver.get(served.url + "c/shangrao-2022")
    wait(driver, lambda d: d.find_element(By.ID, "status").text == "通过", "状态")
    driver.find_element(By.ID, "build").click()
    wait(driver, lambda d: "生成结果：已生成" in d.find_element(By.ID, "build-result").text, "生成结果")
    links = driver.find_elements(By.CSS_SELECTOR, "#build-result a")
    assert [a.text for a in links] == ["PDF", "Excel"]
    assert (served.folder / "output" / "shangrao-2022" / "shangrao-2022.pdf").exists()
    shot(driver, "6-built")


def test_center_page_on_a_narrow_window_and_in_print(browser: WebDriver, served: Served) -> None:
    driver = browser
    driver.set_window_size(900, 1000)
    try:
        driver.get(served.url + "c/xiamen-2022")
        wait(driver, lambda d: in_document(d, "return doc && doc.querySelectorAll('caption').length"),
             "文档")
        frame = driver.find_element(By.ID, "document")
        assert frame.size["height"] > 600 and frame.size["width"] > 700  # one column, a usable frame
        # Keyboard order: the problems (and their buttons) before the document.
        order = driver.execute_script(
            "const p = document.querySelector('.problems'), f = document.getElementById('document');"
            "return p.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING")
        assert order
        shot(driver, "8-narrow")
        # Printed: the whole document, none of the buttons.
        pdf = base64.b64decode(driver.print_page(PrintOptions()))
        path = SHOTS / "9-printed.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "生成 PDF 与 Excel" not in text and "校验问题" not in text and "实时更新" not in text
        assert "部门预算" in text.split("\f")[0]  # the document from the first page on
        last_caption = in_document(driver, "const c = doc.querySelectorAll('caption');"
                                           "return c[c.length - 1].querySelector('.table-title').textContent")
        squashed = "".join(text.split())
        assert "第一部分" in squashed and "".join(last_caption.split()) in squashed
    finally:
        driver.set_window_size(1400, 1000)


def axe(driver: WebDriver) -> list[str]:
    """axe-core's violations on the page shown (every rule it runs by default: WCAG 2 A/AA and
    best practices), one "rule: element" line each; frames are checked on their own."""
    if not AXE.is_file():
        pytest.fail("找不到 axe-core：请用 ./scripts/test 运行测试，它会安装 axe-core")
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    return driver.execute_async_script(  # type: ignore[no-any-return]
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, { iframes: false }).then("
        "  (r) => done(r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`))),"
        "  (e) => done([`axe failed: ${e}`]));")


def test_axe_finds_no_violation_at_desktop_and_phone_width(browser: WebDriver, tmp_path: Path) -> None:
    """The index, the center pages, the web version of the document (two regions) and the diff
    page (with changed figures and sentences), at 1400 and 375 px."""
    driver = browser
    root = workspace(tmp_path, "xiamen-2022.yaml", "shanghai-putuo-czj-2025.yaml")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "data"], check=True)
    subprocess.run([*git, "commit", "-qm", "published"], check=True)
    edit(root / "data" / "xiamen-2022.yaml", "    - 配合市住房保障", "    - 协助市住房保障")
    edit(root / "data" / "shanghai-putuo-czj-2025.yaml", "reception: {amount: 9500, prior: 9500",
         "reception: {amount: 9500, prior: 9400")
    pages = ["", "c/xiamen-2022", "c/shanghai-putuo-czj-2025", "c/xiamen-2022/document",
             "c/shanghai-putuo-czj-2025/document", "c/xiamen-2022/diff", "c/shanghai-putuo-czj-2025/diff"]
    found: dict[str, list[str]] = {}
    with serving(root) as s:
        assert "<mark>协助</mark>" in s.get("/c/xiamen-2022/diff").body  # (edited before it started)
        assert "three_public.reception.prior" in s.get("/c/shanghai-putuo-czj-2025/diff").body
        try:
            for width in (1400, 375):
                driver.set_window_size(width, 900)
                for page in pages:
                    driver.get(s.url + page)
                    if page.startswith("c/") and page.count("/") == 1:
                        wait(driver, lambda d: d.find_element(By.ID, "status").text, "状态")
                    found[f"{width}px /{page}"] = axe(driver)
                    if page.endswith("/diff"):
                        assert len(driver.find_elements(By.CSS_SELECTOR, "main, [role=main]")) == 1
                    if page.endswith("/document") and width == 375:
                        shot(driver, f"11-phone-{page.split('/')[1]}")
                        assert_captions_stay(driver)
        finally:
            driver.set_window_size(1400, 1000)
    assert not any(found.values()), {k: v for k, v in found.items() if v}


def assert_captions_stay(driver: WebDriver) -> None:
    """Each table wider than the phone scrolls sideways inside its section; scrolled to its
    far end, its title and 编制单位/单位 line are still in sight."""
    wide = driver.execute_script("""
        const out = [];
        for (const s of document.querySelectorAll('section.table-page')) {
          if (s.scrollWidth <= s.clientWidth + 1) continue;
          s.scrollIntoView(); s.scrollLeft = s.scrollWidth;
          const box = s.getBoundingClientRect();
          const parts = [s.querySelector('.table-title'), ...s.querySelectorAll('.table-meta span')];
          out.push([s.id, parts.every((e) => { const r = e.getBoundingClientRect();
            return r.width > 0 && r.left >= box.left - 1 && r.right <= box.left + s.clientWidth + 1; })]);
        }
        return out;""")
    assert len(wide) >= 2, "no table scrolls sideways at 375 px: the check checked nothing"
    assert all(ok for _, ok in wide), wide


def test_nothing_outside_the_workspace_in_the_browser(browser: WebDriver, served: Served) -> None:
    driver = browser
    for path in ("c/..%2F..%2F..%2Fetc%2Fpasswd", "static/%2e%2e%2f%2e%2e%2fcli.py",
                 "c/xiamen-2022/files/..%2F..%2Fdata%2Fxiamen-2022.yaml"):
        driver.get(served.url + path)
        body = driver.find_element(By.TAG_NAME, "body").text
        assert "找不到" in body and "root:" not in body and "department" not in body
    shot(driver, "7-refused")

