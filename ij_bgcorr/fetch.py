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
    """True for an http:// or https:// address."""
    return str(text).startswith(("http://", "https://"))


def cache_dir() -> Path:
    """The folder downloaded images are kept in."""
    return Path(os.environ.get(CACHE_ENV, Path.home() / ".cache" / "ij-bgcorr"))


def fetch(url: str, timeout: float = 60.0) -> Path:
    """The local copy of ``url``, downloading it on first use only.

    The file is written atomically, so an interrupted download leaves no
    partial file in the cache. Network errors raise ``OSError`` naming the URL.
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
