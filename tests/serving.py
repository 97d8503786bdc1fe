"""Run `budgetreport serve` as a user does — a process in a workspace — and talk to it."""

from __future__ import annotations

import http.client
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conftest import DATA

EXE = Path(sys.executable).with_name("budgetreport")


@dataclass
class Reply:
    status: int
    body: str
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    folder: Path  # the workspace: data/ inside, output/ written there

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def request(self, method: str, path: str, headers: dict[str, str] | None = None) -> Reply:
        """`path` is sent exactly as given (no normalising of "..", no re-encoding)."""
        parts = urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=120)
        try:
            conn.request(method, path, headers=headers or {})
            response = conn.getresponse()
            body = response.read().decode("utf-8", "replace")
            return Reply(response.status, body, {k.lower(): v for k, v in response.getheaders()})
        finally:
            conn.close()

    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        return self.request("GET", path, headers)

    def state(self, key: str) -> dict[str, Any]:
        reply = self.get(f"/c/{key}/state")
        assert reply.status == 200, reply.body
        return reply.json()  # type: ignore[no-any-return]

    def until(self, key: str, ok: Callable[[dict[str, Any]], bool], seconds: float = 20) -> dict[str, Any]:
        """Poll the center's state until `ok` holds (the generous limit is for a loaded
        machine, not a speed claim)."""
        deadline = time.monotonic() + seconds
        while True:
            s = self.state(key)
            if ok(s):
                return s
            assert time.monotonic() < deadline, f"state never matched: {s}"
            time.sleep(0.1)

    def stop(self) -> tuple[int, str, str]:
        """Ctrl-C, as in a terminal; returns exit status, standard output and error."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=30)
        return self.process.returncode, out, err


def workspace(root: Path, *samples: str) -> Path:
    """A fresh workspace: data/ with copies of the samples."""
    (root / "data").mkdir(parents=True)
    for name in samples or ("xiamen-2022.yaml", "shangrao-2022.yaml"):
        shutil.copy(DATA / name, root / "data" / name)
    return root


def start(folder: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # Ctrl-C as in a terminal: a test run started in the background (`pytest &` in a script)
    # ignores SIGINT, a child inherits that, and `serve` would never stop.
    return subprocess.Popen([str(EXE), "serve", "--port", "0", *args], cwd=folder, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def wait_for_address(process: subprocess.Popen[str], seconds: float = 120) -> str:
    """The URL `serve` prints once it listens."""
    assert process.stdout is not None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            if "预览地址：" in line:
                return line.split("预览地址：", 1)[1].split()[0]
            if not line and process.poll() is not None:
                break
    process.kill()
    raise AssertionError(f"serve did not start: {process.communicate()}")


@contextmanager
def serving(folder: Path, *args: str) -> Iterator[Served]:
    process = start(folder, *args)
    served = Served(process, wait_for_address(process), folder)
    try:
        yield served
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
