"""Images named by an http(s) URL, as the lesson names them: fetched once into a cache."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import urlparse

import pooch

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
        ``$IJ_BGCORR_CACHE``, else the user's cache folder for ij-bgcorr
        (``~/.cache/ij-bgcorr`` on Linux, as platformdirs places it).
    """
    return Path(os.environ.get(CACHE_ENV) or pooch.os_cache("ij-bgcorr"))


def fetch(url: str, timeout: float = 60.0) -> Path:
    """Return the local copy of ``url``, downloading it on first use only (through pooch).

    An interrupted download leaves no partial file in the cache.

    Parameters
    ----------
    url : str
        An http(s) address.
    timeout : float, default 60.0
        Seconds to wait for the server.

    Returns
    -------
    pathlib.Path
        The cached file, named as the last part of the URL's path, in a folder named
        after the URL.

    Raises
    ------
    OSError
        On network errors, naming the URL.
    """
    name = Path(urlparse(url).path).name or "download"
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    folder = cache_dir() / digest
    pooch.get_logger().setLevel("WARNING")  # no "Downloading ..." line on every first use
    try:
        return Path(pooch.retrieve(url, known_hash=None, fname=name, path=folder,
                                   downloader=pooch.HTTPDownloader(timeout=timeout,
                                                                   progressbar=False)))
    except Exception as exc:  # requests and pooch raise several kinds
        raise OSError(f"Could not download {url}: {exc}") from exc
