"""The HTTP side of `serve`: the standard library's threading server, pages from Jinja2
templates (autoescaped), server-sent events for live updates.

Nothing is served by file path: a URL names a center by its key (looked up in the
workspace), an output by its exact file name, a static file by its name in `STATIC`.
So `..`, encoded or not, and symlinks lead nowhere; output files are also checked to lie
inside the output folder once symlinks are resolved.
"""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
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
# A connection's bounds: a client that is slow, sends half a request or vanishes holds one
# thread for at most HEAD_SECONDS, and never more than MAX_CONNECTIONS are served at once.
HEAD_SECONDS = 5.0      # to send the request line and headers (also the idle keep-alive wait)
SOCKET_SECONDS = 30.0   # any one read or write of the socket
MAX_CONNECTIONS = 32    # a thread each (a page open in a browser holds one for its events)
MAX_URL = 2048          # characters of the request target
MAX_BODY = 65536        # bytes of a request's body (a POST carries none)
HOST = re.compile(r"(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9.-]+))(?::(?P<port>\d{1,5}))?")
# The errors the standard library's handler answers itself, in Chinese.
ERRORS = {400: ("请求有误", "请求的格式不正确。"), 404: ("找不到", "没有这个页面"),
          408: ("请求超时", "请求没有在限定时间内发送完毕。"),
          413: ("请求过大", f"请求内容超过 {MAX_BODY:,} 字节。"),
          414: ("网址过长", f"网址超过 {MAX_URL:,} 个字符。"),
          431: ("请求头过多或过长", "请求头的数量或长度超过上限。"),
          501: ("不支持的请求方法", "本预览只接受 GET（查看）和 POST（生成）请求。"),
          503: ("服务器繁忙", "同时连接的客户端过多，请稍后刷新。"),
          505: ("不支持的协议版本", "只接受 HTTP/1.0 与 HTTP/1.1 请求。")}
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
    request_queue_size = 128  # a burst of connections waits to be accepted, not refused

    def __init__(self, address: tuple[str, int], preview: Preview, any_host: bool) -> None:
        self.preview = preview
        self.any_host = any_host
        self.stopping = threading.Event()
        self.active = 0
        self.counting = threading.Lock()
        # connections still sending their request (or idle between requests), oldest first
        self.waiting: dict[int, tuple[float, Handler]] = {}
        super().__init__(address, Handler)
        threading.Thread(target=self._reap, daemon=True, name="reaper").start()

    def _reap(self) -> None:
        """Cut every connection whose request has not arrived within HEAD_SECONDS (one
        thread for all: a timer thread per connection would double the threads)."""
        while not self.stopping.wait(0.25):
            late = time.monotonic() - HEAD_SECONDS
            with self.counting:
                for key in [k for k, (since, _) in self.waiting.items() if since < late]:
                    self.waiting.pop(key)[1].cut_off()

    def process_request(self, request: Any, client_address: Any) -> None:
        """A thread per connection, up to MAX_CONNECTIONS: at the limit the connection that
        has waited longest for its request is cut to make room, and only when every
        connection is busy being answered does a new one get a Chinese 503."""
        with self.counting:
            if self.active >= MAX_CONNECTIONS and self.waiting:
                self.waiting.pop(next(iter(self.waiting)))[1].cut_off()
                busy = False
            else:
                busy = self.active >= MAX_CONNECTIONS
            if not busy:
                self.active += 1
        if busy:
            try:
                request.settimeout(1.0)
                request.sendall(_plain_error(503))
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            with self.counting:
                self.active -= 1
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.counting:
                self.active -= 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up or timed out is no news; anything else is one line."""
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            return
        print(f"预览服务处理一个请求时出错（服务继续运行）：{type(error).__name__}", file=sys.stderr)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}/"


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"
    timeout = SOCKET_SECONDS  # StreamRequestHandler.setup applies it to the socket

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 — the base's name
        """Quiet: the terminal shows what the officer needs, not every request."""

    def handle_one_request(self) -> None:
        """One request, whose line and headers must arrive within HEAD_SECONDS (a half-sent
        request or an idle keep-alive connection is then cut: its thread ends)."""
        self._cut = False
        with self.server.counting:
            self.server.waiting[id(self)] = (time.monotonic(), self)
        try:
            super().handle_one_request()
        finally:
            self._arrived()

    def _arrived(self) -> None:
        """The request is in (or will never be): no deadline, no longer a candidate to cut."""
        with self.server.counting:
            self.server.waiting.pop(id(self), None)

    def cut_off(self) -> None:
        self._cut = True
        try:
            self.request.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's errors (unknown method, long URL, too many headers, bad
        request…) as a Chinese page; the connection is closed after it."""
        self._arrived()
        self.close_connection = True
        if self._cut:
            return
        title, text = ERRORS.get(code, ("无法处理的请求", "请求无法处理。"))
        body = page("message.html.j2").render(title=title, message=text).encode("utf-8")
        if self.request_version == "HTTP/0.9":  # not yet known: answer with a status line anyway
            self.request_version = "HTTP/1.1"
        try:
            self.send_response(code)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Security-Policy", PAGE_POLICY)
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:
            pass

    # --- dispatch --------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 — the base class's name
        self._answer("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._answer("POST")

    def _answer(self, method: str) -> None:
        self._arrived()  # the request has arrived: what follows may take its time
        if self._cut:
            return
        if len(self.path) > MAX_URL:
            self.send_error(414)
            return
        if not self._body_read():
            return
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
        except OSError:  # the client went away (or stopped reading)
            return

    # --- plumbing --------------------------------------------------------------------

    def _body_read(self) -> bool:
        """Read and drop a request's body (none is used), within MAX_BODY: left unread, it
        would be taken for the next request. False (the error answered) when it cannot be."""
        if self.headers.get("Transfer-Encoding"):  # a chunked body: none is expected
            self.send_error(400)
            return False
        length = self.headers.get("Content-Length", "0").strip() or "0"
        if not length.isdigit():
            self.send_error(400)
            return False
        if int(length) > MAX_BODY:
            self.send_error(413)
            return False
        if int(length):
            self.rfile.read(int(length))
        return True

    def _host_allowed(self) -> bool:
        """Refuse requests for another host name (DNS rebinding) unless --host was given:
        exactly one Host header, a loopback name with at most a port ("127.0.0.1:1@evil.com"
        is no such thing)."""
        if self.server.any_host:
            return True
        hosts = self.headers.get_all("Host") or []
        m = HOST.fullmatch(hosts[0].strip()) if len(hosts) == 1 else None
        if m is None:
            return False
        return (m["v6"] or m["name"] or "").lower() in LOOPBACK

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


def _plain_error(code: int) -> bytes:
    """A whole HTTP response for `code`, for a connection that gets no thread."""
    title, text = ERRORS[code]
    body = page("message.html.j2").render(title=title, message=text).encode("utf-8")
    head = (f"HTTP/1.1 {code} {HTTPStatus(code).phrase}\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode("ascii") + body


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

