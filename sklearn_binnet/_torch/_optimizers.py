"""scikit-learn's SGD and Adam, and AdamW, as torch optimizers.

Each step is the NumPy optimizers' step, operation for operation, so that both
backends round alike; the end-of-epoch rules (learning-rate schedules and the
stopping decision) are inherited from the backend-neutral
``_LearningRateSchedule``. The learning rate lives in the parameter groups,
where torch's schedulers (and skorch's ``LRScheduler``) look for it and where
torch keeps it when pickling: torch pickles an optimizer as
``(defaults, state, param_groups)`` and drops other attributes.
"""

import math

import torch

from .._schedules import _LearningRateSchedule


class _SklearnOptimizer(_LearningRateSchedule, torch.optim.Optimizer):
    """A torch optimizer that the NumPy schedules can read and set.

    ``step`` evaluates the closure and hands each parameter group, with the
    parameters that have a gradient, to ``_update``, which subclasses write.
    Every setting lives in the groups, the rate as ``lr`` (current) and
    ``initial_lr`` (where the schedules start).
    """

    def __init__(self, params, lr, **settings):
        super().__init__(params, dict(lr=lr, initial_lr=lr, **settings))

    @property
    def learning_rate(self):
        return self.param_groups[0]["lr"]

    @learning_rate.setter
    def learning_rate(self, value):
        for group in self.param_groups:
            group["lr"] = value

    @property
    def learning_rate_init(self):
        return self.param_groups[0]["initial_lr"]

    # The cosine schedule's counter lives in the groups, which torch pickles.
    @property
    def cosine(self):
        return self.param_groups[0].get("cosine")

    @cosine.setter
    def cosine(self, value):
        for group in self.param_groups:
            group["cosine"] = value

    @torch.no_grad()
    def step(self, closure=None):
        """Take one optimisation step.

        Parameters
        ----------
        closure : callable, default=None
            Re-evaluates the model and returns the loss.

        Returns
        -------
        loss : Tensor or None
            What ``closure`` returned.
        """
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        rate = self._next_cosine_rate()
        if rate is not None:
            self.learning_rate = rate
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if params:
                self._update(group, params)
        return loss

    def _buffers(self, params, name):
        """Return the state tensor ``name`` of each parameter, zero at first."""
        buffers = []
        for p in params:
            state = self.state[p]
            if name not in state:
                state[name] = torch.zeros_like(p)
            buffers.append(state[name])
        return buffers

    def _update(self, group, params):
        """Update ``params`` of ``group`` from their gradients, in place."""
        raise NotImplementedError


class _SklearnSGD(_SklearnOptimizer):
    """SGD with momentum and scikit-learn's schedules, as a torch optimizer.

    ``step = lr * g``, ``v = mu * v - step``, then ``w -= step; w += mu * v``
    (Nesterov) or ``w += v``: the NumPy ``SGDOptimizer``'s operations.
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0.9,
        nesterov=True,
        lr_schedule="constant",
        power_t=0.5,
    ):
        super().__init__(
            params,
            lr,
            momentum=momentum,
            nesterov=nesterov,
            lr_schedule=lr_schedule,
            power_t=power_t,
        )

    @property
    def lr_schedule(self):
        return self.param_groups[0]["lr_schedule"]

    @property
    def power_t(self):
        return self.param_groups[0]["power_t"]

    def _update(self, group, params):
        steps = torch._foreach_mul([p.grad for p in params], group["lr"])
        momentum = group["momentum"]
        if momentum == 0:
            torch._foreach_sub_(params, steps)
            return
        velocities = self._buffers(params, "velocity")
        torch._foreach_mul_(velocities, momentum)
        torch._foreach_sub_(velocities, steps)
        if group["nesterov"]:
            torch._foreach_sub_(params, steps)
            torch._foreach_add_(params, torch._foreach_mul(velocities, momentum))
        else:
            torch._foreach_add_(params, velocities)


class _AdamMoments:
    """The moment estimates shared by the Adam-type optimizers."""

    def _advance_moments(self, group, params):
        """Count the step and update the moment buffers; return t, m and v."""
        grads = [p.grad for p in params]
        beta_1, beta_2 = group["beta_1"], group["beta_2"]
        group["t"] += 1
        means = self._buffers(params, "exp_avg")
        squares = self._buffers(params, "exp_avg_sq")
        torch._foreach_mul_(means, beta_1)
        torch._foreach_add_(means, torch._foreach_mul(grads, 1 - beta_1))
        torch._foreach_mul_(squares, beta_2)
        grad_squares = torch._foreach_mul(grads, grads)
        torch._foreach_mul_(grad_squares, 1 - beta_2)
        torch._foreach_add_(squares, grad_squares)
        return group["t"], means, squares


class _SklearnAdam(_AdamMoments, _SklearnOptimizer):
    """Adam in scikit-learn's formulation, as a torch optimizer.

    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g^2``, then
    ``w -= lr_t * m / (sqrt(v) + eps)`` with the bias corrections folded into
    ``lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t)``: torch's own Adam puts ``eps``
    inside the corrected denominator instead, which gives other weights.
    ``t`` counts the steps and is shared by all parameters.
    """

    def __init__(self, params, lr=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        super().__init__(params, lr, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, t=0)

    def _update(self, group, params):
        t, means, squares = self._advance_moments(group, params)
        beta_1, beta_2 = group["beta_1"], group["beta_2"]
        lr_t = group["lr"] * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        denominators = torch._foreach_sqrt(squares)
        torch._foreach_add_(denominators, group["epsilon"])
        updates = torch._foreach_div(means, denominators)
        torch._foreach_mul_(updates, lr_t)
        torch._foreach_sub_(params, updates)


class _SklearnAdamW(_AdamMoments, _SklearnOptimizer):
    """``torch.optim.AdamW``'s update, written as the NumPy ``AdamWOptimizer``.

    ``w -= lr * weight_decay * w``, the moments as in Adam, then
    ``w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)``, in the
    NumPy optimizer's order of operations, so that both backends round alike.
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        weight_decay=0.0,
    ):
        super().__init__(
            params,
            lr,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            weight_decay=weight_decay,
            t=0,
        )

    def _update(self, group, params):
        lr = group["lr"]
        if group["weight_decay"]:
            torch._foreach_mul_(params, 1 - lr * group["weight_decay"])
        t, means, squares = self._advance_moments(group, params)
        beta_1, beta_2 = group["beta_1"], group["beta_2"]
        denominators = torch._foreach_sqrt(squares)
        torch._foreach_div_(denominators, math.sqrt(1 - beta_2**t))
        torch._foreach_add_(denominators, group["epsilon"])
        updates = torch._foreach_div(means, denominators)
        torch._foreach_mul_(updates, lr / (1 - beta_1**t))
        torch._foreach_sub_(params, updates)
