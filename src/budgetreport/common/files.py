"""Writing outputs so that a reader never sees half a file and a failure keeps the old ones.

A center's outputs (PDF, workbook, …) form one publication: `publish` stages every file
first, then invalidates the build record, then renames them all into place, and only then
writes the record. Whatever stops it half way — a full disk, Ctrl-C, a kill — leaves either
the previous set, or a set without a record, which the next `build` rebuilds.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping
from pathlib import Path


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _stage(path: Path, data: bytes) -> Path:
    """Write `data` to a temporary file beside `path`; return the temporary file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(path)
    try:
        # os.open with 0o666 honours the umask (mkstemp would leave the file at 0600).
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666), "wb") as f:
            f.write(data)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        exc.filename = str(path)  # the user knows the output, not our temporary name
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _kind(path: Path) -> int | None:
    """The file type bits of what `path` names now (following links), None if nothing."""
    try:
        return stat.S_IFMT(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _refuse_special(path: Path) -> None:
    """A rename would replace a folder, a device (as root even /dev/null) or a pipe with a
    regular file: refuse instead, naming the path."""
    kind = _kind(path)
    if kind == stat.S_IFDIR:
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if kind not in (None, stat.S_IFREG):
        raise OSError(errno.ESPIPE, os.strerror(errno.ESPIPE), str(path))


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`. A device or a
    pipe (`/dev/stdout`) is written into as a stream; a folder is refused."""
    if _kind(path) in (stat.S_IFCHR, stat.S_IFIFO):
        try:
            # a pipe nobody reads would block the open for ever: refused (ENXIO) instead
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            os.set_blocking(fd, True)
            with open(fd, "wb") as f:
                f.write(data)
        except OSError as exc:
            exc.filename = exc.filename or str(path)
            if exc.errno == errno.ENXIO:
                raise OSError(errno.ESPIPE, "no reader", str(path)) from None
            raise
        return
    _refuse_special(path)
    tmp = _stage(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet (FileExistsError if it does), whole or not at all:
    staged beside it, then linked into place, which fails rather than replace a file."""
    tmp = _stage(path, data)
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError as exc:  # a file system without hard links: create exclusively instead
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK):
            exc.filename = str(path)
            raise
        with open(path, "xb") as f:
            f.write(data)
    finally:
        tmp.unlink(missing_ok=True)


def publish(outputs: Mapping[Path, bytes], record: Path, record_data: bytes | None) -> None:
    """Replace `outputs` as a set, then write `record` (its content says which inputs made
    the set). With `record_data` None the record is only removed: the next build redoes it."""
    staged: dict[Path, Path] = {}
    for path in outputs:
        _refuse_special(path)
    for path in outputs:  # left by a build that was killed (no cleanup runs then)
        for stale in path.parent.glob(f".{path.name}.*.tmp"):
            stale.unlink(missing_ok=True)
    try:
        for path, data in outputs.items():
            staged[path] = _stage(path, data)
        record.unlink(missing_ok=True)  # from here on the set may be mixed: no record
        for path in list(staged):
            os.replace(staged[path], path)
            del staged[path]
        if record_data is not None:
            write_atomic(record, record_data)
    finally:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
