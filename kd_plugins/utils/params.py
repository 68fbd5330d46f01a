"""Validation of component parameters when the component is built."""
import math
import numbers

from .errors import UserInputError

__all__ = ['ParameterError', 'check_number']


class ParameterError(UserInputError, ValueError):
    """A component parameter out of its valid range (one line naming the
    component, the parameter, the range and the value)."""


def check_number(owner: str,
                 name: str,
                 value,
                 low: float = None,
                 high: float = None,
                 low_open: bool = False,
                 integer: bool = False):
    """Return ``value`` if it is a finite number in range, else raise.

    Args:
        owner (str): Component name for the message.
        name (str): Parameter name.
        value: The value.
        low (float, optional): Lower bound. Defaults to None.
        high (float, optional): Upper bound (inclusive). Defaults to None.
        low_open (bool): Exclude ``low`` itself. Defaults to False.
        integer (bool): Require an integer. Defaults to False.

    Raises:
        ParameterError: ``value`` is not a (finite, integer) number in range.
    """
    kind = 'an integer' if integer else 'a finite number'
    bounds = []
    if low is not None:
        bounds.append(f'{">" if low_open else ">="} {low}')
    if high is not None:
        bounds.append(f'<= {high}')
    wanted = kind + (' ' + ' and '.join(bounds) if bounds else '')
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok and integer:
        ok = isinstance(value, numbers.Integral)
    if ok:
        ok = math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value <= high
    if not ok:
        raise ParameterError(f'{owner}: {name} must be {wanted}, got '
                             f'{value!r}')
    return value
