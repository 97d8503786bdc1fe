"""The YAML parser's complaints in Chinese, with what the officer should do about them.

ruamel.yaml words its syntax errors in English ("mapping values are not allowed here");
`reason` finds the Chinese for the common ones by pattern and never passes English on.
"""

from __future__ import annotations

import re

# (pattern on ruamel's `problem`, Chinese); the first match wins. {0} is the pattern's group.
_PROBLEMS: list[tuple[str, str]] = [
    (r"found character '\\t' that cannot start any token", "用了制表符（Tab）缩进；YAML 只能用空格缩进"),
    (r"found character '(.)' that cannot start any token",
     "“{0}”不能作为值的开头；以它开头的文字请加引号"),
    (r"mapping values are not allowed here",
     "此处不能出现“键: 值”：可能是缩进不齐，或文字中的冒号后有空格（这样的文字请加引号）"),
    (r"could not find expected ':'", "缺少冒号“:”：每个键后应为“: 值”，列表项以“- ”开头"),
    (r"expected ',' or '\]', but got .*", "方括号 [ ] 中的列表没有正确结束：缺少“]”或逗号"),
    (r"expected ',' or '\}', but got .*", "花括号 {{ }} 没有正确结束：缺少“}}”或逗号"),
    (r"expected the node content, but found .*", "括号或引号没有正确结束"),
    (r"found unexpected end of stream", "引号没有闭合：缺少与开头对应的引号"),
    (r"found unknown escape character '(.*)'",
     "双引号中的“\\{0}”无法识别；含反斜杠的文字请改用单引号"),
    (r"expected <block end>, but found .*", "缩进不齐：同一层的键或列表项应对齐"),
    (r"did not find expected key", "缩进不齐：此处应为与上一行对齐的键"),
    (r"did not find expected '-' indicator", "缩进不齐：列表项应以对齐的“- ”开头"),
    (r"block sequence entries are not allowed here", "此处不能开始列表项“- ”：检查缩进"),
    (r"found undefined alias '(.*)'", "引用了未定义的锚点“{0}”（*{0} 之前应有 &{0}）"),
    (r'found duplicate key "(.*?)".*', "键“{0}”重复出现"),
    (r"but found another document", "文件中只能有一份数据：删去多余的“---”行"),
    (r"expected a mapping or list of mappings for merging.*", "“<<”合并的应为键值结构"),
    (r"found duplicate (YAML|TAG) directive", "“%{0}”指令重复"),
]


def reason(problem: str | None) -> str:
    """The Chinese for one of ruamel's problems; a general wording for any other."""
    text = problem or ""
    for pattern, chinese in _PROBLEMS:
        if m := re.fullmatch(pattern, text, re.DOTALL):
            return chinese.format(*m.groups())
    return "格式不符合 YAML 语法：请检查此处的缩进、冒号、引号和括号"
