"""Classical baselines trained on the prep's train split (scikit-learn).

`baseline:random-forest`, `baseline:logistic-regression` and
`baseline:majority` train once per run on the `train` split of the samples
artifact behind the prompts, then label each prompt's sample from its
features. Flow datasets use the feature columns listed in the samples
manifest's meta (`feature_columns`, `categorical_columns` one-hot encoded);
email uses TF-IDF on `text`. `predict_proba` gives `p_positive`, and the raw
text is the contract JSON the baseline would reply with.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from cybench.errors import DataError, UsageError
from cybench.models.base import ChatRequest, Provider, Reply

if TYPE_CHECKING:
    import pyarrow as pa

    from cybench.models.parse import TaskLabels
    from cybench.store import Manifest, Store

NAMES = ("random-forest", "logistic-regression", "majority")
NON_FEATURES = ("sample_id", "dataset", "split", "label", "y", "category", "text")
RANDOM_FOREST_TREES = 100


def find_samples(store: Store, prompts: Manifest) -> Manifest:
    """Return the samples artifact that a prompts artifact was rendered from."""
    for key in prompts.input_keys():
        manifest = store.find(key)
        if manifest is not None and manifest.kind == "samples":
            return manifest
    raise DataError(
        f"prompts artifact {prompts.short_key} names no samples artifact in its inputs",
        hint="re-run prep so the prompts record the samples they render",
    )


class FeatureEncoder:
    """Turns sample rows into a sparse matrix: TF-IDF text or flow features."""

    def __init__(self, meta: dict[str, Any], columns: list[str], types: dict) -> None:
        features = meta.get("feature_columns")
        if features is None:
            features = [c for c in columns if c not in NON_FEATURES]
        categorical = meta.get("categorical_columns")
        if categorical is None:
            categorical = [c for c in features if types.get(c) == "string"]
        self.categorical = [c for c in features if c in set(categorical)]
        self.numeric = [c for c in features if c not in set(self.categorical)]
        self.text = not features
        self._parts: list[Any] = []

    def fit_transform(self, rows: dict[str, list[Any]]) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        if self.text:
            vectorizer = TfidfVectorizer(
                ngram_range=(1, 2), min_df=2, max_features=50_000, sublinear_tf=True
            )
            self._parts = [vectorizer]
            return vectorizer.fit_transform(_texts(rows))
        self._parts = [
            StandardScaler(with_mean=False),
            OneHotEncoder(handle_unknown="ignore"),
        ]
        return self._combine(rows, fit=True)

    def transform(self, rows: dict[str, list[Any]]) -> Any:
        if self.text:
            return self._parts[0].transform(_texts(rows))
        return self._combine(rows, fit=False)

    def _combine(self, rows: dict[str, list[Any]], *, fit: bool) -> Any:
        import numpy as np
        import scipy.sparse as sp

        scaler, onehot = self._parts
        blocks = []
        if self.numeric:
            numbers = np.array(
                [[_number(v) for v in rows[c]] for c in self.numeric], dtype=np.float64
            ).T
            # Flow counters span many orders of magnitude; a signed log keeps
            # the linear model stable without changing tree splits.
            numbers = np.sign(numbers) * np.log1p(np.abs(numbers))
            scaled = scaler.fit_transform(numbers) if fit else scaler.transform(numbers)
            blocks.append(sp.csr_matrix(scaled))
        if self.categorical:
            values = np.array(
                [[str(v) for v in rows[c]] for c in self.categorical], dtype=object
            ).T
            encoded = onehot.fit_transform(values) if fit else onehot.transform(values)
            blocks.append(sp.csr_matrix(encoded))
        return sp.hstack(blocks, format="csr")


def _number(value: Any) -> float:
    if value is None or isinstance(value, str):
        return 0.0
    number = float(value)
    return number if number == number else 0.0


def _texts(rows: dict[str, list[Any]]) -> list[str]:
    return [t or "" for t in rows["text"]]


class BaselineProvider(Provider):
    """A scikit-learn classifier, trained on first use, labelling samples in batches."""

    prefix: ClassVar[str] = "baseline"
    local: ClassVar[bool] = True
    needs_sample: ClassVar[bool] = True
    summary: ClassVar[str] = f"scikit-learn classifiers: {', '.join(NAMES)}"
    requires: ClassVar[str] = "a prep's samples artifact (train split)"

    def __init__(self, name: str, options: dict[str, Any] | None = None) -> None:
        super().__init__(name, options)
        if name not in NAMES:
            raise UsageError(
                f"unknown baseline {name!r}", hint=f"use one of {', '.join(NAMES)}"
            )
        self.seed = int(self.options.get("seed", 0))
        self._store: Store | None = None
        self._prompts: Manifest | None = None
        self._samples: Manifest | None = None
        self._model: Any = None
        self._encoder: FeatureEncoder | None = None
        self._task: TaskLabels | None = None

    def bind(self, store: Store, prompts: Manifest) -> None:
        self._store = store
        self._prompts = prompts
        self._samples = find_samples(store, prompts)

    @property
    def model_id(self) -> str:
        import sklearn

        if self._samples is None:
            return f"baseline:{self.name}"
        return (
            f"baseline:{self.name}@samples:{self._samples.short_key}"
            f"/sklearn-{sklearn.__version__}/seed-{self.seed}"
        )

    def load(self) -> None:
        if self._model is not None:
            return
        if self._store is None or self._samples is None or self._prompts is None:
            raise DataError(f"baseline:{self.name} was not bound to a prep")
        from cybench.models.contract import read_task_labels

        self._task = read_task_labels(self._store, self._prompts)
        train = _train_rows(self._store, self._samples)
        labels = train.column("y").to_pylist()
        if len(set(labels)) < 2 and self.name != "majority":
            raise DataError(
                f"train split of samples {self._samples.short_key} has one class only",
                hint="use baseline:majority or prep a larger sample",
            )
        types = {f.name: _type_name(f.type) for f in train.schema}
        self._encoder = FeatureEncoder(
            dict(self._samples.meta), train.column_names, types
        )
        features = self._encoder.fit_transform(train.to_pydict())
        self._model = self._classifier()
        self._model.fit(features, labels)

    def _classifier(self) -> Any:
        if self.name == "random-forest":
            from sklearn.ensemble import RandomForestClassifier

            return RandomForestClassifier(
                n_estimators=RANDOM_FOREST_TREES, random_state=self.seed, n_jobs=-1
            )
        if self.name == "logistic-regression":
            from sklearn.linear_model import LogisticRegression

            return LogisticRegression(max_iter=2000, random_state=self.seed)
        from sklearn.dummy import DummyClassifier

        return DummyClassifier(strategy="prior", random_state=self.seed)

    def generate(self, requests: Sequence[ChatRequest]) -> list[Reply]:
        if not requests:
            return []
        self.load()
        assert self._encoder is not None and self._task is not None
        started = time.perf_counter()
        rows: dict[str, list[Any]] = {}
        for request in requests:
            if request.sample is None:
                raise DataError(f"prompt {request.prompt_id} carries no sample")
            for column, value in request.sample.items():
                rows.setdefault(column, []).append(value)
        features = self._encoder.transform(rows)
        classes = list(self._model.classes_)
        probabilities = self._model.predict_proba(features)
        latency = (time.perf_counter() - started) / len(requests)
        replies = []
        for row in probabilities:
            p_positive = float(row[classes.index(1)]) if 1 in classes else 0.0
            replies.append(self._reply(p_positive, latency))
        return replies

    def _reply(self, p_positive: float, latency: float) -> Reply:
        assert self._task is not None
        positive = p_positive >= 0.5
        label = self._task.positive if positive else self._task.negative
        confidence = p_positive if positive else 1.0 - p_positive
        text = json.dumps(
            {
                "label": label,
                "confidence": round(confidence, 6),
                "category": None,
                "explanation": f"{self.name} predict_proba p_positive={p_positive:.4f}",
            }
        )
        return Reply(text=text, latency_s=latency, p_positive=p_positive)


def _type_name(arrow_type: Any) -> str:
    import pyarrow as pa

    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    return "number"


def _train_rows(store: Store, samples: Manifest) -> pa.Table:
    import pyarrow.compute as pc

    table = store.read_table(samples)
    train = table.filter(pc.equal(table.column("split"), "train"))
    if train.num_rows == 0:
        raise DataError(
            f"samples artifact {samples.short_key} has no train split rows",
            hint="re-run prep with a train split",
        )
    return train
