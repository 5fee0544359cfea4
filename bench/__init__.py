"""Load benchmark of both sites (`make bench`): see bench/run.py and docs/performance.md."""
