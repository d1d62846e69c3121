"""HTTP api and worker processes of the protection-orders service."""
