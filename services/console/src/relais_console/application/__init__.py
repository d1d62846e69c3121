"""What the console does with the services: one use case per page, over ``ports``."""
