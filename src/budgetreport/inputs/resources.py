"""Where budgetreport finds its files: built into the package, and in the user's workspace.

Built-in resources (templates, catalogues, glossary, sample data, JSON Schema) ship inside the
package and are found through `importlib.resources`; in the repository they are symlinks from
`src/budgetreport/` to the top-level folders, so an editable install uses the repository's
files and a wheel carries copies.

A workspace is a folder with a `budgetreport.yaml`, found from the current folder upwards
(as git and mkdocs find theirs). Its `templates/` (centers/<center>/, regions/<region>/) and
`catalogue/` come before the built-in ones; its settings name the default region and the
data and output folders. Outside a workspace only the built-in resources are used.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..common.files import write_atomic
from ..common.problems import BudgetError, Problem, display_path
from .load import Lines, parse, read_bytes

SETTINGS_FILE = "budgetreport.yaml"

# The keys of budgetreport.yaml, each with its meaning (shown when a key is unknown).
SETTINGS_KEYS: dict[str, str] = {
    "region": "新建数据文件时缺省的地区模板",
    "data": "数据文件夹（相对于本文件所在的文件夹）",
    "output": "输出文件夹（相对于本文件所在的文件夹）",
}


@cache
def builtin_root() -> Path:
    """The folder of the installed package's resources (symlinks resolved)."""
    root = files("budgetreport")
    if not isinstance(root, Path):  # e.g. imported from a zip file: templates need real files
        raise RuntimeError("budgetreport must be installed as files, not as a zip archive")
    return root.resolve()


def builtin_templates() -> Path:
    return (builtin_root() / "templates").resolve()


def builtin_catalogue() -> Path:
    return (builtin_root() / "catalogue").resolve()


def builtin_samples() -> Path:
    return (builtin_root() / "samples").resolve()


def builtin_schema() -> Path:
    return (builtin_root() / "budget.schema.json").resolve()


@dataclass(frozen=True)
class Workspace:
    """A user's working folder (root None: no workspace, built-in resources only)."""

    root: Path | None
    region: str | None = None
    data: Path = Path("data")
    output: Path = Path("output")

    @property
    def settings_file(self) -> Path | None:
        return self.root / SETTINGS_FILE if self.root else None

    @property
    def templates(self) -> Path | None:
        return self.root / "templates" if self.root else None

    @property
    def catalogue(self) -> Path | None:
        return self.root / "catalogue" if self.root else None

    def center_folder(self, center: str) -> Path | None:
        return self.templates / "centers" / center if self.templates else None

    def region_folder(self, region: str) -> Path | None:
        return self.templates / "regions" / region if self.templates else None


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding a budgetreport.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return None


def current() -> Workspace:
    """The workspace of the current folder (raises BudgetError if its settings are wrong)."""
    root = find_root(Path.cwd())
    if root is None:
        return Workspace(None)
    stat = (root / SETTINGS_FILE).stat()
    return _load(root, stat.st_mtime_ns, stat.st_size)


@cache
def _load(root: Path, _mtime: int, _size: int) -> Workspace:
    file = root / SETTINGS_FILE
    name = display_path(file)
    problems: list[Problem] = []
    raw, lines = read_mapping(file, "工作区设置", ("E030", "E031"))
    if not isinstance(raw, dict):
        raise BudgetError([Problem(name, 1, 1, "E032", "工作区设置应为键值结构（YAML 映射）")])
    values: dict[str, str] = {}
    for key, value in raw.items():
        line = lines[(key,)][0]
        if key not in SETTINGS_KEYS:
            known = "；".join(f"{k}：{v}" for k, v in SETTINGS_KEYS.items())
            problems.append(Problem(name, line, 1, "E033", f"未知的设置项“{key}”。可用的设置项——{known}"))
        elif not isinstance(value, str) or not value.strip():
            problems.append(Problem(name, line, 1, "E034", f"设置项“{key}”应为非空文字"))
        else:
            values[key] = value.strip()
    if problems:
        raise BudgetError(problems)
    return Workspace(root, values.get("region"), root / values.get("data", "data"),
                     root / values.get("output", "output"))


def read_mapping(file: Path, what: str, codes: tuple[str, str], top: str = "Mapping") -> tuple[Any, Lines]:
    """A user's YAML file (settings, catalogue, glossary) as plain data and the position of
    every key and item, read as untrusted as a data file is (`load.parse`: size, control
    characters, tags, depth, aliases; `top` "Sequence" for a list, read fast too); an empty
    file is an empty mapping. BudgetError with
    the line — `codes`: the file cannot be read, its content is not valid."""
    name = display_path(file)
    try:
        _text, _tree, data, lines = parse(read_bytes(file, name, what), name, top)
    except BudgetError as exc:
        unreadable = ("E001", "E003", "E006")
        raise BudgetError([replace(p, code=codes[p.code not in unreadable],
                                   message=f"{what}：{p.message}") for p in exc.problems]) from None
    return (data if data is not None else {}), lines


SETTINGS_TEMPLATE = """\
# budgetreport 工作区设置。budgetreport 在本文件所在的文件夹及其子文件夹中运行时使用本工作区：
#   templates/centers/<单位代号>/  某个单位自己的模板与 region.yaml（单位代号即数据文件名去掉“-年度”）
#   templates/regions/<地区>/      本工作区的地区模板（新地区，或覆盖内置地区的部分内容）
#   catalogue/<年度>.yaml          补充或更正科目目录；catalogue/glossary.yaml 补充标准名词解释
# 可用的设置项（只能使用这三项）：
region: {region}     # 新建数据文件（budgetreport new）时缺省的地区模板
data: data           # 数据文件夹：budgetreport build 不给路径时生成其中的全部文件
output: output       # 输出文件夹：每个数据文件写入 <输出文件夹>/<文件名>/
"""


# The sample `init` copies into a new workspace's data/ (a file that builds as it is).
EXAMPLE_SAMPLE = "xiamen-2022.yaml"
EXAMPLE_REGION = "fujian"
SUBFOLDERS = ("data", "templates/centers", "templates/regions", "catalogue", "output", "schema")


def create_workspace(folder: Path, region: str = EXAMPLE_REGION) -> list[Path]:
    """Lay out a new workspace in `folder`; the files written. Existing files are kept;
    an existing workspace settings file is refused (FileExistsError)."""
    settings = folder / SETTINGS_FILE
    if settings.exists() or settings.is_symlink():
        raise FileExistsError(settings)
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    copies = {folder / "data" / EXAMPLE_SAMPLE: builtin_samples() / EXAMPLE_SAMPLE,
              folder / "schema" / "budget.schema.json": builtin_schema()}
    # nothing is written through a symbolic link that leads out of the new workspace (a
    # data/ linked to another folder would receive the example there)
    for path in [*(folder / sub for sub in SUBFOLDERS), *copies]:
        if not _inside(path, root):
            raise BudgetError([Problem(path.as_posix(), 0, 0, "E015",
                                       "是指向工作区之外的符号链接：init 不会通过它写入文件"
                                       "（请删除该链接，或换一个文件夹）")])
    for sub in SUBFOLDERS:
        (folder / sub).mkdir(parents=True, exist_ok=True)
    written = []
    for target, source in copies.items():
        if not target.exists() and not target.is_symlink():
            write_atomic(target, source.read_bytes())
            written.append(target)
    write_atomic(settings, SETTINGS_TEMPLATE.format(region=region).encode("utf-8"))  # last: a
    # workspace whose files could not all be written is not one yet
    return [settings, *written]


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a link loop
        return False


def shared_folders(ws: Workspace | None = None) -> tuple[Path, ...]:
    """The existing folders whose files any center's document may use: templates and
    catalogues, built-in and the workspace's (what a watcher follows)."""
    ws = ws or current()
    folders = [builtin_templates(), builtin_catalogue(), ws.templates, ws.catalogue]
    return tuple(dict.fromkeys(p.resolve() for p in folders if p is not None and p.is_dir()))
