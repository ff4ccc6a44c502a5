"""The project's one error type for bad input, and a did-you-mean helper for its messages.

Every check of a file, a ``--set`` override or a name raises :class:`ConfigError`, so a command
line can catch one type and print one line, and nothing else ever reaches the user as a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ConfigError(Exception):
    """Bad input: a file, key or value that is not allowed.

    ``str(error)`` is one line naming the file (or other origin), the key, the value and what is
    allowed, for example ``scenarios/x.toml: params.request_rate = -1.0 is out of range; allowed
    0.0 to 100.0 (requests per unit per tick)``.
    """

    def __init__(self, message: str) -> None:
        # One line: a message is printed as is by the command line, and a stray newline (from a
        # quoted value or a parser message) would split it.
        super().__init__(" ".join(str(message).splitlines()))


class ParameterError(ConfigError):
    """A library function was called with a value it does not allow.

    It names the function's own parameter, not a command-line flag: ``str(error)`` reads
    ``reference: 'cto' is not a structure of this batch; allowed single_cio, cio_cto_split``. The
    command line maps :attr:`parameter` to its flag, so each face speaks its own terms.

    Attributes:
        parameter: The parameter's name, as the function spells it.
        problem: What is wrong with its value, and what is allowed.
    """

    def __init__(self, parameter: str, problem: str) -> None:
        super().__init__(f"{parameter}: {problem}")
        self.parameter = parameter
        self.problem = " ".join(str(problem).splitlines())


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """A hint for a misspelt ``name``: the closest of ``choices``, if any is close.

    Args:
        name: The name that was not recognised.
        choices: The names that are allowed.

    Returns:
        ``"did you mean request_rate?"`` when one of ``choices`` is close to ``name``, else ``""``.
    """
    close = difflib.get_close_matches(str(name), sorted(choices), n=1)
    return f"did you mean {close[0]}?" if close else ""
