"""Rebuild the bundled example survey file, or print its population truth.

Run from the repository root (with ``src`` importable)::

    python -m cxmetrics.datasets._build           # rewrite example_survey.csv
    python -m cxmetrics.datasets._build --truth   # print the _TRUE_NPS_* constants

The file is ``make_example_survey()`` with default arguments. Integer ratings are
written without decimals (NaN as an empty field), money with at most two decimals,
weights with at most six, so ``load_example_survey()`` reads back exactly the
generated frame (``tests/unit/test_datasets.py`` checks this). The ``--truth`` output
is pasted into ``_generate.py`` when the model changes; it takes about a minute.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from cxmetrics.datasets import make_example_survey
from cxmetrics.datasets._generate import BRANDS, SEGMENTS, simulate_population_nps

__all__ = ["format_truth", "main", "write_example_survey"]

TRUTH_N_PER_CELL = 4_000_000
TRUTH_SEED = 20260102


def write_example_survey(path: Path | None = None) -> Path:
    """Write the default example survey as CSV.

    Parameters
    ----------
    path : pathlib.Path or None, default: None
        Target file; ``None`` writes ``example_survey.csv`` next to this module.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    target = Path(__file__).with_name("example_survey.csv") if path is None else path
    data = make_example_survey()
    out = data.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == np.float64:
            finite = values.dropna()
            if bool((finite == np.round(finite)).all()):
                out[column] = values.astype("Int64")
    out.to_csv(target, index=False, lineterminator="\n")
    return target


def format_truth(n_per_cell: int = TRUTH_N_PER_CELL, seed: int = TRUTH_SEED) -> str:
    """Simulate the population NPS of every model cell and format it as source.

    Parameters
    ----------
    n_per_cell : int, default: 4_000_000
        Simulated customers per distinct model cell.
    seed : int, default: 20260102
        Seed of the simulation.

    Returns
    -------
    str
        The ``_TRUE_NPS_*`` assignments of ``_generate.py``.
    """
    table = simulate_population_nps(n_per_cell, seed)
    own = BRANDS[0]
    lines = ["_TRUE_NPS_BASELINE: Final[dict[str, tuple[float, ...]]] = {"]
    for brand in BRANDS:
        values = ", ".join(f"{table[brand, s, False][0]:.2f}" for s in SEGMENTS)
        lines.append(f'    "{brand}": ({values}),')
    lines.append("}")
    changed = next(key for key in table if key[2])
    lines.append(f"_TRUE_NPS_CHANGED: Final = {table[changed][0]:.2f}")
    values = ", ".join(f"{table[own, s, False][1]:.2f}" for s in SEGMENTS)
    lines.append(f"_TRUE_NPS_COMPETITOR_BASELINE: Final = ({values})")
    lines.append(f"_TRUE_NPS_COMPETITOR_CHANGED: Final = {table[changed][1]:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the command line.

    Parameters
    ----------
    argv : list of str or None, default: None
        Arguments (``None`` reads ``sys.argv``).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--truth", action="store_true", help="print the population NPS tables"
    )
    args = parser.parse_args(argv)
    if args.truth:
        print(format_truth())
    else:
        target = write_example_survey()
        rows = len(pd.read_csv(target))
        print(f"wrote {target} ({rows} rows, {target.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
