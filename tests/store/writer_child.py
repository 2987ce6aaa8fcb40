"""Child process for crash tests: writes to a store, then blocks mid-write.

Usage: python writer_child.py STORE MODE
MODE `artifact`: publish artifact A, then start artifact B and block after its
temporary Parquet file is written but before it is renamed.
MODE `rows`: publish one row batch, then block inside the second batch.
The child prints BLOCKED once it is inside the second write.
"""

import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq

from cybench.store import Store

store = Store(sys.argv[1])
mode = sys.argv[2]
real_write_table = pq.write_table
calls = 0


def write_then_block(table, where, **kwargs):
    global calls
    calls += 1
    real_write_table(table, where, **kwargs)
    if calls == 2:
        print("BLOCKED", flush=True)
        time.sleep(600)


pq.write_table = write_then_block
big = pa.table({"row_key": [f"k{i}" for i in range(1000)], "v": list(range(1000))})
if mode == "artifact":
    store.write("prep", "samples", 1, {"n": 1}, {}, big)
    store.write("prep", "samples", 1, {"n": 2}, {}, big)
else:
    store.rows("responses").append(big.slice(0, 500))
    store.rows("responses").append(big.slice(500))
