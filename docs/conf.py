"""Sphinx configuration for the cxmetrics documentation."""

from __future__ import annotations

import importlib.metadata

project = "cxmetrics"
author = "cxmetrics developers"
release = importlib.metadata.version("cxmetrics")
extensions = [
    "myst_nb",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
nb_execution_mode = "off"
numpydoc_show_class_members = False
autosummary_generate = True
html_theme = "pydata_sphinx_theme"
html_static_path = ["_static"]
exclude_patterns = ["_build", "_scripts"]
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "pandas": ("https://pandas.pydata.org/docs", None),
}
