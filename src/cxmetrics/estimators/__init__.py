"""Estimators: pure numpy/scipy functions from sufficient statistics to numbers.

Nothing here sees a DataFrame or a row of data; inputs are the arrays of
:mod:`cxmetrics.suffstats` and plain floats.

Imports: numpy, scipy, suffstats.
"""
