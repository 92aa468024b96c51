"""Database backends: Django's, tuned where a measurement showed the need."""
