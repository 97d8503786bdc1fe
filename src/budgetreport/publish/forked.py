"""Run a function in a child process forked for it, which exits without freeing anything.

A center's build leaves WeasyPrint's document behind: millions of small objects in cycles,
which only the garbage collector frees, at a tenth of the build's cost. A child forked from a
warm process (pipeline imported, templates compiled, fonts loaded) starts with all of that
for nothing and, once its result is sent back, ends with `os._exit`: the kernel drops its
memory at once, with no collection, no freeing object by object and no interpreter shutdown.

The child's result comes back pickled through a pipe, with the CPU time and peak memory the
kernel counted for it. Ctrl-C reaches the child as well (the terminal signals the whole
process group): it stops its own work, cleaning up as usual, and the parent raises
KeyboardInterrupt once the child has ended — never before, so nothing is left half done
behind its back.
"""

from __future__ import annotations

import os
import pickle
import resource
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# Linux only: fork is cheap there and safe for this single-threaded use; elsewhere (macOS
# frameworks, Windows) the caller works in its own process instead.
AVAILABLE = sys.platform.startswith("linux") and hasattr(os, "fork")


class ChildDied(Exception):
    """The child ended without a result: killed, or out of memory."""

    def __init__(self, signal_number: int, exit_code: int) -> None:
        super().__init__(signal_number, exit_code)
        self.signal_number = signal_number
        self.exit_code = exit_code

    @property
    def cause(self) -> str:
        if self.signal_number:
            try:
                return signal.Signals(self.signal_number).name
            except ValueError:
                return f"signal {self.signal_number}"
        return f"exit {self.exit_code}"


@dataclass(frozen=True)
class Result(Generic[T]):
    value: T
    cpu: float  # the child's user + system CPU seconds
    peak_kib: int  # the child's peak resident memory (ru_maxrss), shared pages included


def call(function: Callable[[], T]) -> Result[T]:
    """`function()` in a forked child. Its exceptions come back as they are (KeyboardInterrupt
    included, raised once the child has ended); ChildDied if it ended without a result."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        status = 70
        try:
            os.close(read_end)
            # A pool worker ignores Ctrl-C (see batch); the work in the child answers it.
            signal.signal(signal.SIGINT, signal.default_int_handler)
            try:
                outcome: tuple[bool, object] = (True, function())
            except BaseException as exc:  # noqa: BLE001  # handed to the parent, which raises it
                outcome = (False, exc if _picklable(exc) else RuntimeError(repr(exc)))
            with os.fdopen(write_end, "wb") as pipe:
                pickle.dump(outcome, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
    finally:
        usage = _reap(pid)
    if not data:
        raise ChildDied(os.WTERMSIG(usage[0]) if os.WIFSIGNALED(usage[0]) else 0,
                        os.WEXITSTATUS(usage[0]) if os.WIFEXITED(usage[0]) else 0)
    ok, value = pickle.loads(data)
    if not ok:
        assert isinstance(value, BaseException)
        raise value
    return Result(value, usage[1].ru_utime + usage[1].ru_stime, usage[1].ru_maxrss)


def _reap(pid: int) -> tuple[int, resource.struct_rusage]:
    """Wait for the child, however often Ctrl-C is pressed meanwhile: it was told too and
    ends soon; the first interruption is raised afterwards."""
    interrupted = False
    while True:
        try:
            _, status, usage = os.wait4(pid, 0)
            break
        except KeyboardInterrupt:
            interrupted = True
    if interrupted:
        raise KeyboardInterrupt
    return status, usage


def _picklable(exc: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001
        return False
    return True


def die_with(parent: int) -> None:
    """Have the kernel kill this process when `parent` ends (Linux: PR_SET_PDEATHSIG), or end
    it now if `parent` is already gone. For pool workers, which ignore Ctrl-C: if the main
    process is killed outright, nothing would ever tell them to stop."""
    if AVAILABLE:
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the request was made
        os._exit(1)
