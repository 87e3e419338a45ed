"""Stochastic optimizers in NumPy: SGD (momentum, Nesterov, schedules), Adam, AdamW.

Plain classes, not estimators, with scikit-learn's optimizer protocol:
``update_params`` after each mini-batch, ``iteration_ends`` after each epoch and
``trigger_stopping`` when the stopping rule fires (the last two, the
learning-rate schedule, come from the backend-neutral
``_schedules._LearningRateSchedule``).  The formulas are those of
``sklearn.neural_network._stochastic_optimizers`` so that a network trained here
follows ``MLPClassifier`` step for step; AdamW's are ``torch.optim.AdamW``'s.
The state works on one flat parameter vector and updates it in place: a
handful of array operations per step whatever the depth of the network.
"""

import math

import numpy as np

from ._schedules import _LearningRateSchedule


class _BaseOptimizer(_LearningRateSchedule):
    """Shared learning-rate bookkeeping.

    Parameters
    ----------
    learning_rate_init : float
        The initial step size.
    """

    def __init__(self, learning_rate_init):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)


class SGDOptimizer(_BaseOptimizer):
    """Stochastic gradient descent with momentum and learning-rate schedules.

    With ``v`` the velocity, ``mu`` the momentum and ``lr`` the learning rate,
    each step does ``v = mu * v - lr * g`` then ``w += v`` (classical momentum)
    or ``w += mu * v - lr * g`` (Nesterov's momentum).

    Parameters
    ----------
    params : ndarray of shape (n_params,)
        The flat parameter vector; only its shape and dtype are used here.
    learning_rate_init : float
        The initial step size.
    lr_schedule : {"constant", "invscaling", "adaptive"}
        ``"invscaling"`` sets ``lr = learning_rate_init / (t + 1) ** power_t``
        after each epoch, ``t`` being the number of samples seen;
        ``"adaptive"`` divides the rate by 5 when the stopping rule fires,
        until it falls below 1e-6.
    momentum : float
        Momentum, in [0, 1].
    nesterov : bool
        Whether to use Nesterov's momentum.
    power_t : float
        Exponent of ``"invscaling"``.
    """

    def __init__(
        self, params, learning_rate_init, lr_schedule, momentum, nesterov, power_t
    ):
        super().__init__(learning_rate_init)
        self.lr_schedule = lr_schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocity = np.zeros_like(params)
        self._scratch = np.empty_like(params)

    def update_params(self, params, grads):
        """Take one step on ``params`` in place.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
        grads : ndarray of shape (n_params,)
            Gradient of the loss with respect to ``params``.
        """
        rate = self._next_cosine_rate()
        if rate is not None:
            self.learning_rate = rate
        step = np.multiply(grads, self.learning_rate, out=self._scratch)
        if self.momentum == 0:
            params -= step
            return
        velocity = self.velocity
        velocity *= self.momentum
        velocity -= step
        if self.nesterov:
            params -= step
            step = np.multiply(velocity, self.momentum, out=self._scratch)
            params += step
        else:
            params += velocity


class AdamOptimizer(_BaseOptimizer):
    """Adam (Kingma and Ba, 2014) in scikit-learn's formulation.

    ``m`` and ``v`` are the running means of the gradient and its square; the
    bias corrections are folded into the step size,
    ``lr_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``, and the step is
    ``w -= lr_t * m / (sqrt(v) + epsilon)``.

    Parameters
    ----------
    params : ndarray of shape (n_params,)
        The flat parameter vector; only its shape and dtype are used here.
    learning_rate_init : float
        The initial step size.
    beta_1, beta_2 : float
        Decay rates of the first and second moment estimates, in [0, 1).
    epsilon : float
        Added to the denominator for numerical stability.
    """

    def __init__(self, params, learning_rate_init, beta_1, beta_2, epsilon):
        super().__init__(learning_rate_init)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.m = np.zeros_like(params)
        self.v = np.zeros_like(params)
        self._scratch = np.empty_like(params)

    def _update_moments(self, grads):
        """m, v <- the exponential averages of the gradient and its square."""
        scratch = self._scratch
        self.m *= self.beta_1
        self.m += np.multiply(grads, 1 - self.beta_1, out=scratch)
        self.v *= self.beta_2
        np.square(grads, out=scratch)
        scratch *= 1 - self.beta_2
        self.v += scratch

    def update_params(self, params, grads):
        """Take one step on ``params`` in place.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
        grads : ndarray of shape (n_params,)
            Gradient of the loss with respect to ``params``.
        """
        self.t += 1
        scratch = self._scratch
        self._update_moments(grads)
        rate = self._next_cosine_rate()
        # math.sqrt, the same correctly rounded root as np.sqrt, keeps the
        # rate a Python float: cheaper to multiply by in every step.
        self.learning_rate = (
            float(self.learning_rate_init if rate is None else rate)
            * math.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )
        np.sqrt(self.v, out=scratch)
        scratch += self.epsilon
        np.divide(self.m, scratch, out=scratch)
        scratch *= self.learning_rate
        params -= scratch


class AdamWOptimizer(AdamOptimizer):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019).

    The update of ``torch.optim.AdamW``, operation for operation: first the
    decay ``w -= lr * weight_decay * w``, then the moments as in Adam, then
    ``w -= lr / (1 - beta_1**t) * m / (sqrt(v) / sqrt(1 - beta_2**t) + eps)``:
    ``epsilon`` is added to the bias-corrected root, where
    :class:`AdamOptimizer` (scikit-learn's formula) adds it to ``sqrt(v)``.
    The decay applies to every parameter, biases included. ``learning_rate``
    stays the base rate ``lr``.

    Parameters
    ----------
    params : ndarray of shape (n_params,)
        The flat parameter vector; only its shape and dtype are used here.
    learning_rate_init : float
        The initial step size.
    beta_1, beta_2 : float
        Decay rates of the first and second moment estimates, in [0, 1).
    epsilon : float
        Added to the bias-corrected denominator.
    weight_decay : float
        Decoupled decay rate, multiplied by the learning rate at each step.
    """

    def __init__(
        self, params, learning_rate_init, beta_1, beta_2, epsilon, weight_decay
    ):
        super().__init__(params, learning_rate_init, beta_1, beta_2, epsilon)
        self.weight_decay = weight_decay

    def update_params(self, params, grads):
        """Take one step on ``params`` in place.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
        grads : ndarray of shape (n_params,)
            Gradient of the loss with respect to ``params``.
        """
        self.t += 1
        rate = self._next_cosine_rate()
        if rate is not None:
            self.learning_rate = rate
        lr = self.learning_rate
        scratch = self._scratch
        if self.weight_decay:
            params *= 1 - lr * self.weight_decay
        self._update_moments(grads)
        np.sqrt(self.v, out=scratch)
        scratch /= math.sqrt(1 - self.beta_2**self.t)
        scratch += self.epsilon
        np.divide(self.m, scratch, out=scratch)
        scratch *= lr / (1 - self.beta_1**self.t)
        params -= scratch
