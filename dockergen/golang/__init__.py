"""Go standard-library behaviour that both template engines need, written once.

Nothing here imports a template engine: the Go engine (``dockergen.gotemplate``)
and the helpers the Jinja2 engine uses (``dockergen.helpers``) both import it.
"""
