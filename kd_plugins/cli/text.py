"""Small text helpers of the tools' one-line messages."""
import difflib
from typing import Optional

__all__ = ['one_line', 'exception_summary', 'closest']


def one_line(text) -> str:
    """``text`` with every run of whitespace (newlines too) as one space."""
    return ' '.join(str(text).split())


def exception_summary(exc: BaseException) -> str:
    """``Type: first sentence of the message``."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else ''
    if len(text) > 100 and '. ' in text:
        text = text[:text.index('. ') + 1]
    return f'{type(exc).__name__}: {text}' if text else type(exc).__name__


def closest(word: str, choices) -> Optional[str]:
    """Return the entry of ``choices`` closest to ``word``, or None."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None
