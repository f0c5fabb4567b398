"""Batches (``Workbench.run_many``, ``wfbench run --inputs``), one module per job:

* :mod:`.inputs`: a DataFrame or a list of dicts as plain input rows;
* :mod:`.runner`: the :class:`Batch` that runs them (progress, cancel, resume);
* :mod:`.export`: history written as partitioned Parquet.
"""

from wfbench.batch.export import export_history
from wfbench.batch.inputs import normalise_inputs
from wfbench.batch.runner import (
    OUTCOME_COLUMNS,
    Batch,
    Port,
    Progress,
    new_batch_id,
    one_writer,
    row_key,
)

__all__ = [
    "OUTCOME_COLUMNS",
    "Batch",
    "Port",
    "Progress",
    "export_history",
    "new_batch_id",
    "normalise_inputs",
    "one_writer",
    "row_key",
]
