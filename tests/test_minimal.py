"""The core works without the optional extras (matplotlib, polars, duckdb, pyarrow)."""

from __future__ import annotations

import subprocess
import sys

BLOCK = "; ".join(
    f"sys.modules[{name!r}] = None"
    for name in (
        "matplotlib",
        "matplotlib.pyplot",
        "polars",
        "duckdb",
        "pyarrow",
        "semopy",
        "factor_analyzer",
    )
)

SCRIPT = f"""
import sys
{BLOCK}
import numpy as np, pandas as pd
import cxmetrics as cx
data = pd.DataFrame({{"nps": np.arange(11).repeat(5), "g": list("ab") * 27 + ["a"]}})
res = cx.nps(data, "nps", by="g")
assert len(res.to_frame()) == 2
res.summary().as_text()
try:
    res.plot()
except cx.errors.MissingDependencyError as err:
    assert "cxmetrics[plot]" in str(err)
else:
    raise AssertionError("plot without matplotlib should raise")
print("ok")
"""


def test_core_runs_without_extras() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
