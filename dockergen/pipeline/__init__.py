"""From a snapshot of containers to a file on disk: render, check, write, notify.

A :class:`~dockergen.pipeline.job.Job` is one config's pipeline: render the
template (:mod:`.render`, through a template engine), check the candidate in
place (:mod:`.check`), find and leave out the containers to blame
(:mod:`.quarantine`), write atomically (:mod:`.writer`) and notify
(:mod:`.notify`).  It reads the Docker side only for what notify and exec
checks need.
"""
