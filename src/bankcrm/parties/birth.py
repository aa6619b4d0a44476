"""Dates of birth: stored only encrypted, and the age arithmetic other features need.

A date of birth is CIP identifying information (31 CFR 1020.220(a)(2)(i)) and, with a name, enough
to open accounts in someone's name, so ``Party.date_of_birth_encrypted`` holds it as AES-GCM
ciphertext of the ISO date (``"1970-12-13"``) under field ``party.date_of_birth``
(:mod:`bankcrm.privacy.crypto`). There is deliberately no blind index: a birth date has only about
36,500 possible values, so even a keyed index would let anyone reading the table group parties by
birthday, and no feature looks a party up by date of birth alone (portal enrolment first narrows
to the owners of one account, then compares).

Plain Python (no Django import): the functions here do not check permissions or audit. Code that
shows a date of birth to a person goes through :mod:`bankcrm.authz.masking` or
:func:`bankcrm.parties.selectors.date_of_birth`.
"""

from __future__ import annotations

import datetime as dt

from bankcrm.privacy import crypto

#: The field name bound into the ciphertext as associated data.
FIELD = "party.date_of_birth"

#: CFPB complaint tag "Older American": 62 or older (REGULATORY_FACTS.md 3.1).
OLDER_AMERICAN_AGE = 62


def encrypt_date_of_birth(born: dt.date, *, ring: crypto.Keyring | None = None) -> bytes:
    """Ciphertext of ``born`` for ``Party.date_of_birth_encrypted`` (active key of ``ring``).

    Raises:
        TypeError: ``born`` is not a date (a datetime is refused: a birth date has no time).
    """
    if not isinstance(born, dt.date) or isinstance(born, dt.datetime):
        raise TypeError(f"date_of_birth: expected a date, got {type(born).__name__}")
    return crypto.encrypt(born.isoformat(), field=FIELD, ring=ring)


def decrypt_date_of_birth(blob: bytes | memoryview | None, *, ring: crypto.Keyring | None = None) -> dt.date | None:
    """The date held in ``blob`` (None when there is none).

    Raises:
        crypto.KeyError_: the blob names a key that is not in the keyring.
        cryptography.exceptions.InvalidTag: the blob was altered or belongs to another column.
    """
    if blob is None or not bytes(blob):
        return None
    return dt.date.fromisoformat(crypto.decrypt(blob, field=FIELD, ring=ring))


def age_on(born: dt.date, on: dt.date) -> int:
    """Age in completed years on ``on`` (someone born on 29 February turns a year older on
    1 March in common years).

    Raises:
        ValueError: ``on`` is before ``born``.
    """
    if on < born:
        raise ValueError(f"on: {on.isoformat()} is before the date of birth")
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def is_older_american(born: dt.date, on: dt.date) -> bool:
    """True when the person is 62 or older on ``on`` (CFPB "Older American" tag)."""
    return age_on(born, on) >= OLDER_AMERICAN_AGE
