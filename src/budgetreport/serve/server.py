"""The HTTP side of `serve`: the standard library's threading server, pages from Jinja2
templates (autoescaped), server-sent events for live updates.

Nothing is served by file path: a URL names a center by its key (looked up in the
workspace), an output by its exact file name, a static file by its name in `STATIC`.
So `..`, encoded or not, and symlinks lead nowhere; output files are also checked to lie
inside the output folder once symlinks are resolved.
"""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass
from functools import cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from ..checks.labels import describe
from ..commands.diff import diff, format_html
from ..common.problems import BudgetError
from ..publish.batch import STATUS_NAMES, build_many
from .preview import Preview, View, target

STATIC = {"serve.js": "text/javascript; charset=utf-8", "serve.css": "text/css; charset=utf-8"}
TYPES = {".pdf": "application/pdf", ".html": "text/html; charset=utf-8",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
LOOPBACK = ("127.0.0.1", "localhost", "::1")
KEEPALIVE = 15.0  # seconds between comments on an idle event stream
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; frame-ancestors 'self'")
DOCUMENT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


@cache
def _pages() -> Environment:
    return Environment(loader=PackageLoader("budgetreport.serve", "pages"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def page(name: str) -> Template:
    return _pages().get_template(name)


@dataclass
class Reply:
    status: HTTPStatus
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    policy: str = PAGE_POLICY
    download: str | None = None


def html(body: str, status: HTTPStatus = HTTPStatus.OK, policy: str = PAGE_POLICY) -> Reply:
    return Reply(status, body.encode("utf-8"), policy=policy)


def as_json(value: Any) -> Reply:
    return Reply(HTTPStatus.OK, json.dumps(value, ensure_ascii=False).encode("utf-8"),
                 "application/json; charset=utf-8")


def not_found(what: str = "没有这个页面") -> Reply:
    return html(page("message.html.j2").render(title="找不到", message=what), HTTPStatus.NOT_FOUND)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never holds up the stop
    block_on_close = False

    def __init__(self, address: tuple[str, int], preview: Preview, any_host: bool) -> None:
        self.preview = preview
        self.any_host = any_host
        self.stopping = threading.Event()
        super().__init__(address, Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}/"


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 — the base's name
        """Quiet: the terminal shows what the officer needs, not every request."""

    # --- dispatch --------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 — the base class's name
        self._answer("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._answer("POST")

    def _answer(self, method: str) -> None:
        if not self._host_allowed():
            self._send(html(page("message.html.j2").render(
                title="拒绝访问", message="只接受以 127.0.0.1 或 localhost 访问的请求"),
                HTTPStatus.FORBIDDEN))
            return
        if method == "POST" and not self._same_origin():
            self._send(html(page("message.html.j2").render(
                title="拒绝访问", message="只接受本页面发出的操作"), HTTPStatus.FORBIDDEN))
            return
        # Segments are decoded one by one, so "%2F" cannot make a new segment; none of them
        # is ever joined to a file path.
        segments = [unquote(s) for s in urlsplit(self.path).path.split("/")[1:]]
        if segments == ["events"] and method == "GET":
            self._events()
            return
        try:
            reply = self._route(method, segments)
        except Exception as exc:  # noqa: BLE001 — the page reports it; the server goes on
            reply = html(page("message.html.j2").render(title="内部错误", message=str(exc)),
                         HTTPStatus.INTERNAL_SERVER_ERROR)
        self._send(reply)

    def _route(self, method: str, segments: list[str]) -> Reply:
        ws = self.server.preview
        if method == "GET" and segments in ([""], []):
            return html(page("index.html.j2").render(centers=[summary(ws, v) for v in ws.all()]))
        if method == "GET" and segments == ["state"]:
            return as_json([summary(ws, v) for v in ws.all()])
        if method == "GET" and len(segments) == 2 and segments[0] == "static":
            return self._static(segments[1])
        if len(segments) < 2 or segments[0] != "c":
            return not_found()
        view = ws.view(segments[1])
        if view is None:
            return not_found("没有这个单位")
        rest = segments[2:]
        if method == "POST":
            return self._build(view) if rest == ["build"] else not_found()
        if rest == []:
            return html(page("center.html.j2").render(key=view.key, name=view.name or view.key,
                                                       year=view.year, c=summary(ws, view)))
        if rest == ["state"]:
            return as_json(state(ws, view))
        if rest == ["document"]:
            return self._document(view)
        if rest == ["diff"]:
            return self._diff(view)
        if len(rest) == 2 and rest[0] == "files":
            return self._output(view, rest[1])
        return not_found()

    # --- pages and files -------------------------------------------------------------

    def _static(self, name: str) -> Reply:
        if name not in STATIC:
            return not_found()
        data = resources.files("budgetreport.serve").joinpath("static", name).read_bytes()
        return Reply(HTTPStatus.OK, data, STATIC[name])

    def _document(self, view: View) -> Reply:
        if view.html is None:
            return html(page("message.html.j2").render(
                title="暂无预览", message="数据文件有错误，尚无可显示的版本：请按右侧的问题修改。"),
                policy=DOCUMENT_POLICY)
        return html(view.html, policy=DOCUMENT_POLICY)

    def _output(self, view: View, name: str) -> Reply:
        found = self.server.preview.output_files(view).get(name)
        if found is None:
            return not_found("没有这个文件：请先生成")
        return Reply(HTTPStatus.OK, found.read_bytes(), TYPES[found.suffix],
                     download=name if found.suffix != ".html" else None)

    def _diff(self, view: View) -> Reply:
        old = f"HEAD:{view.path}"
        try:
            report = diff(old, str(view.path))
        except BudgetError as exc:
            return html(page("message.html.j2").render(
                title="无法比较",
                message="无法比较上次发布的版本（git 中最近一次提交的数据文件）与当前文件：",
                details=[p.message for p in exc.problems]))
        return html(format_html(report, "上次发布（git HEAD）", "当前文件"))

    def _build(self, view: View) -> Reply:
        ws = self.server.preview
        with ws.build_lock:  # one build at a time: they share the output folder
            outcome = build_many([view.path], ws.out_dir, jobs=1)[0]
            if outcome.status == "skipped":  # the files are the data's: no longer outdated
                for found in ws.output_files(view).values():
                    found.touch()
        ws.touched()
        return as_json({"status": outcome.status, "result": STATUS_NAMES[outcome.status],
                        "messages": list(outcome.messages), "files": files(ws, view)})

    # --- live updates ----------------------------------------------------------------

    def _events(self) -> None:
        """Server-sent events: the preview.s generation whenever it changes."""
        ws = self.server.preview
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        seen = -1
        try:
            while not self.server.stopping.is_set():
                now = ws.wait(seen, KEEPALIVE)
                if now == seen:
                    self.wfile.write(b": keepalive\n\n")
                else:
                    self.wfile.write(f"data: {now}\n\n".encode())
                    seen = now
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return

    # --- plumbing --------------------------------------------------------------------

    def _host_allowed(self) -> bool:
        """Refuse requests for another host name (DNS rebinding) unless --host was given."""
        if self.server.any_host:
            return True
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
        return host in LOOPBACK

    def _same_origin(self) -> bool:
        origin = self.headers.get("Origin")
        return origin is None or urlsplit(origin).netloc == self.headers.get("Host")

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Content-Security-Policy", reply.policy)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        if reply.download:
            self.send_header("Content-Disposition", f"attachment; filename*=UTF-8''{reply.download}")
        self.end_headers()
        self.wfile.write(reply.body)


# --- what the pages read ---------------------------------------------------------------


def files(ws: Preview, view: View) -> dict[str, str]:
    return {p.suffix[1:]: f"/c/{view.key}/files/{name}" for name, p in ws.output_files(view).items()}


def summary(ws: Preview, view: View) -> dict[str, Any]:
    errors, warnings = view.counts()
    return {"key": view.key, "name": view.name or view.key, "year": view.year,
            "region": view.region, "region_name": view.region_name or view.region,
            "status": view.status(), "severity": "bad" if errors else "warn" if warnings else "ok",
            "errors": errors, "warnings": warnings, "built": ws.built_at(view),
            "outdated": ws.outdated(view), "files": files(ws, view)}


def state(ws: Preview, view: View) -> dict[str, Any]:
    problems = [{"severity": p.severity.value, "code": p.code, "line": p.line,
                 "message": p.message,
                 "field": describe(p.loc, view.data, raw=True) if p.loc else "",
                 "target": target(p.loc, view.data, view.tables)} for p in view.problems]
    return {**summary(ws, view), "version": view.version, "rendered": view.rendered,
            "stale": view.stale, "problems": problems}


def run(preview: Preview, host: str, port: int, any_host: bool,
        ready: Any = print) -> None:
    """Serve until Ctrl-C (or SIGTERM); `ready` is told the address once it listens."""
    import signal

    server = PreviewServer((host, port), preview, any_host)
    stop = server.stopping
    watcher = threading.Thread(target=preview.watch, args=(stop,), daemon=True,
                               name="watch")
    watcher.start()

    def terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        preview.ready.wait(timeout=30)
        ready(server.url)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
        watcher.join(timeout=2)
    sys.stdout.flush()

