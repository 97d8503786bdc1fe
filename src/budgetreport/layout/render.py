"""Stage 4a: figures + tables → the document's HTML, through Jinja2 templates.

Templates are searched center → region → base (`region.Region.folders`); a template can
extend the one it replaces as "base/<name>", "region/<name>" or "builtin/<name>" (see
`region.Region.prefixes`). `StrictUndefined` makes a
misspelt or missing value fail the build; autoescaping keeps data text from becoming markup.
Headings are numbered here, in document order, so numbering can neither skip nor repeat.
"""

from __future__ import annotations

import marshal
import os
import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from types import CodeType
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    select_autoescape,
)
from jinja2.bccache import Bucket, bc_magic
from jinja2.sandbox import MAX_RANGE, SecurityError
from markupsafe import Markup, escape

from ..common import money
from ..common.bounds import DATA_BYTES as TEMPLATE_BYTES
from ..common.bounds import RENDER_SECONDS, RenderTimeout, deadline, special_file
from ..common.problems import BudgetError, Problem, display_path
from ..compute.figures import Figures
from ..inputs.region import Region
from ..inputs.resolved import Resolved
from ..inputs.resources import builtin_templates
from ..inputs.styles import LEVELS, HeadingStyle, TextStyle
from .headers import labels
from .sandbox import Sandbox
from .tables import Table, numeral

# The names a template may use (checked by a test). Figures documents each field.
CONTEXT = {
    "f": "Figures: every computed figure and the validated data (f.budget)",
    "b": "Budget: the validated data (names, texts, counts)",
    "region": "dict: merged region settings (region.yaml), placeholders filled",
    "tables": "list[Table]: the 附表, in the region's order",
    "outline": "Outline: numbered headings (outline.part / outline.h)",
    "toc": "list[Heading]: the headings of the body, for the table of contents",
    "body": "Markup: the rendered four parts (document.html.j2 only)",
    "css": "Markup: font overrides for licensed fonts",
    "medium": "str: \"print\" (the PDF) or \"screen\" (build --html, serve): which stylesheet",
}
MEDIA = ("print", "screen")
FILTERS = {
    "amount": "2469.59万元 — an amount in a sentence",
    "num": "2469.59 — an amount in a sentence, without unit",
    "cell": "2,469.59 — an amount in a table cell, shown as the table's display says",
    "share": "18.99% — part|share(whole): the part's share of the whole, in per cent; share(whole, 1): 19.0%",
    "shares": "[49.4%, 14.3%, 36.3%] — parts|shares(whole, 1): the parts' shares, made to add up to 100%",
    "amount_trimmed": "5.6万元 — an amount in a sentence with its zero decimals dropped, whatever text_decimals says",
    "pct": "92.7% — part|pct(whole): the part's share of the whole, two decimals, trailing zeros dropped (100%, 0%)",
    "against": "a Change — current|against(prior): this year's amount against last year's (None "
               "when prior is none), worded like every change (.phrase, .verb, .pct)",
    "numeral": "3 → 三",
    "cn_date": "date → 2022年2月15日",
    "cn_month": "date → 2022年2月",
    "rate": "7.8% — change|rate(1): a Change's rate (|delta| / last year) at that many decimals, zero "
            "decimals dropped (5%, 0% when unchanged; rate(1, false) keeps them: 5.0%); empty when last "
            "year was zero",
    "versus": "now|versus(prior) → Change: a figure against last year's that the data gives in a region "
              "section (c.phrase(ref)、c.verb、c.delta、c.direction)",
}


def _rate(change: money.Change | None, places: int = 1, trim: bool = True) -> str:
    """A change's rate at `places` decimals, rounded once from the exact ratio, trailing zeros
    dropped: "7.8%", "5%", "0%" (unchanged, also from nothing to nothing); "" when last year
    was zero and this year is not."""
    if change is None or (not change.prior and change.delta):
        return ""
    if not change.prior:  # nothing last year, nothing this year
        return "0%" if trim else f"{Decimal(0):.{places}f}%"
    value = (abs(change.delta) / change.prior * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{value:f}"
    return (text.rstrip("0").rstrip(".") if trim and "." in text else text) + "%"


def _pct(part: Decimal, whole: Decimal) -> str:
    """The share of a whole as trimmed publications print it: "92.7%", "100%", "0%" (of nothing)."""
    text = f"{money.round2(part / whole * 100) if whole else money.round2(0):f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def _share(part: Decimal, whole: Decimal, places: int = 2) -> str:
    """A part of a whole in per cent, two decimals (18.99%) or `places` (`x|share(y, 1)`:
    97.9%); 0.00% of a zero whole."""
    value = money.rounded(part / whole * 100, places) if whole else money.rounded(Decimal(0), places)
    return f"{value:.{places}f}%"


def _shares(parts: list[Decimal], whole: Decimal, places: int = 1) -> list[str]:
    """Each part's share of the whole in per cent, as publications that make the shares of a
    whole add up to 100% print them: each rounded down to `places`, then the units still
    missing given one each to the largest remainders (`[a, b, c]|shares(total, 1)` → 49.4%,
    14.3%, 36.3% where rounding each would give 49.5% + 14.3% + 36.3%). Parts that do not add
    up to the whole are rounded each (`share`)."""
    parts = [Decimal(p) for p in parts]
    if not whole or sum(parts) != whole:
        return [_share(p, whole, places) for p in parts]
    step = Decimal(1).scaleb(-places)
    exact = [p / whole * 100 for p in parts]
    floors = [(e / step).to_integral_value(rounding="ROUND_FLOOR") * step for e in exact]
    missing = int(((100 - sum(floors)) / step).to_integral_value())
    order = sorted(range(len(parts)), key=lambda i: exact[i] - floors[i], reverse=True)
    for i in order[:max(missing, 0)]:
        floors[i] += step
    return [f"{v:.{places}f}%" for v in floors]


@dataclass(frozen=True)
class Heading:
    level: int  # 0 part, 1 一、, 2 （一）, 3 1.
    label: str  # the number as printed
    title: str
    anchor: str
    separator: str = ""  # between number and title, as the heading prints it ("第一部分　概况")
    listed: bool = True  # in the table of contents (a level-1 heading may be left out of it)


@dataclass
class Outline:
    """Numbers headings as they are rendered, each level as the region's text style says
    (default 第一部分 / 一、 / （一） / 1. / （1））."""

    headings: list[Heading] = field(default_factory=list)
    counters: list[int] = field(default_factory=lambda: [0] * len(LEVELS))
    styles: tuple[HeadingStyle, ...] = field(default_factory=lambda: TextStyle().headings)
    _anchors: set[str] = field(default_factory=set)  # each heading's id once in the document

    def _next(self, level: int) -> int:
        self.counters[level] += 1
        for deeper in range(level + 1, len(self.counters)):
            if not self.styles[deeper].running:
                self.counters[deeper] = 0
        return self.counters[level]

    def part(self, title: str, numbered: bool = True) -> Markup:
        """A part's heading, numbered (第一部分…); `numbered=False`: without a number, and the
        parts after it go on counting as if it were not there (深圳's 表格部分 after 第九部分)."""
        if not numbered:
            return self._emit(0, "", title, "h1", "part")
        n = self._next(0)
        return self._emit(0, self.styles[0].label(n), title, "h1", "part")

    def h(self, level: int, title: str, listed: bool = True) -> Markup:
        """A numbered heading; `listed=False` keeps it out of the contents."""
        return self._emit(level, self.label(level), title, f"h{min(level, 5) + 1}", f"h{level}", listed)

    def label(self, level: int) -> str:
        """A run-in number ("（一）") for a paragraph that starts with it; not in the contents."""
        return self.styles[level].label(self._next(level))

    def entry(self, label: str, title: str, anchor: str, separator: str = "") -> str:
        """A contents entry for something that is not a numbered heading (a 附表)."""
        self.headings.append(Heading(1, label, title, anchor, separator))
        return ""

    def _emit(self, level: int, label: str, title: str, tag: str, cls: str, listed: bool = True) -> Markup:
        anchor = "s" + "-".join(str(c) for c in self.counters[: level + 1])
        taken, k = anchor, 1
        while anchor in self._anchors:  # an unnumbered part (and what is under it) repeats the counters
            anchor, k = f"{taken}u{k}", k + 1
        self._anchors.add(anchor)
        style = self.styles[level]
        sep = style.separator if label else ""
        self.headings.append(Heading(level, label, title, anchor, sep, listed))
        if style.align:
            cls += f" align-{style.align}"
        return Markup(f'<{tag} id="{anchor}" class="{cls}">{escape(label)}{sep}'
                      f'{escape(title)}</{tag}>')


def environment(region: Region) -> Environment:
    return _environment(region.folders, region.prefixes)


@cache
def _environment(search: tuple[Path, ...],
                 prefixed: tuple[tuple[str, tuple[Path, ...]], ...]) -> Environment:
    """One environment per search path, so a process building many centers compiles each
    template once (Jinja still reloads a template whose file changed)."""
    prefixes: dict[str, Any] = {
        name: ChoiceLoader([_ContainedLoader(p) for p in paths]) for name, paths in prefixed if paths}
    env = Sandbox(
        loader=ChoiceLoader([*map(_ContainedLoader, search), PrefixLoader(prefixes)]),
        bytecode_cache=_bytecode_cache(),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters.update(
        amount=money.amount, num=money.number, cell=money.table_amount, numeral=numeral,
        share=_share, pct=_pct, shares=_shares, versus=lambda now, prior: money.Change(Decimal(now), Decimal(prior)),
        amount_trimmed=money.amount_trimmed, rate=_rate,
        against=lambda current, prior: None if prior is None or current is None
        else money.Change(current, prior),
        cell_labels=labels,
        cn_date=lambda d: f"{d.year}年{d.month}月{d.day}日",
        cn_month=lambda d: f"{d.year}年{d.month}月",
    )
    return env


class _QuietCache(FileSystemBytecodeCache):
    """Compiled templates kept between runs (a check compiles no template twice), in the
    user's cache folder. A file is used only if it starts with exactly what Jinja writes for
    this Python and this template source (its magic and the source checksum), so an edited
    template is never served stale, and a file that is truncated, corrupt or not Jinja's is
    not unpickled but ignored and replaced; a cache that cannot be read or written is simply
    not used."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            data = Path(self._get_cache_filename(bucket)).read_bytes()
        except OSError:
            return
        head = bc_magic + pickle.dumps(bucket.checksum, 2)
        if not data.startswith(head):
            return
        try:
            code = marshal.loads(data[len(head):])
        except (EOFError, ValueError, TypeError):
            return
        if isinstance(code, CodeType):
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    try:
        base = os.environ.get("XDG_CACHE_HOME") or ""
        folder = (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "budgetreport" / "jinja"
        folder.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):  # RuntimeError: no home folder to be found
        return None
    return _QuietCache(str(folder))


class _ContainedLoader(FileSystemLoader):
    """A folder's templates; a file that resolves outside the folder (a symbolic link
    leading elsewhere) is refused, so a template folder cannot print arbitrary files."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.root = folder.resolve()

    def load(self, environment: Environment, name: str, globals: Any = None) -> Any:  # noqa: A002
        try:
            return super().load(environment, name, globals)
        except RecursionError:  # compiling: brackets or expressions nested thousands deep
            raise BudgetError([_template_problem(str(self._file(name) or name), 0,
                                                 "模板中的表达式嵌套过深，无法编译")]) from None

    def _file(self, template: str) -> Path | None:
        return next((Path(p) / template for p in self.searchpath
                     if os.path.lexists(Path(p) / template)), None)

    def get_source(self, environment: Environment, template: str) -> Any:
        file = self._file(template)
        if file is not None and (why := special_file(file)):  # a FIFO is never opened
            raise BudgetError([_template_problem(str(file), 0, f"模板文件{why}")])
        if file is not None and file.is_file() and file.stat().st_size > TEMPLATE_BYTES:
            raise BudgetError([_template_problem(str(file), 0, f"模板文件超过 {TEMPLATE_BYTES:,} 字节")])
        try:
            source, filename, uptodate = super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            path = next((Path(p) / template for p in self.searchpath if (Path(p) / template).is_file()),
                        Path(template))
            raise BudgetError([_template_problem(str(path), 0, "模板文件不是 UTF-8 编码的文本"
                                                 f"（第{exc.start + 1}个字节无法识别；请用 UTF-8 另存）")]) from None
        if not Path(filename).resolve().is_relative_to(self.root):
            raise TemplateError(f"模板文件 {filename} 指向模板文件夹之外（符号链接），已拒绝使用")
        return source, filename, uptodate


def render_html(f: Figures, resolved: Resolved, tables: list[Table], css: str = "",
                medium: str = "print") -> str:
    """The whole document; a template error becomes a BudgetError naming the template's
    own file and line. `medium` "screen" gives the web page: same content, a screen
    stylesheet, the reader's fonts."""
    if medium not in MEDIA:
        raise ValueError(f"unknown medium {medium!r}")
    try:
        with deadline(RENDER_SECONDS):
            return _render(f, resolved, tables, css, medium)
    except RenderTimeout as exc:
        file, line = _template_frame(exc) or (None, 0)
        raise BudgetError([_template_problem(file, line, f"模板渲染超过 {RENDER_SECONDS:g} 秒，已停止"
                                             "（循环过多或无尽的循环？）")]) from None
    except BudgetError:
        raise  # already located (a template file that cannot be read)
    except TemplateSyntaxError as exc:
        raise BudgetError([_template_problem(exc.filename, exc.lineno,
                                             f"模板语法错误：{_syntax(exc.message or '')}")]) from None
    except Exception as exc:
        where = _template_frame(exc)
        if where is None and not isinstance(exc, TemplateError):
            raise  # not a template's fault: a defect of budgetreport
        file, line = where or (None, 0)
        problem = _template_problem(file, line, _explain(exc))
        raise BudgetError([_setting_behind(resolved.region, exc, problem) or problem]) from None


def _setting_behind(region: Region, exc: BaseException, problem: Problem) -> Problem | None:
    """A template error caused by a word of a region.yaml — a part (`parts: [glosary]`) or a
    section (`explanation_sections`) no template has, often a misspelling — told at that
    setting's line, the template's place following in words."""
    if isinstance(exc, TemplateNotFound):
        word = Path(str(exc.name)).name.split(".")[0]
    elif m := re.fullmatch(r".*has no attribute '(.+)'", str(exc)):
        word = m[1]
    else:
        return None
    for key, value in region.settings.items():  # merged: each value where it was last set
        for i, item in enumerate(value if isinstance(value, list) else []):
            if item == word:
                where = f"{problem.file} 第{problem.line}行" if problem.line else problem.file
                parts = [Path(n).name.split(".")[0] for n in template_sources(region) if n.startswith("parts/")]
                known = f"；可用：{'、'.join(parts)}" if key == "parts" else ""
                return region.problem_at((key, i), f"设置 {key} 中的“{word}”没有对应的模板内容（{problem.message}，"
                                                   f"见 {where}）：是否拼错？{known}")
    return None


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The innermost template file and line in `exc`'s traceback (Jinja maps template
    frames to the template's own file and line) — the innermost of the user's own templates
    if one is involved (a template including itself recurses down into the built-in ones)."""
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            # a frame Jinja did not rewrite (an exception it does not catch, the time limit's)
            # is still the compiled code's: its template says which line that is
            compiled = tb.tb_frame.f_globals.get("__jinja_template__")
            line = compiled.get_corresponding_lineno(tb.tb_lineno) if compiled else tb.tb_lineno
            frames.append((filename, line))
        tb = tb.tb_next
    builtin = builtin_templates().resolve()
    own = [f for f in frames if not Path(f[0]).resolve().is_relative_to(builtin)]
    return (own or frames)[-1] if frames else None


# Jinja's syntax complaints, in Chinese (its English is never shown).
_SYNTAX = [
    (r"(?s)unexpected end of template.*", "模板在此结束，但前面的 {{% … %}} 或 {{{{ … }}}} 没有闭合"),
    (r"(?s)Encountered unknown tag '(.+?)'.*", "未知的模板标签“{0}”（或它所属的块没有开始）"),
    (r"expected token '(.+?)', got '(.+?)'", "此处应为“{0}”，却是“{1}”"),
    (r"unexpected char (.+?) at \d+", "模板中有不能出现的字符 {0}"),
    (r"unexpected '(.+?)'", "此处不应出现“{0}”"),
    (r"tag name expected", "{{% 之后应为标签名"),
    (r"(?:block|macro) '(.+?)' defined twice", "块“{0}”定义了两次"),
    (r"expected name or number", "此处应为名称或数字"),
    (r"No filter named '(.+?)'", "没有名为“{0}”的过滤器（可用的见 render.FILTERS）"),
    (r"No test named '(.+?)'", "没有名为“{0}”的测试"),
    (r"Expected an expression, got '(.+?)'", "此处缺少表达式，却是“{0}”"),
]


_TOKENS = {"end of print statement": "}}", "begin of print statement": "{{",
           "end of statement block": "%}", "begin of statement block": "{%", "name": "名称",
           "end of template": "模板结尾", "string": "文字", "integer": "整数", "float": "数字"}


def _syntax(message: str) -> str:
    if m := re.search(r"The innermost block that needs to be closed is '(\w+)'", message):
        return f"标签没有闭合：缺少 {{% end{m[1]} %}}"
    if m := re.search(r"looking for the following tags: (.*?)\.", message):
        tags = re.findall(r"'(\w+)'", m[1])
        end = next((t for t in tags if t.startswith("end")), tags[-1] if tags else "end")
        return f"模板在此结束，但前面的标签没有闭合：缺少 {{% {end} %}}"
    for pattern, chinese in _SYNTAX:
        if m := re.match(pattern, message):
            return chinese.format(*(_TOKENS.get(g, g) for g in m.groups()))
    return "请检查此行的 {{ }} 与 {% %} 是否成对、标签名和括号是否正确"


def _explain(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, TemplateNotFound):
        return f"找不到模板“{exc.name}”"
    if isinstance(exc, UndefinedError):
        if m := re.fullmatch(r"'(.+)' is undefined", text):
            return f"模板中的名称“{m[1]}”未定义（可用的名称见 render.CONTEXT）"
        if m := re.fullmatch(r"'(.+)' has no attribute '(.+)'", text) or re.fullmatch(
                r"(.+) object has no attribute '(.+)'", text):
            owner = m[1].removesuffix(" object").rsplit(".", 1)[-1]
            return f"模板中“{owner}”没有属性“{m[2]}”"
        return "模板中使用了未定义的值"
    if isinstance(exc, TemplateError) and re.search(r"[\u4e00-\u9fff]", text):
        return f"模板错误：{text}"  # ours (e.g. a template outside its folder)
    if isinstance(exc, SecurityError):
        return "模板访问了不允许使用的内部属性或方法（模板只能读取数据和调用过滤器）"
    if isinstance(exc, RecursionError):
        return "模板递归过深：模板包含、继承或调用了自身"
    if isinstance(exc, MemoryError):
        return "模板生成的内容过大"
    if isinstance(exc, OverflowError) and "MAX_RANGE" in text:
        return f"模板中的循环超过 {MAX_RANGE:,} 次"
    if isinstance(exc, ZeroDivisionError):
        return "模板中除以零"
    return "模板中的表达式无法计算（取值或类型不对）"


def _template_problem(file: str | None, line: int | None, message: str) -> Problem:
    name = display_path(Path(file)) if file else "模板"
    return Problem(name, line or 0, 0, "E810", message)


def _render(f: Figures, resolved: Resolved, tables: list[Table], css: str, medium: str) -> str:
    """The whole document: body first (numbering its headings), then cover, contents, body."""
    region = resolved.region
    env = environment(region)
    style = resolved.text
    outline = Outline(styles=style.headings)
    context: dict[str, Any] = {"f": f, "b": f.budget, "region": region.filled(f.placeholders),
                               "tables": tables, "outline": outline, "medium": medium}
    display = replace(region.text_display(f.cents), trim=style.trim_decimals,
                      thousands=style.thousands)
    with money.showing(display, style.comparison):
        body = env.get_template("body.html.j2").render(context)
        toc = [h for h in outline.headings if h.level <= 1 and h.listed]
        return env.get_template("document.html.j2").render(
            context, body=Markup(body), toc=toc, css=Markup(css))


COVER = re.compile(r'<header class="cover">.*?</header>\s*', re.S)
CONTENTS = re.compile(r'<nav class="toc">.*?</nav>\s*', re.S)
PART = re.compile(r"<!--part:(\w+)-->")


def split_html(html: str, files: Sequence[tuple[str, Sequence[str]]]) -> list[tuple[str, str]]:
    """The rendered document cut into the files it is published as (`split_files`): each
    file keeps the head (styles, metadata) and its parts' sections as rendered in the whole
    — numbering and headings unchanged, so the files read as one document; the cover and
    the contents stay with the first file."""
    head, _, rest = html.partition("<main>")
    body, _, tail = rest.rpartition("</main>")
    pieces = PART.split(body)  # text before the first part, then (key, its HTML) pairs
    sections = dict(zip(pieces[1::2], pieces[2::2], strict=True))
    out = []
    for i, (name, parts) in enumerate(files):
        top = head if i == 0 else CONTENTS.sub("", COVER.sub("", head, count=1), count=1)
        main = (pieces[0] if i == 0 else "") + "".join(
            f"<!--part:{p}-->{sections[p]}" for p in parts if p in sections)
        out.append((name, f"{top}<main>{main}</main>{tail}"))
    return out


def template_sources(region: Region) -> dict[str, Path]:
    """Each template name → the file that provides it (center, region or base)."""
    found: dict[str, Path] = {}
    for folder in reversed(region.folders):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name != "region.yaml":
                found[str(path.relative_to(folder))] = path
    return dict(sorted(found.items()))
