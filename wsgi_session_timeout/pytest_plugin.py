"""pytest plugin: fixtures for applications that use the middleware."""
