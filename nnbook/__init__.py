"""nnbook: deep neural networks from scratch with NumPy, the library of the nnbook course.

Modules, one job each: `numdiff` (finite differences), `activations`, `losses`, `layers`
(Dense), `network` (DNN), `gradients` (backprop and numerical gradients), `gradcheck`,
`training`, `data` (offline data sets), `plotting` and `widgets` (for the book's figures).
"""

from .activations import get_activation, identity, relu, sigmoid, softmax, tanh
from .data import digits_split, load_digits, make_moons, make_spirals, make_xor, random_sample
from .gradcheck import gradient_check, relative_error
from .layers import Dense, dense_backward
from .losses import get_loss, one_hot
from .network import DNN, parameter_count, parameter_count_from_sizes
from .numdiff import derivative, numerical_gradient
from .training import History, TrainingDivergedError, sgd_step, train

__version__ = "0.1.0"

__all__ = [
    "DNN", "Dense", "History", "TrainingDivergedError", "dense_backward", "derivative", "digits_split",
    "get_activation", "get_loss", "gradient_check", "identity", "load_digits", "make_moons", "make_spirals",
    "make_xor", "numerical_gradient", "one_hot", "parameter_count", "parameter_count_from_sizes",
    "random_sample", "relative_error", "relu", "sgd_step", "sigmoid", "softmax", "tanh", "train",
]
