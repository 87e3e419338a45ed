"""The order of the examples in the gallery: from the tutorial to the details."""

ORDER = (
    "plot_tutorial_numpy.py",
    "plot_tutorial_torch.py",
    "plot_decision_boundaries.py",
    "plot_early_stopping.py",
    "plot_training_options.py",
    "plot_real_tabular_data.py",
    "plot_grid_search.py",
    "plot_class_imbalance.py",
    "plot_backend_parity.py",
    "plot_benchmarks.py",
)


class GallerySortKey:
    """Sort key of sphinx-gallery's ``within_subsection_order``.

    Examples missing from ``ORDER`` come last, by file name.

    Parameters
    ----------
    src_dir : str or pathlib.Path
        The gallery's source directory (unused).
    """

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = str(filename)
        rank = ORDER.index(name) if name in ORDER else len(ORDER)
        return (rank, name)

    def __repr__(self):
        return f"<{type(self).__name__}>"
