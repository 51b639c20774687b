"""Moodle XML export: each student's variant as one cloze (embedded answers) question.

The question shows the net (inputs, targets, every layer's activation, weights and biases or what else it gives,
the loss, a penalty, the learning rate and an optimizer's settings) and asks, each in its own NUMERICAL blank
``{1:NUMERICAL:=value:tolerance}``: the loss, every unit's output, every ∂L/∂parameter, every parameter after
the step (SGD, or the exercise's optimizer) and the loss after it. The tolerance is
backcalc's "as written" rule for an answer of 4 significant digits: half a unit of the 4th digit or 0.1% of the
value, whichever is larger (for a new parameter: of its change, at 1%, the old value being exact). The file
follows Moodle's documented XML format (``<quiz>`` of ``<question type="cloze">``), built with ElementTree so
every text is escaped.

>>> from backcalc.grading.exercise import make_exercise
>>> ex = make_exercise(seed=1, student={"id": "s01", "name": "Ani"})
>>> xml = quiz_xml([(None, ex)])
>>> xml.startswith('<?xml version="1.0" encoding="UTF-8"?>') and '<question type="cloze">' in xml
True
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from html import escape

from .tolerance import HAND_RTOL, STEP_RTOL
from ..net.derivation import explain
from ..net.names import node_out
from .spaces import answer_space
from ..render.labels_answers import MOODLE
from ..render.labels import labels
from ..render.labels_working import working_labels
from ..render.text import dropout_header
from ..render.text_norm import norm_words
from ..render.training import penalty_words, update_head

DIGITS = 4  # significant digits a blank is judged at


def tolerance(value: float, old: float | None = None) -> float:
    """Moodle's ± for a blank: backcalc's as-written rule at 4 significant digits (of the change for ``old``)."""
    size = abs(value - old) if old is not None else abs(value)
    if size == 0:
        return 1e-9
    half = 0.5 * 10.0 ** (math.floor(math.log10(size)) - (DIGITS - 1))
    return max(half, (STEP_RTOL if old is not None else HAND_RTOL) * size)


def _g(v: float) -> str:
    return repr(float(v))


def net_html(spec, lang: str = "en") -> str:
    """The net as the question shows it: the data, one list item per layer with what it gives, the loss.

    >>> from backcalc.net.spec import load_spec
    >>> html = net_html(load_spec("worked_examples/conv_pool.toml"))
    >>> html.split("<li>")[2]
    'layer 2 (p, maxpool2d): the stride s = 2, the window&#x27;s size K = (2, 2)</li>'
    """
    words = MOODLE[lang]["net"]
    parts = [f"<p>{words[0]} = {escape(str(spec.x.tolist()))}; {words[1]} = {escape(str(spec.y.tolist()))}</p><ul>"]
    for layer in spec.layers:
        parts.append(f"<li>{words[2]} {layer.index} ({escape(layer.name)}, "
                     f"{escape(getattr(layer, 'shown_as', layer.activation))}): {_given(spec, layer, lang)}</li>")
    reduction = MOODLE[lang].get(spec.reduction, spec.reduction)
    parts.append(f"</ul><p>{words[5]}: {escape(spec.loss)} ({escape(reduction)}); {words[6]} = "
                 f"{spec.learning_rate:g}</p>")
    return "".join(parts)


def _given(spec, layer, lang) -> str:
    """What the layer's line gives: its weights and bias, or its kind and arrays by canonical key (a normalisation
    or recurrent layer), then its settings as explain's working writes them (a pool's stride and window, a
    flatten's map → features, a conv's stride and padding where not 1 and 0), then a skip's source."""
    words = MOODLE[lang]["net"]
    if hasattr(layer, "weights"):
        given = [f"{words[3]} {escape(str(layer.weights.tolist()))}, {words[4]} "
                 f"{escape(str(layer.bias.tolist() if layer.bias is not None else False).lower())}"]
    elif hasattr(layer, "eps"):  # a normalisation layer: what its statistics are taken over (explain's words)
        group = (spec.samples, layer.units)[layer.axis]  # N: the batch's samples, or a sample's units
        given = [escape(norm_words(layer.kind, group, layer.eps, 5, labels(lang)))]
        given += [f"{key} = {escape(str(v.tolist()))}" for key, v in layer.parameters().items()]
    elif layer.parameters():  # a recurrent layer: its kind and arrays by canonical key
        given = [escape(layer.kind) + ": " + ", ".join(f"{key} = {escape(str(v.tolist()))}"
                                                       for key, v in layer.parameters().items())]
    else:
        given = []
    given += [escape(line) for line in dropout_header(layer, labels(lang))]  # p and the mask, as explain gives them
    reasons = working_labels(lang)["reason"]
    given += [escape(f"{reasons[line.reason]} {line.lhs} = {line.rhs}" if line.lhs else
                     f"{reasons[line.reason]}: {line.rhs}") for line in getattr(layer, "settings", tuple)()]
    skip = getattr(layer, "skip", None)
    if skip is not None:
        given.append(f"+ {escape(spec.input_name if skip == 0 else spec.layers[skip - 1].name)} (skip)")
    return ", ".join(given)


def _blanks(d, lang: str = "en") -> list:
    """(label, value, tolerance) for every value asked, in the order of the page."""
    words = MOODLE[lang]
    sp = answer_space(d)
    out = [("L", d.loss, tolerance(d.loss))]
    for layer in d.spec.layers:
        for u in layer.unit_names:
            for item in sp.name_items("forward", node_out(u)):
                out.append((item.name, item.expected, tolerance(item.expected)))
    for section, mark in (("gradients", "∂L/∂{name}"), ("updated", words["new"])):
        for name, _ in d.spec.param_names():
            (item,) = sp.name_items(section, name)
            out.append((mark.format(name=name), item.expected, tolerance(item.expected, item.old)))
    out.append((words["loss_after"], d.loss_after, tolerance(d.loss_after)))
    return out


def question_xml(student, ex, lang: str = "en") -> ET.Element:
    """One ``<question type="cloze">`` for one variant."""
    d = explain(ex.spec)
    rows = "".join(f"<tr><td>{escape(label)}</td><td>{{1:NUMERICAL:={_g(value)}:{_g(tol)}}}</td></tr>"
                   for label, value, tol in _blanks(d, lang))
    html = f"<p>{_intro(d, lang)}</p>{net_html(d.spec, lang)}{_training_html(d, lang)}<table>{rows}</table>"
    q = ET.Element("question", type="cloze")
    name = ET.SubElement(ET.SubElement(q, "name"), "text")
    sid = getattr(student, "id", None)
    name.text = f"backcalc {sid + ' ' if sid else ''}({_fingerprint(ex)})"
    text = ET.SubElement(q, "questiontext", format="html")
    ET.SubElement(text, "text").text = html
    ET.SubElement(ET.SubElement(q, "generalfeedback", format="html"), "text").text = ""
    ET.SubElement(q, "penalty").text = "0.0000000"
    ET.SubElement(q, "hidden").text = "0"
    if sid:
        ET.SubElement(q, "idnumber").text = sid
    return q


def _intro(d, lang) -> str:
    """The task: one step of SGD, or of the exercise's optimizer (its name as explain writes it)."""
    t = d.training
    step = "SGD" if t is None or t.plain_sgd else labels(lang)["train"]["optimizer"][t.settings.optimizer]
    return MOODLE[lang]["intro"].format(step=escape(step))


def _training_html(d, lang) -> str:
    """A penalty, and an optimizer's settings and weight decay, in explain's words ("" for plain SGD)."""
    L = labels(lang)
    lines = [penalty_words(d, L)]
    if d.training is not None and not d.training.plain_sgd:
        lines += update_head(d, 5, L)
    return "".join(f"<p>{escape(line)}</p>" for line in lines if line)


def _fingerprint(ex) -> str:
    for line in ex.key_text.splitlines():
        if line.startswith("fingerprint = "):
            return line.split('"')[1]
    return ""


def quiz_xml(variants, lang: str = "en", category: str = "backcalc") -> str:
    """A Moodle XML ``<quiz>``: a category, then one cloze question per (student, exercise)."""
    quiz = ET.Element("quiz")
    cat = ET.SubElement(quiz, "question", type="category")
    ET.SubElement(ET.SubElement(cat, "category"), "text").text = f"$course$/top/{category}"
    for student, ex in variants:
        quiz.append(question_xml(student, ex, lang))
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"
