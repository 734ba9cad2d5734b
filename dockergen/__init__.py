"""dockergen: render Jinja2 templates from live Docker container metadata."""

__version__ = "0.1.0"
