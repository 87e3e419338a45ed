"""The learning-rate schedules, shared by the optimizers of every backend.

``_LearningRateSchedule`` holds the rules of ``MLPClassifier`` (constant,
``invscaling`` after each epoch, ``adaptive`` when the stopping rule fires)
and the per-step cosine schedule with its linear warm-up. The NumPy
optimizers (``_optimizers``) and the torch ones (``_torch._optimizers``)
inherit it, so every backend follows the same rates.
"""

import math


def _cosine_rate(rate, step, total_steps, warmup_steps):
    """Return the rate of step ``step`` (from 0) of the cosine schedule.

    The first ``warmup_steps`` steps rise linearly,
    ``rate * (step + 1) / (warmup_steps + 1)``; the others follow
    ``rate * (1 + cos(pi * (step - warmup_steps) / (total_steps -
    warmup_steps))) / 2``, which would reach 0 at ``step = total_steps``:
    the rates of ``torch.optim.lr_scheduler.CosineAnnealingLR`` (after a
    ``LinearLR`` warm-up from ``1 / (warmup_steps + 1)`` in a
    ``SequentialLR``). The schedule restarts every ``total_steps`` steps.
    """
    step %= total_steps
    if step < warmup_steps:
        return rate * (step + 1) / (warmup_steps + 1)
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return 0.5 * rate * (1.0 + math.cos(math.pi * progress))


class _LearningRateSchedule:
    """The end-of-epoch learning-rate rules, shared by every optimizer.

    The rules only read and write ``learning_rate``, ``learning_rate_init``,
    ``lr_schedule`` and ``power_t``, so an optimizer of any backend (the
    torch optimizers keep the rate in their parameter groups) gets the same
    schedules by inheriting this class and exposing those attributes. With
    ``update_params`` (or a backend's own step), these two methods are the
    whole optimizer protocol that the estimators call.
    """

    lr_schedule = "constant"
    power_t = 0.5
    # The step counter of learning_rate="cosine", {"step", "total", "warmup"};
    # None for the other schedules.
    cosine = None

    def start_cosine(self, total_steps, warmup_steps):
        """Set the length of the cosine schedule, or None to turn it off.

        The step count carries on when the schedule is already running (a
        ``partial_fit`` continues it).

        Parameters
        ----------
        total_steps : int or None
            Steps of one cosine period: ``max_iter`` epochs of batches.
        warmup_steps : int
            Steps of the linear warm-up at its start.
        """
        if total_steps is None:
            if self.cosine is not None:
                self.cosine = None
            return
        step = 0 if self.cosine is None else self.cosine["step"]
        self.cosine = {"step": step, "total": total_steps, "warmup": warmup_steps}

    def _next_cosine_rate(self):
        """Return the cosine rate of the coming step and count it; else None."""
        cosine = self.cosine
        if cosine is None:
            return None
        step = cosine["step"]
        cosine["step"] = step + 1
        return _cosine_rate(
            float(self.learning_rate_init), step, cosine["total"], cosine["warmup"]
        )

    def iteration_ends(self, time_step):
        """Update the learning rate at the end of an epoch.

        Parameters
        ----------
        time_step : int
            Number of training samples seen so far.
        """
        if self.lr_schedule == "invscaling":
            self.learning_rate = (
                float(self.learning_rate_init) / (time_step + 1) ** self.power_t
            )

    def trigger_stopping(self, msg, verbose):
        """Decide whether training stops when the stopping rule fires.

        With the ``"adaptive"`` schedule the rate is divided by 5 instead,
        until it falls below 1e-6.

        Parameters
        ----------
        msg : str
            Why the rule fired, printed when ``verbose``.
        verbose : bool
            Whether to print ``msg``.

        Returns
        -------
        stop : bool
        """
        if self.lr_schedule != "adaptive":
            if verbose:
                print(msg + " Stopping.")
            return True
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(msg + f" Setting learning rate to {self.learning_rate:f}")
        return False
