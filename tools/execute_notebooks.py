"""Execute the notebooks in place, keeping their outputs (so GitHub shows the plots), and
write their figures to ``notebooks/figures/``.

Usage: ``python tools/execute_notebooks.py [notebooks/02_forecasting.ipynb ...]`` (default:
every notebook). Needs the ``test`` extra (nbclient, ipykernel, matplotlib).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbclient
import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def execute(path: Path) -> float:
    """Run ``path`` top to bottom and save it with its outputs; return the seconds taken."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    nbformat.write(nb, path)
    return time.perf_counter() - start


def main(args: list[str]) -> None:
    os.environ["SHELFCAST_FIGURES"] = str(NOTEBOOKS / "figures")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    paths = [Path(a).resolve() for a in args] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        print(f"{path.name}: {execute(path):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
