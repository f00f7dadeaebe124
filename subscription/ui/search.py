"""Search that forgives typing: Azerbaijani names typed on a Latin keyboard, phones in any usual form.

A model keeps one indexed text column built with `search_document()` (every word folded, plus its
Latin-keyboard spellings: "Məmmədov" is stored as "məmmədov memmedov mammadov"); a query is split
with `search_needles()` and every needle must occur in the column. A word typed with Azerbaijani
letters matches those letters exactly (AĞASIOĞLU is not Ağasioğlu); a word typed in plain Latin
letters matches the Latin spellings ("qasimov" finds Qasımov, "ismayilov" İsmayılov).
"""

from __future__ import annotations

import re

from subscription.ui.aztext import az_fold

# What a Latin keyboard types for each Azerbaijani letter; ə is typed as e or as a ("mammadov").
LATIN = str.maketrans({"ı": "i", "ş": "s", "ç": "c", "ğ": "g", "ö": "o", "ü": "u"})
PHONE_QUERY = re.compile(r"[+\d\s\-()]+")
MIN_PHONE_DIGITS = 7


def latin_spellings(word: str) -> list[str]:
    """A folded word as a Latin keyboard would type it: ə as e and as a (none if it is Latin already)."""
    latin = word.translate(LATIN)
    spellings = [latin.replace("ə", "e"), latin.replace("ə", "a")]
    return [spelling for spelling in dict.fromkeys(spellings) if spelling != word]


def search_document(*texts: str | None) -> str:
    """The searchable column's text for `texts`: folded words and their Latin-keyboard spellings."""
    words = az_fold(" ".join(text for text in texts if text)).split()
    found: dict[str, None] = {}
    for word in words:
        found[word] = None
        found.update(dict.fromkeys(latin_spellings(word)))
    return " ".join(found)


def national_number(text: str) -> str:
    """The digits of an Azerbaijani phone number after +994 or the leading 0 (50 633 65 91 → 506336591)."""
    digits = re.sub(r"\D", "", text)
    for prefix in ("00994", "994", "0"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= MIN_PHONE_DIGITS:
            return digits[len(prefix) :]
    return digits


def phone_words(*phones: str | None) -> list[str]:
    """What a stored phone adds to the column: its digits with and without the country code or 0."""
    words: list[str] = []
    for phone in filter(None, phones):
        national = national_number(phone)
        words += [re.sub(r"\D", "", phone), national, f"0{national}"]
    return list(dict.fromkeys(words))


def search_needles(query: str) -> list[str]:
    """What must occur in the column for `query` to match, one needle per word typed.

    A query that is a phone number (+994 50 633 65 91, 0506336591) is one needle: its national digits.
    """
    query = query.strip()
    if PHONE_QUERY.fullmatch(query) and len(re.sub(r"\D", "", query)) >= MIN_PHONE_DIGITS:
        return [national_number(query)]
    needles = []
    for word in query.split():
        # Python's lower() reads I as i, as someone typing Latin letters means it; az_fold reads it as ı.
        needles.append(word.lower() if word.isascii() else az_fold(word))
    return needles
