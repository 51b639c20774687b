"""The training keys of a spec ([train] optimizer, hyperparameters, clipping; [loss] l1/l2): validation with one
line naming the key, the loop against PyTorch in float64 (skipped without torch), and the JSON keys."""


import numpy as np
import pytest

from backcalc.errors import BackcalcError, SpecError
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec
from shared import assert_training_matches, with_train

BASE = {
    "format": 1, "seed": 5,
    "data": {"x": [[0.5, -1.0], [1.5, 0.25], [-0.3, 0.8]], "y": [[1.0], [0.0], [0.5]]},
    "layers": [{"name": "h", "activation": "tanh", "units": 3, "init": "xavier_normal"},
               {"name": "k", "activation": "sigmoid", "units": 2, "init": "xavier_normal"},
               {"activation": "linear", "units": 1, "init": "xavier_normal"}],
    "loss": {"kind": "mse"},
    "train": {"learning_rate": 0.05, "steps": 4},
}


def spec_with(train=None, loss=None):
    return with_train(BASE, train, loss)


@pytest.mark.parametrize("train, loss, message", [
    ({"optimizer": "adm"}, {}, "train.optimizer: unknown optimizer 'adm' (did you mean 'adam'?)"),
    ({"optimizer": "adam", "beta1": 1.0}, {}, "train.beta1: expected a number in [0, 1), got 1.0"),
    ({"optimizer": "adam", "beta2": -0.5}, {}, "train.beta2: expected a number in [0, 1)"),
    ({"optimizer": "rmsprop", "eps": -1e-8}, {}, "train.eps: expected a number in [0, ∞)"),
    ({"optimizer": "rmsprop", "alpha": 1.5}, {}, "train.alpha: expected a number in [0, 1)"),
    ({"learning_rate": -0.1}, {}, "train.learning_rate"),
    ({"clip_norm": 0}, {}, "train.clip_norm: expected a number in (0, ∞), got 0.0"),
    ({"clip_value": -1}, {}, "train.clip_value: expected a number in (0, ∞)"),
    ({"optimizer": "sgd", "beta1": 0.9}, {}, "train.beta1: applies to adam, adamw, not sgd"),
    ({"optimizer": "adam", "amsgrad": 1}, {}, "train.amsgrad: expected true or false, got the number 1"),
    ({"optimizer": "momentum", "momentum_form": "keras"}, {}, "train.momentum_form: expected one of pytorch, cs231n, ema"),
    ({"optimizer": "adam", "eps": "small"}, {}, "train.eps: expected a number, got the string 'small'"),
    ({}, {"l2": -0.1}, "loss.l2: expected a number from 0 to 1000"),
    ({}, {"l1": True}, "loss.l1: expected a number"),
    ({}, {"regularize_bias": "yes"}, "loss.regularize_bias: expected true or false"),
    ({"optimiser": "adam"}, {}, "train: unknown key 'optimiser' (did you mean 'optimizer'?)"),
])
def test_bad_training_keys_name_the_key(train, loss, message):
    with pytest.raises(SpecError) as err:
        load_spec(spec_with(train, loss))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_overflow_names_step_and_parameter():
    doc = spec_with({"optimizer": "sgd", "learning_rate": 1000.0, "steps": 50})
    with pytest.raises(BackcalcError, match=r"^step \d+: "):
        explain(load_spec(doc))


def test_json_state_and_updated_steps():
    d = explain(load_spec(spec_with({"optimizer": "adam"}))).to_dict()
    assert len(d["state"]) == 4 and len(d["updated_steps"]) == 4
    assert set(d["state"][0]["W1"]) == {"exp_avg", "exp_avg_sq"}
    assert np.shape(d["state"][2]["W2"]["exp_avg"]) == np.shape(d["updated"]["W2"])
    assert d["updated_steps"][-1] == d["updated"]
    plain = explain(load_spec(BASE)).to_dict()
    assert plain["state"][0] == {"W1": {}, "b1": {}, "W2": {}, "b2": {}, "W3": {}, "b3": {}}


def test_default_spec_unchanged_by_the_loop():
    # v1's plain SGD: updated = old − lr·gradient exactly as before the optimizer module
    d = explain()
    for u in d.updates:
        assert u.new == u.old - d.spec.learning_rate * u.grad


# ───────────────────────────── PyTorch, float64, the whole loop ─────────────────────────────

TORCH_CASES = [
    ({"optimizer": "sgd"}, {}),
    ({"optimizer": "sgd", "weight_decay": 0.1}, {"l2": 0.05}),
    ({"optimizer": "momentum"}, {"l1": 0.02}),
    ({"optimizer": "nesterov", "momentum": 0.7, "clip_value": 0.05}, {}),
    ({"optimizer": "adagrad"}, {"l2": 0.1, "regularize_bias": True}),
    ({"optimizer": "rmsprop", "alpha": 0.9}, {}),
    ({"optimizer": "rmsprop", "centered": True, "momentum": 0.5, "clip_norm": 0.1}, {}),
    ({"optimizer": "adam"}, {"l2": 0.01}),
    ({"optimizer": "adam", "amsgrad": True, "clip_norm": 0.05}, {"l1": 0.01, "l2": 0.02}),
    ({"optimizer": "adamw"}, {}),
    ({"optimizer": "adamw", "weight_decay": 0.2, "clip_norm": 0.5, "clip_value": 0.02}, {}),
]


def torch_run(torch, spec, dropout=None):
    """The spec's net trained by torch.optim with autograd (independent of backcalc's tape and optim).

    ``dropout(layer, a)`` applies a layer's dropout (default: a·mask/(1 − p) with the spec's mask)."""
    s = spec.training.optim
    params = []
    for layer in spec.layers:
        for key, value in layer.parameters().items():
            params.append((key, torch.tensor(value, dtype=torch.float64, requires_grad=True)))
    tp = dict(params)
    o = torch.optim
    leaves = [t for _, t in params]
    if s.optimizer in ("sgd", "momentum", "nesterov"):
        opt = o.SGD(leaves, lr=s.lr, momentum=s.momentum, nesterov=s.optimizer == "nesterov", weight_decay=s.weight_decay)
    elif s.optimizer == "adagrad":
        opt = o.Adagrad(leaves, lr=s.lr, eps=s.eps, weight_decay=s.weight_decay)
    elif s.optimizer == "rmsprop":
        opt = o.RMSprop(leaves, lr=s.lr, alpha=s.alpha, eps=s.eps, weight_decay=s.weight_decay,
                        momentum=s.momentum, centered=s.centered)
    else:
        cls = o.AdamW if s.optimizer == "adamw" else o.Adam
        opt = cls(leaves, lr=s.lr, betas=(s.beta1, s.beta2), eps=s.eps, weight_decay=s.weight_decay, amsgrad=s.amsgrad)
    reg = spec.training.regularization
    x, y = torch.tensor(spec.x), torch.tensor(spec.y)
    acts = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "linear": lambda z: z}
    losses_by_kind = {"mse": lambda a: ((a - y) ** 2).mean(), "half_sse": lambda a: 0.5 * ((a - y) ** 2).sum(),
                      "sse": lambda a: ((a - y) ** 2).sum()}
    losses, snapshots = [], []
    for _ in range(spec.steps):
        opt.zero_grad()
        a = x
        for layer in spec.layers:
            a = acts[layer.activation](a @ tp[f"W{layer.index}"] + tp.get(f"b{layer.index}", 0))
            if getattr(layer, "dropout", None) is not None:
                a = dropout(layer, a) if dropout else a * torch.tensor(layer.dropout.mask) / (1 - layer.dropout.p)
        loss = losses_by_kind[spec.loss](a)
        for key, t in params:
            if key.startswith("W") or reg.regularize_bias:
                loss = loss + reg.l2 * (t ** 2).sum() + reg.l1 * t.abs().sum()
        losses.append(loss.item())
        loss.backward()
        if s.clip_norm is not None:
            torch.nn.utils.clip_grad_norm_(leaves, s.clip_norm)
        if s.clip_value is not None:
            torch.nn.utils.clip_grad_value_(leaves, s.clip_value)
        opt.step()
        snapshots.append({k: t.detach().numpy().copy() for k, t in params})
    return losses, snapshots, {k: opt.state[t] for k, t in params}


@pytest.mark.parametrize("train, loss", TORCH_CASES)
def test_training_agrees_with_torch(train, loss):
    torch = pytest.importorskip("torch")
    spec = load_spec(spec_with(train, loss))
    d = explain(spec).to_dict()
    losses, snapshots, state = torch_run(torch, spec)
    assert_training_matches(d, losses, snapshots)
    for key, st in state.items():
        for name, value in st.items():
            if name != "step" and value is not None:
                np.testing.assert_allclose(np.array(d["state"][-1][key][name]), value.numpy(), rtol=1e-11, atol=1e-14)


def test_every_format_shows_the_optimizer_and_the_penalty():
    from pathlib import Path

    from backcalc.render import dot, latex, markdown, text

    root = Path(__file__).resolve().parent.parent / "worked_examples"
    adam = explain(load_spec(root / "adam_first_step.toml"))
    l2 = explain(load_spec(root / "l2_221.toml"))
    for lang, words in (("en", "Update: Adam"), ("id", "Pembaruan: Adam")):
        assert words in text.render(adam, lang=lang) and words in markdown.render(adam, lang=lang)
        assert words in dot.render(adam, lang=lang)
    assert r"\hat m_t" in latex.render(adam) and r"0.9 \cdot 0" in latex.render(adam)
    assert "L = data loss + λ₂·Σw² = 0.041456 + 0.01·2.375 = 0.065206" in text.render(l2)
    assert "= 0.041456 + 0.02375" in dot.render(l2)
    assert r"\lambda_2 \sum w^2" in latex.render(l2)
