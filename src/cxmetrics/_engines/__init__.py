"""Adapters to third-party engines, and the translator of lavaan model syntax.

This package is the only place that imports semopy or factor_analyzer (both in the
optional ``sem`` extra), always lazily through :func:`cxmetrics._optional.
import_optional`, so that ``import cxmetrics`` never needs them. A failure inside an
engine is re-raised as :class:`cxmetrics.errors.EngineError` with the original
exception chained, and the engines' own warnings are caught here rather than
leaking to the caller.

Modules:

- :mod:`~cxmetrics._engines.model_syntax`: parse lavaan model syntax (``=~``,
  ``~``, ``~~``, labels, ``:=``) into a parameter table with lavaan's ``sem()``
  defaults (pure Python, no engine needed);
- :mod:`~cxmetrics._engines.semopy_engine`: fit the same model with semopy (used
  for starting values on request and for cross-checks);
- :mod:`~cxmetrics._engines.factor_engine`: exploratory factor extraction
  (minres, ML; our own code, matching R ``psych::fa``), KMO and Bartlett's test,
  and rotations through factor_analyzer's ``Rotator``;
- :mod:`~cxmetrics._engines.model_syntax` is pure Python; the other two import
  their engine lazily.

Imports: errors, _optional, numpy, scipy, pandas.
"""
