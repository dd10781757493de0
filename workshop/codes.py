"""Short codes people read off a screen and type on a phone."""

import secrets

# No 0/O, 1/I/L: nothing a back-row reader could mistake for something else.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(typed: str) -> str:
    """What a person typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def new_secret() -> str:
    return secrets.token_urlsafe(24)
