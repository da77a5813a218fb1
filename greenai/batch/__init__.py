"""A cluster's job log priced (`greenai batch`): readers, cluster files, engines, the summary.

    sacct.py    SLURM `sacct --parsable2` fields, read in Python and in DuckDB SQL alike
    cluster.py  the cluster file (greenai's, and GA4HPC's cluster_info.yaml)
    engine.py   DuckDB (default), pandas and Dask: read, fold steps into jobs, stream batches
    price.py    job rows through greenai.core.calculate, and their sums by group
    summary.py  the summary dict (the contract of --format json and the HTML report)
    jobs.py     per-job rows to Parquet or CSV (--output-jobs)

No typer, no rich, no printing: greenai/cli/batch.py parses and writes, greenai/render/batch.py
draws.
"""
