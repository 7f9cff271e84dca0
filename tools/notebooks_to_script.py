"""Extract the code cells of every notebook into one Python module per notebook, so static
checkers can read them (CI runs ``mypy --strict`` on the result).

Usage: ``python tools/notebooks_to_script.py OUT_DIR [notebook.ipynb ...]`` (default: every
notebook in ``notebooks/``). Writes ``OUT_DIR/<notebook>.py`` (``nb_`` prefixed, since a
module name cannot start with a digit) and prints the paths. Only the standard library is
needed: a notebook is JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def cells_to_source(notebook: Path) -> str:
    """The code cells of ``notebook`` as one module, each cell headed by a ``# %%`` comment.

    IPython-only lines (``%magic``, ``!shell``) are kept as comments, so the module is plain
    Python. A cell whose last line is a bare expression (shown by Jupyter) stays as is: it is
    a valid expression statement.
    """
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    parts = [f'"""Code cells of {notebook.name}, extracted by tools/notebooks_to_script.py."""']
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = cell["source"]
        text = "".join(source) if isinstance(source, list) else str(source)
        lines = [
            f"# {line}" if line.lstrip().startswith(("%", "!")) else line
            for line in text.splitlines()
        ]
        parts.append(f"# %% cell {i}\n" + "\n".join(lines))
    return "\n\n".join(parts) + "\n"


def main(args: list[str]) -> None:
    if not args:
        raise SystemExit(__doc__)
    out = Path(args[0])
    out.mkdir(parents=True, exist_ok=True)
    paths = [Path(a) for a in args[1:]] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        target = out / f"nb_{path.stem}.py"
        target.write_text(cells_to_source(path), encoding="utf-8")
        print(target)


if __name__ == "__main__":
    main(sys.argv[1:])
