"""Benchmarks of nnbook's gradients and training, printed as a table of ratios.

Every comparison runs side by side in this one process, the functions taking turns; each time
is the best of a few repeats (time.perf_counter). The one exception: with more than one thread,
each library's training epochs run in a process of their own (see `separate_process_times`).
Peak memory is tracemalloc's peak of NumPy's allocations during one call. PyTorch, if
installed, is timed on the same network and loop on the CPU (optional), with as many threads
as NumPy's BLAS has (OPENBLAS_NUM_THREADS; `make bench` sets 1, then every core).

    python bench/bench_gradients.py            # everything (the S4 per-scalar loop takes ~40 s)
    python bench/bench_gradients.py --quick    # estimate the S4 loop from a sample of its scalars
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import tracemalloc

import numpy as np

from nnbook import DNN, digits_split, gradients, random_sample, sgd_step

try:  # optional, never required
    import torch
except ImportError:  # pragma: no cover
    torch = None


def best_time(fn, repeats: int = 5) -> float:
    """Best wall time of `repeats` calls, in seconds."""
    return best_times([fn], repeats)[0]


def best_times(fns, repeats: int = 5, calls: list[int] | None = None) -> list[float]:
    """Best wall time per call of each function, in seconds, over `repeats` rounds of `calls[i]`
    calls each. The functions take turns within each round, so a slow spell of the machine (this
    one is a shared virtual machine) hits all of them alike."""
    calls = calls or [1] * len(fns)
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, (fn, n) in enumerate(zip(fns, calls)):
            start = time.perf_counter()
            for _ in range(n):
                fn()
            best[i] = min(best[i], (time.perf_counter() - start) / n)
    return best


def peak_mib(fn) -> float:
    """Peak traced memory (MiB) of one call."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def row(case: str, what: str, seconds: float, baseline: float | None = None, mib: float | None = None) -> None:
    ratio = f"{baseline / seconds:9.1f}x" if baseline else " " * 10
    memory = f"{mib:9.1f}" if mib is not None else " " * 9
    print(f"{case:<44} {what:<26} {seconds * 1e3:12.3f} {ratio} {memory}")


def s1_gradients(depth: int) -> None:
    net = DNN(depth, 32, 10, 2, seed=0)
    x, y = random_sample(seed=1)
    case = f"S1 10-{depth}x32-2, 1 sample, forward"
    grad = {m: (lambda m=m: net.gradients(x, y, "half_mse", method=m, difference="forward", h=1e-4))
            for m in ("numerical-loop", "numerical", "backprop")}
    t_loop, t_vec, t_bp = best_times(list(grad.values()), 4, [1, 20, 200])
    row(case, "numerical-loop (baseline)", t_loop, None, peak_mib(grad["numerical-loop"]))
    row(case, "numerical", t_vec, t_loop, peak_mib(grad["numerical"]))
    row(case, "backprop", t_bp, t_loop, peak_mib(grad["backprop"]))


def s4_gradients(quick: bool) -> None:
    net = DNN.from_sizes([784, 100, 10], "sigmoid", "softmax", seed=0)
    rng = np.random.default_rng(0)
    x, labels = rng.random((100, 784)), rng.integers(0, 10, 100)
    case = "S4 784-100-10, 100 samples, central"

    def gradient(method: str):
        return lambda: net.gradients(x, labels, "cross_entropy", method=method, difference="central", h=1e-4)

    if quick:  # time a sample of scalars the loop's way and scale up to all P of them
        layer = net.layers[0]
        idx = [(i, j) for i in range(0, 784, 79) for j in range(0, 100, 10)]

        def some_scalars():
            for i, j in idx:
                old = layer.W[i, j]
                for step in (1e-4, -1e-4):
                    layer.W[i, j] = old + step
                    net.loss(x, labels, "cross_entropy")
                layer.W[i, j] = old

        t_loop = best_time(some_scalars, 2) * net.n_params / len(idx)
        row(case, "numerical-loop (estimated)", t_loop)
    else:
        t_loop = best_time(gradient("numerical-loop"), 1)
        row(case, "numerical-loop (baseline)", t_loop)
    threads = gradients.MAX_THREADS

    def one_thread():
        gradients.MAX_THREADS = 1
        try:
            gradient("numerical")()
        finally:
            gradients.MAX_THREADS = threads

    t_vec, t_one = best_times([gradient("numerical"), one_thread], 5)
    row(case, f"numerical ({threads} threads)", t_vec, t_loop, peak_mib(gradient("numerical")))
    if threads > 1:
        row(case, "numerical (1 thread)", t_one, t_loop)
    row(case, "backprop", best_time(gradient("backprop"), 20), t_loop, peak_mib(gradient("backprop")))


def torch_epoch(sizes, x, labels, batch_size, dtype, lr=0.1):
    """One epoch of plain SGD in PyTorch on the CPU, the same network and loop as nnbook's."""
    torch_dtype = torch.float32 if dtype == np.float32 else torch.float64
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b, dtype=torch_dtype))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    xt, yt = torch.from_numpy(x.astype(dtype)), torch.from_numpy(labels)
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch():
        for start in range(0, len(xt), batch_size):
            opt.zero_grad()
            loss_fn(model(xt[start:start + batch_size]), yt[start:start + batch_size]).backward()
            opt.step()

    return epoch


def plain_numpy_epoch(net: DNN, x, labels, batch_size, lr=0.1):
    """The same epoch written out in bare NumPy, with no checks and no layers: the floor that
    nnbook's plumbing (argument checks, layer objects, the loss value) is measured against."""
    Ws = [layer.W.copy() for layer in net.layers]
    bs = [layer.b.copy() for layer in net.layers]

    def epoch():
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size], labels[start:start + batch_size]
            activations, zs = [xb], []
            for W, b in zip(Ws, bs):
                z = activations[-1] @ W
                z += b
                zs.append(z)
                activations.append(np.maximum(z, 0))
            logits = zs[-1]
            delta = np.exp(logits - logits.max(axis=1, keepdims=True))
            delta /= delta.sum(axis=1, keepdims=True)
            delta[np.arange(len(yb)), yb] -= 1
            delta /= len(yb)
            for i in range(len(Ws) - 1, -1, -1):
                dW, db = activations[i].T @ delta, delta.sum(axis=0)
                if i:
                    delta = (delta @ Ws[i].T) * (zs[i - 1] > 0)
                Ws[i] -= lr * dW
                bs[i] -= lr * db

    return epoch


TRAINING_CASES = [  # (name, layer sizes, batch size, dtype); data from training_data(name)
    ("digits 64-128-64-10", [64, 128, 64, 10], 64, np.float32),
    ("digits 64-128-64-10", [64, 128, 64, 10], 64, np.float64),
    ("random 784-256-256-10", [784, 256, 256, 10], 128, np.float32),
    ("random 784-256-256-10", [784, 256, 256, 10], 128, np.float64),
]
LIBRARIES = ("PyTorch", "nnbook", "bare NumPy")


def training_data(name: str):
    """(inputs, integer labels) of a training case: the digits training split, or seeded random data."""
    if name.startswith("digits"):
        return digits_split(seed=0)[:2]
    rng = np.random.default_rng(0)
    return rng.random((10_000, 784)), rng.integers(0, 10, 10_000)


def training_epochs(index: int) -> dict:
    """One epoch of mini-batch SGD with backprop for training case `index`, per library:
    nnbook's gradients + sgd_step, the same in bare NumPy, and PyTorch's loop (if installed)."""
    name, sizes, batch_size, dtype = TRAINING_CASES[index]
    x, labels = training_data(name)
    net = DNN.from_sizes(sizes, "relu", "identity", seed=0, init="he", dtype=dtype)
    x = x.astype(dtype)

    def epoch():
        for start in range(0, len(x), batch_size):
            _, grads = net.gradients(x[start:start + batch_size], labels[start:start + batch_size],
                                     "softmax_cross_entropy", method="backprop")
            sgd_step(net, grads, 0.1)

    epochs = {"nnbook": epoch, "bare NumPy": plain_numpy_epoch(net, x, labels, batch_size)}
    if torch is not None:
        epochs["PyTorch"] = torch_epoch(sizes, x, labels, batch_size, dtype)
    return epochs


def training_repeats(index: int) -> int:
    name = TRAINING_CASES[index][0]
    return 15 if name.startswith("digits") else 5


def time_in_own_process(index: int, library: str) -> None:
    """Child of `separate_process_times`: print the best epoch time of one library, in seconds."""
    print(best_time(training_epochs(index)[library], training_repeats(index)))


def separate_process_times(index: int, libraries: list[str], rounds: int = 3) -> list[float]:
    """Best epoch time of each library, each timed in a process of its own, the libraries taking
    turns for `rounds` rounds. With more than one thread, timing them side by side in one process
    is unfair: the worker threads of the library that just ran keep spinning for a while and take
    a core from the next one."""
    best = [float("inf")] * len(libraries)
    for _ in range(rounds):
        for i, library in enumerate(libraries):
            command = [sys.executable, __file__, "--time-one", str(index), library]
            best[i] = min(best[i], float(subprocess.run(command, check=True, capture_output=True, text=True).stdout))
    return best


def training_throughput(index: int, threads: int) -> None:
    """Print the epoch times of one training case: side by side in this process on one thread,
    in separate processes with more."""
    name, _, batch_size, dtype = TRAINING_CASES[index]
    epochs = training_epochs(index)
    libraries = [library for library in LIBRARIES if library in epochs]
    if threads == 1:
        times = best_times([epochs[library] for library in libraries], training_repeats(index))
    else:
        times = separate_process_times(index, libraries)
    t = dict(zip(libraries, times))
    case = f"train {name} {np.dtype(dtype).name} b{batch_size}"
    if "PyTorch" in t:
        row(case, "PyTorch CPU (baseline)", t["PyTorch"])
    row(case, "nnbook backprop, 1 epoch", t["nnbook"], t.get("PyTorch"), peak_mib(epochs["nnbook"]))
    row(case, "bare NumPy, no checks", t["bare NumPy"], t.get("PyTorch"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="estimate the S4 per-scalar loop instead of running it")
    parser.add_argument("--part", choices=["all", "gradients", "training"], default="all", help="which tables to run")
    parser.add_argument("--time-one", nargs=2, metavar=("CASE", "LIBRARY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    threads = int(os.environ.get("OPENBLAS_NUM_THREADS") or os.cpu_count() or 1)
    if torch is not None:
        torch.set_num_threads(threads)  # the same cores for both libraries
    if args.time_one:
        return time_in_own_process(int(args.time_one[0]), args.time_one[1])
    versions = f"numpy {np.__version__} ({threads} BLAS threads; numerical gradient: {gradients.MAX_THREADS} threads)"
    if torch is not None:
        versions += f", torch {torch.__version__} ({torch.get_num_threads()} threads)"
    print(versions if torch else versions + ", torch not installed (its rows are left out)")
    print(f"{'case':<44} {'method':<26} {'ms/call':>12} {'speed-up':>10} {'peak MiB':>9}")
    if args.part in ("all", "gradients"):
        s1_gradients(5)
        s1_gradients(10)
        s4_gradients(args.quick)
    if args.part in ("all", "training"):
        for index in range(len(TRAINING_CASES)):
            training_throughput(index, threads)


if __name__ == "__main__":
    main()
