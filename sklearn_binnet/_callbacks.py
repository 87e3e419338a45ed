"""scikit-learn's callback API (``sklearn.callback``) for both backends.

Where the installed scikit-learn has the API (1.9 and later),
``_CallbacksMixin`` is its ``CallbackSupportMixin`` plus the few calls that
``BaseBinaryMLP`` makes around a fit; elsewhere ``set_callbacks`` raises an
``ImportError`` that names the version needed, and those calls do nothing.

The task tree of a fit: the root task (``"fit"`` with ``max_iter``
subtasks, or ``"partial_fit"`` with one), and one leaf task per epoch
(``"epoch"``). Every task gets the data given to ``fit``: ``X`` as
validated for training (in the training dtype, all rows, the early-stopping
split included), its labels ``y``, and ``sample_weight`` as metadata. An
epoch ends with a
predict-ready copy of the estimator at that epoch (``fitted_estimator``),
made only when a callback asks for it. An epoch begins just after the
previous one ends, and only if another epoch is going to run, so that every
begun task also ends (unless the fit fails). A callback whose
``on_fit_task_end`` returns True stops the training after that epoch, like
the stopping rule: the weights of early stopping are then restored as
usual, and no ``ConvergenceWarning`` is raised.

The backends take no part: the epoch events come from the base's per-epoch
contract (``_end_epoch``), so the training itself is the same with or
without callbacks.
"""

import sklearn

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9
    CallbackSupportMixin = None

# The first scikit-learn release with sklearn.callback.
_CALLBACK_API_VERSION = "1.9"


class _NoCallbackSupport:
    """Stand-in for ``CallbackSupportMixin`` where scikit-learn lacks it."""

    def set_callbacks(self, *callbacks):
        """Set callbacks for the estimator (needs scikit-learn >= 1.9).

        Parameters
        ----------
        *callbacks : callback instances
            The callbacks of :mod:`sklearn.callback`.

        Returns
        -------
        self : object
            Never returns here: the installed scikit-learn has no callback
            API.

        Raises
        ------
        ImportError
            Always, naming the scikit-learn version needed.
        """
        raise ImportError(
            f"{type(self).__name__}.set_callbacks needs scikit-learn >= "
            f"{_CALLBACK_API_VERSION} (sklearn.callback); scikit-learn "
            f"{sklearn.__version__} is installed. Upgrade scikit-learn to use "
            "callbacks such as ProgressBar and ScoringMonitor."
        )


class _CallbacksMixin(CallbackSupportMixin or _NoCallbackSupport):
    """The callback calls of a fit; see the module docstring.

    The bookkeeping of one fit lives in ``_callback_state`` (None without
    callbacks), deleted when the fit ends; a failed fit loses it with the
    rest of the attributes it set.
    """

    def _start_callbacks(self, incremental):
        """Create the root task and set the callbacks up, before anything else.

        Called before the estimator's attributes are saved for a rollback,
        so that the bookkeeping of scikit-learn's teardown survives one.
        """
        if CallbackSupportMixin is None:
            return
        self._init_callback_context(
            task_name="partial_fit" if incremental else "fit",
            max_subtasks=1 if incremental else self.max_iter,
        )

    def _callbacks_begin_fit(self, X, y, sample_weight, incremental):
        """Begin the root task and the first epoch, with the data of the fit."""
        self._callback_state = None
        ctx = getattr(self, "_callback_fit_ctx", None)
        if ctx is None or not getattr(self, "_skl_callbacks", None):
            return
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        data = {"X": X, "y": y, "metadata": metadata}
        ctx.call_on_fit_task_begin(estimator=self, **data)
        self._callback_state = {
            "root": ctx,
            "data": data,
            "epochs": 1 if incremental else self.max_iter,
            "epoch": self._callbacks_begin_epoch(ctx, data),
        }

    def _callbacks_begin_epoch(self, root, data):
        epoch_ctx = root.subcontext(task_name="epoch")
        epoch_ctx.call_on_fit_task_begin(estimator=self, **data)
        return epoch_ctx

    def _callbacks_end_epoch(self, stop):
        """End the epoch's task; return ``stop``, or True if a callback stops.

        Begins the next epoch's task when one is going to run.
        """
        state = getattr(self, "_callback_state", None)
        if state is None:
            return stop
        requested = state["epoch"].call_on_fit_task_end(
            estimator=self,
            **state["data"],
            reconstruction_attributes=self._reconstruction_attributes,
        )
        if requested:
            # The user's decision, like the stopping rule: no ConvergenceWarning.
            self._stopped = stop = True
        if not stop and self.n_iter_ < state["epochs"]:
            state["epoch"] = self._callbacks_begin_epoch(state["root"], state["data"])
        return stop

    def _callbacks_end_fit(self):
        """End the root task with the fitted estimator."""
        state = self.__dict__.pop("_callback_state", None)
        if state is not None:
            state["root"].call_on_fit_task_end(
                estimator=self, **state["data"], reconstruction_attributes={}
            )

    def _reconstruction_attributes(self):
        """Return the attributes of a predict-ready copy at this epoch.

        The fitted state of ``_get_fitted_state`` with the current weights,
        taken over by ``_set_fitted_state`` on a shallow copy (which gives a
        backend that holds its network elsewhere a network of its own), so
        that the copy shares nothing with the training that goes on.
        """
        coefs, intercepts = self._get_weights()
        state = {
            name: getattr(self, name)
            for name in self._FITTED_STATE
            if hasattr(self, name)
        }
        state["coefs_"], state["intercepts_"] = coefs, intercepts
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin._set_fitted_state(state, coefs[0].dtype)
        return {
            name: value
            for name, value in vars(twin).items()
            if value is not self.__dict__.get(name)
        }
