"""Checks the built sdist and wheel file by file (run by scripts/check-dist).

Usage: python scripts/dist/contents.py SDIST WHEEL TRACKED

TRACKED lists the repository's tracked files (git ls-files). The expectations are written
here a second time, independently of MANIFEST.in and setup.cfg, so that a change to
either that ships something else shows up as a difference.
"""
from __future__ import print_function

import fnmatch
import os
import sys
import tarfile
import zipfile

NAME = "wsgi_session_timeout"
#: The pytest plugin: a module of its own beside the package, so loading it imports
#: nothing of the library.
PLUGIN = "pytest_wsgi_session_timeout.py"

# What the sdist holds of the tracked files (fnmatch patterns; "*" crosses "/").
SDIST_TRACKED = [
    "README.md", "LICENSE", "setup.py", "setup.cfg", "pyproject.toml", "MANIFEST.in",
    NAME + "/*.py", NAME + "/static/*.js", PLUGIN,
    "docs/*.md", "docs/screenshots/*.png",
    "examples/*.py", "examples/*.ini", "examples/apache/*.conf", "examples/apache/*.wsgi",
    "examples/pylons/*.py", "examples/pylons/*.md",
    "requirements/test.txt", "requirements/test-py27.txt",
    "tests/__init__.py", "tests/conftest.py", "tests/apps.py", "tests/test_*.py",
    "tests/clocks.py", "tests/redis_server.py",
    "tests/corpus/*.txt",
    "tests/servers/__init__.py", "tests/servers/conftest.py",
    "tests/servers/test_bare_wsgi.py",
]
# ... and what setuptools adds.
SDIST_MADE = ["PKG-INFO", NAME + ".egg-info/*"]

WHEEL_TRACKED = [NAME + "/*.py", NAME + "/static/*.js", PLUGIN]
WHEEL_METADATA = ["METADATA", "WHEEL", "RECORD", "entry_points.txt", "top_level.txt",
                  "LICENSE", "licenses/LICENSE"]
WHEEL_TAG = "py2.py3-none-any"


def matches(path, patterns):
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


def compare(what, found, expected):
    """Print the differences; True when there are none."""
    extra, missing = sorted(found - expected), sorted(expected - found)
    for path in extra:
        print("%s: unexpected file %s" % (what, path))
    for path in missing:
        print("%s: missing file %s" % (what, path))
    return not extra and not missing


def check_sdist(path, tracked):
    with tarfile.open(path) as archive:
        names = [member.name for member in archive.getmembers() if member.isfile()]
    top = os.path.basename(path)[:-len(".tar.gz")]
    inside = set()
    ok = True
    for name in names:
        if not name.startswith(top + "/"):
            print("sdist: %s is outside %s/" % (name, top))
            ok = False
        inside.add(name[len(top) + 1:])
    made = set(name for name in inside if matches(name, SDIST_MADE))
    expected = set(name for name in tracked if matches(name, SDIST_TRACKED))
    ok = compare("sdist", inside - made, expected) and ok
    if "PKG-INFO" not in made:
        print("sdist: no PKG-INFO")
        ok = False
    print("sdist: %d files (%d tracked, %d metadata)%s" % (
        len(inside), len(inside - made), len(made), "" if ok else ": WRONG"))
    return ok


def check_wheel(path, tracked):
    ok = True
    if not os.path.basename(path).endswith("-%s.whl" % WHEEL_TAG):
        print("wheel: %s is not tagged %s" % (os.path.basename(path), WHEEL_TAG))
        ok = False
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        dist_info = set(name for name in names if name.split("/")[0].endswith(".dist-info"))
        top_level = [name for name in dist_info if name.endswith("/top_level.txt")]
        if top_level:
            packages = archive.read(top_level[0]).decode("utf-8").split()
            if sorted(packages) != sorted([NAME, PLUGIN[:-3]]):
                print("wheel: top_level.txt names %s, expected %s and %s" % (
                    packages, NAME, PLUGIN[:-3]))
                ok = False
        wheel_file = [name for name in dist_info if name.endswith("/WHEEL")]
        if wheel_file:
            meta = archive.read(wheel_file[0]).decode("utf-8")
            if "Root-Is-Purelib: true" not in meta or "Tag: py2-none-any" not in meta:
                print("wheel: WHEEL says\n%s" % meta)
                ok = False
    for name in dist_info:
        if name.split("/", 1)[1] not in WHEEL_METADATA:
            print("wheel: unexpected metadata file %s" % name)
            ok = False
    expected = set(name for name in tracked if matches(name, WHEEL_TRACKED))
    ok = compare("wheel", names - dist_info, expected) and ok
    print("wheel: %d files (%d of the library, %d metadata)%s" % (
        len(names), len(names - dist_info), len(dist_info), "" if ok else ": WRONG"))
    return ok


def main(sdist, wheel, tracked_list):
    with open(tracked_list) as handle:
        tracked = set(line.strip() for line in handle if line.strip())
    ok = check_sdist(sdist, tracked)
    ok = check_wheel(wheel, tracked) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
