"""The command line's stderr lines in both languages: the frame (``backcalc: error:``), and each message's
Indonesian. A message is written once, in English, where it is raised (its values — file, key, layer, number —
filled in there); its Indonesian lives in :mod:`backcalc.render.labels_errors_spec` (the spec reader, files,
verify) and :mod:`backcalc.render.labels_errors_run` (grad, exercise, grade, check, vanishing, the tape), keyed
by the English message with ``{}`` for its values. :func:`message` gives a message in the asked language: the
whole-message table first, then the phrases below for what comes from elsewhere (click's usage errors, tomllib's
and json's parse errors, the operating system's reasons, the value descriptions of the spec reader).
Names, keys, file names and values inside a message are kept as they are.

>>> message("net.toml: layers[0]: unknown activation 'sigmoidd' (did you mean 'sigmoid'?); expected one of relu, "
...         "sigmoid", "id")
"net.toml: layers[0]: aktivasi 'sigmoidd' (maksudnya 'sigmoid'?) tidak dikenal; seharusnya salah satu dari relu, sigmoid"
"""

from __future__ import annotations

import re

from .labels_errors_run import MESSAGES as _RUN
from .labels_errors_spec import MESSAGES as _SPEC

FRAME = {
    "en": {"error": "backcalc: error: {message}", "failed": "backcalc: {message}", "see": " (see '{command} --help')",
           "aborted": "backcalc: aborted",
           "internal": "backcalc: internal error: {exception}: {message} (run with --debug for the traceback)",
           "no_space": "no space left on the device", "output": "cannot write output: {reason}",
           "nested": "input nested too deeply"},
    "id": {"error": "backcalc: galat: {message}", "failed": "backcalc: {message}", "see": " (lihat '{command} --help')",
           "aborted": "backcalc: dibatalkan",
           "internal": "backcalc: galat internal: {exception}: {message} (jalankan dengan --debug untuk melihat traceback)",
           "no_space": "ruang perangkat habis", "output": "tidak dapat menulis keluaran: {reason}",
           "nested": "masukan bersarang terlalu dalam"},
}

MESSAGES = {**_SPEC, **_RUN}  # English message (``{}`` for a value) → its Indonesian


def _compile(english: str, words: str):
    """A message's pattern (each ``{}`` a value, matched as little as it can) and its rewording."""
    parts = english.split("{}")
    pattern = "(.*?)".join(re.escape(p) for p in parts)
    if english.endswith("{}"):  # the last value runs to the end of the message
        pattern = pattern[:-len("(.*?)")] + "(.*)"
    return re.compile(pattern), (lambda m: words.format(*m.groups()))


# longest first: a message is matched whole before a shorter one could match a part of it
TEMPLATES = {"en": [], "id": [_compile(e, w) for e, w in
                              sorted(MESSAGES.items(), key=lambda kv: -len(kv[0].replace("{}", "")))]}

_P = re.compile
# Indonesian wording of English message fragments that come from elsewhere, applied in order after the
# whole-message table (longer and more specific first).
PHRASES = {
    "en": (),
    "id": (
        # click's usage errors
        (_P(r"No such option '([^']+)'\. Did you mean '([^']+)'\?"), r"opsi '\1' tidak dikenal; maksudnya '\2'?"),
        (_P(r"No such option: (\S+)"), r"opsi \1 tidak dikenal"),
        (_P(r"No such option '([^']+)'\."), r"opsi '\1' tidak dikenal."),
        (_P(r"No such command '([^']+)'\. Did you mean '([^']+)'\?"), r"perintah '\1' tidak dikenal; maksudnya '\2'?"),
        (_P(r"No such command '([^']+)'\."), r"perintah '\1' tidak dikenal."),
        (_P(r"Invalid value for '([^']+)': (.+) is not in the range ([^.]+)\."), r"nilai \2 untuk '\1' di luar rentang \3."),
        (_P(r"Invalid value for '([^']+)': '([^']*)' is not one of (.+)\."), r"nilai '\2' untuk '\1' bukan salah satu dari \3."),
        (_P(r"Invalid value for '([^']+)': '([^']*)' is not a valid integer\."), r"nilai '\2' untuk '\1' bukan bilangan bulat."),
        (_P(r"Invalid value for '([^']+)': '([^']*)' is not a valid float\."), r"nilai '\2' untuk '\1' bukan bilangan."),
        (_P(r"Invalid value for '([^']+)': '([^']*)' is not a valid boolean\."), r"nilai '\2' untuk '\1' bukan boolean."),
        (_P(r"Invalid value for '([^']+)':"), r"nilai tidak sah untuk '\1':"),
        (_P(r"Option '([^']+)' requires an argument\."), r"opsi '\1' memerlukan sebuah nilai."),
        (_P(r"Option '([^']+)' does not take a value\."), r"opsi '\1' tidak menerima nilai."),
        (_P(r"Missing argument '([^']+)'\."), r"argumen '\1' tidak ada."),
        (_P(r"Missing option '([^']+)'\."), r"opsi '\1' wajib diberikan."),
        (_P(r"Got unexpected extra arguments? \(([^)]*)\)"), r"argumen tambahan tak terduga (\1)"),
        (_P(r"(Path|File|Directory) '([^']*)' does not exist\."), r"'\2' tidak ada."),
        (_P(r"(Path|File|Directory) '([^']*)' is a directory\."), r"'\2' adalah sebuah direktori."),
        (_P(r"(Path|File|Directory) '([^']*)' is a file\."), r"'\2' adalah sebuah berkas."),
        (_P(r"(Path|File|Directory) '([^']*)' is not readable\."), r"'\2' tidak dapat dibaca."),
        (_P(r"(Path|File|Directory) '([^']*)' is not writable\."), r"'\2' tidak dapat ditulis."),
        # tomllib's and json's parse errors, the operating system's reasons
        (_P(r"\(at line (\d+), column (\d+)\)"), r"(di baris \1, kolom \2)"),
        (_P(r"\(at end of document\)"), r"(di akhir dokumen)"),
        (_P(r"\bInvalid statement\b"), r"pernyataan tidak sah"),
        (_P(r"\bExpected newline or end of document after a statement\b"),
         r"seharusnya baris baru atau akhir dokumen setelah pernyataan"),
        (_P(r"\bCannot declare (.+?) twice\b"), r"\1 tidak boleh dideklarasikan dua kali"),
        (_P(r"\bCannot overwrite a value\b"), r"nilai tidak boleh ditimpa"),
        (_P(r"\bExpected '\]' at the end of a table declaration\b"), r"seharusnya ']' di akhir deklarasi tabel"),
        (_P(r"\bExpected '\]\]' at the end of an array declaration\b"), r"seharusnya ']]' di akhir deklarasi larik"),
        (_P(r"\bCannot mutate immutable namespace\b"), r"tidak boleh mengubah namespace tetap"),
        (_P(r"\bCannot redefine namespace\b"), r"tidak boleh mendefinisikan ulang namespace"),
        (_P(r"\bExpected '=' after a key in a key/value pair\b"), r"seharusnya '=' setelah kunci dalam pasangan kunci/nilai"),
        (_P(r"\bInvalid initial character for a key part\b"), r"karakter awal tidak sah untuk bagian kunci"),
        (_P(r"\bUnclosed array\b"), r"larik tidak ditutup"),
        (_P(r"\bUnclosed inline table\b"), r"tabel sebaris tidak ditutup"),
        (_P(r"\bDuplicate inline table key\b"), r"kunci ganda dalam tabel sebaris"),
        (_P(r"\bUnescaped '\\' in a string\b"), r"'\\' tanpa escape dalam string"),
        (_P(r"\bInvalid hex value\b"), r"nilai heksadesimal tidak sah"),
        (_P(r"\bEscaped character is not a Unicode scalar value\b"), r"karakter escape bukan nilai skalar Unicode"),
        (_P(r"\bUnterminated string\b( starting at)?"), r"string tidak ditutup"),
        (_P(r"\bIllegal character\b"), r"karakter terlarang"),
        (_P(r"\bFound invalid character\b"), r"ditemukan karakter tidak sah"),
        (_P(r"\bInvalid date or datetime\b"), r"tanggal atau waktu tidak sah"),
        (_P(r"\bInvalid value\b"), r"nilai tidak sah"),
        (_P(r"\bExpecting value\b"), r"seharusnya sebuah nilai"),
        (_P(r"\bExpecting property name enclosed in double quotes\b"), r"seharusnya nama properti dalam tanda kutip ganda"),
        (_P(r"\bExpecting '(.)' delimiter\b"), r"seharusnya pemisah '\1'"),
        (_P(r"\bExtra data\b"), r"data berlebih"),
        (_P(r"\bInvalid control character at\b"), r"karakter kontrol tidak sah di"),
        (_P(r"\bInvalid \\\\?(u[X0-9]+ )?escape\b"), r"escape tidak sah"),
        (_P(r"\bExpected\b"), r"seharusnya"),
        (_P(r"\b[Pp]ermission denied\b"), r"izin ditolak"),
        (_P(r"\b[Nn]o such file or directory\b"), r"berkas atau direktori tidak ada"),
        (_P(r"\b[Nn]ot a directory\b"), r"bukan direktori"),
        (_P(r"\b[Ii]s a directory\b"), r"adalah sebuah direktori"),
        (_P(r"\b[Rr]ead-only file system\b"), r"sistem berkas hanya-baca"),
        (_P(r"\b[Ff]ile name too long\b"), r"nama berkas terlalu panjang"),
        (_P(r"\b[Nn]o space left on device\b"), r"ruang perangkat habis"),
        # the spec reader's descriptions of a value, and the places a message names
        (_P(r": no such file\b"), r": berkas tidak ada"),
        (_P(r"\bno extension\b"), r"tanpa ekstensi"),
        (_P(r"\ba symbolic link\b"), r"sebuah tautan simbolik"),
        (_P(r"\ba (named pipe|FIFO)\b"), r"sebuah pipa bernama"),
        (_P(r"\ba device\b"), r"sebuah perangkat"),
        (_P(r"\ba socket\b"), r"sebuah soket"),
        (_P(r"\ba folder\b"), r"sebuah folder"),
        (_P(r"\ba file\b"), r"sebuah berkas"),
        (_P(r"\ban integer of (\d+|thousands of) digits\b"), lambda m: "bilangan bulat dengan " +
         ("ribuan" if m.group(1) == "thousands of" else m.group(1)) + " digit"),
        (_P(r"\bthe number (\S+)"), r"bilangan \1"),
        (_P(r"\bunknown (\w+) the string "), r"\1 tidak dikenal: "),
        (_P(r"\bthe string "), r""),
        (_P(r"\ba list of (\d+)\b"), r"daftar berisi \1"),
        (_P(r"\ba list\b"), r"sebuah daftar"),
        (_P(r"\ba table\b"), r"sebuah tabel"),
        (_P(r"\ba boolean\b"), r"sebuah boolean"),
        (_P(r"\bline (\d+\b|'[^']*')"), r"baris \1"),
        (_P(r"\btop level\b"), r"tingkat atas"),
        (_P(r"\be\.g\. "), r"misalnya "),
        (_P(r"(\.\w+) or (?=\.\w)"), r"\1 atau "),
        (_P(r"\blayer (\d+|'[^']*') \("), r"lapisan \1 ("),
        (_P(r"\bafter the update\b"), r"setelah pembaruan"),
        (_P(r"\bin the backward pass\b"), r"dalam langkah mundur"),
        (_P(r"\bundefined\b"), r"tidak terdefinisi"),
        (_P(r"\bcharacter (\d+) is (.+?), not printable text \(control characters and line breaks are refused\)"),
         r"karakter ke-\1 adalah \2, bukan teks tercetak (karakter kontrol dan baris baru ditolak)"),
        (_P(r"\b(\d+) characters, expected at most (\d+)"), r"\1 karakter, seharusnya paling banyak \2"),
        (_P(r"… \((\d+) characters\)"), r"… (\1 karakter)"),
        (_P(r"\binvalid (TOML|JSON): "), r"\1 tidak sah: "),
        (_P(r"missing value for input '([^']+)': give --at"), r"nilai masukan '\1' tidak ada: berikan --at"),
        (_P(r"\binvalid syntax\b"), r"sintaks tidak sah"),
        (_P(r"; allowed: numbers, names, (.*?), unary -, the functions (.*?), the constants (.*?), and statements "
            r"NAME = \.\.\. or NAME \+= \.\.\. (.*?) separated by ';' or newlines"),
         r"; yang boleh: bilangan, nama, \1, negasi (-), fungsi \2, konstanta \3, dan pernyataan NAMA = ... atau "
         r"NAMA += ... \4 dipisah ';' atau baris baru"),
        (_P(r"\(one of "), r"(salah satu dari "),
        (_P(r"\bis a directory\b"), r"adalah sebuah direktori"),
        (_P(r"\bdid you mean ('[^']*'(?: or '[^']*')*)\?"), r"maksudnya \1?"),
        (_P(r"('[^']*') or (?=')"), r"\1 atau "),
        (_P(r"\bunknown key\b"), r"kunci tidak dikenal"),
        (_P(r"\bmissing key\b"), r"kunci tidak ada"),
        (_P(r"\bunknown activation\b"), r"aktivasi tidak dikenal"),
        (_P(r"; expected one of\b"), r"; seharusnya salah satu dari"),
        (_P(r"\bexpected one of\b"), r"seharusnya salah satu dari"),
        (_P(r"\bexpected a whole number\b"), r"seharusnya bilangan bulat"),
        (_P(r"\bexpected a finite number\b"), r"seharusnya bilangan hingga"),
        (_P(r"\bexpected a number\b"), r"seharusnya sebuah bilangan"),
        (_P(r"\bexpected a table\b"), r"seharusnya sebuah tabel"),
        (_P(r"\bexpected\b"), r"seharusnya"),
        (_P(r", got\b"), r", diberikan"),
        (_P(r"\bgot\b"), r"diberikan"),
        (_P(r"; the tape's loss differs from sympy's"), r"; loss tape berbeda dari loss sympy"),
        (_P(r"(\d+) of (\d+) answers are wrong"), r"\1 dari \2 jawaban salah"),
        (_P(r"(∂\S+: )?tape (\S+), sympy "), r"\1tape \2, sympy "),
    ),
}


def frame(kind: str, lang: str, **fields) -> str:
    """A stderr line's frame in ``lang`` (``kind``: error, failed, see, aborted, internal), filled with ``fields``."""
    return FRAME[lang][kind].format(**fields)


def message(text: str, lang: str) -> str:
    """An English message in ``lang``: whole messages first, then phrase by phrase (what neither covers stays)."""
    for pattern, words in TEMPLATES[lang]:
        text = pattern.sub(words, text)
    for pattern, words in PHRASES[lang]:
        text = pattern.sub(words, text)
    return text
