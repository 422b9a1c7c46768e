.PHONY: test demo bench screenshots tox lint dist

# Everything, set-up included (as root on a fresh Debian machine): every tox environment
# in tox.ini, the core suite on Python 2.7 and 3.8-3.13, the real servers, stores and
# browser on 3.11 and 3.13, Pylons, lint, coverage and the packages. CI runs this.
test:
	scripts/test

# The demo: examples/bare_wsgi.py on http://127.0.0.1:8080/ (file sessions, short timeouts).
demo:
	scripts/demo

# The benchmark: the middleware against Beaker alone, printed as a table of ratios.
bench:
	scripts/bench

# Regenerates docs/screenshots/*.png from the browser tests (the tests themselves write
# screenshots to a temporary directory only).
screenshots:
	scripts/screenshots

# The core suite on every claimed Python, and lint; no root needed (scripts/tox).
tox:
	scripts/tox

lint:
	scripts/tox -e lint

# Build the sdist and the wheel and check them (twine, contents, smoke test on 2.7, 3.13).
dist:
	scripts/tox -e dist
