"""The lesson's ImageJ macros (``*.ijm``), installed as the package ``ij_bgcorr.macros``.

The ``.ijm`` files run unchanged in the Fiji GUI; this file only makes the folder a package
whose data they are.
"""
