"""The command line's stderr lines in Indonesian: the frame (``backcalc: error:``) and, phrase by phrase, the
most common messages — click's usage errors and the spec reader's ``expected … got …`` shapes. A message
is written once, in English, where it is raised; :func:`message` gives its wording in the asked language.
Names, keys, file names and values inside a message are kept as they are.
"""

from __future__ import annotations

import re

FRAME = {
    "en": {"error": "backcalc: error: {message}", "failed": "backcalc: {message}", "see": " (see '{command} --help')",
           "aborted": "backcalc: aborted"},
    "id": {"error": "backcalc: galat: {message}", "failed": "backcalc: {message}", "see": " (lihat '{command} --help')",
           "aborted": "backcalc: dibatalkan"},
}

_P = re.compile
# Indonesian wording of English message fragments, applied in order (longer and more specific first).
PHRASES = {
    "en": (),
    "id": (
        (_P(r"No such option '([^']+)'\. Did you mean '([^']+)'\?"), r"opsi '\1' tidak dikenal; maksudnya '\2'?"),
        (_P(r"No such option: (\S+)"), r"opsi \1 tidak dikenal"),
        (_P(r"No such option '([^']+)'\."), r"opsi '\1' tidak dikenal."),
        (_P(r"No such command '([^']+)'\."), r"perintah '\1' tidak dikenal."),
        (_P(r"Invalid value for '([^']+)': (.+) is not in the range ([^.]+)\."), r"nilai \2 untuk '\1' di luar rentang \3."),
        (_P(r"Invalid value for '([^']+)': '([^']*)' is not one of (.+)\."), r"nilai '\2' untuk '\1' bukan salah satu dari \3."),
        (_P(r"Invalid value for '([^']+)': '([^']*)' is not a valid integer\."), r"nilai '\2' untuk '\1' bukan bilangan bulat."),
        (_P(r"Invalid value for '([^']+)':"), r"nilai tidak sah untuk '\1':"),
        (_P(r"Option '([^']+)' requires an argument\."), r"opsi '\1' memerlukan sebuah nilai."),
        (_P(r"Missing argument '([^']+)'\."), r"argumen '\1' tidak ada."),
        (_P(r"Missing option '([^']+)'\."), r"opsi '\1' wajib diberikan."),
        (_P(r"Got unexpected extra arguments? \(([^)]*)\)"), r"argumen tambahan tak terduga (\1)"),
        (_P(r": no such file\b"), r": berkas tidak ada"),
        (_P(r"\binvalid (TOML|JSON): "), r"\1 tidak sah: "),
        (_P(r"missing value for input '([^']+)': give --at"), r"nilai masukan '\1' tidak ada: berikan --at"),
        (_P(r"\binvalid syntax\b"), r"sintaks tidak sah"),
        (_P(r"; allowed: numbers, names, (.*?), unary -, the functions (.*?), the constants (.*?), and statements "
            r"NAME = \.\.\. or NAME \+= \.\.\. (.*?) separated by ';' or newlines"),
         r"; yang boleh: bilangan, nama, \1, negasi (-), fungsi \2, konstanta \3, dan pernyataan NAMA = ... atau "
         r"NAMA += ... \4 dipisah ';' atau baris baru"),
        (_P(r"\(one of "), r"(salah satu dari "),
        (_P(r"\bis a directory\b"), r"adalah sebuah direktori"),
        (_P(r"\(did you mean ('[^']*')\?\)"), r"(maksudnya \1?)"),
        (_P(r"\bunknown key\b"), r"kunci tidak dikenal"),
        (_P(r"\bmissing key\b"), r"kunci tidak ada"),
        (_P(r"\bunknown activation\b"), r"aktivasi tidak dikenal"),
        (_P(r"\bunknown (\w+) the string "), r"\1 tidak dikenal: "),
        (_P(r"\bthe string "), r""),
        (_P(r"; expected one of\b"), r"; seharusnya salah satu dari"),
        (_P(r"\bexpected one of\b"), r"seharusnya salah satu dari"),
        (_P(r"\bexpected a whole number\b"), r"seharusnya bilangan bulat"),
        (_P(r"\bexpected a finite number\b"), r"seharusnya bilangan hingga"),
        (_P(r"\bexpected a number\b"), r"seharusnya sebuah bilangan"),
        (_P(r"\bexpected a table\b"), r"seharusnya sebuah tabel"),
        (_P(r"\bexpected\b"), r"seharusnya"),
        (_P(r", got\b"), r", diberikan"),
        (_P(r"\bgot\b"), r"diberikan"),
        (_P(r"(\d+) of (\d+) gradients disagree"), r"\1 dari \2 gradien tidak cocok"),
        (_P(r"; the tape's loss differs from sympy's"), r"; loss tape berbeda dari loss sympy"),
        (_P(r"(\d+) of (\d+) answers are wrong"), r"\1 dari \2 jawaban salah"),
        (_P(r"^tape and sympy disagree: "), r"tape dan sympy tidak cocok: "),
    ),
}


def frame(kind: str, lang: str, **fields) -> str:
    """A stderr line's frame in ``lang`` (``kind``: error, failed, see, aborted), filled with ``fields``."""
    return FRAME[lang][kind].format(**fields)


def message(text: str, lang: str) -> str:
    """An English message in ``lang``, phrase by phrase (what no phrase covers stays as it is)."""
    for pattern, words in PHRASES[lang]:
        text = pattern.sub(words, text)
    return text
