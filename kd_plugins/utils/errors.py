"""The exception type for problems the user can fix from the command line."""

__all__ = ['UserInputError']


class UserInputError(Exception):
    """An input problem (file, config key, value) whose message is one
    complete line naming the bad file/key and, where possible, the fix.

    The tools print it as ``error: <message>`` and exit with code 1, without
    a traceback (``--debug`` shows it). Subclass it for specific kinds
    (checkpoint, config, parameter) so callers can tell them apart.
    """
