"""Sphinx configuration of the ij-bgcorr documentation.

Build: ``.venv/bin/sphinx-build -W --keep-going -b html docs docs/_build/html``.
The build needs no network and no Java: importing ij_bgcorr starts no JVM.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the package of this checkout, installed or not

project = "ij-bgcorr"
author = "The ij-bgcorr developers"
copyright = "The ij-bgcorr developers"
try:
    release = metadata.version("ij-bgcorr")
except metadata.PackageNotFoundError:
    release = "0+unknown"
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# Markdown pages: `{eval-rst}` blocks, headings as link targets (`page.md#section`).
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# The API reference: documented where written, in the order written.
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"show-inheritance": True}
autosummary_generate = False  # the API pages are written by hand, with their own directives

# `text` in docstrings (numpydoc style) is a Python object: a link where documented, else code.
default_role = "py:obj"

# numpydoc: no automatic member tables (the pages list members with autodoc), no
# cross-referencing of parameter types (they name numpy/xarray types, and the build is
# offline: no intersphinx inventories are fetched).
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

html_theme = "furo"
html_title = f"ij-bgcorr {release}"
html_static_path: list[str] = []


# -- the command line's help, as `ij-bgcorr [COMMAND] --help` prints it ----------------------
# `{ij-bgcorr-help} batch` in a page inserts the help of `ij-bgcorr batch`, read from the
# click command itself at build time, so the reference cannot drift from the code.

from docutils import nodes  # noqa: E402
from sphinx.util.docutils import SphinxDirective  # noqa: E402


class CommandHelp(SphinxDirective):
    """Insert the ``--help`` text of ``ij-bgcorr`` or of one of its commands."""

    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        """Return the help as a literal block."""
        import click

        from ij_bgcorr.cli.main import main

        command: click.Command = main
        path = ["ij-bgcorr"]
        if self.arguments:
            command = main.commands[self.arguments[0]]
            path.append(self.arguments[0])
        parent = click.Context(main, info_name="ij-bgcorr") if self.arguments else None
        with click.Context(command, info_name=path[-1], parent=parent,
                           terminal_width=88, max_content_width=88) as ctx:
            text = command.get_help(ctx)
        return [nodes.literal_block(text, text, language="text")]


def check_public_names(app, env) -> None:
    """Warn about a public name no API page documents, a command cli.md leaves out."""
    from sphinx.util import logging

    import ij_bgcorr
    from ij_bgcorr.cli.main import main

    log = logging.getLogger(__name__)
    documented = set(env.get_domain("py").objects)
    for name in ij_bgcorr.__all__:
        if f"ij_bgcorr.{name}" not in documented:
            log.warning("ij_bgcorr.%s is public (in __all__) but no page of docs/api "
                        "documents it", name, type="ij-bgcorr", subtype="undocumented")
    cli_page = (Path(app.srcdir) / "cli.md").read_text(encoding="utf-8")
    for command in main.commands:
        if f"{{ij-bgcorr-help}} {command}\n" not in cli_page:
            log.warning("ij-bgcorr %s has no {ij-bgcorr-help} block in docs/cli.md", command,
                        type="ij-bgcorr", subtype="undocumented")


def setup(app):  # noqa: D103 (Sphinx's hook)
    app.add_directive("ij-bgcorr-help", CommandHelp)
    app.connect("env-check-consistency", check_public_names)
    return {"parallel_read_safe": True}
