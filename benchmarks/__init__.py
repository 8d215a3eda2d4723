"""Benchmarks for newspipe: extraction quality and speed against gold corpora.

Nothing here is imported by the pipeline; run `python -m benchmarks.extraction --help`.
"""
