"""A data file's name: the center it belongs to, and where its outputs go.

Kept apart from the pipeline, with nothing heavy imported, because `build` with nothing to
do (every center unchanged) needs only these names and the fingerprints (`batch`): a rerun
of a whole province then starts in a fraction of a second.
"""

from __future__ import annotations

from pathlib import Path

from .problems import BudgetError, Problem, display_path

OUTPUT = Path("output")  # outside a workspace; a workspace names its own (resources.Workspace)
RECORD = ".inputs.sha256"  # beside the outputs: which inputs made them, and their pages
MAX_STEM = 64


def plain_stem(stem: str) -> bool:
    """Letters, digits, CJK ideographs (U+4E00–9FFF), "_" and "-", not first; at most 64.
    (The regular expression saying this costs every start milliseconds to compile.)"""
    def word(c: str) -> bool:
        return c.isascii() and c.isalnum() or "\u4e00" <= c <= "\u9fff"

    return (0 < len(stem) <= MAX_STEM and word(stem[0])
            and all(word(c) or c in "_-" for c in stem[1:]))


def center_key(path: Path) -> str:
    """data/xiamen-2022.yaml -> "xiamen": the center's template folder name."""
    stem = path.stem
    head, _, tail = stem.rpartition("-")
    return head if head and tail.isdigit() else stem


def stem_problem(path: Path, name: str | None = None) -> Problem | None:
    """A data file's stem names its output folder: a plain name, never `..` or a path."""
    if plain_stem(path.stem):
        return None
    return Problem(name or display_path(path), 0, 0, "E011",
                   f"文件名“{path.stem[:80]}”不能用作输出文件夹名：只能由字母、数字、汉字、“-”和“_”组成，"
                   "不以符号开头，最多 64 个字符（如 xiamen-2022.yaml）")


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; folders give their *.yaml files, sorted."""
    files: list[Path] = []
    for p in paths:
        files.extend(sorted(p.glob("*.yaml")) if p.is_dir() else [p])
    return files


def outputs(path: Path, out_dir: Path) -> tuple[Path, Path]:
    """<out>/<stem>/<stem>.pdf and .xlsx; the stem is checked to be a plain name, so an
    output can never land outside `out_dir`."""
    if bad_name := stem_problem(path):
        raise BudgetError([bad_name])
    folder = out_dir / path.stem
    return folder / f"{path.stem}.pdf", folder / f"{path.stem}.xlsx"


def split_output(path: Path, out_dir: Path, name: str) -> Path:
    """<out>/<stem>/<stem>-<name>.pdf: one of the files a document is also published as
    (region.yaml `split_files`, e.g. 附件1 情况说明 and 附件2 报表); `name` is checked when the
    region is resolved (a short plain name)."""
    pdf = outputs(path, out_dir)[0]
    return pdf.with_name(f"{path.stem}-{name}.pdf")


def record_path(path: Path, out_dir: Path) -> Path:
    return out_dir / path.stem / RECORD


def html_output(path: Path, out_dir: Path) -> Path:
    """The web version `build --html` writes beside the PDF."""
    return outputs(path, out_dir)[0].with_suffix(".html")
