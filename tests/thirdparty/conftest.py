import sys

# repoze.who-use_beaker is a Python 2 program (zope.interface class advice): it runs in
# the Python 2.7 stage of scripts/test, and is not collected elsewhere.
collect_ignore = []
if sys.version_info[0] > 2:
    collect_ignore.append("repoze_who")
