"""The services' HTTP APIs, called with httpx and the user's own bearer token."""
