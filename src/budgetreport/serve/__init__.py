"""`budgetreport serve`: a local web page over the workspace that follows the files as they
are edited (`preview` keeps every center's check and rendering, `server` answers HTTP)."""

from __future__ import annotations

import os
from pathlib import Path

from ..common.names import OUTPUT
from ..inputs.resources import current, find_root


def folders(path: Path | None, out_dir: Path | None) -> tuple[Path, Path]:
    """The data folder to preview and the output folder to build into.

    `path` may be a workspace (its data/ and output/ are used, and the process moves into
    it so that its templates, catalogues and settings apply as they do for `build`) or any
    folder of data files; without it, the workspace one is in, else ./data or the current
    folder."""
    folder = path.resolve() if path is not None else None
    if folder is not None and (root := find_root(folder)) is not None:
        os.chdir(root)
    ws = current()
    if folder is None or (ws.root is not None and folder == ws.root.resolve()):
        folder = ws.data if ws.root else (Path("data") if Path("data").is_dir() else Path("."))
    return folder, out_dir or (ws.output if ws.root else OUTPUT)
