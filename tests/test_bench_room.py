"""The many-learners benchmark measures what it says: separate processes,
each with its own lab, all running at once, each delivering over verified TLS."""

from __future__ import annotations

from helpers.bench_room import report, run_room


def test_two_learners_side_by_side_each_deliver_without_port_collisions():
    room = run_room(2)
    assert room["delivered"] == 2, [r.get("error") for r in room["results"]]
    assert room["side_by_side"] and room["collisions"] == []
    ports = [set(r["ports"]) for r in room["results"]]
    assert ports[0] and not ports[0] & ports[1]
    text = report(room)
    assert "2/2 delivered over verified TLS" in text and "port collisions: 0" in text
