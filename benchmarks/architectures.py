"""``benchmarks/train.py``'s choice of network, measured: one agent's forward pass through our
MLP against FCGrad's convolutional network (Kim & Sycara 2025) written as im2col in NumPy,
and autograd's gradient of the batched layer by ``np.matmul`` against ``np.einsum``."""

import time

import numpy as np


def architectures(S=1024, repeats=5):
    """Median ms of one agent's forward pass on S views (15x15x3): our MLP 675-64-64-9
    against FCGrad's CNN (5x5, 3x3, 3x3 convolutions of 32 channels, then 64 units) by
    im2col; and autograd's gradient of the batched layer by ``np.matmul`` and by
    ``np.einsum`` (N = 5 agents)."""
    import autograd.numpy as anp
    from autograd import grad

    rng = np.random.default_rng(0)
    x = rng.random((S, 15, 15, 3), dtype=np.float32)
    W = {k: rng.standard_normal(s).astype(np.float32) * 0.1 for k, s in
         {"m1": (675, 64), "m2": (64, 64), "m3": (64, 9), "c1": (75, 32), "c2": (288, 32),
          "c3": (288, 32), "d": (7 * 7 * 32, 64), "o": (64, 9)}.items()}  # fmt: skip

    def im2col(a, k):  # (S, H, W, C) -> (S, H-k+1, W-k+1, k*k*C)
        windows = np.lib.stride_tricks.sliding_window_view(a, (k, k), axis=(1, 2))
        return windows.transpose(0, 1, 2, 4, 5, 3).reshape(*windows.shape[:3], -1)

    def mlp():
        h = np.tanh(x.reshape(S, -1) @ W["m1"])
        return np.tanh(h @ W["m2"]) @ W["m3"]

    def cnn():
        h = np.maximum(im2col(x, 5) @ W["c1"], 0)  # (S, 11, 11, 32)
        h = np.maximum(im2col(h, 3) @ W["c2"], 0)  # (S, 9, 9, 32)
        h = np.maximum(im2col(h, 3) @ W["c3"], 0)  # (S, 7, 7, 32)
        return np.maximum(h.reshape(S, -1) @ W["d"], 0) @ W["o"]

    xs = rng.random((5, S, 675), dtype=np.float32)
    Ws = rng.random((5, 675, 64), dtype=np.float32) * np.float32(0.01)
    batched = {
        "matmul": lambda w: anp.sum(anp.tanh(anp.matmul(xs, w))),
        "einsum": lambda w: anp.sum(anp.tanh(anp.einsum("nsf,nfh->nsh", xs, w))),
    }
    times = {"mlp": [], "cnn": [], "matmul": [], "einsum": []}
    for _ in range(repeats):
        for name, f in (("mlp", mlp), ("cnn", cnn)):
            start = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - start)
        for name, f in batched.items():
            start = time.perf_counter()
            grad(f)(Ws)
            times[name].append(time.perf_counter() - start)
    return {k: 1e3 * float(np.median(v)) for k, v in times.items()}
