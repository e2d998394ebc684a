"""Run chapter notebooks top to bottom in one fresh kernel and store outputs and widget state.

Usage: python tools/execute.py chapters/01_numerical_differentiation.ipynb [...]
"""

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        store_widget_state=True,
        record_timing=False,  # no per-cell timestamps in the stored notebook (they churn every diff)
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    nbformat.write(nb, path)
    print(f"executed {path}")


if __name__ == "__main__":
    # One BLAS thread: small matrix products are faster and timings steadier (the kernel inherits this).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    for arg in sys.argv[1:]:
        execute(Path(arg))
