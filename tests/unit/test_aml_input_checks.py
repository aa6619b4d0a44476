"""The engine's input checks keep their meaning on the fast paths (sorted ids, no empty strings)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from bankcrm.monitoring.engine.schema import _check_unique
from bankcrm.monitoring.engine.types import EngineInputError


@pytest.mark.parametrize(
    ("values", "unique"),
    [
        ([1, 2, 3, 10], True),  # strictly increasing: the fast path
        ([3, 1, 2], True),  # unordered but unique: counted
        ([1, 2, 2, 3], False),  # sorted with a repeat: not strictly increasing, then counted
        ([5, 1, 5], False),
        ([7], True),
    ],
)
def test_txn_ids_must_be_unique(values: list[int], unique: bool) -> None:
    col = pa.chunked_array([pa.array(values[:2], pa.int64()), pa.array(values[2:], pa.int64())])
    if unique:
        _check_unique("transactions.txn_id", col)
    else:
        with pytest.raises(EngineInputError, match=r"transactions\.txn_id: values must be unique"):
            _check_unique("transactions.txn_id", col)
