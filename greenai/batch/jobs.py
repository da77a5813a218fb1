"""Per-job rows (`greenai batch --output-jobs jobs.parquet|jobs.csv`), written as they are priced.

Batches stream into a temporary file beside the target, renamed over it only when the whole
log has been priced (`commit`); an error leaves the old file, if any, as it was (`abort`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from greenai.batch.price import Profiles, price
from greenai.errors import OutputError

LABELS = ("job", "user", "account", "partition", "state", "month")


def _inert(labels: Any) -> np.ndarray:
    """Text from the log made safe for a spreadsheet (each distinct label escaped once)."""
    import pandas as pd

    from greenai.render.escape import csv_cell

    codes, uniques = pd.factorize(pd.Series(labels, dtype=object).fillna(""))
    return np.asarray([csv_cell(str(u)) for u in uniques], dtype=object)[codes]


class JobsWriter:
    """Parquet (by the name's suffix .parquet or .pq) or CSV, one row per job."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.parquet = path.suffix.lower() in (".parquet", ".pq")
        folder = path.resolve().parent
        if path.is_dir():
            raise OutputError(f"{path}: cannot write: is a folder; give a file name")
        if not folder.is_dir():
            raise OutputError(f"{path}: cannot write: folder {folder} does not exist")
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        os.close(handle)
        self.temporary = Path(name)
        self.writer: Any = None
        self.rows = 0

    def __call__(
        self, columns: dict[str, Any], jobs: dict[str, np.ndarray], profiles: Profiles
    ) -> None:
        import pyarrow as pa

        figures = price(jobs, profiles)
        data: dict[str, Any] = {}
        for name in LABELS:
            found = columns[name] if name in columns else np.full(len(jobs["hours"]), "")
            data[name] = found if self.parquet else _inert(found)
        data["priced"] = figures["known"]
        data["hours"] = jobs["hours"]
        data["cpus"] = jobs["cpus"]
        data["gpus"] = jobs["gpus"]
        data["mem_gb"] = jobs["mem_gb"]
        data["max_rss_gb"] = jobs["rss_gb"]
        data["cpu_utilization"] = jobs["util"]
        for name in ("energy_kwh", "co2e_kg", "electricity_cost_usd"):
            for i, bound in enumerate(("", "_low", "_high")):
                data[f"{name}{bound}"] = figures[name][:, i]
        data["unused_memory_kwh"] = figures["unused_energy_kwh"][:, 0]
        data["measured_energy_kwh"] = figures["measured_kwh"]
        data["failed"] = jobs["failed"]
        table = pa.table({k: pa.array(np.asarray(v)) for k, v in data.items()})
        if self.writer is None:
            if self.parquet:
                import pyarrow.parquet as pq

                self.writer = pq.ParquetWriter(self.temporary, table.schema)
            else:
                import pyarrow.csv as pcsv

                self.writer = pcsv.CSVWriter(self.temporary, table.schema)
        self.writer.write_table(table)
        self.rows += table.num_rows

    def commit(self) -> None:
        if self.writer is not None:
            self.writer.close()
        os.replace(self.temporary, self.path)

    def abort(self) -> None:
        if self.writer is not None:
            with contextlib.suppress(Exception):
                self.writer.close()
        self.temporary.unlink(missing_ok=True)
