"""(a) The floor: DuckDB read_csv of the register into a table, nothing else."""

import sys

import duckdb

if __name__ == "__main__":
    con = duckdb.connect()
    con.execute("CREATE TABLE register AS SELECT * FROM read_csv(?, header = true)", [sys.argv[1]])
    print(con.execute("SELECT count(*) FROM register").fetchall()[0][0])
