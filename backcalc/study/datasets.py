"""Small generated data sets in numpy (no scikit-learn needed): uniform random, two moons, two blobs."""

from __future__ import annotations

import numpy as np

KINDS = ("random", "moons", "blobs")


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
