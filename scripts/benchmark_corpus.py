"""`verify` and `import` over a folder of published PDFs (a script, not a test).

    .venv/bin/python scripts/benchmark_corpus.py DIR [--region R] [--no-import] [--html FILE]

For each PDF (subfolders too): `verify` without data — pages, tables read, errors, warnings,
CPU seconds — then `import X.pdf -o` into a temporary file, with the region `verify` guesses
from the titles (`readback.guess`; or --region; or, with --region-from-name, the known region a
file name begins with, "guangdong-shenzhen-….pdf" → guangdong/shenzhen or guangdong, so that
import is measured apart from the guess): the outcome (imported, and how many items `check`
then lists in the new file; or refused, with the first error's code) and CPU seconds. CPU
time (`time.process_time`) is what is compared, since other programs on the machine do not
inflate it. The last line gives the totals, and the CPU time per 35 pages.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from budgetreport.common.problems import BudgetError, Severity
from budgetreport.readback import guess_region, verify_document
from budgetreport.readback.pdf import read_pdf
from budgetreport.readback.summary import Checked, _width, pdfs_in


def named_region(pdf: Path) -> str | None:
    """The known region (or sub-region) the file's name begins with, most specific first."""
    from budgetreport.inputs.region import known_regions

    words = pdf.name.split("-")
    for n in (2, 1):
        if "/".join(words[:n]) in known_regions():
            return "/".join(words[:n])
    return None


def imported(pdf: Path, region: str | None, folder: Path) -> tuple[str, float]:
    from budgetreport import importer

    cpu = time.process_time()
    try:
        if region is None:
            region = guess_region(read_pdf(pdf))
        if region is None:
            return "无本地区附表", time.process_time() - cpu
        out = folder / f"{pdf.stem}.yaml"
        outcome = importer.new_file(pdf, out, region)
        return f"{region}：已导入，待填 {outcome.open_items}", time.process_time() - cpu
    except BudgetError as exc:
        errors = [p for p in exc.problems if p.severity is Severity.error]
        codes = sorted({p.code for p in errors})
        return f"{region}：拒绝，{len(errors)} 个错误（{'、'.join(codes[:4])}）", time.process_time() - cpu
    except ValueError as exc:
        return f"{region}：{exc}", time.process_time() - cpu


def pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(0, width - _width(text))
    return space + text if right else text + space


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--region", default=None)
    parser.add_argument("--no-import", action="store_true")
    parser.add_argument("--region-from-name", action="store_true",
                        help="import with the known region the file name begins with")
    parser.add_argument("--html", type=Path, default=None, help="write the verify summary as HTML")
    args = parser.parse_args()
    files = pdfs_in(args.folders)
    if not files:
        print("没有 PDF 文件", file=sys.stderr)
        return 1
    width = max(_width(f.name) for f in files)
    print(f"{pad('文件', width)}  页数  附表  错误  警告  核对CPU秒  导入CPU秒  导入结果")
    all_checked: list[Checked] = []
    pages = cpu_verify = cpu_import = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for pdf in files:
            cpu = time.process_time()
            try:
                doc = read_pdf(pdf)
                checked = Checked(doc.name, len(doc.pages), len(doc.tables), verify_document(doc, None, args.region))
            except BudgetError as exc:
                checked = Checked(str(pdf), refused=exc.problems)
            spent = time.process_time() - cpu
            all_checked.append(checked)
            result, spent_import = ("—", 0.0) if args.no_import or checked.refused else \
                imported(pdf, args.region or (named_region(pdf) if args.region_from_name else None), Path(tmp))
            pages += checked.pages
            cpu_verify += spent
            cpu_import += spent_import
            print(f"{pad(pdf.name, width)}  {checked.pages:>4}  {checked.tables:>4}  "
                  f"{checked.count(Severity.error):>4}  {checked.count(Severity.warning):>4}  "
                  f"{spent:>9.2f}  {spent_import:>9.2f}  {result}", flush=True)
    errors = sum(c.count(Severity.error) for c in all_checked)
    per35 = cpu_verify / pages * 35 if pages else 0
    print(f"共 {len(files)} 个文件、{pages:.0f} 页：错误 {errors} 处；核对 CPU {cpu_verify:.1f} 秒"
          f"（每 35 页 {per35:.2f} 秒），导入 CPU {cpu_import:.1f} 秒")
    if args.html:
        from budgetreport.readback.summary import html_report
        args.html.write_text(html_report(all_checked), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
