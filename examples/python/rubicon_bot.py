#!/usr/bin/env python3
"""A Rubicon client in Python: join a seat with its code and play a persona.

It speaks only the documented protocol (docs/protocol.md): redeem the join
code over REST for a token, say `hello` over Socket.IO, fetch the scenario's
text once (views carry none), follow `update` events by the version of its
own stream (asking for a `sync` on a gap), and send `command`s with
client-chosen ids. As the relay of a mediated channel (the mediators' seat)
it passes each principal's message on to the other, once, in the persona's
`voice.relay` words.

    python3 examples/python/rubicon_bot.py http://localhost:3000 --code ABC234 \
        --persona-file persona.json [--beats N]

The persona file is one persona as JSON: {"id", "name", "summary",
"favours": {move id: weight}, "voice": {"public": [...]}}, as in the
`personas:` section of a scenario file; write one out with

    npx tsx -e "import {shippedScenario} from '@rubicon/shared/scenario-files'; \
      console.log(JSON.stringify(shippedScenario('april-2024').personas.seats.iran[1]))" > persona.json

Needs python-socketio and websocket-client (Debian: apt-get install
python3-socketio python3-websocket). Debian's packages are in the system Python:
where a pyenv or virtualenv python3 comes first on the PATH, run /usr/bin/python3.
"""
import argparse
import json
import random
import sys
import threading
import time
import urllib.request
import uuid

import socketio


def post(base_url, path, body):
    req = urllib.request.Request(base_url.rstrip("/") + path, data=json.dumps(body).encode(), headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as res:
        return json.loads(res.read())


def get(base_url, path):
    with urllib.request.urlopen(base_url.rstrip("/") + path, timeout=10) as res:
        return json.loads(res.read())


def merge(held, incoming):
    """Messages are numbered 1, 2, 3... in this seat's own stream: a new one is appended,
    one already held (hidden or shown again by the white cell) replaces the copy."""
    out = list(held)
    for m in incoming:
        if m["seq"] <= len(out):
            out[m["seq"] - 1] = m
        else:
            out.append(m)
    return out


class Seat:
    """One seat's picture of a session, kept current the way the protocol says."""

    def __init__(self, base_url, code):
        self.base_url = base_url
        self.code = code
        self.sio = socketio.Client(reconnection=True)
        self.view = None
        self.version = 0
        self.messages = []
        self.scenario = None
        # Updates that overtook the hello's answer (the server joins the socket to its room, then answers).
        self.early = []
        self.changed = threading.Condition()
        self.sio.on("update", self._on_update)

    def connect(self):
        joined = post(self.base_url, "/api/join", {"code": self.code})
        self.session_id, self.token = joined["sessionId"], joined["token"]
        self.seat = joined["role"]["seat"]
        self.sio.connect(self.base_url, transports=["websocket", "polling"])
        self._adopt(self._ack(self.sio.call("hello", {"sessionId": self.session_id, "token": self.token}, timeout=10)))
        with self.changed:
            early, self.early = self.early, []
        for update in early:
            self._on_update(update)
        # The scenario's text (names, ladder, map), once: views name it by id, version and digest.
        ref = self.view["scenario"]
        self.scenario = get(self.base_url, "/api/scenarios/%s/v/%d?digest=%s" % (ref["id"], ref["version"], ref["digest"]))

    @staticmethod
    def _ack(ack):
        if not ack.get("ok"):
            raise RuntimeError("%s: %s" % (ack["error"]["code"], ack["error"]["message"]))
        return ack["data"]

    def _adopt(self, data):
        with self.changed:
            if data["version"] < self.version:
                return  # an answer older than what we hold
            self.messages = data["messages"] if data["full"] else merge(self.messages, data["messages"])
            self.view = data["view"]
            self.version = data["version"]
            self.changed.notify_all()

    def _on_update(self, update, *_recovery_offset):
        # The server's connection-state recovery adds an offset argument that JavaScript clients never see.
        with self.changed:
            if self.view is None:
                self.early.append(update)  # applied once the hello's answer is in
                return
        if update["version"] <= self.version:
            return  # already held
        if update["version"] != self.version + 1:
            # A gap: ask for what was missed (off the event thread), saying what we hold.
            held = {"sinceVersion": self.version, "messagesHeld": len(self.messages)}
            threading.Thread(target=lambda: self._adopt(self._ack(self.sio.call("sync", held, timeout=10)))).start()
            return
        with self.changed:
            self.version = update["version"]
            if update.get("view"):
                self.view = update["view"]
            self.messages = merge(self.messages, update["messages"])
            self.changed.notify_all()

    def wait_for(self, test, timeout=120):
        deadline = time.time() + timeout
        with self.changed:
            while not test(self.view):
                left = deadline - time.time()
                if left <= 0:
                    raise TimeoutError("timed out waiting for the view")
                self.changed.wait(left)
            return self.view

    def command(self, command):
        """Sends a command. A game command names the game version of the view it was made on
        (`stale` if the game moved since); a message needs none."""
        payload = {"commandId": uuid.uuid4().hex, "command": command}
        if command["type"] != "SEND_MESSAGE":
            payload["expectedGameVersion"] = self.view["gameVersion"]
        return self.sio.call("command", payload, timeout=10)


def choose(persona, menu, rng):
    """The persona's favourite move on this menu (weighted draw), or the beat's default."""
    weights = [(m, persona.get("favours", {}).get(m["id"], 0)) for m in menu["moves"]]
    liked = [(m, w) for m, w in weights if w > 0]
    if not liked:
        return next(m for m in menu["moves"] if m["id"] == menu["defaultMove"])
    total = sum(w for _, w in liked)
    r = rng.random() * total
    for m, w in liked:
        r -= w
        if r < 0:
            return m
    return liked[-1][0]


def seat_name(scenario, seat_id):
    return next((s["name"] for s in scenario["seats"] if s["id"] == seat_id), seat_id)


def relay_loop(seat, persona, rng, stop):
    """As the relay of a mediated channel (the mediators), pass each principal's message on to the
    other principal, once, in the persona's words (its `voice.relay` lines: {from} and {text})."""
    lines = persona.get("voice", {}).get("relay") or []
    relayed = set()
    while lines and not stop.is_set():
        with seat.changed:
            seat.changed.wait(0.5)
            view, messages = seat.view, list(seat.messages)
        if view is None or view["phase"] in ("outcome", "debrief"):
            continue
        mine = {c["id"]: c for c in view["channels"] if c["kind"] == "mediated" and c["relay"] == seat.seat and c["canWrite"]}
        relayed.update(m["relayOf"] for m in messages if m["from"] == seat.seat and m.get("relayOf"))
        for m in messages:
            if m["channel"] not in mine or m["from"] in (None, seat.seat) or m["id"] in relayed or not m["text"]:
                continue
            relayed.add(m["id"])  # marked before sending: a refused relay is reported, not retried
            text = rng.choice(lines).replace("{from}", seat_name(seat.scenario, m["from"])).replace("{text}", m["text"][:180])
            command = {"type": "SEND_MESSAGE", "channel": m["channel"], "text": text.replace("{me}", seat_name(seat.scenario, seat.seat)), "relayOf": m["id"]}
            to = next((s for s in mine[m["channel"]]["members"] if s not in (seat.seat, m["from"])), None)
            if to:
                command["to"] = to
            ack = seat.command(command)
            if ack.get("ok"):
                print("relayed a message from %s in %s" % (m["from"], m["channel"]), flush=True)
            else:
                print("relay refused: %s" % ack["error"]["message"], file=sys.stderr, flush=True)


def play(base_url, code, persona, beats, seed):
    seat = Seat(base_url, code)
    seat.connect()
    rng = random.Random(seed)
    played = 0
    name = seat_name(seat.scenario, seat.seat)
    print("joined as %s (%s) in \"%s\", playing %s" % (seat.seat, name, seat.scenario["title"], persona["name"]), flush=True)
    stop = threading.Event()
    relays = threading.Thread(target=relay_loop, args=(seat, persona, random.Random("%s:relay" % seed), stop), daemon=True)
    relays.start()
    while played < beats:
        view = seat.wait_for(lambda v: v["phase"] in ("outcome", "debrief") or (v["phase"] == "planning" and v["menu"] and not (v.get("mySubmission") or {}).get("locked")))
        if view["phase"] in ("outcome", "debrief"):
            break
        move = choose(persona, view["menu"], rng)
        public = [c for c in view["channels"] if c["kind"] == "public" and c["canWrite"]]
        if public and persona.get("voice", {}).get("public"):
            seat.command({"type": "SEND_MESSAGE", "channel": public[0]["id"], "text": rng.choice(persona["voice"]["public"])})
        for _ in range(10):
            ack = seat.command({"type": "SUBMIT_MOVE", "move": move["id"], "rationale": "%s: %s" % (persona["name"], persona["summary"]), "lock": True})
            if ack.get("ok") or ack["error"]["code"] != "stale":
                break
            time.sleep(0.1)  # the session moved on meanwhile; our view catches up, then try again
        if not ack.get("ok"):
            raise RuntimeError("move refused: %s" % ack["error"]["message"])
        print("beat %s: locked in %s" % (view["beat"]["id"], move["id"]), flush=True)
        played += 1
        seat.wait_for(lambda v: v["phase"] != "planning" or (v.get("beat") or {}).get("id") != view["beat"]["id"])
    stop.set()
    relays.join()
    seat.sio.disconnect()


def main():
    p = argparse.ArgumentParser(description="Join a Rubicon seat and play a persona.")
    p.add_argument("base_url")
    p.add_argument("--code", required=True, help="the seat's join code")
    p.add_argument("--persona-file", required=True)
    p.add_argument("--beats", type=int, default=100, help="stop after this many beats (default: play to the outcome)")
    p.add_argument("--seed", default="python")
    args = p.parse_args()
    with open(args.persona_file) as f:
        persona = json.load(f)
    play(args.base_url, args.code, persona, args.beats, args.seed)


if __name__ == "__main__":
    try:
        main()
    except Exception as err:  # a clear message and a failing exit code, for scripts and CI
        print("rubicon_bot: %s" % err, file=sys.stderr)
        sys.exit(1)
