"""ImageJ macro text, without Java: the lesson's commands as macro lines, sessions, errors.

:mod:`~ij_bgcorr.macro.commands` writes each command as the line ImageJ's
recorder writes; :mod:`~ij_bgcorr.macro.session` keeps what a session did as
a macro that replays it; :mod:`~ij_bgcorr.macro.failures` tells from what a
run left behind whether it failed; :mod:`~ij_bgcorr.macro.files` reads macro
files (the lesson's ship in ``macros/``) and their arguments.
"""
