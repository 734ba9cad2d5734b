"""Go's ``strings`` functions that both engines' helpers need, written once."""

from __future__ import annotations


def split_n(text: str, sep: str, n: int = -1) -> list[str]:
    """``strings.SplitN``: ``n < 0`` all parts, ``n == 0`` none, ``n > 0`` at most n.

    An empty ``sep`` splits into characters (``""`` gives ``[]``), where
    Python's ``str.split`` refuses it.
    """
    if n == 0:
        return []
    if sep == "":
        chars = list(text)
        if 0 < n < len(chars):
            return chars[: n - 1] + ["".join(chars[n - 1 :])]
        return chars
    return text.split(sep, n - 1) if n > 0 else text.split(sep)
