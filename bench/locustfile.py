"""Load run of the ticket intake and lists (issue 4): residents submitting and listing their
tickets, grid workers listing their queue, and the floor (/healthz) in the same run.

Run through bench/load.sh (it prepares the database, the tokens and the server, loopback
only). Every user keeps a constant throughput (`LOAD_RPS_PER_USER`, default 2 requests a
second), so `-u 50` asks for about 100 requests a second in total; Locust reports what the
server actually answered.

Users are FastHttpUser (geventhttpclient): the load generator shares the machine's two cores
with the server and the database, and the default HttpUser (requests) cost several times more
client CPU per request.

Tokens come from var/bench/load-tokens.json (written by load.sh): resident and grid-worker
API tokens (DRF TokenAuthentication) and the active category ids.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path

from locust import FastHttpUser, constant_throughput, task

TOKENS = json.loads(Path(os.environ.get("LOAD_TOKENS", "var/bench/load-tokens.json")).read_text())
RPS = float(os.environ.get("LOAD_RPS_PER_USER", "2"))
_residents = itertools.cycle(TOKENS["residents"])
_grid = itertools.cycle(TOKENS["grid"])
TEXTS = [
    "楼下路灯不亮了，晚上看不清路，请安排维修。",
    "单元门口垃圾桶满了没有清运，气味很大。",
    "楼道里堆放杂物堵塞消防通道，请处理。",
    "小区井盖松动，踩上去会响，担心有危险。",
]


class Resident(FastHttpUser):
    """A resident with a home building: submits now and then, looks at their tickets often."""

    weight = 6
    wait_time = constant_throughput(RPS)

    def on_start(self):
        self.headers = {"Authorization": f"Token {next(_residents)}"}

    @task(1)
    def submit(self):
        body = {
            "kind": "report",
            "category": random.choice(TOKENS["categories"]),
            "text": random.choice(TEXTS),
        }
        self.client.post("/api/v1/tickets/", json=body, headers=self.headers, name="submit")

    @task(3)
    def mine(self):
        self.client.get("/api/v1/tickets/?mine=1", headers=self.headers, name="my tickets")


class GridWorker(FastHttpUser):
    weight = 3
    wait_time = constant_throughput(RPS)

    def on_start(self):
        self.headers = {"Authorization": f"Token {next(_grid)}"}

    @task
    def queue(self):
        self.client.get("/api/v1/tickets/?queue=1", headers=self.headers, name="grid queue")


class Floor(FastHttpUser):
    """The floor: a bare request through the same server, measured the same way."""

    weight = 1
    wait_time = constant_throughput(RPS)

    @task
    def healthz(self):
        self.client.get("/healthz", name="healthz (floor)")
