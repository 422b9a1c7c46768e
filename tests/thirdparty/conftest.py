import sys

# The example applications below are Python 2 programs (print statements, class advice):
# they run in the Python 2.7 stage of scripts/test, and are not collected elsewhere.
collect_ignore = []
if sys.version_info[0] > 2:
    collect_ignore.extend(["cork", "repoze_who"])
