"""Local filter evaluation agrees with the engine's own list filtering."""

from __future__ import annotations

import uuid

import pytest

from dockergen.daemon.filters import Facts, can_match_locally, matches

pytestmark = pytest.mark.engine


def test_local_filters_agree_with_the_engine(docker_api, make_container, make_network, wait_for):
    tag = uuid.uuid4().hex[:8]
    net = make_network(f"dgt-flt-{tag}")
    web = make_container(name=f"dgt-web-{tag}", labels={"t": tag, "role": "web", "tier": "front"},
                         networks=["bridge", net["Name"]])
    db = make_container(name=f"dgt-db-{tag}", labels={"t": tag, "role": "db", "empty": ""},
                        healthcheck={"test": ["CMD", "true"], "interval": 200_000_000})
    make_container(name=f"dgt-stopped-{tag}", labels={"t": tag, "role": "web"}, start=False)
    exited = make_container("true", name=f"dgt-exited-{tag}", labels={"t": tag})
    wait_for(lambda: db.health == "healthy" and exited.status == "exited", timeout=10)

    everything = docker_api.containers(all=True, filters={"label": f"t={tag}"})
    facts = {c["Id"]: Facts.from_inspect(docker_api.inspect_container(c["Id"])) for c in everything}
    cases = [
        {"status": ["running"]},
        {"status": ["created", "exited"]},
        {"label": ["role=web"]},
        {"label": ["role"]},
        {"label": ["role=web", "tier=front"]},
        {"label": ["empty="]},
        {"label": ["empty"]},
        {"label": ["role=nope"]},
        {"name": [f"dgt-web-{tag}"]},
        {"name": ["^/dgt-(db|exited)-"]},
        {"name": ["web", "db"], "status": ["running"]},
        {"id": [web.id[:12]]},
        {"id": [web.id]},
        {"network": [net["Name"]]},
        {"network": [net["Id"]]},
        {"network": ["bridge"], "status": ["running"]},
        {"health": ["healthy"]},
        {"health": ["none"]},
        {"health": ["none"], "status": ["running"]},
    ]
    for extra in cases:
        filters = {"label": [f"t={tag}", *extra.get("label", [])], **{k: v for k, v in extra.items() if k != "label"}}
        assert can_match_locally(filters)
        engine = {c["Id"] for c in docker_api.containers(all=True, filters=filters)}
        local = {cid for cid, f in facts.items() if matches(cid, f, filters)}
        assert local == engine, f"filters {filters}"
