.PHONY: test demo

# The whole test suite, on Python 2.7, 3.11 and 3.13; sets up everything it needs.
test:
	scripts/test

# The demo: examples/bare_wsgi.py on http://127.0.0.1:8080/ (file sessions, short timeouts).
demo:
	scripts/demo
