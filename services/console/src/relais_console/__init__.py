"""Relais web console: a backend-for-frontend over the services' HTTP APIs (port 8100)."""
