"""Read one large workbook through the project's reader (calamine, not cell by cell)."""

import sys
from pathlib import Path

import duckdb

from pipelines.ingest.readers import read_export

if __name__ == "__main__":
    con = duckdb.connect()
    print(read_export(con, Path(sys.argv[1]), "register").rows)
