"""Command line: thin wrappers around the library; every user-facing message is Chinese."""

from __future__ import annotations

import re
import shlex
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import __version__
from ..common.bounds import special_file
from ..common.columns import width
from ..common.errors import EXIT_PROBLEM, describe, report
from ..common.names import OUTPUT, center_key, expand, outputs
from ..common.problems import BudgetError, Problem, display_path, os_reason
from ..inputs.resources import SETTINGS_FILE, Workspace, create_workspace, current
from .chinese_cli import Group

# The pipeline (pydantic, Jinja, WeasyPrint, openpyxl) is imported by the commands that use
# it: `build` with every center unchanged, `--help` and `--version` start without it; so is
# `batch` (multiprocessing), which only `build` needs.

if TYPE_CHECKING:
    from ..checks.validate import Checked
    from ..inputs.region import Region
    from ..publish.batch import Outcome

PathArg = click.Path(path_type=Path)

# README's everyday use, shown by `--help` (a test keeps every line in README).
EXAMPLES = """
budgetreport check data/xiamen-2022.yaml           # 校验（文件或文件夹）；--strict 把警告也当作错误
budgetreport build                                 # 生成 data/ 中所有单位（并行、增量）
budgetreport build data/xiamen-2022.yaml           # output/xiamen-2022/xiamen-2022.pdf 与 .xlsx
budgetreport build --force -o /tmp/out data/       # 不论输入是否变化都重新生成，写到别处
budgetreport build --pdf-variant pdf/a-3b data/    # 归档用 PDF/A-3b
budgetreport build --html --tagged data/           # 另写网页版 <文件名>.html；无障碍（带标签）PDF/UA-1
budgetreport serve                                 # 浏览器预览 http://127.0.0.1:8000/ ，随保存实时更新
budgetreport diff HEAD:data/xiamen-2022.yaml data/xiamen-2022.yaml --html output/变化.html   # 发布前审核变化
budgetreport new --from data/xiamen-2022.yaml --year 2023          # 滚动到下一年度：data/xiamen-2023.yaml
budgetreport new --region fujian --name 泉州市住房公积金中心 --year 2022 -o data/quanzhou-2022.yaml
budgetreport templates data/xiamen-2022.yaml       # 模板搜索路径，以及每个模板由哪个文件提供
budgetreport catalogue data/xiamen-2022.yaml       # 科目目录中没有、名称取自数据的科目（可补入 catalogue/）
budgetreport init 我的预算                          # 新建工作区（设置、data/ 含示例、templates/、catalogue/、output/）
budgetreport schema -o schema/budget.schema.json   # 数据格式的 JSON Schema（编辑器据此补全、检查）
budgetreport verify output/xiamen-2022/xiamen-2022.pdf data/xiamen-2022.yaml   # 已发布的 PDF 与数据核对
"""


@click.group(cls=Group, examples=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="budgetreport", message="%(prog)s %(version)s",
                      help="显示版本号并退出。")
def main() -> None:
    """部门预算公开：校验预算数据，生成 PDF 文档与 Excel 附表。"""
    _workspace()  # a broken budgetreport.yaml stops every command, with its file and line


def _workspace() -> Workspace:
    try:
        return current()
    except BudgetError as exc:
        report(exc.problems)
        sys.exit(1)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=PathArg)
@click.option("--strict", is_flag=True, help="把警告也当作错误。")
def check(paths: tuple[Path, ...], strict: bool) -> None:
    """校验预算数据文件（可给文件或文件夹）。"""
    from ..publish.build import check_document

    files = _files(paths)
    failed = 0
    status = 0
    for file in files:
        try:
            checked = check_document(file)
        except Exception as exc:  # a folder run goes on after a failing file
            lines, status = describe(exc, display_path(file))
            click.echo("\n".join(lines), err=True)
            failed += 1
            continue
        report(checked.problems)
        if checked.errors(strict):
            failed += 1
        else:
            click.echo(f"{display_path(file)}：通过校验" + ("（有警告）" if checked.problems else ""))
    if failed:
        click.echo(f"{failed} 个文件未通过校验。", err=True)
        sys.exit(max(status, EXIT_PROBLEM))


@main.command()
@click.argument("paths", nargs=-1, type=PathArg)
@click.option("-o", "--output", "out_dir", type=PathArg, metavar="文件夹", default=None,
              help="输出文件夹；每个数据文件写入 <输出文件夹>/<文件名>/。"
                   "缺省为工作区设置的输出文件夹（不在工作区中时为 ./output/）。")
@click.option("--strict", is_flag=True, help="校验警告和排版警告也当作错误。")
@click.option("--pdf-variant", type=click.Choice(["pdf/a-3b"]), default=None,
              help="生成归档用的 PDF/A-3b。")
@click.option("--html", "html", is_flag=True,
              help="另生成网页版 <文件名>.html（单个文件，可粘贴到网站内容管理系统）。")
@click.option("--tagged", is_flag=True,
              help="生成无障碍（带标签）PDF，供读屏软件使用；未指定 --pdf-variant 时为 PDF/UA-1。")
@click.option("--force", is_flag=True, help="即使输入未变化也重新生成。")
@click.option("-j", "--jobs", type=click.IntRange(1), default=None,
              help="并行进程数；缺省为 CPU 核数。")
def build(paths: tuple[Path, ...], out_dir: Path | None, strict: bool, pdf_variant: str | None,
          html: bool, tagged: bool, force: bool, jobs: int | None) -> None:
    """生成 PDF 文档与 Excel 附表（不给路径时生成工作区 data/ 中的全部文件）。

    输入（数据、模板、字体、程序版本）自上次成功生成以来未变化的单位会跳过。"""
    from ..publish.batch import build_many

    ws = _workspace()
    if not paths and ws.root is None:
        raise click.UsageError(f"当前文件夹不在工作区中（找不到 {SETTINGS_FILE}）：请给出数据文件或文件夹，"
                               "或先用 budgetreport init 新建工作区")
    files = _files(paths or (_relative(ws.data),))
    # a FIFO, device, folder or link loop named *.yaml is told and skipped, never opened
    skipped = [(p, why) for p in files if (why := special_file(p))]
    for p, why in skipped:
        click.echo(f"{display_path(p)}: 数据文件{why}，已跳过 [E003]", err=True)
    files = [p for p in files if not special_file(p)]
    if not files:
        sys.exit(1)
    out_dir = out_dir or (_relative(ws.output) if ws.root else OUTPUT)
    with click.progressbar(length=len(files), label="生成中", file=sys.stderr,
                           show_pos=True) as bar:
        outcomes = build_many(files, out_dir, strict=strict, variant=pdf_variant, force=force,
                              jobs=jobs, html=html, tagged=tagged, done=lambda _: bar.update(1))
    for outcome in outcomes:
        for message in outcome.messages:
            click.echo(message, err=True)
    click.echo(summary_table(outcomes, out_dir))
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        click.echo(f"{len(failed)} 个文件生成失败（原有输出保持不变）。", err=True)
    if failed or skipped:
        sys.exit(1)


@main.command()
@click.argument("center_file", metavar="数据文件",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def templates(center_file: Path) -> None:
    """列出某个单位的模板搜索路径，以及每个模板由哪个文件提供。"""
    from ..inputs.catalogue import glossary_files, load_catalogue
    from ..layout.render import template_sources

    region, year = _region_of(center_file)
    click.echo("搜索路径（先找到的优先）：")
    for folder in region.folders:
        click.echo(f"  {_relative(folder)}")
    click.echo("模板：")
    sources = template_sources(region)
    width = max(map(len, sources))
    for name, path in sources.items():
        click.echo(f"  {name.ljust(width)}  ← {_relative(path)}")
    click.echo("设置 region.yaml（逐项合并，先列出的优先）：")
    for path in region.settings_files:
        click.echo(f"  {_relative(path)}")
    click.echo(f"{year}年科目目录（后列出的补充、更正先列出的）：")
    for path in load_catalogue(year).files:
        click.echo(f"  {_relative(path)}")
    click.echo("标准名词解释（后列出的补充、更正先列出的）：")
    for path in glossary_files():
        click.echo(f"  {_relative(path)}")


def invocation() -> str:
    """How to run this tool again, as a command to copy: `budgetreport` when that name on
    PATH is the program running, else the program's absolute path (installed in a venv that
    is not activated, `budgetreport` alone would not be found)."""
    running = Path(sys.argv[0])
    if running.name != "budgetreport" or not running.is_file():  # in-process (tests), python -c
        return "budgetreport"
    found = shutil.which("budgetreport")
    if found and Path(found).resolve() == running.resolve():
        return "budgetreport"
    return shell_word(str(running.absolute()))


def shell_word(text: str) -> str:
    """`text` as one shell word: quoted only when it holds a space or a shell character."""
    return shlex.quote(text) if re.search(r"[\s'\"$`\\!*?;&|<>()\[\]{}#~]", text) else text


def _region_of(center_file: Path) -> tuple[Region, int]:
    """The region (with the center's folder) and year a data file names — all `templates`
    needs, so a skeleton from `new` that is not filled in yet is enough; exit 1 if the
    file cannot be read or names no known region."""
    from ..inputs.load import read
    from ..inputs.region import known_regions, load_region

    try:
        source = read(center_file)
        ws = current()
        dept = source.data.get("department") if isinstance(source.data, dict) else None
        dept = dept if isinstance(dept, dict) else {}
        name, year = dept.get("region"), dept.get("year")
        if not isinstance(name, str) or name not in known_regions(ws):
            loc = ("department", "region") if "region" in dept else ("department",) if dept else ()
            raise BudgetError([source.problem(
                "E201", f"未知的地区模板“{name or ''}”，可用：{'、'.join(known_regions(ws))}", loc)])
        if not isinstance(year, int) or isinstance(year, bool):  # not filled in yet: this year's
            import datetime as dt

            year = dt.date.today().year
        region = load_region(name, center_key(center_file), ws, year)
    except BudgetError as exc:
        report(exc.problems)
        sys.exit(1)
    return region, year


def _checked(center_file: Path) -> Checked:
    """The file checked as far as its region: its problems and exit 1 if it is not."""
    from ..checks.validate import check_file

    checked = check_file(center_file)
    if checked.region is None or checked.budget is None:
        report(checked.problems)
        sys.exit(1)
    return checked


@main.command("catalogue")
@click.argument("center_file", metavar="数据文件",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def catalogue_codes(center_file: Path) -> None:
    """列出数据文件用到、科目目录中却没有的科目（名称取自数据），以便核实后补入 catalogue/。"""
    from ..inputs.catalogue import LEVELS, SECTIONS, data_names, load_catalogue

    checked = _checked(center_file)
    assert checked.budget is not None
    year = checked.budget.department.year
    cat = load_catalogue(year).named(data_names(checked.budget))
    if not cat.from_data:
        click.echo(f"{center_file}：用到的科目都在{cat.year}年科目目录中。")
        return
    click.echo(f"{center_file} 用到、{cat.year}年科目目录中没有的科目（名称取自数据文件）：")
    for section, code in sorted(cat.from_data):
        entry = (cat.function if section == "function" else cat.economic)[code]
        click.echo(f"  {SECTIONS[section]} {LEVELS[len(code)]} {code} {entry.name}")
    click.echo(f"\n核实后可补入工作区的 catalogue/{year}.yaml（source 写明证实它的公开来源）：")
    for section in SECTIONS:
        codes = sorted(c for s, c in cat.from_data if s == section)
        if codes:
            click.echo(f"{section}:")
            table = cat.function if section == "function" else cat.economic
            for code in codes:
                click.echo(f'  "{code}": {{name: {table[code].name}, source: }}')


@main.command()
@click.argument("folder", metavar="文件夹", type=PathArg)
@click.option("--region", default=None, metavar="地区", help="工作区缺省的地区模板（新建数据文件时使用）。")
def init(folder: Path, region: str | None) -> None:
    """新建工作区：设置文件 budgetreport.yaml、data/（含一个可直接生成的示例）、
    templates/（单位与地区的模板）、catalogue/（补充的科目目录）、output/。"""
    try:
        written = create_workspace(folder, *(region,) if region else ())
    except FileExistsError:
        raise click.UsageError(f"{folder / SETTINGS_FILE} 已存在：这里已经是工作区") from None
    for path in written:
        click.echo(f"已写入 {_relative(path)}")
    click.echo(f"工作区已就绪：cd {shell_word(str(folder))} && {invocation()} build")


@main.command()
@click.argument("old", metavar="原版本")
@click.argument("new", metavar="新版本")
@click.option("--html", "html_file", type=PathArg, metavar="文件", default=None,
              help="另存为供审核人阅读的 HTML 变化报告。")
def diff(old: str, new: str, html_file: Path | None) -> None:
    """比较两个版本的预算数据：文件，或 版本:路径（如 HEAD:data/xiamen-2022.yaml）。

    列出变化的输入数字、变化的计算结果和文中变化的句子。"""
    from .diff import diff as compare_versions
    from .diff import format_text, write_html

    if html_file is not None and any(_same_file(html_file, Path(v)) for v in (old, new)):
        raise click.UsageError(f"--html {html_file} 是要比较的文件之一，不能覆盖；请另给文件名")
    try:
        changes = compare_versions(old, new)
    except BudgetError as exc:
        report(exc.problems)
        sys.exit(1)
    click.echo(format_text(changes), nl=False)
    if html_file is not None:
        write_html(html_file, changes, old, new)
        click.echo(f"已写入 {html_file}")
    if changes.problems:  # the changes are shown; the errors too, and the status says so
        click.echo("\n未通过校验的问题：", err=True)
        report(changes.problems)
        sys.exit(1)


@main.command()
@click.option("--region", metavar="地区", help="地区模板，如 fujian、jiangxi（新建单位时；缺省为工作区设置的地区）。")
@click.option("--name", metavar="全称", help="部门（单位）全称（新建单位时）。")
@click.option("--center", metavar="代号", help="单位代号，用作文件名 data/<代号>-<年度>.yaml，如 quanzhou。")
@click.option("--from", "source", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="由上一年度的数据文件滚动生成。")
@click.option("--year", type=int, metavar="年度", required=True, help="预算年度。")
@click.option("-o", "--output", type=PathArg, metavar="文件", default=None, help="写入的文件。")
@click.option("--xlsx", type=PathArg, metavar="工作簿", default=None,
              help="改为写一个待填的空白工作簿（本地区的全套附表，类/款/项行已列好），填好后用 import 导入。")
def new(region: str | None, name: str | None, center: str | None, source: Path | None,
        year: int, output: Path | None, xlsx: Path | None) -> None:
    """新建数据文件：新单位的带注释骨架，或由上一年度滚动（上年数自动填入）。"""
    from ..inputs.model import YEARS
    from .scaffold import default_path, roll_forward, skeleton, write_new

    if year not in YEARS:  # as check judges department.year
        raise click.UsageError(f"--year {year} 不是可用的预算年度：应在 {YEARS.start} 至 {YEARS.stop - 1} 之间")
    ws = _workspace()
    region = region or ws.region
    _check_name(name)
    if xlsx is not None:
        _new_workbook(xlsx, source, region, name, year)
        return
    try:
        if source is not None:
            text = roll_forward(source, year)
            out = output or default_path(source.parent, center or center_key(source), year)
        elif region and name and (center or output):
            text = skeleton(region, name, year)
            out = output or default_path(_relative(ws.data) if ws.root else Path("data"), center or "", year)
        else:
            raise click.UsageError("请给出 --from 文件，或 --region、--name 以及 --center 或 -o")
        write_new(out, text)
    except BudgetError as exc:
        report(exc.problems)
        sys.exit(1)
    except (ValueError, FileExistsError) as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"已写入 {out}：请填写其中的空项后运行 {invocation()} check {shell_word(str(out))}")


@main.command("import")
@click.argument("workbooks", metavar="工作簿或PDF...", type=PathArg, nargs=-1, required=True)
@click.option("--into", "data", type=PathArg, metavar="数据文件", default=None,
              help="更新这个数据文件中的数字（文字、注释、顺序不变），并列出变化。")
@click.option("-o", "--output", type=PathArg, metavar="新文件", default=None,
              help="写一个新数据文件：数字取自工作簿，文字留空待填。")
@click.option("--region", metavar="地区", default=None,
              help="地区模板，决定按哪一套附表识别工作表（-o 时缺省取工作区设置的地区）。")
@click.option("--name", metavar="全称", default=None, help="部门（单位）全称（-o 时；缺省取工作簿的“编制单位”）。")
@click.option("--year", type=int, metavar="年度", default=None, help="预算年度（-o 时；缺省取工作簿表题中的年度）。")
def import_(workbooks: tuple[Path, ...], data: Path | None, output: Path | None, region: str | None,
            name: str | None, year: int | None) -> None:
    """从 Excel 工作簿导入数字：预算系统导出的报表，或本程序生成的附表；也可以是已发布的
    PDF（如上一年度的预算公开文件），从其附表读取数字；分开发布的情况说明与报表可一并给出，
    作为一份文件读取。

    先核对工作簿本身（合计、小计、类款项、各表之间的同一数字），有问题时什么也不写。"""
    from .. import importer  # openpyxl: imported by the commands that need it, keeping check fast

    if (data is None) == (output is None):
        raise click.UsageError("请给出 --into 数据文件，或 -o 新文件，二者选一")
    _check_name(name)
    for path in workbooks:
        if not path.is_file():
            raise click.UsageError(f"找不到{importer.source_word(path)}：{path}")
    if len(workbooks) > 1 and importer.source_word(workbooks) != "PDF":
        raise click.UsageError("一次只能导入一个工作簿；分开发布的同一份文件（情况说明与报表）可以是几个 PDF")
    workbook: Path | list[Path] = workbooks[0] if len(workbooks) == 1 else list(workbooks)
    if data is not None and not data.is_file():
        raise click.UsageError(f"找不到数据文件：{data}")
    try:
        if data is not None:
            outcome = importer.into(workbook, data, region)
        else:
            assert output is not None
            region = region or _workspace().region
            if region is None and importer.source_word(workbook) == "PDF":
                from ..readback import guess
                from ..readback.pdf import read_pdfs

                taken = guess(read_pdfs(list(workbooks)))  # which region's 附表 these are, and why: told
                click.echo(f"提示：{taken.message()}", err=True)
                region = taken.region
            if region is None:
                raise click.UsageError("新建数据文件（-o）时请用 --region 给出地区模板"
                                       "（或在工作区设置 budgetreport.yaml 中写明 region）")
            outcome = importer.new_file(workbook, output, region, name, year)
    except BudgetError as exc:
        report(exc.problems)
        click.echo(f"{importer.source_word(workbook)}有错误，未写入任何文件。", err=True)
        sys.exit(1)
    except (ValueError, FileExistsError) as exc:
        raise click.UsageError(str(exc)) from None
    report(outcome.warnings)
    source = importer.source_word(workbook)
    if data is not None:
        click.echo(outcome.report, nl=False)
        click.echo(f"已更新 {data}" if outcome.changed else f"{data} 中的数字与{source}一致，未改动")
    else:
        click.echo(f"已写入 {outcome.target}：数字取自{source}；文字等待填写的共 {outcome.open_items} 处，"
                   f"运行 {invocation()} check {shell_word(str(outcome.target))} 逐条列出")


@main.command()
@click.argument("paths", metavar="PDF文件或文件夹… [数据文件]", type=PathArg, nargs=-1, required=True)
@click.option("--region", metavar="地区", default=None,
              help="不给数据文件时，按哪个地区的附表识别表格；缺省自动判断。")
@click.option("--strict", is_flag=True, help="把警告也当作错误。")
@click.option("--each", is_flag=True, help="给出的多个 PDF 各是一份文件（缺省：合起来是一份，如情况说明与报表）。")
@click.option("--html", "html_out", type=PathArg, metavar="报告.html", default=None,
              help="把核对结果（汇总表与每份文件的问题）另存为 HTML 报告。")
def verify(paths: tuple[Path, ...], region: str | None, strict: bool, each: bool, html_out: Path | None) -> None:
    """核对已发布的 PDF：给出数据文件时，逐个表格单元格、逐句文中数字与数据比较；
    不给时，核对文档自身（表内合计、各表同一数字、年份、遗留的模板文字、空表说明）。

    给出文件夹（或 --each 与多个 PDF）时，逐份核对，打印汇总表（文件、附表数、问题数），
    供财政部门检查各部门的公开文件；--html 另存为报告。

    全部一致时退出状态为 0，有不一致时为 1。"""
    from ..common.problems import Severity

    files = list(paths)
    data = files.pop() if len(files) > 1 and files[-1].suffix.lower() in (".yaml", ".yml") else None
    for path in [*files, *([data] if data else [])]:
        if not path.exists():
            raise click.UsageError(f"找不到{'数据文件' if path == data else 'PDF 文件'}：{path}")
    if region is not None:
        from ..inputs.region import known_regions

        if region not in known_regions():
            raise click.UsageError(f"未知的地区“{region}”，可用：{'、'.join(known_regions())}")
    if each or any(p.is_dir() for p in files):
        if data is not None:
            raise click.UsageError("逐份核对多个文件时不能给数据文件：数据文件只对应一份 PDF")
        _verify_many(files, region, strict, html_out)
        return
    from ..readback import verify_document
    from ..readback.pdf import read_pdfs

    try:
        doc = read_pdfs(files)  # several: one document (a 情况说明 and its 报表 published apart)
        problems = verify_document(doc, data, region)
    except BudgetError as exc:
        report(exc.problems)
        click.echo("无法核对：请先改正上面的问题。", err=True)
        sys.exit(EXIT_PROBLEM)
    report(problems, err=False)
    if html_out is not None:
        from ..readback.summary import Checked, html_report

        _write_report(html_out, html_report([Checked(doc.name, len(doc.pages), len(doc.tables), problems)]))
    counted = [p for p in problems if p.severity is Severity.error or strict and p.severity is Severity.warning]
    against = f"与 {data} 的数据" if data else "自身"
    if counted:
        click.echo(f"{doc.name}：{against}有 {len(counted)} 处不一致。", err=True)
        sys.exit(EXIT_PROBLEM)
    click.echo(f"{doc.name}：{against}一致" + ("（有警告）" if problems else "") + "。")


def _verify_many(paths: list[Path], region: str | None, strict: bool, html_out: Path | None) -> None:
    """Each PDF (those in the folders too) verified alone, then the summary table."""
    from ..common.problems import Severity
    from ..readback.summary import check_one, html_report, pdfs_in, text_table

    files = pdfs_in(paths)
    if not files:
        raise click.UsageError(f"没有找到 PDF 文件：{'、'.join(str(p) for p in paths)}")
    checked = []
    for pdf in files:
        c = check_one(pdf, region)
        report(c.refused or c.problems, err=False)
        checked.append(c)
    click.echo("\n" + text_table(checked))
    if html_out is not None:
        _write_report(html_out, html_report(checked))
    bad = any(c.refused or any(p.severity is Severity.error or strict and p.severity is Severity.warning
                               for p in c.problems) for c in checked)
    if bad:
        sys.exit(EXIT_PROBLEM)


def _write_report(path: Path, text: str) -> None:
    from ..common.files import write_atomic

    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise click.UsageError(f"无法写入报告 {path}：{exc.strerror or exc}") from None
    click.echo(f"已写入报告 {path}")


def _check_name(name: str | None) -> None:
    from ..checks.limits import name_problem

    if name is not None and (why := name_problem(name)):
        raise click.UsageError(f"--name：{why}")


def _new_workbook(xlsx: Path, source: Path | None, region: str | None, name: str | None,
                  year: int) -> None:
    from ..importer.blank import from_catalogue, from_data, write_blank
    try:
        if xlsx.exists():
            raise FileExistsError(f"{xlsx} 已存在，不覆盖；请另给文件名")
        if source is not None:
            budget, _ = from_data(source, year)
            rows = f"{source} 中的科目"
        elif region and name:
            budget = from_catalogue(region, name, year)
            rows = f"{year}年科目目录中的全部项级科目（不用的行留空即可）"
        else:
            raise click.UsageError("请给出 --from 上一年度的数据文件，或 --region 与 --name")
        write_blank(budget, xlsx)
    except (ValueError, FileExistsError) as exc:  # BudgetError: the group's one error path
        raise click.UsageError(str(exc)) from None
    click.echo(f"已写入 {xlsx}：各表的行按{rows}列出，合计、类、款行已设公式；"
               f"在 Excel/WPS 中填写空白的金额并保存，再运行 budgetreport import {xlsx} --into 数据文件")


def summary_table(outcomes: list[Outcome], out_dir: Path) -> str:
    from ..publish.batch import STATUS_NAMES

    rows = [("单位", "页数", "结果", "秒", "输出")]
    for o in outcomes:
        where = "" if o.status == "failed" else str(outputs(o.source, out_dir)[0].parent)
        rows.append((o.source.stem, str(o.pages or ""), STATUS_NAMES[o.status],
                     f"{o.seconds:.1f}" if o.seconds else "", where))
    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c + " " * (w - width(c)) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def _relative(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


@main.command()
@click.argument("path", required=False, type=PathArg, metavar="[文件夹]")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, metavar="端口",
              help="端口；0 表示任选一个空闲端口。")
@click.option("--host", default=None, metavar="地址",
              help="监听地址，缺省只在本机（127.0.0.1）。给出其他地址时，同一网络中的人也能看到数据。")
@click.option("-o", "--output", "out_dir", type=PathArg, default=None, metavar="文件夹",
              help="“生成 PDF 与 Excel”写入的输出文件夹；缺省为工作区的输出文件夹"
                   "（不在工作区中时为 ./output）。")
def serve(path: Path | None, port: int, host: str | None, out_dir: Path | None) -> None:
    """在浏览器中预览：文档随数据文件和模板的修改实时更新，旁边列出校验问题。

    文件夹可以是工作区（含 budgetreport.yaml 的文件夹，预览其中的 data/），也可以是任意数据文件夹；
    缺省为当前所在的工作区，不在工作区中时为当前文件夹下的 data/（没有则为当前文件夹）。按 Ctrl+C 停止。"""
    from ..serve import folders
    from ..serve.preview import Preview
    from ..serve.server import LOOPBACK, run

    if path is not None and not path.is_dir():
        raise click.UsageError(f"找不到文件夹：{path}")
    folder, out_dir = folders(path, out_dir)
    if not folder.is_dir():
        raise click.UsageError(f"找不到数据文件夹：{_relative(folder)}")
    if host is not None and host not in LOOPBACK:
        click.echo(f"警告：在 {host} 上提供服务，同一网络中的其他人也能打开这些预算数据。", err=True)
    click.echo(f"正在校验 {_relative(folder)} 中的数据文件…", err=True)
    try:
        preview = Preview(folder, out_dir)
        run(preview, host or "127.0.0.1", port, any_host=host is not None,
            ready=lambda url: click.echo(f"预览地址：{url}  （按 Ctrl+C 停止）"))
    except KeyboardInterrupt:  # while the files were first checked
        pass
    except OSError as exc:
        click.echo(f"无法在 {host or '127.0.0.1'}:{port} 上提供服务：{os_reason(exc)}", err=True)
        sys.exit(1)
    click.echo("已停止预览。")



@main.command()
@click.option("-o", "--output", type=PathArg, metavar="文件", default=None,
              help="写入的文件；缺省输出到屏幕。")
def schema(output: Path | None) -> None:
    """输出数据格式的 JSON Schema（供编辑器补全与检查）。"""
    from ..checks.schema import json_schema
    from ..inputs.region import known_regions, load_region
    from ..inputs.sections import declared_sections

    ws = _workspace()
    declared: dict[str, list[Any]] = {}
    trouble: list[Problem] = []
    for key in known_regions(ws):  # every region's data sections, so an editor completes them
        try:
            region = load_region(key, None, ws)
        except BudgetError as exc:  # a region.yaml that cannot be read: the others still count
            trouble += exc.problems
            continue
        specs, wrong = declared_sections(region.settings, region.problem_at)
        trouble += wrong
        for name, spec in specs.items():
            declared.setdefault(name, []).append(spec)
    if trouble:
        click.echo("以下地区设置有误，有误的数据栏目未写入 JSON Schema（改正后重新生成）：", err=True)
        report(sorted(set(trouble)))
    text = json_schema(declared)
    if output is None:
        click.echo(text, nl=False)
    else:
        from ..common.files import write_atomic

        write_atomic(output, text.encode("utf-8"))
        click.echo(f"已写入 {output}")


@main.command()
@click.option("-o", "--output", type=PathArg, metavar="文件", default=None,
              help="写入的文件；缺省输出到屏幕。")
@click.option("--schema", "as_schema", is_flag=True,
              help="输出附表声明的 JSON Schema（供编辑器补全与检查），而不是用语说明。")
def tables(output: Path | None, as_schema: bool) -> None:
    """输出附表声明（templates/…/tables/<键>.yaml）可用的全部用语：键、行的来源、度量、全文数字。"""
    import json

    from ..inputs.declared import json_schema, reference

    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) if as_schema else reference()
    if output is None:
        click.echo(text)
    else:
        from ..common.files import write_atomic

        write_atomic(output, (text + "\n").encode("utf-8"))
        click.echo(f"已写入 {output}")


def _files(paths: tuple[Path, ...]) -> list[Path]:
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise click.UsageError("找不到：" + "、".join(map(str, missing)))
    files = expand(list(paths))
    if not files:
        raise click.UsageError("给出的文件夹中没有 .yaml 数据文件")
    return files
