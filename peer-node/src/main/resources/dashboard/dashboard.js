// The peer dashboard: polls the admin API every 2 s and redraws. The browser sends the admin credentials it
// asked for when the page was opened (HTTP basic, realm "ipa"), so every fetch is same-origin and authenticated.
"use strict";
(function () {
  const POLL_MS = 2000;
  const $ = (id) => document.getElementById(id);
  const charts = {};
  const state = { status: null, rounds: [], peers: [], fairness: null, polls: 0 };
  window.dashboard = { charts, state };

  const fmt = (v, digits = 4) => (v === null || v === undefined || Number.isNaN(v) ? "–" : Number(v).toFixed(digits));
  const bytes = (n) => {
    if (n === null || n === undefined) return "–";
    const u = ["B", "KiB", "MiB", "GiB"];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + u[i];
  };
  const ago = (iso) => {
    if (!iso) return "never";
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return s < 60 ? s + " s ago" : s < 3600 ? Math.round(s / 60) + " min ago" : new Date(iso).toLocaleString();
  };
  const text = (el, v) => { if (el.textContent !== String(v)) el.textContent = v; };

  async function api(path, options) {
    const r = await fetch(path, Object.assign({ credentials: "same-origin", cache: "no-store" }, options));
    if (!r.ok) throw new Error(path + " answered " + r.status);
    return r.json();
  }

  // One chart per figure; series whose field no round carries are left out (personal and local-only accuracy
  // appear where the API reports them).
  const CHARTS = {
    accuracy: { el: "chart-accuracy", y: "accuracy", series: [
      { label: "test accuracy", field: "testAccuracy", stroke: "#1f5fbf" },
      { label: "own validation split", field: "validationAccuracy", stroke: "#2e9d57" },
      { label: "consensus", field: "consensusAccuracy", stroke: "#7a3fb3" },
      { label: "personal", field: "personalAccuracy", stroke: "#c77800" },
      { label: "local-only (own model, own data)", field: "localOnlyPersonalAccuracy", stroke: "#777", dash: [6, 4] }] },
    loss: { el: "chart-loss", y: "loss", series: [
      { label: "test loss", field: "testLoss", stroke: "#b3261e" },
      { label: "train loss", field: "trainLoss", stroke: "#c77800" }] },
    bytes: { el: "chart-bytes", y: "bytes", series: [
      { label: "bytes sent", field: "bytesSent", stroke: "#555", fill: "rgba(85,85,85,.12)" }] },
  };

  function chartWidth(el) {
    return Math.max(260, el.parentElement.clientWidth - 24);
  }

  function drawChart(name, rounds, localOnly) {
    const def = CHARTS[name];
    const el = $(def.el);
    const present = def.series.filter((s) => rounds.some((r) => r[s.field] !== undefined && r[s.field] !== null)
      || (s.field === "localOnlyPersonalAccuracy" && localOnly !== null && localOnly !== undefined));
    const data = [rounds.map((r) => r.round)];
    for (const s of present) {
      data.push(rounds.map((r) => (s.field === "localOnlyPersonalAccuracy" && (r[s.field] === undefined || r[s.field] === null) ? localOnly : r[s.field])));
    }
    const key = present.map((s) => s.field).join(",");
    const existing = charts[name];
    if (existing && existing._key === key) {
      existing.setData(data);
    } else {
      if (existing) existing.destroy();
      const opts = {
        width: chartWidth(el), height: name === "accuracy" ? 260 : 200,
        scales: { x: { time: false } },
        axes: [{ label: "round", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }, { label: def.y, size: 60, values: name === "bytes" ? (u, v) => v.map(bytes) : undefined }],
        series: [{ label: "round" }].concat(present.map((s) => ({ label: s.label, stroke: s.stroke, fill: s.fill, dash: s.dash, width: 2,
          points: { show: true, size: 6 }, value: (u, v) => (name === "bytes" ? bytes(v) : fmt(v)) }))),
      };
      charts[name] = new uPlot(opts, data, el);
      charts[name]._key = key;
    }
    el.dataset.points = String(rounds.length);
  }

  function drawStatus(s) {
    text($("peer"), s.peerId);
    text($("federation"), s.federation);
    const badge = $("state");
    text(badge, s.state);
    badge.className = "badge " + s.state;
    text($("reason"), s.reason || "");
    text($("round"), s.round);
    text($("rounds"), s.rounds);
    text($("accuracy"), fmt(s.accuracy));
    text($("loss"), fmt(s.loss));
    text($("since"), ago(s.since));
    const ended = ["finished", "stopped", "failed"].includes(s.state);
    $("start").disabled = s.state !== "idle";
    $("pause").disabled = ended || s.paused || s.state === "idle";
    $("pause-peer").disabled = $("pause").disabled;
    $("resume").disabled = !s.paused;
    $("stop").disabled = ended;
    document.title = "IPA " + s.peerId + ": " + s.state + ", round " + s.round;
  }

  function drawPeers(peers) {
    const rows = peers.map((p) => "<tr><td>" + esc(p.peerId) + "</td><td class=\"" + (p.connected ? "up" : "down") + "\">" + (p.connected ? "up" : "down")
      + "</td><td>" + ago(p.lastSeen) + "</td><td>" + (p.roundTripMillis === null ? "–" : fmt(p.roundTripMillis, 1) + " ms") + "</td><td>"
      + (p.lastRoundReceived < 0 ? "–" : p.lastRoundReceived) + "</td><td>" + bytes(p.bytesIn) + "</td><td>" + bytes(p.bytesOut)
      + "</td><td>" + p.failures + "</td><td>" + p.suspectedSnapshots + "</td></tr>");
    $("neighbours").tBodies[0].innerHTML = rows.join("") || "<tr><td colspan=\"9\">no neighbours configured</td></tr>";
  }

  function drawFairness(f) {
    const items = [
      ["rounds completed", f.roundsCompleted],
      ["final test accuracy", fmt(f.finalAccuracy)],
      ["best test accuracy", f.bestRound < 0 ? "–" : fmt(f.bestAccuracy) + " (round " + f.bestRound + ")"],
      ["own validation accuracy", fmt(f.finalValidationAccuracy)],
      ["local-only accuracy", f.localOnlyAccuracy === null ? "no own model (IPA's default personal model trains one)" : fmt(f.localOnlyAccuracy)],
      ["gain over local-only", f.gainOverLocalOnly === null ? "–" : fmt(f.gainOverLocalOnly)],
      ["missed exchanges", Object.keys(f.missedExchanges).length === 0 ? "none"
        : Object.entries(f.missedExchanges).map(([p, n]) => p + ": " + n).join(", ")],
      ["largest staleness", f.maxStaleness + " rounds"],
      ["frozen rounds (patience)", f.frozenRounds],
    ];
    $("fairness").innerHTML = items.map(([k, v]) => "<dt>" + k + "</dt><dd>" + esc(String(v)) + "</dd>").join("");
    $("stops").tBodies[0].innerHTML = f.stops.map((s) => "<tr><td>" + esc(s.peer) + "</td><td>" + s.round + "</td><td>" + esc(s.reason) + "</td></tr>").join("")
      || "<tr><td colspan=\"3\">no stops recorded</td></tr>";
    const budget = f.privacyBudget;
    $("privacy").hidden = budget === null || budget === undefined;
    if (budget) $("budget").innerHTML = Object.entries(budget).map(([k, v]) => "<dt>" + esc(k) + "</dt><dd>" + fmt(v) + "</dd>").join("");
  }

  function esc(s) {
    return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" })[c]);
  }

  async function poll() {
    try {
      const [status, rounds, peers, fairness] = await Promise.all([api("/api/status"), api("/api/rounds"), api("/api/peers"), api("/api/fairness")]);
      Object.assign(state, { status, rounds, peers, fairness });
      drawStatus(status);
      for (const name of Object.keys(CHARTS)) drawChart(name, rounds, fairness.localOnlyAccuracy);
      drawPeers(peers);
      drawFairness(fairness);
      state.polls++;
      document.body.dataset.polls = String(state.polls);
    } catch (e) {
      text($("message"), "Could not reach the peer: " + e.message);
    }
  }

  const CONFIRM = {
    pause: "Pause the whole federation after the current round? Every peer waits until someone resumes.",
    "pause?scope=peer": "Pause only this peer after the current round? Its neighbours will wait for it, up to their exchange timeout.",
    stop: "Stop this peer after the current round, and vote to stop the whole federation (it stops once a quorum of admins did)? It cannot be resumed in this process.",
  };

  for (const b of document.querySelectorAll("button[data-action]")) {
    b.addEventListener("click", async () => {
      const action = b.dataset.action;
      if (CONFIRM[action] && !window.confirm(CONFIRM[action])) return;
      try {
        const r = await api("/api/federation/" + action, { method: "POST" });
        text($("message"), action.replace("?scope=peer", " (this peer)") + (r.changed ? ": done" : ": nothing to change") + ".");
        drawStatus(r.status);
      } catch (e) {
        text($("message"), action + " failed: " + e.message);
      }
      poll();
    });
  }

  window.addEventListener("resize", () => {
    for (const [name, c] of Object.entries(charts)) c.setSize({ width: chartWidth($(CHARTS[name].el)), height: c.height });
  });

  poll();
  setInterval(poll, POLL_MS);
})();
