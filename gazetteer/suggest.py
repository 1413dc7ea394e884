"""Suggest the closest known words for a misspelt one."""

from __future__ import annotations

from collections.abc import Callable, Iterable


def closest(
    word: str,
    choices: Iterable[str],
    *,
    limit: int = 3,
    cutoff: float = 66.0,
    key: Callable[[str], str] = str.casefold,
    margin: float = 12.0,
) -> list[str]:
    """Return the choices most similar to ``word``, best first.

    Parameters
    ----------
    word
        The unknown word as the user wrote it.
    choices
        Known words.
    limit
        Most suggestions returned.
    cutoff
        Lowest similarity kept, 0-100 (rapidfuzz ``WRatio`` on the keys).
    key
        Normalisation applied to both sides before comparing.
    margin
        Keep only choices scoring within this many points of the best one.

    Returns
    -------
    list of str
        Distinct choices, in their original spelling.
    """
    from rapidfuzz import fuzz, process

    keyed: dict[str, str] = {}
    for choice in choices:
        keyed.setdefault(key(choice), choice)
    matches = process.extract(
        key(word), list(keyed), scorer=fuzz.WRatio, limit=limit, score_cutoff=cutoff
    )
    if not matches:
        return []
    best = matches[0][1]
    return [keyed[match] for match, score, _index in matches if score >= best - margin]


def did_you_mean(
    word: str, choices: Iterable[str], *, key: Callable[[str], str] = str.casefold
) -> str:
    """Return ``"; did you mean 'a' or 'b'?"``, or ``""`` when nothing is close.

    Parameters
    ----------
    word
        The unknown word.
    choices
        Known words.
    key
        Normalisation applied before comparing.

    Returns
    -------
    str
        The suggestion clause, to append to a message.
    """
    return quote_choices(closest(word, choices, key=key))


def quote_choices(found: list[str]) -> str:
    """Return ``"; did you mean 'a' or 'b'?"`` for ``found``, or ``""`` if empty."""
    quoted = [f"'{f}'" for f in found]
    if not quoted:
        return ""
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"; did you mean {listed}?"
