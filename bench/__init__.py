"""The benchmark: ``python bench/run.py --help``, or ``scripts/bench``."""
