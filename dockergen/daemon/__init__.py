"""The Docker side: where the containers come from.

The engine's API (a lean reader for GETs on unix sockets, the docker SDK for
the rest), endpoints and their clients, the inventory of inspected containers
kept fresh by the event stream, Podman's dialect of that stream, the swarm's
services, tasks and nodes, and commands run inside containers (exec).  It
hands the pipeline plain data (:mod:`dockergen.model`) and never imports a
template engine.
"""
