"""The seed notebooks' experiments as presets, at a size this machine runs in seconds.

Each preset is the options it fixes (``compare`` among them for a side-by-side run); an option given beside
a preset must agree with it. ``backcalc vanishing --preset NAME`` prints the experiment's table.

>>> sorted(PRESETS)
['seed000', 'seed001', 'seed002', 'seed003']
"""

from __future__ import annotations

#: Seed 002's grid: three initialisations × four non-saturating activations, then batch norm after and
#: before the activation (the notebook's elu + he_normal pair) — one column each.
SEED002_COMPARE = ",".join(
    [f"{act}:{init}" for init in ("xavier_normal", "he_normal", "lecun_normal")
     for act in ("relu", "leaky_relu(0.2)", "elu", "selu")]
    + ["elu:he_normal+bn_after", "elu:he_normal+bn"])

PRESETS = {
    # 1000 × 500 inputs in [−1, 1], 9 layers 500 → 512×8 → 1, sigmoid everywhere, N(0, 0.01²), ½·SSE.
    "seed000": dict(depth=9, width=512, samples=1000, features=500, activation="sigmoid",
                    output_activation="sigmoid", init="normal:0.01", loss="half_sse", data="random"),
    # A deep sigmoid net on handwritten digits (the notebook: MNIST, 5 × 1000 units): 8×8 digits, 64 → 128×5 → 10,
    # PyTorch's Linear init, softmax cross-entropy, SGD with momentum 0.9, lr 0.01, batches of 100, 10 epochs.
    "seed001": dict(depth=6, width=128, data="digits", activation="sigmoid", output_activation="linear",
                    init="torch_linear", loss="cross_entropy", optimizer="momentum", momentum=0.9,
                    learning_rate=0.01, batch_size=100, epochs=10),
    # Initialisations × non-saturating activations, batch norm after / before the activation, on a deep net:
    # 512 × 64 inputs, 64 → 64×9 → 1, binary cross-entropy, SGD lr 0.01, batches of 32, 5 epochs.
    "seed002": dict(depth=10, width=64, samples=512, features=64, data="random", output_activation="sigmoid",
                    loss="bce", optimizer="sgd", learning_rate=0.01, batch_size=32, epochs=5,
                    compare=SEED002_COMPARE),
    # make_moons(250, noise=0.05, random_state=42), train_test_split(test_size=0.2, random_state=42), ten Dense
    # layers 2 → 10×9 → 1 with Keras's glorot_uniform, sigmoid against relu, Adam lr 0.001, bce, 100 epochs of 32.
    "seed003": dict(depth=10, width=10, samples=250, data="sklearn_moons", noise=0.05, data_seed=42,
                    test_fraction=0.2, output_activation="sigmoid", loss="bce", optimizer="adam",
                    learning_rate=0.001, batch_size=32, epochs=100,
                    compare="sigmoid:xavier_uniform,relu:xavier_uniform"),
}
