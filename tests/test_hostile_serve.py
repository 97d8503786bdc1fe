"""`budgetreport serve` under hostile clients and hostile file changes (issue 25): half-sent
requests and vanished clients, unknown methods, long URLs, too many headers, large bodies,
forged Host headers; data files that become links to themselves, pipes or folders; a template
that loops for ever. After each, the server answers a normal request, its terminal shows no
traceback, and Ctrl-C ends it cleanly."""

from __future__ import annotations

import os
import re
import resource
import shutil
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from serving import Served, serving, workspace
from test_hostile_corpus import MEMORY


def _raw(served: Served, data: bytes, wait: float = 5.0) -> bytes:
    parts = urlsplit(served.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=wait) as s:
        s.sendall(data)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except OSError:
            pass
        return out


def _normal(served: Served) -> float:
    started = time.monotonic()
    reply = served.get("/state")
    assert reply.status == 200, reply.body[:500]
    return time.monotonic() - started


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = workspace(tmp_path_factory.mktemp("ws"), "xiamen-2022.yaml")
    (root / "budgetreport.yaml").write_text("region: fujian\n", encoding="utf-8")
    limit = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, limit[1]))  # inherited by the server
    try:
        with serving(root) as s:
            resource.setrlimit(resource.RLIMIT_AS, limit)
            yield s
            code, out, err = s.stop()
            assert code == 0 and "已停止预览" in out, (code, out, err)
            assert "Traceback" not in err and "Error" not in err, err[-3000:]
    finally:
        resource.setrlimit(resource.RLIMIT_AS, limit)


@pytest.mark.parametrize(("request_", "status", "title"), [
    (b"PUT / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 501, "不支持的请求方法"),
    (b"DELETE /c/xiamen-2022 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 501, "不支持的请求方法"),
    (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414, "网址过长"),
    (b"GET /" + b"a" * 5_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414, "网址过长"),
    (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(200)) + b"\r\n",
     431, "请求头过多"),
    (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n", 431, "请求头过多或过长"),
    (b"POST /c/xiamen-2022/build HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 999999999\r\n\r\n",
     413, "请求过大"),
    (b"GET /state HTTP/1.1\r\nHost: 127.0.0.1:1@evil.com\r\n\r\n", 403, "拒绝访问"),
    (b"GET /state HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.com\r\n\r\n", 403, "拒绝访问"),
    (b"GET /state HTTP/1.1\r\nHost: localhost.evil.com\r\n\r\n", 403, "拒绝访问"),
    (b"GET / HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", 505, "不支持的协议版本"),
    (b"GET / HTTP/1.1 x\r\n\r\n", 400, "请求有误"),
])
def test_every_refusal_is_a_chinese_page(served: Served, request_: bytes, status: int, title: str) -> None:
    reply = _raw(served, request_)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 %d " % status), head[:200]
    text = body.decode("utf-8")
    assert f"<h1>{title}" in text, text[:500]
    assert not re.search(r"\b(Error|Unsupported|Message|Explanation)\b", text), text[:500]
    assert _normal(served) < 5


def test_a_body_is_never_read_as_the_next_request(served: Served) -> None:
    smuggled = b"GET /evil HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    reply = _raw(served, b"POST /c/nobody/build HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n"
                 b"Connection: close\r\n\r\n" % len(smuggled) + smuggled)
    assert reply.count(b"HTTP/1.1 ") == 1, reply[:500]


def test_the_watcher_survives_whatever_the_files_become(served: Served) -> None:
    data = served.data
    original = (data / "xiamen-2022.yaml").read_bytes()
    (data / "self-2022.yaml").symlink_to("self-2022.yaml")
    os.remove(data / "xiamen-2022.yaml")
    (data / "xiamen-2022.yaml").symlink_to("xiamen-2022.yaml")  # replaced by a link to itself
    deadline = time.monotonic() + 30
    while served.get("/state").json() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert served.get("/state").json() == []
    for make in (os.mkfifo, os.mkdir):  # then a pipe, then a folder
        target = data / "xiamen-2022.yaml"
        target.rmdir() if target.is_dir() else target.unlink()
        make(target)
        time.sleep(1)
        assert _normal(served) < 5
    (data / "xiamen-2022.yaml").rmdir()
    (data / "self-2022.yaml").unlink()
    (data / "xiamen-2022.yaml").write_bytes(original.replace("厦门市住房公积金中心".encode(), "厦门甲中心".encode()))
    deadline = time.monotonic() + 60
    while not any(c["name"] == "厦门甲中心" for c in served.get("/state").json()):
        assert time.monotonic() < deadline, served.get("/state").body
        time.sleep(0.2)


def test_a_looping_template_is_an_error_on_the_page_and_later_edits_show(served: Served) -> None:
    center = served.folder / "templates" / "centers" / "xiamen" / "parts"
    center.mkdir(parents=True)
    (center / "explanation.html.j2").write_text(
        '{% extends "region/parts/explanation.html.j2" %}\n{% block procurement %}\n'
        "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}\n{% endblock %}\n",
        encoding="utf-8")
    state = served.until("xiamen-2022", lambda s: any("超过" in p["message"] and "秒" in p["message"]
                                                      for p in s["problems"]), seconds=90)
    assert any(p["code"] == "E810" for p in state["problems"])
    assert _normal(served) < 5
    shutil.rmtree(served.folder / "templates" / "centers" / "xiamen")
    path = served.data / "xiamen-2022.yaml"
    path.write_text(re.sub(r"(?m)^  name: .*$", "  name: 厦门乙中心", path.read_text(encoding="utf-8"), count=1),
                    encoding="utf-8")
    served.until("xiamen-2022", lambda s: s["name"] == "厦门乙中心" and not s["problems"], seconds=90)


def test_outside_files_are_not_followed(served: Served, tmp_path: Path) -> None:
    """What held before holds: a link out of the data folder is no center."""
    (tmp_path / "secret-2022.yaml").write_text("secret: x\n", encoding="utf-8")
    (served.data / "leak-2022.yaml").symlink_to(tmp_path / "secret-2022.yaml")
    time.sleep(1.5)
    assert "leak-2022" not in served.get("/state").body
    (served.data / "leak-2022.yaml").unlink()


def test_the_data_folder_replaced_and_back(served: Served) -> None:
    data, away = served.data, served.folder / "data-away"
    data.rename(away)
    deadline = time.monotonic() + 30
    while served.get("/state").json():
        assert time.monotonic() < deadline, "the centers of a folder gone are still listed"
        time.sleep(0.2)
    away.rename(data)
    deadline = time.monotonic() + 30
    while not served.get("/state").json():
        assert time.monotonic() < deadline, "the folder came back and was not followed again"
        time.sleep(0.2)


# Last in the module: the 200 held connections it closes take a moment to leave the server's
# slots, and a request just after them may be answered 503 (the shared server is at its cap).
def test_half_sent_requests_and_vanished_clients_block_no_one(served: Served) -> None:
    parts = urlsplit(served.url)
    held = []
    for _ in range(200):
        s = socket.create_connection((parts.hostname, parts.port), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        held.append(s)
    assert _normal(served) < 5  # answered while they hang
    for s in held:
        s.close()  # and vanished
    assert _normal(served) < 5
