"""Peer scorer for benchmarks/screening.py: nomenklatura's ``logic-v2`` and ``ofac`` algorithms.

Runs ONLY inside the pinned benchmark environment ``benchmarks/.venv-peers`` (``make bench-peers``), in a
subprocess of the benchmark, so nomenklatura and its dependencies (duckdb < 2, pyicu, followthemoney)
never enter the product's environment. Reads a JSON task from the file named by argv[1] and writes the
scores as JSON to argv[2]:

    {"algorithms": ["logic-v2", "ofac"],
     "items": [{"query": ENTITY, "candidates": [ENTITY, ...]}, ...]}
    ENTITY = {"schema": "Person", "names": [...], "birth_dates": [...], "countries": [...]}

Output: ``{"logic-v2": {"scores": [[score per candidate] per item], "seconds": s, "pairs": n}, ...}``.
Entity ids are unique per comparison because nomenklatura caches results by entity id.
"""

from __future__ import annotations

import json
import sys
import time
from itertools import count
from typing import Any

from followthemoney import model
from nomenklatura.matching import get_algorithm

_ids = count()


def _entity(spec: dict[str, Any]):  # type: ignore[no-untyped-def]
    entity = model.make_entity(spec["schema"])
    entity.id = f"e{next(_ids)}"
    names = spec["names"]
    entity.add("name", names[0])
    if len(names) > 1:
        entity.add("alias", names[1:])
    if spec.get("birth_dates"):
        entity.add("birthDate", spec["birth_dates"], quiet=True)
    if spec.get("countries"):
        prop = "nationality" if spec["schema"] == "Person" else "country"
        entity.add(prop, [c.lower() for c in spec["countries"]], quiet=True)
    return entity


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        task = json.load(fh)
    out: dict[str, Any] = {}
    for name in task["algorithms"]:
        algorithm = get_algorithm(name)
        if algorithm is None:
            raise SystemExit(f"nomenklatura has no algorithm {name!r}")
        config = algorithm.default_config()
        # Warm-up: the first comparison loads name tables (minutes of one-off work not counted).
        algorithm.compare(
            _entity({"schema": "Person", "names": ["a b"]}), _entity({"schema": "Person", "names": ["c d"]}), config
        )
        scores: list[list[float]] = []
        pairs = 0
        started = time.process_time()
        for item in task["items"]:
            row = []
            for cand in item["candidates"]:
                result = algorithm.compare(_entity(item["query"]), _entity(cand), config)
                row.append(float(result.score))
                pairs += 1
            scores.append(row)
        out[name] = {"scores": scores, "seconds": time.process_time() - started, "pairs": pairs}
    with open(sys.argv[2], "w", encoding="utf-8") as fh:
        json.dump(out, fh)


if __name__ == "__main__":
    main()
