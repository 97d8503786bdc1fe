"""Command line: thin wrappers around the library; every user-facing message is Chinese."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .build import OUTPUT, SAMPLES, build as build_one
from .problems import BudgetError
from .schema import json_schema
from .validate import check_file, expand

PathArg = click.Path(path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="budgetreport")
def main() -> None:
    """部门预算公开：校验预算数据，生成 PDF 文档与 Excel 附表。"""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=PathArg)
@click.option("--strict", is_flag=True, help="把警告也当作错误。")
def check(paths: tuple[Path, ...], strict: bool) -> None:
    """校验预算数据文件（可给文件或文件夹）。"""
    files = _files(paths)
    failed = 0
    for file in files:
        checked = check_file(file)
        for problem in checked.problems:
            click.echo(str(problem), err=True)
        if checked.errors(strict):
            failed += 1
        else:
            click.echo(f"{file}：通过校验" + ("（有警告）" if checked.problems else ""))
    if failed:
        click.echo(f"{failed} 个文件未通过校验。", err=True)
        sys.exit(1)


@main.command()
@click.argument("paths", nargs=-1, type=PathArg)
@click.option("-o", "--output", "out_dir", type=PathArg, default=OUTPUT, show_default=True,
              help="输出文件夹；每个数据文件写入 <输出文件夹>/<文件名>/。")
@click.option("--strict", is_flag=True, help="校验警告和排版警告也当作错误。")
@click.option("--pdf-variant", type=click.Choice(["pdf/a-3b"]), default=None,
              help="生成归档用的 PDF/A-3b。")
def build(paths: tuple[Path, ...], out_dir: Path, strict: bool, pdf_variant: str | None) -> None:
    """生成 PDF 文档与 Excel 附表（不给路径时生成 data/ 中的示例）。"""
    files = _files(paths or (SAMPLES,))
    failed = 0
    for file in files:
        try:
            built = build_one(file, out_dir, strict=strict, pdf_variant=pdf_variant)
        except BudgetError as exc:
            failed += 1
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            click.echo(f"{file}：未生成（原有输出保持不变）", err=True)
            continue
        for problem in built.problems:
            click.echo(str(problem), err=True)
        for warning in built.warnings:
            click.echo(f"{file}: 排版警告：{warning}", err=True)
        click.echo(f"{file} → {built.pdf}（{built.pages}页）、{built.workbook}")
    if failed:
        click.echo(f"{failed} 个文件生成失败。", err=True)
        sys.exit(1)


@main.command()
@click.option("-o", "--output", type=PathArg, default=None, help="写入的文件；缺省输出到屏幕。")
def schema(output: Path | None) -> None:
    """输出数据格式的 JSON Schema（供编辑器补全与检查）。"""
    text = json_schema()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        click.echo(f"已写入 {output}")


def _files(paths: tuple[Path, ...]) -> list[Path]:
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise click.UsageError("找不到：" + "、".join(map(str, missing)))
    files = expand(list(paths))
    if not files:
        raise click.UsageError("给出的文件夹中没有 .yaml 数据文件")
    return files
