"""to_panel's blockwise validation: same panel and same errors whatever the block size.

The checks run over blocks of rows (``_frame._BLOCK``); these tests shrink the block to a few
rows so that series boundaries, duplicates, gaps and NaNs fall on and across block edges, and
compare with the result at the default block size and with a plain pandas reference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from shelfcast import _frame
from shelfcast._frame import parse_freq, to_panel
from shelfcast.exceptions import DuplicateRowError, InvalidSeriesError

DAY = parse_freq("D")


def frame(lengths: list[int], seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for i, n in enumerate(lengths):
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 5)))
        parts.append(
            pd.DataFrame(
                {
                    "unique_id": f"s{i:02d}",
                    "ds": pd.date_range(start, periods=n, freq="D"),
                    "y": rng.poisson(2.0, n).astype(float),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def reference(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    s = df.sort_values(["unique_id", "ds"], kind="stable")
    sizes = s.groupby("unique_id", sort=True).size()
    return sizes.index.to_numpy(), np.r_[0, np.cumsum(sizes.to_numpy())], s["y"].to_numpy()


@pytest.mark.parametrize("block", [1, 2, 3, 7, 1 << 18])
@pytest.mark.parametrize("shuffle", ["none", "rows", "within"])
def test_panel_matches_reference(monkeypatch: pytest.MonkeyPatch, block: int, shuffle: str):
    monkeypatch.setattr(_frame, "_BLOCK", block)
    df = frame([1, 3, 7, 2, 8, 1, 5])
    if shuffle == "rows":
        df = df.sample(frac=1, random_state=1).reset_index(drop=True)
    elif shuffle == "within":  # ids grouped and sorted, dates shuffled inside each series
        df = df.groupby("unique_id", group_keys=False).sample(frac=1, random_state=2)
    before = df.copy()
    p = to_panel(df, DAY)
    ids, offsets, y = reference(df)
    assert list(p.ids) == list(ids)
    np.testing.assert_array_equal(p.offsets, offsets)
    np.testing.assert_array_equal(p.y, y)
    assert (p.order is None) == (shuffle == "none")
    pd.testing.assert_frame_equal(df, before)  # input untouched


@pytest.mark.parametrize("block", [1, 2, 3, 1 << 18])
@pytest.mark.parametrize("row", [0, 3, 4, 9, 20])
def test_errors_name_the_same_row_at_any_block_size(
    monkeypatch: pytest.MonkeyPatch, block: int, row: int
):
    monkeypatch.setattr(_frame, "_BLOCK", block)
    df = frame([4, 6, 5, 8])
    nan = df.copy()
    nan.loc[row, "y"] = np.nan
    with pytest.raises(InvalidSeriesError, match=f"for series '{nan.loc[row, 'unique_id']}'"):
        to_panel(nan, DAY)
    if row + 1 < len(df) and df.loc[row, "unique_id"] == df.loc[row + 1, "unique_id"]:
        dup = df.copy()
        dup.loc[row + 1, "ds"] = dup.loc[row, "ds"]
        with pytest.raises(DuplicateRowError, match=str(dup.loc[row, "unique_id"])):
            to_panel(dup, DAY)
        gap = df.copy()
        gap.loc[row + 1 :, "ds"] = gap.loc[row + 1 :, "ds"] + pd.Timedelta(days=1)
        gap = gap[gap["unique_id"] == df.loc[row, "unique_id"]]
        with pytest.raises(InvalidSeriesError, match="is not regular"):
            to_panel(gap, DAY)


def test_sorted_input_is_not_copied():
    df = frame([30, 40])
    p = to_panel(df, DAY)
    assert p.order is None
    assert np.shares_memory(p.y, df["y"].to_numpy())
    assert np.shares_memory(p.ds, df["ds"].to_numpy())
