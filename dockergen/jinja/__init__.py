"""The Jinja2 engine: the environment and template list (``engine``) and the helper catalogue
templates call (``catalogue``)."""
