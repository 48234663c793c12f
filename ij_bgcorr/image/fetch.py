"""Images named by an http(s) URL, as the lesson names them: fetched once into a cache."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

#: Environment variable naming the cache folder (default ~/.cache/ij-bgcorr).
CACHE_ENV = "IJ_BGCORR_CACHE"


def is_url(text: str | os.PathLike[str]) -> bool:
    """Tell whether ``text`` is an http:// or https:// address.

    Parameters
    ----------
    text : str or os.PathLike
        A path or an address.

    Returns
    -------
    bool
        True for an http:// or https:// address.
    """
    return str(text).startswith(("http://", "https://"))


def cache_dir() -> Path:
    """Return the folder downloaded images are kept in.

    Returns
    -------
    pathlib.Path
        ``$IJ_BGCORR_CACHE``, else ``~/.cache/ij-bgcorr``.
    """
    return Path(os.environ.get(CACHE_ENV, Path.home() / ".cache" / "ij-bgcorr"))


def fetch(url: str, timeout: float = 60.0) -> Path:
    """Return the local copy of ``url``, downloading it on first use only.

    The file is written atomically, so an interrupted download leaves no
    partial file in the cache.

    Parameters
    ----------
    url : str
        An http(s) address.
    timeout : float, default 60.0
        Seconds to wait for the server.

    Returns
    -------
    pathlib.Path
        The cached file, named as the last part of the URL's path.

    Raises
    ------
    OSError
        On network errors, naming the URL.
    """
    name = Path(urlparse(url).path).name or "download"
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    target = cache_dir() / digest / name
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, tempfile.NamedTemporaryFile(
            dir=target.parent, delete=False
        ) as partial:
            shutil.copyfileobj(response, partial)
    except OSError as exc:
        raise OSError(f"Could not download {url}: {exc}") from exc
    os.replace(partial.name, target)
    return target
