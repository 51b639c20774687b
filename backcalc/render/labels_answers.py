"""Why an entry of an answers sheet cannot be read, in words: each :class:`~backcalc.grading.problems.Problem`
code of the reader in English and Indonesian (the ``!`` rows of ``check`` and the unreadable entries of
``grade``'s report).

>>> from backcalc.grading.problems import problem
>>> p = problem("decimal_comma", fixed="0.128", text="0,128")
>>> problem_text(p), problem_text(p, "id")
('write the decimal point as a point: 0.128 (not 0,128)', 'tulis tanda desimal dengan titik: 0.128 (bukan 0,128)')
"""

from __future__ import annotations

_FACTORS = '"∂L/∂k1_out" ({or_} "dL/dk1_out"), "∂k1_out/∂k1_in", "∂L/∂k1_in", "∂k1_in/∂w_j1k1", "∂k1_in/∂j1_out"'

PROBLEMS = {
    "en": {
        "not_table": "expected a table [{table}], got {got}",
        "bad_scope": "[{scope}]: {why}",
        "unknown_key": "unknown key {key}{hint}",
        "no_layer": "layer {layer} does not exist (the net has layers 1 to {layers}){hint}",
        "wrong_table": "{key} does not belong under [{table}]{hint}",
        "softmax_local": "∂{unit}_out/∂{unit}_in: a softmax unit's output depends on every unit's input, so there is "
                         "no single factor; give ∂L/∂{unit}_in instead",
        "per_sample": 'expected {n} values, one per sample ("" leaves one blank), got {got}{of}',
        "of": " of {length}",
        "flat_list": "expected {rows}×{cols} ({what}): {rows} rows of {cols}, got a flat list of {length}",
        "matrix": "expected a {rows}×{cols} matrix ({what}), got {got}",
        "mixed_rows": "expected a list of rows (lists of numbers), got a mix of rows and numbers",
        "ragged": "ragged matrix: row {row} has {length} values, row 0 has {first}",
        "shape": "expected {rows}×{cols} ({what}), got {got_rows}×{got_cols}{transposed}",
        "tensor_shape": "expected nested lists of shape {shape} ({what}), got {got}",
        "vector": "expected a list of {n} values ({per}), got {got}",
        "nested": "expected a flat list of {n} values ({per}), got a nested list",
        "vector_length": "expected {n} values ({per}), got {length}",
        "twice": "gives {name} ({key}) a second time (first at {first}); keep one",
        "one_number": 'expected one number (or "" to leave it blank), got {got}',
        "not_number": 'expected a number (or "" to leave it blank), got {got}',
        "too_long": "a number written with {length} characters; at most {most}",
        "decimal_comma": "write the decimal point as a point: {fixed} (not {text})",
        "not_finite": "expected a finite number, got {text}",
        "out_of_range": "{text} is out of range (at most {most} in size)",
        # a whole sheet that cannot be graded (grade's report)
        "wrong_exercise": "{sheet}: made for exercise {sheet_print}, but {spec} is exercise {spec_print}: check "
                          "each sheet against its own exercise",
        "wrong_id": "{sheet}: the sheet is for id {given}, not {expected}",
        "factors_not_kept": "{sheet}: [factors]: the chain-rule factors of a net past {limit} parameters × samples "
                            "are not kept, so they cannot be judged; check its forward values, loss, gradients and "
                            "updated parameters, or a smaller net",
        "no_sheet": "{path}: no such file",
        "sheet_error": "{message}",
        # what a shape is made of, and the hint when it is the transpose
        "what": {"weights": "fan_in × units, as in the spec", "nodes": "samples × units",
                 "kernel": "out_channels × in_channels × kernel, as in the spec",
                 "map": "samples × channels × height × width, or × length"},
        "per": {"unit": "one per unit", "sample": "one per sample", "channel": "one per output channel"},  # a vector: b, gamma, beta; mu, var
        "transposed": {"weights": " — transposed? weights[a][b] joins unit a of the previous layer to unit b",
                       "nodes": " — transposed? rows are samples"},
        # what was given instead
        "kind": {"list": "a list", "ragged": "lists of uneven lengths", "shape": "shape {value}",
                 "table": "a table", "boolean": "a boolean", "string": "the string {value}",
                 "long_string": "a string", "number": "the number {value}", "empty_list": "an empty list",
                 "other": "{value}"},
        # where a misplaced key belongs, or the closest valid key
        "hint": {
            "param_array": "; {key} is a parameter array: its gradient goes under [gradients], its new value under "
                           "[updated]",
            "node_array": "; {key} holds node values: it belongs under [forward]",
            "param_name": "; {key} is a parameter: its gradient goes under [gradients], its new value under [updated]",
            "belongs": "; {key} belongs under [{table}]",
            "expected_top": "{mean}; expected {keys}",
            "expected_forward": "{mean}; expected z1, a1, … (samples × units) or a node value like j1_in, j1_out",
            "expected_gradients": "{mean}; expected W1, b1, … (shaped as in the spec) or a parameter name like "
                                  "w_ij1, b_j1",
            "expected_updated": "{mean}; expected W1, b1, … (shaped as in the spec) or a parameter name like "
                                "w_ij1, b_j1",
            "expected_factors": "{mean}; expected a chain-rule factor like " + _FACTORS.format(or_="or"),
        },
        "mean": " (did you mean {suggestion}?)",
    },
    "id": {
        "not_table": "seharusnya tabel [{table}], tetapi berisi {got}",
        "bad_scope": "[{scope}]: {why}",
        "unknown_key": "kunci tidak dikenal {key}{hint}",
        "no_layer": "lapisan {layer} tidak ada (jaringan ini memiliki lapisan 1 sampai {layers}){hint}",
        "wrong_table": "{key} tidak ditulis di bawah [{table}]{hint}",
        "softmax_local": "∂{unit}_out/∂{unit}_in: output unit softmax bergantung pada input setiap unit, jadi tidak "
                         "ada satu faktor tunggal; tuliskan ∂L/∂{unit}_in sebagai gantinya",
        "per_sample": 'seharusnya {n} nilai, satu per sampel ("" mengosongkan satu), tetapi berisi {got}{of}',
        "of": " dengan {length} nilai",
        "flat_list": "seharusnya {rows}×{cols} ({what}): {rows} baris berisi {cols}, tetapi berisi daftar datar "
                     "dengan {length} nilai",
        "matrix": "seharusnya matriks {rows}×{cols} ({what}), tetapi berisi {got}",
        "mixed_rows": "seharusnya daftar baris (daftar bilangan), tetapi berisi campuran baris dan bilangan",
        "ragged": "matriks tidak rata: baris {row} berisi {length} nilai, baris 0 berisi {first}",
        "shape": "seharusnya {rows}×{cols} ({what}), tetapi {got_rows}×{got_cols}{transposed}",
        "tensor_shape": "seharusnya daftar bersarang berbentuk {shape} ({what}), tetapi berisi {got}",
        "vector": "seharusnya daftar {n} nilai ({per}), tetapi berisi {got}",
        "nested": "seharusnya daftar datar {n} nilai ({per}), tetapi berisi daftar bersarang",
        "vector_length": "seharusnya {n} nilai ({per}), tetapi ada {length}",
        "twice": "memberi {name} ({key}) untuk kedua kalinya (pertama di {first}); simpan satu saja",
        "one_number": 'seharusnya satu bilangan (atau "" untuk mengosongkannya), tetapi berisi {got}',
        "not_number": 'seharusnya bilangan (atau "" untuk mengosongkannya), tetapi berisi {got}',
        "too_long": "bilangan ditulis dengan {length} karakter; paling banyak {most}",
        "decimal_comma": "tulis tanda desimal dengan titik: {fixed} (bukan {text})",
        "not_finite": "seharusnya bilangan berhingga, tetapi berisi {text}",
        "out_of_range": "{text} di luar jangkauan (besarnya paling banyak {most})",
        "wrong_exercise": "{sheet}: dibuat untuk latihan {sheet_print}, tetapi {spec} adalah latihan {spec_print}: "
                          "periksa setiap lembar dengan latihannya sendiri",
        "wrong_id": "{sheet}: lembar ini untuk id {given}, bukan {expected}",
        "factors_not_kept": "{sheet}: [factors]: faktor-faktor aturan rantai jaringan di atas {limit} parameter × "
                            "sampel tidak disimpan, jadi tidak dapat dinilai; periksa nilai maju, loss, gradien dan "
                            "parameter yang diperbarui, atau jaringan yang lebih kecil",
        "no_sheet": "{path}: berkas tidak ada",
        "sheet_error": "{message}",  # the file's own reader (TOML, JSON) says why, in English
        "what": {"weights": "fan_in × unit, seperti di spec", "nodes": "sampel × unit",
                 "kernel": "kanal_keluar × kanal_masuk × kernel, seperti di spec",
                 "map": "sampel × kanal × tinggi × lebar, atau × panjang"},
        "per": {"unit": "satu per unit", "sample": "satu per sampel", "channel": "satu per kanal keluar"},
        "transposed": {"weights": " — tertukar? W[a][b] menghubungkan unit a lapisan sebelumnya ke unit b",
                       "nodes": " — tertukar? baris adalah sampel"},
        "kind": {"list": "sebuah daftar", "ragged": "daftar dengan panjang tidak sama", "shape": "bentuk {value}",
                 "table": "sebuah tabel", "boolean": "nilai boolean",
                 "string": "teks {value}", "long_string": "sebuah teks", "number": "bilangan {value}",
                 "empty_list": "daftar kosong", "other": "{value}"},
        "hint": {
            "param_array": "; {key} adalah larik parameter: gradiennya ditulis di bawah [gradients], nilai barunya "
                           "di bawah [updated]",
            "node_array": "; {key} berisi nilai simpul: tempatnya di bawah [forward]",
            "param_name": "; {key} adalah parameter: gradiennya ditulis di bawah [gradients], nilai barunya di bawah "
                          "[updated]",
            "belongs": "; tempat {key} di bawah [{table}]",
            "expected_top": "{mean}; seharusnya salah satu dari {keys}",
            "expected_forward": "{mean}; seharusnya z1, a1, … (sampel × unit) atau nilai simpul seperti j1_in, "
                                "j1_out",
            "expected_gradients": "{mean}; seharusnya W1, b1, … (berbentuk seperti di spec) atau nama parameter "
                                  "seperti w_ij1, b_j1",
            "expected_updated": "{mean}; seharusnya W1, b1, … (berbentuk seperti di spec) atau nama parameter "
                                "seperti w_ij1, b_j1",
            "expected_factors": "{mean}; seharusnya faktor aturan rantai seperti " + _FACTORS.format(or_="atau"),
        },
        "mean": " (maksudnya {suggestion}?)",
    },
}

# The Moodle quiz of a class (grading/moodle.py): the question's words and the labels of its blanks.
MOODLE = {
    "en": {"intro": "Work out by hand one step of {step} on this net; give each value to 4 significant digits.",
           "net": ("Inputs x", "targets y", "layer", "weights", "bias", "loss", "learning rate"),
           "new": "new {name}", "loss_after": "L after", "sum": "sum", "mean": "mean"},
    "id": {"intro": "Hitung dengan tangan satu langkah {step} jaringan ini; tulis setiap nilai dengan 4 angka penting.",
           "net": ("Masukan x", "target y", "lapisan", "bobot", "bias", "loss", "learning rate"),
           "new": "{name} baru", "loss_after": "L setelah pembaruan", "sum": "jumlah", "mean": "rata-rata"},
}


def _part(words: dict, p) -> str:
    """One nested record (a kind or a hint) in words."""
    table = words["kind"] if p.code in words["kind"] else words["hint"]
    values = dict(p.params)
    values["mean"] = words["mean"].format(suggestion=values["suggestion"]) if "suggestion" in values else ""
    return table[p.code].format(**values)


def problem_text(p, lang: str = "en") -> str:
    """The words for a reader's :class:`~backcalc.grading.problems.Problem` (a plain string is shown as it is)."""
    if p is None or isinstance(p, str):
        return p
    words = PROBLEMS[lang]
    values = {}
    for name, v in p.params:
        values[name] = _part(words, v) if hasattr(v, "code") else v
    values.setdefault("hint", "")
    values["of"] = words["of"].format(length=values["length"]) if "length" in values else ""
    if "what" in values:
        values["what"] = words["what"][values["what"]]
    if "per" in values:
        values["per"] = words["per"][values["per"]]
    values["transposed"] = words["transposed"][values["transposed"]] if "transposed" in values else ""
    return words[p.code].format(**values)
