"""A class of 30 simulated students, graded end to end: no wrong verdict, no invented diagnosis.

Each student gets an own variant of the default exercise (1 → 4 relu → 2 sigmoid → 1 linear, half_sse, one SGD
step). Three answer everything right at 3, 4 and 6 significant digits; 27 make one catalogued mistake in one
answer, its value computed here by an independent numpy derivation of that mistake (not by backcalc's catalogue),
everything else right at 6 digits; three of those also have unreadable entries (an unknown key, a decimal comma,
a word). The grade must find every right answer right, every mistaken answer wrong with exactly that mistake
named — unless the mistake happens to give a value within the tolerance of the right one, when it must be right —
and each unreadable entry invalid, with the rest graded.
"""

import numpy as np
import pytest

from backcalc.grading.classroom import Student, make_class, roster_text, write_class
from backcalc.grading.gradebook import grade_class
from backcalc.grading.grade import check_answers
from backcalc.render.format import num


def sig(z):
    return 1 / (1 + np.exp(-z))


def by_hand(spec):
    """Seed-004-shaped net by hand: every value a mistake below needs."""
    (W1, b1), (W2, b2), (W3, b3) = [(layer.weights, layer.bias) for layer in spec.layers]
    x, y, lr = float(spec.x[0, 0]), float(spec.y[0, 0]), spec.learning_rate
    j_in = x * W1[0] + b1
    j = np.maximum(j_in, 0)
    k_in = j @ W2 + b2
    k = sig(k_in)
    o = float(k @ W3[:, 0] + b3[0])
    g_o = o - y
    g_k = g_o * W3[:, 0]
    s = k * (1 - k)
    dk = g_k * s
    dW2 = np.outer(j, dk)
    dW3 = k * g_o
    W3_new = W3[:, 0] - lr * dW3
    return dict(x=x, lr=lr, W1=W1, b1=b1, W2=W2, W3=W3[:, 0], j_in=j_in, j=j, k_in=k_in, k=k, g_o=g_o, g_k=g_k,
                s=s, dk=dk, dW2=dW2, dW3=dW3, W3_new=W3_new, L=0.5 * g_o ** 2)


def mistakes(h, d):
    """(code, section, key name, value) — one per catalogued mistake, each computed from its own description."""
    g_k, s, j, k, lr = h["g_k"], h["s"], h["j"], h["k"], h["lr"]
    sk1 = sig(k[0]) * (1 - sig(k[0]))
    r = round(float(k[0]), 2)
    return [
        ("sign", "gradients", "w_k1o", -h["dW3"][0]),
        ("double", "gradients", "b_o", 2 * h["g_o"]),
        ("half", "gradients", "b_o", h["g_o"] / 2),
        ("no_local", "gradients", "w_j1k1", g_k[0] * j[0]),
        ("local_at_out", "gradients", "w_j1k1", g_k[0] * sk1 * j[0]),
        ("local_at_in", "gradients", "w_j1k1", g_k[0] * h["k_in"][0] * (1 - h["k_in"][0]) * j[0]),
        ("early_round", "factors", "∂k1_out/∂k1_in", r * (1 - r)),
        ("path_left_out", "factors", "∂L/∂j1_out", h["W2"][0, 0] * h["dk"][0]),
        ("product_of_sums", "factors", "∂L/∂j1_out", g_k.sum() * s.sum() * h["W2"][0].sum()),
        ("updated_downstream", "gradients", "w_j1k1", h["g_o"] * h["W3_new"][0] * s[0] * j[0]),
        ("extra_out", "factors", "∂L/∂k1_out", h["g_o"] * h["W3"][0] * k[0]),
        ("new_as_gradient", "gradients", "w_k1o", h["W3_new"][0]),
        ("step_as_gradient", "gradients", "w_k1o", lr * h["dW3"][0]),
        ("gradient_as_new", "updated", "w_k1o", h["dW3"][0]),
        ("step_as_new", "updated", "w_k1o", -lr * h["dW3"][0]),
        ("update_sign", "updated", "w_k1o", h["W3"][0] + lr * h["dW3"][0]),
        ("lr_none", "updated", "w_k1o", h["W3"][0] - h["dW3"][0]),
        ("lr_twice", "updated", "w_k1o", h["W3"][0] - lr * lr * h["dW3"][0]),
        ("not_updated", "updated", "w_k1o", h["W3"][0]),
        ("update_arithmetic", "updated", "w_k1o", h["W3_new"][0] + 0.1 * abs(lr * h["dW3"][0]) + 0.01),
        ("transposed", "gradients", "w_j1k2", h["dW2"][1, 0]),
        ("no_activation", "forward", "k1_out", h["k_in"][0]),
        ("no_bias", "forward", "j1_in", h["x"] * h["W1"][0, 0]),
        ("loss_after_given", None, "loss", d.loss_after),
        ("loss_before_given", None, "loss_after", h["L"]),
        ("weight_for_source", "factors", "∂k1_in/∂w_j2k1", h["W2"][1, 0]),
        ("source_for_weight", "factors", "∂k1_in/∂j2_out", j[1]),
    ]


def sheet_of(key_doc, digits):
    """The key's numbers written to ``digits`` significant digits, as an answers document of strings."""
    out = {"id": key_doc["id"], "student": key_doc["student"], "fingerprint": key_doc["fingerprint"]}
    for k, v in key_doc.items():
        if isinstance(v, float):
            out[k] = num(v, digits)
        elif isinstance(v, dict):
            out[k] = {name: [num(x, digits) for x in val] if isinstance(val, list) else num(val, digits)
                      for name, val in v.items()}
    return out


BAD = [({"gradients": {"bo": "-0.5"}}, "gradients.bo"), ({"forward": {"o_out": "2,49"}}, "forward.a3[0][0]"),
       ({"gradients": {"w_k2o": "about half"}}, "gradients.W3[1][0]")]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    import tomllib

    from backcalc.net.derivation import explain

    root = tmp_path_factory.mktemp("sim")
    students = [Student(f"st{i:02d}", f"Student {i}", f"st{i:02d}@example.edu") for i in range(30)]
    variants = make_class(students, seed=2024)
    write_class(variants, root)
    plan = {}
    for i, (student, ex) in enumerate(variants):
        key = tomllib.loads(ex.key_text)
        if i < 3:
            sheet, intended = sheet_of(key, (3, 4, 6)[i]), None
        else:
            code, section, name, value = mistakes(by_hand(ex.spec), explain(ex.spec))[i - 3]
            sheet, intended = sheet_of(key, 6), (code, section, name, value)
            (sheet.setdefault(section, {}) if section else sheet)[name] = num(value, 6)
        bad = BAD[i - 27] if i >= 27 else None
        if bad:
            for section, cells in bad[0].items():
                sheet.setdefault(section, {}).update(cells)
        plan[student.id] = (sheet, intended, bad)
        lines = [f"{k} = {_toml(v)}" for k, v in sheet.items() if not isinstance(v, dict)]
        for section, cells in sheet.items():
            if isinstance(cells, dict):
                lines += [f"[{section}]"] + [f'"{n}" = {_toml(v)}' for n, v in cells.items()]
        (root / student.id / "sheet.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root, variants, plan, grade_class(root, jobs=2)


def _toml(v):
    return "[" + ", ".join(f'"{x}"' for x in v) + "]" if isinstance(v, list) else f'"{v}"'


def test_right_answers_at_3_4_and_6_digits_are_all_right(graded):
    _, _, _, result = graded
    for s in result.students[:3]:
        assert s.error is None and s.correct == s.total == s.answered, s.id
        assert all(a.verdict in ("correct", "correct_low_precision") and not a.mistakes for a in s.answers)


def test_each_mistake_is_named_and_nothing_else_is_wrong(graded):
    root, variants, plan, result = graded
    named = set()
    for s, (student, ex) in zip(result.students[3:], variants[3:]):
        sheet, (code, section, name, value), bad = plan[s.id]
        assert s.error is None, s.id
        r = check_answers(root / s.id / "exercise.toml", root / s.id / "sheet.toml")
        scoped = name if section is None else f"{section}.{name}"
        from backcalc.grading.grade import resolve
        from backcalc.net.derivation import explain

        target = resolve(explain(ex.spec), scoped)[0]
        for row in r.rows:
            if row.verdict == "invalid":
                assert bad is not None and row.key == bad[1], (s.id, row.key)
            elif row.key == target:
                distinguishable = abs(value - row.expected) > row.allowed
                if distinguishable:
                    assert row.verdict == "wrong" and [m.code for m in row.mistakes] == [code], (s.id, code, row)
                    named.add(code)
                else:
                    assert row.verdict in ("correct", "correct_low_precision") and not row.mistakes, (s.id, row)
            else:
                assert row.verdict in ("correct", "correct_low_precision") and not row.mistakes, (s.id, code, row)
    assert len(named) >= 24  # nearly every mistake is visible on a variant; the rest must have been judged right


def test_the_class_report_counts_each_mistake_once_per_student(graded):
    _, _, plan, result = graded
    table = {code: n for code, n, _ in result.mistakes()}
    assert table and all(n == 1 for n in table.values())
    assert set(table) <= {intended[0] for _, intended, _ in plan.values() if intended}


def test_workers_give_the_records_one_process_gives(graded):
    root, _, _, parallel = graded
    assert len(parallel.students) >= 16  # enough sheets that grade_class really starts workers
    serial = grade_class(root, jobs=1)
    assert serial.students == parallel.students
    assert [s.id for s in parallel.students] == [s.id for s in serial.students]  # the roster's order
