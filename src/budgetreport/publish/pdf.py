"""HTML → PDF with WeasyPrint: local files only, every warning kept, same bytes every time.

Reproducibility: WeasyPrint 70 puts no clock time in a PDF unless asked — the info
dates come only from `<meta name="dcterms.created|modified">` in the HTML, the /ID of
PDF/A files is an MD5 of the content, font subset prefixes are MD5-based — so the
template must carry fixed dates (e.g. the approval date), never `now()`.
"""

from __future__ import annotations

import logging
import mimetypes
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..layout.fonts import missing_families, not_installed
from . import tagging

tagging.install()  # a tagged PDF's structure tree finished where WeasyPrint leaves it wrong

# Variants that were rendered and checked for byte-identical output. PDF/X is left
# out on purpose: WeasyPrint stamps it with the current time.
VARIANTS = ("pdf/a-2b", "pdf/a-3b", "pdf/a-3u", "pdf/ua-1")
TAGGED = "pdf/ua-1"  # the variant a tagged (accessible) PDF gets when no other is asked for

HARFBUZZ_MISSING = (
    "缺少 HarfBuzz 字体子集库 libharfbuzz-subset0：请运行 apt-get install libharfbuzz-subset0"
)
HARFBUZZ_TOO_OLD = (
    "HarfBuzz 版本低于 4.1.0，无法用于字体子集：请升级 libharfbuzz0b 和 libharfbuzz-subset0"
)


@dataclass(frozen=True)
class PdfResult:
    data: bytes
    pages: int
    warnings: tuple[str, ...]
    cpu: float = 0.0  # CPU seconds inside WeasyPrint: parsing, layout, PDF writing


class _LocalFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """Serves `file:` URLs inside the allowed folders; refuses the network and other files.

    `data:` URLs are served too: they carry their bytes inside the HTML and read nothing.
    """

    def __init__(self, allowed_dirs: Sequence[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"))
        self._allowed = tuple(Path(d).resolve() for d in allowed_dirs)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file" and parts.netloc in ("", "localhost"):
            # resolve() follows symlinks and "..", so a link cannot lead outside.
            path = Path(url2pathname(parts.path)).resolve()
            if path.is_file() and any(path.is_relative_to(d) for d in self._allowed):
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    path.as_uri(), path.read_bytes(), {"Content-Type": content_type}
                )
        # WeasyPrint turns this into a logged error, which render_pdf() returns.
        raise PermissionError(f"拒绝加载“{url}”：只能使用模板和字体文件夹中的文件")


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        level = "错误" if record.levelno >= logging.ERROR else "警告"
        self.messages.append(f"WeasyPrint {level}：{record.getMessage()}")


@contextmanager
def _collect_weasyprint_warnings() -> Iterator[list[str]]:
    """Catch WARNING+ records of "weasyprint" and its children while rendering."""
    logger = logging.getLogger("weasyprint")
    collector = _Collector()
    old_level = logger.level
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)  # an application may have silenced it
    logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)
        logger.setLevel(old_level)


def render_pdf(
    html: str,
    *,
    base_dir: Path,
    allowed_dirs: Sequence[Path],
    variant: str | None = None,
    tagged: bool = False,
) -> PdfResult:
    """Lay out `html` (relative links resolve against `base_dir`) and return the PDF bytes.

    `tagged` adds the structure tree (headings, paragraphs, tables with header cells), the
    document language and DisplayDocTitle; without another variant it makes PDF/UA-1."""
    if variant is not None and variant not in VARIANTS:
        raise ValueError(f"不支持的 PDF 类型“{variant}”，可选：{'、'.join(VARIANTS)}")
    if tagged and variant is None:
        variant = TAGGED
    options: dict[str, Any] = {"pdf_variant": variant, "pdf_tags": tagged or variant == TAGGED}
    start = time.process_time()
    document_html = weasyprint.HTML(
        string=html,
        base_url=base_dir.resolve().as_uri() + "/",
        url_fetcher=_LocalFetcher(allowed_dirs),
    )
    with _collect_weasyprint_warnings() as warnings:
        document = document_html.render(**options)
        data = document.write_pdf(**options)
    return PdfResult(data=data, pages=len(document.pages), warnings=tuple(warnings),
                     cpu=time.process_time() - start)


def check_environment(families: Sequence[str]) -> list[str]:
    """Problems that would make the PDF wrong or slow, in Chinese; empty when all is well."""
    # Private WeasyPrint module on purpose: these are the very libraries it renders with.
    from weasyprint.text import ffi as wffi

    problems: list[str] = []
    # Mirrors weasyprint/pdf/fonts.py Font.subset(): without libharfbuzz-subset, or with
    # HarfBuzz < 4.1.0, WeasyPrint falls back to fontTools, ~20× slower on CJK fonts.
    if wffi.harfbuzz_subset is None:
        problems.append(HARFBUZZ_MISSING)
    elif not wffi.harfbuzz.hb_version_atleast(4, 1, 0):
        problems.append(HARFBUZZ_TOO_OLD)
    return problems + [not_installed(family, instead) for family, instead in missing_families(families)]


