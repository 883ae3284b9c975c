"""The text of a recorded fixture case: a string, or (for inputs too long to
keep verbatim) a list of [text, repeat] parts, as the Rust tests read it."""


def expand(value):
    return value if isinstance(value, str) else "".join(text * count for text, count in value)
