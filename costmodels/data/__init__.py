"""External data sets (NAS-Bench-201 tables, FARSI databases): found, checked, installed.

Cost models never open data paths themselves: they call :func:`read_table` (or
:func:`data_file`), which finds the data set in the data directories, checks each file's
checksum and schema once per process, and raises one clear error naming the command to
run when something is missing. The data stays under its own licence and is never copied
into dsegym's repository.
"""

from dsegym.costmodels.data.catalogue import DataFile, Dataset, datasets, get_dataset
from dsegym.costmodels.data.install import DatasetStatus, FileStatus, install, status
from dsegym.costmodels.data.store import (
    DATA_DIR_ENV,
    DataCorruptError,
    DataMissingError,
    cache_dir,
    data_dirs,
    data_file,
    locate,
    read_table,
)

__all__ = [
    "DATA_DIR_ENV",
    "DataCorruptError",
    "DataFile",
    "DataMissingError",
    "Dataset",
    "DatasetStatus",
    "FileStatus",
    "cache_dir",
    "data_dirs",
    "data_file",
    "datasets",
    "get_dataset",
    "install",
    "locate",
    "read_table",
    "status",
]
