"""Execute every notebook in ``notebooks/`` top to bottom (nbclient, kernel python3).

A notebook fails the test when any cell raises, including its own ``assert`` cells that check
its outputs. Figures go to a temporary folder (``SHELFCAST_FIGURES``), so running the tests
leaves the committed PNGs in ``notebooks/figures/`` alone.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))


def test_the_four_notebooks_are_there():
    assert [p.stem for p in PATHS] == [
        "01_exploring_demand",
        "02_forecasting",
        "03_replenishment",
        "04_pricing_and_loss_prevention",
    ]


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs_top_to_bottom(path: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SHELFCAST_FIGURES", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert any("assert " in c.source for c in code), f"{path.name} checks none of its outputs"
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError naming the cell when any cell fails
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert all(c.execution_count is not None for c in code)
    # each notebook saves its figure under its own name
    figures = sorted(p.name for p in tmp_path.glob("*.png"))
    assert len(figures) == 1 and figures[0].startswith(path.stem + "_"), figures
    assert (tmp_path / figures[0]).stat().st_size > 10_000
    # and shows its plots inline
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert images, f"{path.name} displays no plot"


def _notebooks_to_script():
    path = NOTEBOOKS.parent / "tools" / "notebooks_to_script.py"
    spec = importlib.util.spec_from_file_location("notebooks_to_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_notebooks_to_script_extracts_every_code_cell(tmp_path: Path) -> None:
    tool = _notebooks_to_script()
    tool.main([str(tmp_path)])
    for path in PATHS:
        script = (tmp_path / f"nb_{path.stem}.py").read_text(encoding="utf-8")
        compile(script, path.stem, "exec")  # plain Python
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.source in script
            elif cell.source.strip():
                assert cell.source not in script  # markdown stays out


def test_notebooks_to_script_comments_out_ipython_lines(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# title"),
            nbformat.v4.new_code_cell("%matplotlib inline\nx = 1\n!ls"),
        ]
    )
    src = tmp_path / "demo.ipynb"
    nbformat.write(nb, src)
    tool = _notebooks_to_script()
    tool.main([str(tmp_path / "out"), str(src)])
    text = (tmp_path / "out" / "nb_demo.py").read_text(encoding="utf-8")
    assert "# %matplotlib inline\nx = 1\n# !ls" in text
    compile(text, "demo", "exec")
