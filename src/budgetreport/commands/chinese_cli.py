"""click in Chinese: help pages, usage errors and the error frame.

Built only on click's extension points — `Context.formatter_class`, `Command`/`Group`
subclasses, and the attributes of click's exceptions — never by patching click. Every
command declared with `@main.command()` on a `Group` gets all of it:

- help headings, the usage line, the help option and the notes click adds after an
  option's help (缺省, 必填) in Chinese;
- Chinese placeholders (metavars) from the parameter's type — 路径, 文件, 整数, 文字 … —
  unless the declaration gives its own `metavar=` (used verbatim, as click does);
- every `click.ClickException` raised while parsing or running a command is shown in the
  Chinese frame (用法, 帮助, 错误) with click's exit status (2 for a usage error).

Messages click words itself (invalid value, missing option, …) are translated through
`CLICK_MESSAGES`, keyed by click's own gettext message ids; `translate` matches a
formatted message against them. A message from our own code is already Chinese and passes
unchanged.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import IO, Any

import click

from ..common.columns import join_lines, width, wrap
from ..common.errors import GuardedGroup

# click's message ids (the strings it passes to gettext) → Chinese. Placeholders keep their
# names; `{x!r}` in an id matches a quoted value, shown in “” in Chinese.
CLICK_MESSAGES: dict[str, str] = {
    # help page
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Arguments": "参数",
    "default: {default}": "缺省：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（运行时确定）",
    "deprecated": "已停用",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    # usage errors
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有命令“{name}”。",
    "No such option {name!r}.": "没有选项 {name}。",
    "No such option: {name}": "没有选项 {name}。",
    "Did you mean {possibility}?": "是否应为 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是否应为 {possibilities} 之一？）",
    "Got unexpected extra argument ({args})": "多余的参数：{args}",
    "Got unexpected extra arguments ({args})": "多余的参数：{args}",
    "Option {name!r} requires an argument.": "选项 {name} 后面需要给出一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name} 后面需要给出 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name} 不接受值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name} 需要 {nargs} 个值。",
    "Value must be an iterable.": "应为多个值。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "Missing parameter: {param_name}": "缺少参数 {param_name}",
    # values (click's parameter types)
    "{value!r} is not {choice}.": "“{value}”不是可选的值 {choice}。",
    "{value!r} is not one of {choices}.": "“{value}”不在可选的值 {choices} 之中。",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 超出允许的范围（{range}）。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "“{value}”应为 是/否（{states}）。",
    "{value!r} is not a valid UUID.": "“{value}”不是有效的 UUID。",
    "{value!r} does not match the format {format}.": "“{value}”不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "“{value}”不符合格式 {formats} 中的任何一种。",
    "{len_type} values are required, but {len_value} was given.": "需要 {len_type} 个值，给了 {len_value} 个。",
    "{len_type} values are required, but {len_value} were given.": "需要 {len_type} 个值，给了 {len_value} 个。",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a file.": "{name}“{filename}”是一个文件，这里应为文件夹。",
    "{name} {filename!r} is a directory.": "{name}“{filename}”是一个文件夹，这里应为文件。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”没有读取权限。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”没有写入权限。",
    "{name} {filename!r} is not executable.": "{name}“{filename}”没有执行权限。",
    "Could not open file {filename!r}: {message}": "无法打开文件“{filename}”：{message}",
    "unknown error": "原因不明",
    "Aborted!": "已中止。",
    # words click puts into the messages above
    "file": "文件", "directory": "文件夹", "path": "路径",
    "File": "文件", "Directory": "文件夹", "Path": "路径",
    "integer": "整数", "float": "数", "integer range": "整数", "float range": "数",
}


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    """Each message id as a regular expression with one named group per placeholder, the
    most specific (longest fixed text) first."""
    out = []
    for english, chinese in CLICK_MESSAGES.items():
        pattern = ""
        for literal, field in re.findall(r"([^{]*)(?:\{(\w+)(?:!r)?\})?", english):
            pattern += re.escape(literal) + (f"(?P<{field}>.+?)" if field else "")
        out.append((re.compile(pattern, re.DOTALL), chinese))
    return sorted(out, key=lambda p: -len(re.sub(r"\(\?P<\w+>\.\+\?\)", "", p[0].pattern)))


def translate(message: str) -> str:
    """click's English message in Chinese; any other message unchanged. The values filled
    into a message are translated too when they are click's own words ("file" → 文件)."""
    if RANGE.fullmatch(message):
        return _range(message)
    for pattern, chinese in _patterns():
        if m := pattern.fullmatch(message):
            return chinese.format(**{k: translate(_unquote(v)) for k, v in m.groupdict().items()})
    return message


def _unquote(value: str) -> str:
    """A value click quoted with repr(): shown without the quotes (Chinese quotes follow)."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return re.sub(r"'([^']*)'", r"\1", value)  # a list of quoted choices: 'a', 'b'


# --- help pages -------------------------------------------------------------------------

EXTRAS = re.compile(r"(?P<help>.*?)\s*\[(?P<extras>[^\[\]]*)\]$", re.DOTALL)
RANGE = re.compile(r"(?=.*[<>])(?:[\d.-]+[<>]=?)?x(?:[<>]=?[\d.-]+)?")
class Formatter(click.HelpFormatter):
    """click's help layout, worded in Chinese and measured in display columns."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix if prefix is not None else translate("Usage:"))

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{translate(heading)}：\n")

    def write_text(self, text: str) -> None:
        """Paragraphs are rewrapped, except one that starts with a line holding only \\b
        (click's convention), which is kept line by line — for examples."""
        indent = " " * self.current_indent
        for n, paragraph in enumerate(re.split(r"\n\s*\n", text.strip("\n"))):
            if n:
                self.write("\n")
            lines = paragraph.splitlines()
            if lines and lines[0].strip() == "\b":
                self.write("".join(f"{indent}{x.rstrip()}\n" for x in lines[1:]))
            else:
                self.write("".join(f"{indent}{x}\n" for x in wrap(join_lines(lines), self.width - len(indent))))

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        rows = [(term, _help_extras(text)) for term, text in rows]
        first = min(max((width(term) for term, _ in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        for term, text in rows:
            self.write(indent + term)
            if not text:
                self.write("\n")
                continue
            if width(term) <= first - col_spacing:
                self.write(" " * (first - width(term)))
            else:
                self.write("\n" + " " * (first + self.current_indent))
            lines = wrap(text, max(self.width - first - 2, 10)) or [""]
            self.write(lines[0] + "\n")
            self.write("".join(f"{indent}{' ' * first}{x}\n" for x in lines[1:]))


def _help_extras(text: str) -> str:
    """"输出文件夹。  [default: output; required]" → "输出文件夹。（缺省：output；必填）"."""
    m = EXTRAS.fullmatch(text)
    if m is None:
        return text
    items = [translate(item.strip()) for item in m["extras"].split(";")]
    # click shows a show_default text in parentheses: "缺省：(output/)" → "缺省：output/"
    items = [re.sub(r"^(缺省：)\((.*)\)$", r"\1\2", item) for item in items]
    return f"{m['help']}（{'；'.join(items)}）"


def _range(text: str) -> str:
    """click's range notation "x>=1" as "取值≥1"."""
    return text.replace("<=", "≤").replace(">=", "≥").replace("x", "取值")


class Context(click.Context):
    formatter_class = Formatter


# --- commands -----------------------------------------------------------------------------


def _type_word(kind: click.ParamType) -> str | None:
    """The Chinese placeholder for a value of this type (None: click's own, e.g. [a|b])."""
    if isinstance(kind, click.Choice):
        return None
    if isinstance(kind, click.Path):
        return "文件" if not kind.dir_okay else "文件夹" if not kind.file_okay else "路径"
    if isinstance(kind, (click.types.IntParamType, click.IntRange)):
        return "整数"
    if isinstance(kind, (click.types.FloatParamType, click.FloatRange)):
        return "数"
    if isinstance(kind, click.DateTime):
        return "日期"
    if isinstance(kind, click.types.BoolParamType):
        return "是否"
    return "文字"


def _metavar(param: click.Parameter) -> str | None:
    word = _type_word(param.type)
    if word is None or not isinstance(param, click.Argument):
        return word
    if not param.required:
        word = f"[{word}]"
    return word + ("..." if param.nargs != 1 else "")


class Command(click.Command):
    context_class = Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)
        for param in self.params:
            if param.metavar is None and not getattr(param, "is_flag", False):
                param.metavar = _metavar(param)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """click's parser raises some usage errors (an option without its value) without a
        context: give them this command's, so the frame shows its usage line."""
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            if exc.ctx is None:
                exc.ctx = ctx
            raise

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The epilog, then the examples of this command (all of them on the top level)."""
        super().format_epilog(ctx, formatter)
        root = ctx.find_root().command
        words = ctx.command_path.split()[1:]
        lines = [x for x in getattr(root, "examples", ())
                 if x.split()[1:1 + len(words)] == words]
        if lines:
            with formatter.section("示例"):
                formatter.write_text("\b\n" + "\n".join(lines))

    def get_short_help_str(self, limit: int = 45) -> str:
        """The summary in the list of commands: the help's first sentence, up to "。", whole
        (click would cut it after `limit` characters, counting a Chinese one as one column)."""
        if self.short_help:
            return inspect.cleandoc(self.short_help)
        paragraph = inspect.cleandoc(self.help or "").partition("\f")[0].split("\n\n")[0]
        text = join_lines(paragraph.splitlines())
        return text[: text.index("。") + 1] if "。" in text else text

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = translate("Show this message and exit.")
        return option


class Group(Command, GuardedGroup):
    """The program's top-level group: subcommands are `Command`s (subgroups `Group`s), every
    click error below it reaches the user as a `ChineseError`, every other failure goes
    through `errors` (the one error path). `examples` are command
    lines (a comment may follow): each command's help shows those that start with its name."""

    command_class = Command
    group_class = type  # a subgroup is a Group too

    def __init__(self, *args: Any, examples: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)
        self.examples = [x for x in examples.splitlines() if x.strip()]

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        with _in_chinese():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with _in_chinese():
            return super().invoke(ctx)


# --- errors -------------------------------------------------------------------------------


class ChineseError(click.ClickException):
    """A click error, worded in Chinese and shown in a Chinese frame."""

    def __init__(self, message: str, ctx: click.Context | None, help_page: bool = False):
        super().__init__(message)
        self.ctx = ctx
        self.help_page = help_page

    def show(self, file: IO[Any] | None = None) -> None:
        ctx = self.ctx
        if self.help_page and ctx is not None:
            click.echo(ctx.get_help(), file=file, err=True)
            return
        if ctx is not None:
            click.echo(ctx.get_usage(), file=file, err=True)
            if ctx.command.get_help_option(ctx) is not None:
                option = max(ctx.help_option_names, key=len)
                click.echo(f"查看说明：{ctx.command_path} {option}", file=file, err=True)
            click.echo(file=file, err=True)
        click.echo(f"错误：{self.message}", file=file, err=True)


class ChineseUsageError(ChineseError):
    exit_code = 2


@contextmanager
def _in_chinese() -> Iterator[None]:
    try:
        yield
    except ChineseError:
        raise
    except click.ClickException as exc:
        kind = ChineseUsageError if isinstance(exc, click.UsageError) else ChineseError
        raise kind(message(exc), getattr(exc, "ctx", None),
                   help_page=type(exc).__name__ == "NoArgsIsHelpError") from None
    except (click.Abort, KeyboardInterrupt, EOFError):
        click.echo(file=sys.stderr)
        raise ChineseError(translate("Aborted!"), None) from None


def message(exc: click.ClickException) -> str:
    """The Chinese text of a click error, from the exception's attributes where it has
    them, else from its English message."""
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        kind = "参数" if isinstance(exc.param, click.Argument) else "选项"
        text = f"缺少{kind}{_hint(exc.param, ctx)}"
        if isinstance(exc.param.type, click.Choice):
            text += f"（可选：{'、'.join(map(str, exc.param.type.choices))}）"
        return text + "。"
    if isinstance(exc, click.BadParameter):
        hint = _hint(exc.param, ctx) if exc.param is not None else exc.param_hint
        what = translate(exc.message)
        if hint is None:
            return f"取值无效：{what}"
        kind = "参数" if isinstance(exc.param, click.Argument) else "选项"
        return f"{kind}{hint}的值无效：{what}"
    if isinstance(exc, click.FileError):
        return translate(exc.format_message())
    text = translate(exc.message)
    possibilities = getattr(exc, "possibilities", None)
    if possibilities:
        text += f"是否应为 {'、'.join(sorted(possibilities))}？"
    if text.startswith("没有命令") and ctx is not None and isinstance(ctx.command, click.Group):
        text += "可用的命令：" + "、".join(ctx.command.list_commands(ctx))
    return text


def _hint(param: click.Parameter, ctx: click.Context | None) -> str:
    """“路径...” for an argument, “-o / --output” for an option."""
    if isinstance(param, click.Argument):
        return f"“{param.make_metavar(ctx) if ctx is not None else param.metavar}”"
    return f"“{' / '.join(param.opts)}”"
