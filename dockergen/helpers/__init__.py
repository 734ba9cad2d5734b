"""Template helper families shared by both engines: field paths, groupBy, where, sorting,
strings and files, nginx quoting, JSON and YAML.

Each family is written once; the Jinja2 catalogue (:mod:`dockergen.jinja.catalogue`) and
the Go engine (:mod:`dockergen.gotemplate.dockergen_funcs`) wrap them with their own calling
conventions and error texts.
"""
