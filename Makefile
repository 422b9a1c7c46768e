.PHONY: test demo bench

# The whole test suite, on Python 2.7, 3.11 and 3.13; sets up everything it needs.
test:
	scripts/test

# The demo: examples/bare_wsgi.py on http://127.0.0.1:8080/ (file sessions, short timeouts).
demo:
	scripts/demo

# The benchmark: the middleware against Beaker alone, printed as a table of ratios.
bench:
	scripts/bench
