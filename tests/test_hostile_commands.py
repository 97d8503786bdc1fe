"""Hostile invocations of every command but `check` of a data file (tests/test_hostile_corpus.py
does that): wrong arguments, broken workbooks and PDFs, broken workspace settings, catalogues,
glossaries, center templates and region.yaml, outputs that are folders, devices or the inputs
themselves. Each runs the installed command in a folder of its own (several at once), and is
held to: no traceback, Chinese lines, the promised exit status, the file it concerns named,
and the files it must not touch unchanged.
"""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import DATA
from hostile_files import PDFS, WORKBOOKS
from test_hostile_corpus import Run, chinese, run

X = (DATA / "xiamen-2022.yaml").read_text(encoding="utf-8")
NAME = "  name: 厦门市住房公积金中心\n"
Setup = Callable[[Path], None]


def files(**contents: str | bytes) -> Setup:
    """Writes each file (keyword: its path with "__" for "/", "_dot_" for "." and "_" for "-")."""
    def make(folder: Path) -> None:
        for key, content in contents.items():
            path = folder / key.replace("__", "/").replace("_dot_", ".").replace("_", "-")
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
    return make


def both(*setups: Setup) -> Setup:
    def make(folder: Path) -> None:
        for setup in setups:
            setup(folder)
    return make


def workspace(settings: str | bytes = "region: fujian\n", **more: str | bytes) -> Setup:
    return files(budgetreport_dot_yaml=settings, data__xiamen_2022_dot_yaml=X, **more)


def built_copy(*names: str) -> Setup:
    """Copies of the Xiamen PDF and workbook built once (see `built`)."""
    def make(folder: Path) -> None:
        for name in names:
            shutil.copy(BUILT / f"xiamen-2022{Path(name).suffix}", folder / name)
    return make


def workbook(change: Callable[..., None], name: str = "x.xlsx") -> Setup:
    """The built workbook with `change(workbook)` applied."""
    def make(folder: Path) -> None:
        from openpyxl import load_workbook

        book = load_workbook(BUILT / "xiamen-2022.xlsx")
        change(book)
        book.save(folder / name)
    return make


def _cell(row: int, col: int, value: object, sheet: int = 0) -> Callable[..., None]:
    def change(book) -> None:  # type: ignore[no-untyped-def]
        book.worksheets[sheet].cell(row, col).value = value
    return change


def _first_amount(book) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    ws = book.worksheets[0]
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, int | float) and c.value > 100:
                return c.row, c.column
    raise AssertionError("no amount in the first sheet")


def _amount_to(value: object) -> Callable[..., None]:
    def change(book) -> None:  # type: ignore[no-untyped-def]
        row, col = _first_amount(book)
        book.worksheets[0].cell(row, col).value = value
    return change


def _zip(**members: str) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, text in members.items():
            z.writestr(name.replace("_dot_", "."), text)
    return buffer.getvalue()


def _generated(name: str, make: Callable[[], bytes]) -> Setup:
    def write(folder: Path) -> None:
        (folder / name).write_bytes(make())
    return write


def _device(name: str) -> Setup:
    def make(folder: Path) -> None:
        os.mknod(folder / name, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a /dev/null of our own
    return make


def _loop(name: str) -> Setup:
    def make(folder: Path) -> None:
        (folder / name).symlink_to(Path(name).name)
    return make


def _link(name: str, target: str) -> Setup:
    def make(folder: Path) -> None:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).symlink_to(target)
    return make


def _fifo(name: str) -> Setup:
    def make(folder: Path) -> None:
        os.mkfifo(folder / name)
    return make


def _truncated_pdf(folder: Path) -> None:
    data = (BUILT / "xiamen-2022.pdf").read_bytes()
    (folder / "t.pdf").write_bytes(data[: len(data) // 3])


def _zeroed_pdf(folder: Path) -> None:
    data = bytearray((BUILT / "xiamen-2022.pdf").read_bytes())
    data[len(data) // 2: len(data) // 2 + 4000] = bytes(4000)
    (folder / "z.pdf").write_bytes(bytes(data))


@dataclass(frozen=True)
class Cmd:
    id: str
    args: tuple[str, ...]
    status: int | tuple[int, ...]
    words: tuple[str, ...] = ()  # each must appear in the output
    setup: Setup | None = None
    kept: tuple[str, ...] = ()  # files that must be byte for byte as before
    named: str = ""  # the file the message must name (its location)
    quoted: str = ""  # the user's own words a message may quote
    absent: tuple[str, ...] = ()  # files that must not exist afterwards
    links: tuple[str, ...] = ()  # symbolic links that must still be links afterwards


# a PDF over a limit is refused before it is parsed (a broken xref is repaired, and read)
PDF_WORDS = {"a flate bomb": ("E603", "压缩炸弹"), "2000 pages": ("E603", "2,000 页"),
             "a bomb inside a bomb": ("E603",), "a hex-encoded bomb": ("E603",), "an ASCII85-encoded bomb": ("E603",),
             "a corrupt stream": ("E602", "损坏")}
BOMB = "a0: &a0 [" + ", ".join("x" * 10) + "]\n" + "".join(
    f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 7))
BAD = files(bad_2022_dot_yaml=X.replace(NAME, "  name: 厦门\x00\n"))
DATA_X = files(xiamen_2022_dot_yaml=X)
CMDS = [
    # diff
    Cmd("diff with /dev/null", ("diff", "xiamen-2022.yaml", "/dev/null"), 1, ("E003",), DATA_X, named="/dev/null"),
    Cmd("diff with a folder", ("diff", "xiamen-2022.yaml", "."), (1, 2), setup=DATA_X),
    Cmd("diff with a NUL byte", ("diff", "xiamen-2022.yaml", "bad-2022.yaml"), 1, ("E007",), both(DATA_X, BAD),
        named="bad-2022.yaml"),
    Cmd("diff --html over its own input", ("diff", "xiamen-2022.yaml", "y-2022.yaml", "--html", "y-2022.yaml"), 2,
        setup=files(xiamen_2022_dot_yaml=X, y_2022_dot_yaml=X.replace(NAME, "  name: 厦门市公积金中心\n")),
        kept=("y-2022.yaml", "xiamen-2022.yaml")),
    Cmd("diff --html into a device", ("diff", "xiamen-2022.yaml", "xiamen-2022.yaml", "--html", "null"), 0,
        setup=both(DATA_X, _device("null"))),
    Cmd("diff --html into a pipe nobody reads", ("diff", "xiamen-2022.yaml", "xiamen-2022.yaml", "--html", "p.html"),
        1, setup=both(DATA_X, _fifo("p.html")), named="p.html"),
    Cmd("schema into a pipe nobody reads", ("schema", "-o", "p.json"), 1, setup=_fifo("p.json"), named="p.json"),
    Cmd("diff --html into a folder", ("diff", "xiamen-2022.yaml", "xiamen-2022.yaml", "--html", "out"), 1,
        ("文件夹",), both(DATA_X, files(out__keep="x")), kept=("out/keep",), named="out"),
    Cmd("diff --html into /proc", ("diff", "xiamen-2022.yaml", "xiamen-2022.yaml", "--html", "/proc/x.html"), 1,
        setup=DATA_X, named="/proc/x.html"),
    Cmd("diff of an unknown revision", ("diff", "NOREV:xiamen-2022.yaml", "xiamen-2022.yaml"), 1, setup=DATA_X),
    Cmd("diff of an alias bomb", ("diff", "xiamen-2022.yaml", "b-2022.yaml"), 1, ("E010",),
        both(DATA_X, files(b_2022_dot_yaml=BOMB)),
        named="b-2022.yaml"),
    # new
    Cmd("new over its source", ("new", "--from", "xiamen-2022.yaml", "--year", "2023", "-o", "xiamen-2022.yaml"), 2,
        setup=DATA_X, kept=("xiamen-2022.yaml",)),
    Cmd("new into a folder", ("new", "--from", "xiamen-2022.yaml", "--year", "2023", "-o", "out"), (1, 2),
        setup=both(DATA_X, files(out__keep="x")), kept=("out/keep",)),
    Cmd("new into /proc", ("new", "--from", "xiamen-2022.yaml", "--year", "2023", "-o", "/proc/x-2023.yaml"), 1,
        setup=DATA_X, named="/proc/x-2023.yaml"),
    Cmd("new from a NUL byte", ("new", "--from", "bad-2022.yaml", "--year", "2023", "-o", "b-2023.yaml"), 1,
        ("E007",), BAD, named="bad-2022.yaml"),
    Cmd("new --year abc", ("new", "--from", "xiamen-2022.yaml", "--year", "abc"), 2, setup=DATA_X),
    Cmd("new --year far away", ("new", "--from", "xiamen-2022.yaml", "--year", "99999"), 2, setup=DATA_X),
    Cmd("new --name with a newline", ("new", "--region", "fujian", "--name", "厦门\n中心", "--year", "2022",
                                      "-o", "n-2022.yaml"), 2),
    Cmd("new --name of blanks", ("new", "--region", "fujian", "--name", "　 ", "--year", "2022",
                                 "-o", "n-2022.yaml"), 2),
    Cmd("new --name too long", ("new", "--region", "fujian", "--name", "长" * 300, "--year", "2022",
                                "-o", "n-2022.yaml"), 2),
    Cmd("new --region a path", ("new", "--region", "../../etc", "--name", "中心", "--year", "2022",
                                "-o", "n-2022.yaml"), 2),
    Cmd("new --center a path", ("new", "--region", "fujian", "--name", "中心", "--year", "2022",
                                "--center", "../evil"), 2),
    Cmd("new --xlsx over its source", ("new", "--from", "xiamen-2022.yaml", "--year", "2023", "--xlsx",
                                       "xiamen-2022.yaml"), 2, setup=DATA_X, kept=("xiamen-2022.yaml",)),
    Cmd("new --xlsx into /proc", ("new", "--from", "xiamen-2022.yaml", "--year", "2023", "--xlsx", "/proc/x.xlsx"),
        1, setup=DATA_X, named="/proc/x.xlsx"),
    # templates and catalogue
    Cmd("templates of a NUL byte", ("templates", "bad-2022.yaml"), 1, ("E007",), BAD, named="bad-2022.yaml"),
    Cmd("templates of a device", ("templates", "/dev/zero"), 1, ("E003",), named="/dev/zero"),
    Cmd("catalogue of a NUL byte", ("catalogue", "bad-2022.yaml"), 1, ("E007",), BAD, named="bad-2022.yaml"),
    Cmd("catalogue of an empty file", ("catalogue", "e-2022.yaml"), 1, ("E005",), files(e_2022_dot_yaml=""),
        named="e-2022.yaml"),
    # schema and init
    Cmd("schema into a folder", ("schema", "-o", "out"), 1, ("文件夹",), files(out__keep="x"), kept=("out/keep",),
        named="out"),
    Cmd("schema into a device", ("schema", "-o", "null"), 0, setup=_device("null")),
    Cmd("schema into /proc", ("schema", "-o", "/proc/version"), 1, named="/proc/version"),
    Cmd("schema into a full disk", ("schema", "-o", "/dev/full"), 1, ("磁盘空间不足",), named="/dev/full"),
    Cmd("init over a workspace", ("init", "."), 2, setup=workspace(), kept=("budgetreport.yaml",)),
    Cmd("init under a file", ("init", "f/w"), 1, setup=files(f="x"), kept=("f",), named="f"),
    Cmd("init in /proc", ("init", "/proc/w"), 1, named="/proc/w"),
    # import: workbooks
    Cmd("import a YAML file", ("import", "xiamen-2022.yaml", "-o", "n-2022.yaml", "--region", "fujian"), 1,
        ("E502",), DATA_X, named="xiamen-2022.yaml"),
    Cmd("import an empty workbook", ("import", "e.xlsx", "--into", "xiamen-2022.yaml"), 1, ("E502",),
        both(DATA_X, files(e_dot_xlsx=b"")), kept=("xiamen-2022.yaml",), named="e.xlsx"),
    Cmd("import a zip without a workbook", ("import", "z.xlsx", "-o", "n-2022.yaml", "--region", "fujian"), 1,
        ("E502",), files(z_dot_xlsx=_zip(hello_dot_txt="x")), named="z.xlsx"),
    Cmd("import broken XML", ("import", "z.xlsx", "-o", "n-2022.yaml", "--region", "fujian"), 1, ("E502",),
        files(z_dot_xlsx=_zip(**{"[Content_Types]_dot_xml": "<Types><broken"})), named="z.xlsx"),
    Cmd("import an encrypted workbook", ("import", "p.xlsx", "-o", "n-2022.yaml", "--region", "fujian"), 1,
        ("加密",), files(p_dot_xlsx=bytes.fromhex("d0cf11e0a1b11ae1") + bytes(4000)), named="p.xlsx"),
    Cmd("import a folder", ("import", "d.xlsx", "-o", "n-2022.yaml", "--region", "fujian"), 2,
        setup=files(d_dot_xlsx__keep="x")),
    Cmd("import into a broken data file", ("import", "x.xlsx", "--into", "bad-2022.yaml"), 1, ("E007",),
        both(BAD, built_copy("x.xlsx")), kept=("bad-2022.yaml",), named="bad-2022.yaml"),
    Cmd("import into itself", ("import", "xiamen-2022.yaml", "--into", "xiamen-2022.yaml"), 1, setup=DATA_X,
        kept=("xiamen-2022.yaml",)),
    Cmd("import over an existing file", ("import", "x.xlsx", "-o", "xiamen-2022.yaml", "--region", "fujian"),
        2, setup=both(DATA_X, built_copy("x.xlsx")), kept=("xiamen-2022.yaml",)),
    Cmd("import text numbers", ("import", "x.xlsx", "--into", "xiamen-2022.yaml"), (0, 1),
        setup=both(DATA_X, workbook(_amount_to("1,234.56"))), kept=("xiamen-2022.yaml",)),
    Cmd("import a date as an amount", ("import", "x.xlsx", "--into", "xiamen-2022.yaml"), 1,
        setup=both(DATA_X, workbook(_amount_to(__import__("datetime").datetime(2022, 1, 1)))),
        kept=("xiamen-2022.yaml",), named="x.xlsx"),
    Cmd("import a formula without its value", ("import", "x.xlsx", "--into", "xiamen-2022.yaml"), (0, 1),
        setup=both(DATA_X, workbook(_amount_to("=SUM(A1:A2)"))), kept=("xiamen-2022.yaml",)),
    Cmd("import a negative amount", ("import", "x.xlsx", "--into", "xiamen-2022.yaml"), 1,
        setup=both(DATA_X, workbook(_amount_to(-5))), kept=("xiamen-2022.yaml",), named="x.xlsx"),
    Cmd("import a huge amount", ("import", "x.xlsx", "--into", "xiamen-2022.yaml"), 1,
        setup=both(DATA_X, workbook(_amount_to(1e300))), kept=("xiamen-2022.yaml",), named="x.xlsx"),
    Cmd("import emptied sheets", ("import", "x.xlsx", "-o", "n-2022.yaml", "--region", "fujian"), 1,
        setup=workbook(lambda b: [b.remove(ws) for ws in b.worksheets[1:]] and None), named="x.xlsx"),
    Cmd("import a merged header", ("import", "x.xlsx", "--into", "xiamen-2022.yaml"), (0, 1),
        setup=both(DATA_X, workbook(lambda b: b.worksheets[0].merge_cells("A1:H8"))), kept=("xiamen-2022.yaml",)),
    # import and verify: PDFs
    Cmd("verify garbage", ("verify", "g.pdf"), 1, ("E602",), files(g_dot_pdf=b"%PDF-1.4\n" + bytes(range(256))),
        named="g.pdf"),
    Cmd("verify an empty PDF", ("verify", "e.pdf", "xiamen-2022.yaml"), 1, ("E602",),
        both(DATA_X, files(e_dot_pdf=b"")), named="e.pdf"),
    Cmd("verify a truncated PDF", ("verify", "t.pdf"), 1, setup=_truncated_pdf, named="t.pdf"),
    Cmd("verify a PDF with a hole", ("verify", "z.pdf"), (0, 1), setup=_zeroed_pdf),
    Cmd("verify a YAML file as PDF", ("verify", "xiamen-2022.yaml"), 1, ("E602",), DATA_X, named="xiamen-2022.yaml"),
    Cmd("verify against a broken data file", ("verify", "x.pdf", "bad-2022.yaml"), 1, ("E007",),
        both(BAD, built_copy("x.pdf")), named="bad-2022.yaml"),
    Cmd("verify a folder", ("verify", "."), 2),
    Cmd("verify --region unknown", ("verify", "x.pdf", "--region", "mars"), 2, setup=built_copy("x.pdf")),
    Cmd("import a truncated PDF", ("import", "t.pdf", "-o", "n-2022.yaml", "--region", "fujian"), 1,
        setup=_truncated_pdf, named="t.pdf"),
    Cmd("import garbage as PDF", ("import", "g.pdf", "--into", "xiamen-2022.yaml"), 1, ("E602",),
        both(DATA_X, files(g_dot_pdf=b"%PDF-1.7\n%%EOF\n")), kept=("xiamen-2022.yaml",), named="g.pdf"),
    # over a limit, or damaged: refused before the work, in Chinese, naming the file (issue 25)
    Cmd("import an overflowing amount", ("import", "x.xlsx", "--into", "xiamen-2022.yaml"), 1, ("E512",),
        setup=both(DATA_X, workbook(_amount_to("1E+999999999"))), kept=("xiamen-2022.yaml",), named="x.xlsx"),
    *(Cmd(f"import {label}", ("import", "b.xlsx", "--into", "xiamen-2022.yaml"), 1, ("E504",),
          both(DATA_X, _generated("b.xlsx", make)), kept=("xiamen-2022.yaml",), named="b.xlsx")
      for label, make in WORKBOOKS.items()),
    *(Cmd(f"verify {label}", ("verify", "b.pdf"), 1 if label in PDF_WORDS else (0, 1), PDF_WORDS.get(label, ()),
          _generated("b.pdf", make), named="b.pdf" if label in PDF_WORDS else "")
      for label, make in PDFS.items()),
    *(Cmd(f"import PDF {label}", ("import", "b.pdf", "-o", "n-2022.yaml", "--region", "fujian"), 1,
          PDF_WORDS.get(label, ()), _generated("b.pdf", make), named="b.pdf")
      for label, make in PDFS.items() if label in ("a flate bomb", "2000 pages", "a broken xref")),
    # data folders: only regular files are read; the rest is told and skipped, never opened
    Cmd("build a FIFO named *.yaml", ("build", "-o", "out"), 1, ("E003", "管道"),
        both(workspace(), _fifo("data/x-2022.yaml")), named="data/x-2022.yaml"),
    Cmd("build a folder and a link loop named *.yaml", ("build", "-o", "out"), 1, ("E003", "文件夹", "循环"),
        both(workspace(), _loop("data/l-2022.yaml"), files(data__d_2022_dot_yaml__keep="x")),
        named="data/l-2022.yaml"),
    Cmd("build /dev/zero", ("build", "-o", "out", "/dev/zero"), 1, ("E003", "设备"), named="/dev/zero"),
    Cmd("settings: data is /dev/zero", ("build", "-o", "out"), 1, ("E003", "设备"),
        setup=workspace("region: fujian\ndata: /dev/zero\n"), named="/dev/zero"),
    Cmd("check a FIFO and a device named *.yaml", ("check", "data"), 1, ("E003", "管道", "设备"),
        both(workspace(), _fifo("data/x-2022.yaml"), _device("data/z-2022.yaml")), named="data/x-2022.yaml"),
    Cmd("build with a template folder linking to /", ("build", "-o", "out"), 0,
        setup=both(workspace(), _link("templates/regions/fujian/root", "/"))),
    # writes only where the user pointed (issue 25)
    Cmd("init through a data folder linked elsewhere", ("init", "w"), 1, ("E015",),
        both(files(other__keep="x"), _link("w/data", "../other")), kept=("other/keep",), named="w/data",
        absent=("other/xiamen-2022.yaml", "w/budgetreport.yaml")),
    Cmd("init through a templates folder linked elsewhere", ("init", "w"), 1, ("E015",),
        both(files(other__keep="x"), _link("w/templates", "../other")), kept=("other/keep",),
        absent=("other/centers", "w/budgetreport.yaml")),
    Cmd("import into a linked data file", ("import", "x.xlsx", "--into", "xiamen-2022.yaml"), 0, ("已更新",),
        both(files(real__xiamen_2022_dot_yaml=X.replace("personnel: 23.67", "personnel: 23.68", 1)),
             _link("xiamen-2022.yaml", "real/xiamen-2022.yaml"), built_copy("x.xlsx")),
        links=("xiamen-2022.yaml",)),
    Cmd("new --year -1", ("new", "--region", "fujian", "--name", "中心", "--year", "-1", "-o", "n-2022.yaml"), 2,
        ("年度",), absent=("n-2022.yaml",)),
    Cmd("new --year 0 from a file", ("new", "--from", "xiamen-2022.yaml", "--year", "0"), 2, setup=DATA_X,
        absent=("xiamen-0.yaml",)),
    # build options
    Cmd("build -j 0", ("build", "-j", "0", "xiamen-2022.yaml"), 2, setup=DATA_X),
    Cmd("build -j -1", ("build", "-j", "-1", "xiamen-2022.yaml"), 2, setup=DATA_X),
    Cmd("build --year abc", ("build", "--year", "abc", "xiamen-2022.yaml"), 2, setup=DATA_X),
    Cmd("build -j 9999", ("build", "-j", "9999", "-o", "out", "bad-2022.yaml"), 1, ("E007",), BAD,
        named="bad-2022.yaml"),
    Cmd("import --year abc", ("import", "x.xlsx", "-o", "n-2022.yaml", "--year", "abc"), 2),
    Cmd("build the same folder in and out", ("build", "-o", ".", "bad-2022.yaml"), 1, ("E007",), BAD,
        kept=("bad-2022.yaml",)),
    Cmd("build -o a file", ("build", "-o", "f", "bad-2022.yaml"), 1, setup=both(BAD, files(f="x")), kept=("f",)),
    Cmd("build -o /proc", ("build", "-o", "/proc/out", "bad-2022.yaml"), 1, setup=BAD),
    Cmd("build a folder without data", ("build", "empty"), 2, setup=files(empty__note_dot_txt="x")),
    Cmd("build a missing file", ("build", "missing-2022.yaml"), 2),
    Cmd("build with no workspace and no path", ("build",), 2),
    # broken workspace settings: every command stops at once, naming the settings file
    *(Cmd(f"settings {label}", ("check", "data"), 1, setup=workspace(text), named="budgetreport.yaml")
      for label, text in {
          "a list": "- region\n", "region a number": "region: 5\n", "region a list": "region: [fujian]\n",
          "data a mapping": "data: {a: 1}\n", "unknown key": "regoin: fujian\n", "NUL byte": "region: fu\x00jian\n",
          "GBK": "region: 福建\n".encode("gbk"), "UTF-16": "region: fujian\n".encode("utf-16"),
          "duplicate key": "region: fujian\nregion: jiangxi\n", "python tag": "region: !!python/object:os.system x\n",
          "syntax error": "region: [fujian\n", "deep nesting": "a: " + "[" * 100 + "]" * 100 + "\n",
          "alias bomb": BOMB,
          "binary": bytes(range(256)), "null key": "~: fujian\n", "huge": "# " + "x" * 2_100_000 + "\n",
      }.items()),
    Cmd("settings: data folder missing", ("build",), 2, setup=workspace("region: fujian\ndata: nowhere\n"),
        quoted="nowhere"),
    Cmd("settings: output is a file", ("build", "data/bad-2022.yaml"), 1,
        setup=both(workspace("region: fujian\noutput: out\n"), files(out="x", data__bad_2022_dot_yaml="a: [")),
        kept=("out",)),
    # workspace catalogue and glossary
    *(Cmd(f"catalogue {label}", ("check", "data"), 1, setup=workspace(catalogue__2022_dot_yaml=text),
          named="catalogue/2022.yaml")
      for label, text in {
          "a list": "- 1\n", "syntax error": "function: {\n", "NUL byte": "function:\x00\n",
          "code of letters": "function:\n  abc: {name: x, source: y}\n",
          "entry a number": "function:\n  \"2210201\": 5\n", "python tag": "function: !!python/name:os.system\n",
      }.items()),
    *(Cmd(f"glossary {label}", ("check", "data"), 1, setup=workspace(catalogue__glossary_dot_yaml=text),
          named="catalogue/glossary.yaml")
      for label, text in {
          "entry without definition": "- term: 基本支出\n", "a list of numbers": "- 5\n",
          "a mapping": "term: x\n", "syntax error": "- [\n", "GBK": "- term: 名词\n".encode("gbk"),
          "group a list": "- {term: a, definition: b, group: [1]}\n",
      }.items()),
]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Run, dict[str, bytes], dict[str, bytes]]]:
    home = tmp_path_factory.mktemp("commands")
    global BUILT
    BUILT = home / "built"
    done = run("build", "-o", home / "out", DATA / "xiamen-2022.yaml", cwd=home)
    assert done.status == 0, done.stderr
    shutil.copytree(home / "out" / "xiamen-2022", BUILT)

    def one(index: int, case: Cmd) -> tuple[str, tuple[Run, dict[str, bytes], dict[str, bytes]]]:
        folder = home / f"c{index:03d}"
        folder.mkdir()
        if case.setup:
            case.setup(folder)
        before = {k: (folder / k).read_bytes() for k in case.kept}
        result = run(*case.args, cwd=folder, env={"XDG_CACHE_HOME": str(home / "cache")})
        after = {k: (folder / k).read_bytes() for k in case.kept if (folder / k).is_file()}
        after |= {f"present: {k}": b"" for k in case.absent if os.path.lexists(folder / k)}
        after |= {f"no longer a link: {k}": b"" for k in case.links if not (folder / k).is_symlink()}
        return case.id, (result, before, after)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(pool.map(lambda pair: one(*pair), enumerate(CMDS)))


BUILT = Path()
# Keys a user types in settings, catalogue and glossary files, which messages quote.
KEYS = " region data output years function economic name source term definition group xls "


@pytest.mark.parametrize("case", CMDS, ids=[c.id for c in CMDS])
def test_command(results, case: Cmd) -> None:  # type: ignore[no-untyped-def]
    result, before, after = results[case.id]
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    statuses = case.status if isinstance(case.status, tuple) else (case.status,)
    assert result.status in statuses, (result.status, output[-2000:])
    for word in case.words:
        assert word in output, (word, output[-2000:])
    allowed = " ".join(case.args) + KEYS + case.quoted
    bad = [(line, words) for line in output.splitlines() if (words := chinese(line, allowed))]
    assert not bad, bad
    if case.named:
        assert any(line.startswith(case.named) or f" {case.named}" in line or f"“{case.named}" in line
                   for line in result.stderr.splitlines()), result.stderr[-2000:]
    if result.status == 1:
        assert result.stderr.strip(), "a failure says why"
    assert after == before, "a file it must not touch changed"


# --- a workspace whose centers' templates and region.yaml are broken, checked in one run ------

OVERRIDE = '{% extends "region/parts/explanation.html.j2" %}\n{% block procurement %}\n'
PART = "parts/explanation.html.j2"


def _override(body: str) -> str:
    return OVERRIDE + body + "\n{% endblock %}\n"


# center → (files in templates/centers/<center>/, the file the problem must name, its line or None)
CENTERS: dict[str, tuple[dict[str, str | bytes], str, int | None]] = {
    "t01": ({PART: _override("{{ f.year + }}")}, PART, 3),
    "t02": ({PART: _override("{% if f.year %}")}, PART, None),
    "t03": ({PART: _override("{% for i in range(10**9) %}x{% endfor %}")}, PART, 3),
    "t04": ({PART: _override('{% include "' + PART + '" %}')}, PART, None),
    "t05": ({PART: _override('{% include "../../../../../etc/passwd" %}')}, PART, 3),
    "t06": ({PART: _override('{% include "nothing.html.j2" %}')}, PART, 3),
    "t07": ({PART: _override("{{ 1 / 0 }}")}, PART, 3),
    "t08": ({PART: _override("{{ f.no_such_figure }}")}, PART, 3),
    "t09": ({PART: _override("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}")}, PART, None),
    "t10": ({PART: _override("{{ f.year | no_such_filter }}")}, PART, 3),
    "t11": ({PART: OVERRIDE.encode("gbk") + "{{ '年' }}{% endblock %}".encode("gbk")}, PART, None),
    "t12": ({PART: b"\x00\x01\x02" + bytes(range(256))}, PART, None),
    "t13": ({PART: '{% extends "' + PART + '" %}\n'}, PART, None),
    # the sandbox: no Python internals, no changing the data, no runaway repetition or power
    "t33": ({PART: _override("{{ f.__class__.__mro__ }}")}, PART, 3),
    "t34": ({PART: _override("{{ b.spending.append(1) }}")}, PART, 3),
    "t35": ({PART: _override("{{ 'x' * 10**10 }}")}, PART, 3),
    "t36": ({PART: _override("{{ 2 ** 100000000 }}")}, PART, 3),
    # sizes measured before they are allocated, and a render's time limit (issue 25)
    "t37": ({PART: _override("{{ (((10**100)**100)**100)**100 }}")}, PART, 3),
    "t38": ({PART: _override("{{ 'x'.center(10**9) }}")}, PART, 3),
    "t39": ({PART: _override("{{ '%0999999999d' % 1 }}")}, PART, 3),
    "t40": ({PART: _override("{{ '{:>999999999}'.format(1) }}")}, PART, 3),
    "t41": ({PART: _override("{{ 'x'|indent(10**9) }}")}, PART, 3),
    "t42": ({PART: _override("{{ b.model_dump_json(indent=10**8) }}")}, PART, 3),
    "t43": ({PART: _override("{{ [1]|batch(10**9, 0)|list }}")}, PART, 3),
    "t44": ({PART: _override("{% macro m(s, n) %}{% if n %}{{ m(s ~ s, n - 1) }}{% endif %}{% endmacro %}"
                             "{{ m('x', 40) }}")}, PART, 3),
    "t45": ({PART: _override("{% set ns = namespace(s='x') %}{% for i in range(40) %}"
                             "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s|length }}")}, PART, 3),
    "t46": ({PART: _override("{{ ('x' * 1000000)|replace('x', 'yy') }}")}, PART, 3),
    "t47": ({PART: _override("{{ ['x' * 100000] * 1000 }}")}, PART, 3),
    "t48": ({PART: _override("{{ lipsum(10**9) }}")}, PART, 3),
    "t49": ({PART: _override("{{ '{:{w}}'.format(1, w=10**9) }}")}, PART, 3),
    "t50": ({PART: _override("{{ '%*d'|format(10**9, 1) }}")}, PART, 3),
    "t51": ({PART: _override("{{ ('x' * 1000)|wordwrap(1, wrapstring='y' * 100000) }}")}, PART, 3),
    "t52": ({PART: _override("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}"
                             "{% endfor %}")}, PART, 3),
    "t53": ({"region.yaml": "empty_notes: {summary: '{year:>999999999}年'}\n"}, "region.yaml", 1),
    "t54": ({PART: _override("{{ ([[0] * 1000000] * 1000)|string }}")}, PART, 3),
    "t15": ({"region.yaml": "tables: 5\n"}, "region.yaml", 1),
    "t16": ({"region.yaml": "text_places: abc\n"}, "region.yaml", 1),
    "t17": ({"region.yaml": "text_places: -1\n"}, "region.yaml", 1),
    "t18": ({"region.yaml": "table_unit: 美元\n"}, "region.yaml", 1),
    "t19": ({"region.yaml": "tagged_pdf: 'yes'\n"}, "region.yaml", 1),
    "t20": ({"region.yaml": BOMB}, "region.yaml", None),
    "t21": ({"region.yaml": "empty_notes: {summary: \"无\x00\"}\n"}, "region.yaml", 1),
    "t22": ({"region.yaml": "a: " + "[" * 100 + "]" * 100 + "\n"}, "region.yaml", 1),
    "t23": ({"region.yaml": "tables: [summary]\ntables: [summary]\n"}, "region.yaml", 2),
    "t24": ({"region.yaml": "tables: !!python/object/apply:os.system ['true']\n"}, "region.yaml", 1),
    "t25": ({"region.yaml": "empty_notes: {summary: '{month}年'}\n"}, "region.yaml", 1),
    "t27": ({"region.yaml": "table_titles: {summary: [1, 2]}\n"}, "region.yaml", None),
    "t28": ({"region.yaml": "- tables\n"}, "region.yaml", 1),
    "t29": ({"region.yaml": "text_places: 99999\n"}, "region.yaml", 1),
    "t30": ({"region.yaml": "table_units: {summary: 美元}\n"}, "region.yaml", 1),
    "t32": ({"region.yaml": "line_changes: 'no'\n"}, "region.yaml", 1),
}


def _centers(folder: Path) -> None:
    (folder / "budgetreport.yaml").write_text("region: fujian\n", encoding="utf-8")
    for center, (contents, _, _) in CENTERS.items():
        (folder / "data").mkdir(exist_ok=True)
        (folder / "data" / f"{center}-2022.yaml").write_text(X, encoding="utf-8")
        for name, content in contents.items():
            path = folder / "templates" / "centers" / center / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    (folder / "templates" / "centers" / "t31").mkdir(parents=True)
    (folder / "templates" / "centers" / "t31" / "region.yaml").mkdir()  # a folder named region.yaml
    (folder / "data" / "t31-2022.yaml").write_text(X, encoding="utf-8")


@pytest.fixture(scope="module")
def centers(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("centers")
    _centers(folder)
    return run("check", "data", cwd=folder, env={"XDG_CACHE_HOME": str(folder / ".cache")}, timeout=300)


def test_broken_center_templates_and_settings_are_each_located(centers: Run) -> None:
    output = centers.stdout + centers.stderr
    assert "Traceback" not in output, output[-3000:]
    assert centers.status == 1
    settings_words = (" tables text places unit units tagged pdf notes summary titles month line changes"
                      " true false render FILTERS CONTEXT no such filter income table ")  # keys and values to type
    assert not [(line, w) for line in output.splitlines() if (w := chinese(line, KEYS + settings_words))]
    for center, (_, named, line) in CENTERS.items():
        own = f"templates/centers/{center}/{named}"
        mine = [r for r in output.splitlines() if r.startswith(own + ":")]
        assert mine, f"{center}: no problem names {own}\n{output[-3000:]}"
        if line is not None:
            assert any(r.startswith(f"{own}:{line}:") for r in mine), (center, mine)
    assert "data/t31-2022.yaml：通过校验" in output  # a folder named region.yaml is no settings file


def test_large_yuan_amounts_fit_their_cells_and_the_tables_add_up(tmp_path: Path) -> None:
    """A department in 元 with 分 and amounts of tens of millions: every amount column is wide
    enough for its longest figure (they ran into the next cell, and the PDF read back as
    12,987,654.3310,411,111.12…), so the published tables add up as a reader sees them."""
    sample = DATA.parent / "tests" / "samples" / "sifa" / "data" / "qingshan-sifa-2022.yaml"
    shutil.copy(sample, tmp_path / sample.name)
    built = run("build", "-o", "out", sample.name, cwd=tmp_path)
    assert built.status == 0, built.stderr
    checked = run("verify", f"out/{sample.stem}/{sample.stem}.pdf", cwd=tmp_path)
    assert "Traceback" not in checked.stderr
    assert checked.status == 0 and "自身一致" in checked.stdout, checked.stdout + checked.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="making a repository owned by another user needs root")
def test_a_repository_of_another_user_is_named_as_such(tmp_path: Path) -> None:
    """git refuses a repository owned by someone else ("dubious ownership"): that is said, not
    "不在 git 仓库中"."""
    import subprocess

    (tmp_path / "xiamen-2022.yaml").write_text(X, encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "x"]):
        subprocess.run([*git, *args], cwd=tmp_path, check=True)
    subprocess.run(["chown", "-R", "nobody", str(tmp_path)], check=True)
    result = run("diff", "HEAD:xiamen-2022.yaml", "xiamen-2022.yaml", cwd=tmp_path)
    assert result.status == 1 and "Traceback" not in result.stderr
    assert "另一个系统用户" in result.stderr and "不在 git 仓库中" not in result.stderr, result.stderr


def test_a_damaged_pdf_stream_is_not_told_in_english(caplog: pytest.LogCaptureFixture) -> None:
    """pdfminer logs "Data-loss while decompressing corrupted data" (which reached the user's
    terminal in English); opening a PDF silences its parsers' logs."""
    import logging
    import zlib

    from pdfminer.pdftypes import decompress_corrupted

    from budgetreport.readback.opening import quiet_parsers

    packed = zlib.compress(b"BT (x) Tj ET " * 100)
    logging.getLogger("pdfminer").setLevel(logging.NOTSET)  # as if never opened in this process
    with caplog.at_level("DEBUG"):
        decompress_corrupted(packed[:-2] + b"\0\0")
    assert any("Data-loss" in r.getMessage() for r in caplog.records)  # what it says unsilenced
    caplog.clear()
    quiet_parsers()
    with caplog.at_level("WARNING"):
        decompress_corrupted(packed[:-2] + b"\0\0")
    assert not caplog.records
