"""The study's data sets: generated in numpy (random, moons, blobs), scikit-learn's two moons rebuilt draw
for draw without scikit-learn (``sklearn_moons``), and scikit-learn's 8×8 handwritten digits (``digits``,
the optional ``data`` extra: ``pip install 'backcalc[data]'``).

>>> x, y = make_data("random", 4, 3, np.random.default_rng(0))
>>> x.shape, y.shape
((4, 3), (4, 1))
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import VanishingError

KINDS = ("random", "moons", "blobs", "sklearn_moons", "digits")
#: How many classes each kind has (2: one sigmoid output; more: one output per class).
CLASSES = {"random": 2, "moons": 2, "blobs": 2, "sklearn_moons": 2, "digits": 10}
#: Input columns each kind fixes (None: ``--features`` chooses).
FIXED_FEATURES = {"sklearn_moons": 2, "digits": 64}
DIGITS_SAMPLES = 1797
DATA_EXTRA = "pip install 'backcalc[data]'"


def make_data(kind: str, samples: int, features: int, rng: np.random.Generator):
    """Inputs in [−1, 1] and binary targets: ``random`` (uniform inputs, a random linear rule as target),
    ``moons`` (two interleaving half circles, noise 0.1, extra features are noise) or ``blobs`` (two
    Gaussian clouds three standard deviations apart). Moons and blobs are min-max scaled to [−1, 1]."""
    if kind == "random":
        x = rng.uniform(-1.0, 1.0, (samples, features))
        y = (x @ rng.standard_normal(features) > 0).astype(float)
        return x, y.reshape(-1, 1)
    if kind == "moons":
        n_out = samples // 2
        t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, samples - n_out)
        x = np.vstack([np.column_stack([np.cos(t_out), np.sin(t_out)]),
                       np.column_stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)])])
        x = np.hstack([x + rng.normal(0.0, 0.1, x.shape), rng.standard_normal((samples, features - 2))])
        y = np.r_[np.zeros(n_out), np.ones(samples - n_out)]
    else:
        direction = rng.standard_normal(features)
        direction /= np.linalg.norm(direction)
        y = np.r_[np.zeros(samples // 2), np.ones(samples - samples // 2)]
        x = rng.standard_normal((samples, features)) + np.outer(3.0 * y - 1.5, direction)
    order = rng.permutation(samples)
    x, y = x[order], y[order]
    low, high = x.min(axis=0), x.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    return 2.0 * (x - low) / span - 1.0, y.reshape(-1, 1)


def sklearn_moons(samples: int, noise: float, random_state: int):
    """``sklearn.datasets.make_moons(samples, noise=noise, random_state=random_state)``, draw for draw:
    the same half circles, the same shuffle and the same noise from numpy's legacy ``RandomState``.

    >>> x, y = sklearn_moons(6, 0.0, 0)
    >>> x.shape, sorted(y.ravel().tolist())
    ((6, 2), [0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    """
    n_out = samples // 2
    n_in = samples - n_out
    generator = np.random.RandomState(random_state)
    x = np.vstack([np.append(np.cos(np.linspace(0, np.pi, n_out)), 1 - np.cos(np.linspace(0, np.pi, n_in))),
                   np.append(np.sin(np.linspace(0, np.pi, n_out)), 1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5)]).T
    y = np.hstack([np.zeros(n_out), np.ones(n_in)])
    indices = np.arange(samples)
    generator.shuffle(indices)            # sklearn.utils.shuffle
    x, y = x[indices], y[indices]
    if noise:
        x = x + generator.normal(scale=noise, size=x.shape)
    return x, y.reshape(-1, 1)


def train_test_split(samples: int, test_fraction: float, random_state: int):
    """The (train, test) row indices of ``sklearn.model_selection.train_test_split(..., test_size=test_fraction,
    random_state=random_state)``: one legacy ``RandomState`` permutation, the first ⌈fraction·n⌉ rows test.

    >>> train, test = train_test_split(10, 0.2, 42)
    >>> len(train), len(test)
    (8, 2)
    """
    n_test = math.ceil(test_fraction * samples)
    permutation = np.random.RandomState(random_state).permutation(samples)
    return permutation[n_test:], permutation[:n_test]


def digits():
    """scikit-learn's 8×8 handwritten digits (1797 × 64, pixel values 0..16, labels 0..9), scaled to [−1, 1]
    as ``Normalize((0.5,), (0.5,))`` does to a [0, 1] image. Needs the ``data`` extra; the file is read
    straight from the installed package (``load_digits`` reads the same file), so scikit-learn's own
    import — seconds — is never paid."""
    import gzip
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("sklearn")
    path = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz" if spec and spec.origin else None
    if path is None or not path.is_file():
        raise VanishingError(f"--data digits needs scikit-learn's 8×8 digits, which ship with the data extra: "
                             f"{DATA_EXTRA}")
    with gzip.open(path, "rt") as handle:
        table = np.loadtxt(handle, delimiter=",")
    return table[:, :-1] / 8.0 - 1.0, table[:, -1:].copy()


def have_digits() -> bool:
    """Whether ``--data digits`` can run here (scikit-learn installed)."""
    import importlib.util

    return importlib.util.find_spec("sklearn") is not None
