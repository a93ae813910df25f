// The Decide page: the runs list, the new-run form, a run's page and one customer's decision, over /api/v1.
// Plain JavaScript, no build step, nothing loaded from elsewhere. Routes are in the hash:
//   #/                          the runs list and the live worker processes (refreshed every 2 s)
//   #/new?flow=&segment=&filter=&name=&constraints=&submit=1
//                               the form, optionally filled (and submitted, through the same path a click takes)
//   #/runs/ID?customer=&offset= a run: progress, summary, breakdowns, results
//   #/runs/ID/customers/CID     why that customer got what they got
"use strict";

const view = document.getElementById("view");
const PAGE_SIZE = 20;
let timer = null;      // the current view's polling timer, cleared on every route change
let generation = 0;    // bumped on every route change, so a late answer never draws over a newer view

// ---- Helpers ----

/** An element: h("td", {class: "num", "data-testid": "x"}, "text", child, ...). */
function h(tag, attrs, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** An API problem as an Error carrying its detail and column. */
class Problem extends Error {
  constructor(problem) {
    super(problem.detail || problem.title || "request failed");
    this.problem = problem;
  }
}

/** The JSON answer of an API call; throws a Problem for an error status. */
async function api(path, options) {
  const response = await fetch("/api/v1" + path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Problem({status: response.status, ...body});
  return body;
}

function post(path, body) {
  return api(path, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body || {})});
}

const RUNS_PAGE = 50;
const integer = (n) => Number(n).toLocaleString("en-US");
const percentText = (p) => (Math.round(p * 10) / 10).toFixed(1) + "%";
const dateText = (iso) => (iso ? new Date(iso).toLocaleString() : "");

function durationText(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return s + " s";
  if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
  return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
}

const STATUS_MARKS = {pending: "◷", running: "▶", completed: "✓", failed: "✗", cancelled: "■"};

/** A status badge: its colour helps, its text says it. */
function badge(status, testid) {
  return h("span", {class: "badge badge-" + status, "data-testid": testid, "data-value": status},
    h("span", {"aria-hidden": "true"}, STATUS_MARKS[status] || "•"), " ", status);
}

/** A labelled horizontal bar (0 to 100). */
function bar(percent, label) {
  const value = Math.max(0, Math.min(100, percent));
  return h("div", {class: "bar", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100,
    "aria-valuenow": value.toFixed(1), "aria-label": label},
    h("div", {class: "bar-fill", style: "width: " + value + "%"}));
}

function audienceText(run) {
  return run.segment ? "segment " + run.segment : "filter " + (run.filter || "(every customer)");
}

function showError(error) {
  view.replaceChildren(
    h("p", {}, h("a", {href: "#/"}, "← Runs")),
    h("h1", {}, "Something went wrong"),
    h("p", {class: "error", role: "alert", "data-testid": "view-error"}, error.message));
}

// ---- Routing ----

function parseHash() {
  const [path, query] = (location.hash.slice(1) || "/").split("?");
  return {parts: path.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query || "")};
}

function route() {
  clearTimeout(timer);
  timer = null;
  generation += 1;
  const {parts, query} = parseHash();
  let render;
  if (parts.length === 0) render = () => runsView(query);
  else if (parts[0] === "new") render = () => newRunView(query);
  else if (parts[0] === "runs" && parts.length === 2) render = () => runView(parts[1], query);
  else if (parts[0] === "runs" && parts[2] === "customers" && parts.length === 4) render = () => decisionView(parts[1], parts[3]);
  else render = () => view.replaceChildren(h("h1", {}, "Not found"), h("p", {}, h("a", {href: "#/"}, "Back to the runs")));
  Promise.resolve().then(render).catch(showError);
}

/** Calls `step` now and then every `ms` while the view of `mine` is current; stops when `step` returns false. */
function poll(mine, ms, step) {
  const tick = async () => {
    if (mine !== generation) return;
    let again = true;
    try { again = await step(); } catch (error) { if (mine === generation) showError(error); }
    if (again !== false && mine === generation) timer = setTimeout(tick, ms);
  };
  return tick();
}

// ---- The runs list ----

async function runsView(query) {
  const mine = generation;
  document.title = "Runs · Decide";
  const offset = Math.max(0, parseInt(query.get("offset") || "0", 10) || 0);
  const body = h("tbody", {});
  const total = h("p", {class: "muted", "data-testid": "runs-total"});
  const pager = h("nav", {class: "pager", "aria-label": "Runs pages"});
  const workers = h("div", {});
  view.replaceChildren(
    h("h1", {}, "Runs"), total,
    h("table", {class: "stack", "aria-label": "Runs"},
      h("thead", {}, h("tr", {}, ["Name", "Flow", "Audience", "Status", "Progress", "Created"].map((c) => h("th", {scope: "col"}, c)))),
      body),
    pager, workers);
  await poll(mine, 2000, async () => {
    const [list, live] = await Promise.all([api("/runs?limit=" + RUNS_PAGE + "&offset=" + offset), api("/workers")]);
    if (mine !== generation) return false;
    workers.replaceChildren(workersTable(live.workers));
    const last = Math.min(offset + list.runs.length, list.total);
    pager.replaceChildren(
      offset > 0 ? h("a", {href: "#/?offset=" + Math.max(0, offset - RUNS_PAGE), class: "button"}, "← Newer") : "",
      h("span", {"data-testid": "runs-range"}, list.total === 0 ? "" : integer(offset + 1) + "–" + integer(last) + " of " + integer(list.total)),
      last < list.total ? h("a", {href: "#/?offset=" + (offset + RUNS_PAGE), class: "button", "data-testid": "runs-older"}, "Older →") : "");
    total.textContent = list.total === 0 ? "No runs yet: start one with New run." : integer(list.total) + (list.total === 1 ? " run." : " runs, newest first.");
    body.replaceChildren(...list.runs.map((run) => h("tr", {},
      h("td", {"data-label": "Name"}, h("a", {href: "#/runs/" + encodeURIComponent(run.id)}, run.name)),
      h("td", {"data-label": "Flow"}, run.flow),
      h("td", {"data-label": "Audience"}, audienceText(run)),
      h("td", {"data-label": "Status"}, badge(run.status)),
      h("td", {"data-label": "Progress"}, h("div", {class: "progress-cell"},
        bar(run.progress.percent, "Progress of " + run.name), h("span", {class: "num"}, percentText(run.progress.percent)))),
      h("td", {"data-label": "Created"}, h("time", {datetime: run.createdAt}, dateText(run.createdAt))))));
  });
}

// ---- The new-run form ----

async function newRunView(query) {
  const mine = generation;
  document.title = "New run · Decide";
  const [flows, segments] = await Promise.all([api("/flows"), api("/segments")]);
  if (mine !== generation) return;

  const flowSelect = h("select", {id: "flow", name: "flow", required: true},
    flows.flows.map((f) => h("option", {value: f.key, disabled: !!f.error},
      f.error ? f.key + " (does not load)" : f.key + " — " + f.name)));
  const segmentSelect = h("select", {id: "segment", name: "segment"},
    h("option", {value: "all"}, "all (every customer: " +
      integer((segments.segments.find((s) => s.name === "all") || {count: 0}).count) + ")"),
    segments.segments.filter((s) => s.name !== "all").map((s) =>
      h("option", {value: s.name}, s.name + " (" + integer(s.count) + " customers)")));
  const useSegment = h("input", {type: "radio", name: "audience", id: "audience-segment", value: "segment", checked: true});
  const useFilter = h("input", {type: "radio", name: "audience", id: "audience-filter", value: "filter"});
  const filterInput = h("input", {id: "filter", name: "filter", type: "text", autocomplete: "off", spellcheck: "false",
    placeholder: "age >= 30 and app_user", "aria-describedby": "filter-status"});
  const filterStatus = h("div", {id: "filter-status", class: "filter-status", "aria-live": "polite"});
  const nameInput = h("input", {id: "name", name: "name", type: "text", placeholder: "optional"});
  const constraintsInput = h("textarea", {id: "constraints", name: "constraints", rows: 3, spellcheck: "false",
    placeholder: "offer:card_premium=100\nchannel:email=5000\ntotal=50000", "aria-describedby": "constraints-help"});
  const formError = h("div", {class: "error", role: "alert", "data-testid": "form-error"});
  const submit = h("button", {type: "submit"}, "Start run");

  let countTimer = null;
  let countRequest = 0;
  const checkFilter = () => {
    clearTimeout(countTimer);
    countTimer = setTimeout(async () => {
      const text = filterInput.value;
      const mineCount = ++countRequest;
      try {
        const answer = await api("/segments/count?filter=" + encodeURIComponent(text));
        if (mineCount !== countRequest) return;
        filterInput.removeAttribute("aria-invalid");
        filterStatus.replaceChildren(h("span", {"data-testid": "filter-count"}, integer(answer.count) + " customers"));
      } catch (error) {
        if (mineCount !== countRequest) return;
        filterInput.setAttribute("aria-invalid", "true");
        filterStatus.replaceChildren(filterProblem(text, error));
      }
    }, 300);
  };
  const syncAudience = () => {
    segmentSelect.disabled = !useSegment.checked;
    filterInput.disabled = !useFilter.checked;
    if (useFilter.checked) checkFilter(); else filterStatus.replaceChildren();
  };
  useSegment.addEventListener("change", syncAudience);
  useFilter.addEventListener("change", syncAudience);
  filterInput.addEventListener("input", checkFilter);

  const form = h("form", {class: "card form", "aria-label": "New run", novalidate: true},
    h("label", {for: "flow"}, "Flow"), flowSelect,
    h("fieldset", {},
      h("legend", {}, "Audience"),
      h("div", {class: "choice"}, useSegment, h("label", {for: "audience-segment"}, "Saved segment")),
      h("label", {for: "segment", class: "visually-hidden"}, "Segment"), segmentSelect,
      h("div", {class: "choice"}, useFilter, h("label", {for: "audience-filter"}, "Ad-hoc filter")),
      h("label", {for: "filter", class: "visually-hidden"}, "Filter"), filterInput, filterStatus),
    h("label", {for: "name"}, "Name"), nameInput,
    h("label", {for: "constraints"}, "Volume constraints"), constraintsInput,
    h("p", {id: "constraints-help", class: "muted"}, "Optional, one per line: offer:ID=MAX, offers:A,B=MAX, channel:NAME=MAX ",
      "or total=MAX. They add to the flow's, or replace the flow's with the same selector."),
    formError, submit);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    formError.replaceChildren();
    const body = {flow: flowSelect.value};
    if (useFilter.checked) body.filter = filterInput.value; else body.segment = segmentSelect.value;
    if (nameInput.value.trim()) body.name = nameInput.value.trim();
    try {
      const constraints = constraintsInput.value.split("\n").map((line) => line.trim()).filter((line) => line)
        .map(constraintFromText);
      if (constraints.length) body.constraints = constraints;
    } catch (error) {
      formError.replaceChildren(error.message);
      return;
    }
    submit.disabled = true;
    try {
      const run = await post("/runs", body);
      location.hash = "#/runs/" + encodeURIComponent(run.id);
    } catch (error) {
      formError.replaceChildren(useFilter.checked && error.problem?.column ? filterProblem(body.filter, error) : error.message);
      submit.disabled = false;
    }
  });

  view.replaceChildren(h("h1", {}, "New run"), form);
  if (query.get("flow")) flowSelect.value = query.get("flow");
  if (query.get("segment")) segmentSelect.value = query.get("segment");
  if (query.has("filter")) { useFilter.checked = true; filterInput.value = query.get("filter"); }
  if (query.get("name")) nameInput.value = query.get("name");
  if (query.get("constraints")) constraintsInput.value = query.get("constraints");
  syncAudience();
  if (query.get("submit") === "1") form.requestSubmit(submit);
}

/** A constraint as `--volume` spells it (`offer:ID=MAX`, `offers:A,B=MAX`, `channel:NAME=MAX`, `total=MAX`) in the
 *  API's form; throws an Error naming the line. */
function constraintFromText(text) {
  const equals = text.lastIndexOf("=");
  const max = equals < 0 ? NaN : Number(text.slice(equals + 1));
  if (!Number.isInteger(max) || max < 0) throw new Error("constraint " + text + ": expected SELECTOR=MAX with a whole number of 0 or more");
  const selector = text.slice(0, equals);
  if (selector === "total") return {max};
  const colon = selector.indexOf(":");
  const kind = selector.slice(0, colon), value = selector.slice(colon + 1);
  if (colon < 0 || !value || !["offer", "offers", "channel"].includes(kind)) {
    throw new Error("constraint " + text + ": use offer:ID, offers:A,B, channel:NAME or total");
  }
  return kind === "offers" ? {offers: value.split(","), max} : {[kind]: value, max};
}

/** A filter's error: the message, and the filter with the problem's column underlined. */
function filterProblem(text, error) {
  const column = error.problem?.column;
  const parts = [h("span", {class: "error", "data-testid": "filter-error"}, error.message)];
  if (column) {
    const at = Math.min(column - 1, text.length);
    parts.push(h("code", {class: "filter-echo", "aria-label": "Problem at column " + column},
      text.slice(0, at), h("mark", {class: "at-fault"}, text.slice(at, at + 1) || " "), text.slice(at + 1)));
  }
  return h("div", {}, parts);
}

// ---- A run ----

async function runView(id, query) {
  const mine = generation;
  const offset = Math.max(0, parseInt(query.get("offset") || "0", 10) || 0);
  const customer = query.get("customer") || "";
  const head = h("div", {});
  const live = h("section", {"aria-live": "polite"});
  const results = h("section", {});
  view.replaceChildren(h("p", {}, h("a", {href: "#/"}, "← Runs")), head, live, results);
  let resultsShown = false;
  await poll(mine, 1000, async () => {
    const run = await api("/runs/" + encodeURIComponent(id));
    if (mine !== generation) return false;
    document.title = run.name + " · Decide";
    head.replaceChildren(runHeader(run));
    const active = run.status === "pending" || run.status === "running";
    live.replaceChildren(active ? runProgress(run) : runOutcome(run));
    if (!active && !resultsShown) {
      resultsShown = true;
      results.replaceChildren(await resultsSection(run, customer, offset, query.get("failed") === "1"));
    }
    return active;
  });
}

function runHeader(run) {
  return h("div", {class: "run-head"},
    h("h1", {}, run.name, " ", badge(run.status, "run-status")),
    h("dl", {class: "facts"},
      h("dt", {}, "Run"), h("dd", {"data-testid": "run-id"}, run.id),
      h("dt", {}, "Flow"), h("dd", {}, run.flow),
      h("dt", {}, "Audience"), h("dd", {}, audienceText(run)),
      h("dt", {}, "Created"), h("dd", {}, h("time", {datetime: run.createdAt}, dateText(run.createdAt))),
      run.finishedAt && [h("dt", {}, "Finished"), h("dd", {}, h("time", {datetime: run.finishedAt}, dateText(run.finishedAt)))]));
}

function runProgress(run) {
  const p = run.progress;
  const elapsed = run.startedAt ? (Date.now() - new Date(run.startedAt).getTime()) / 1000 : 0;
  const rate = elapsed > 0 ? p.processed / elapsed : 0;
  const cancel = h("button", {type: "button", class: "danger", onclick: async () => {
    cancel.disabled = true;
    try { await post("/runs/" + encodeURIComponent(run.id) + "/cancel"); } catch (error) { cancel.replaceWith(h("span", {class: "error", role: "alert"}, error.message)); }
  }}, "Cancel run");
  return h("div", {class: "card"},
    h("h2", {}, run.status === "pending" ? "Waiting for its turn"
      : run.phase === "allocating" ? "Allocating the volume constraints" : "Running"),
    bar(p.percent, "Run progress"),
    h("p", {class: "progress-line"},
      h("strong", {"data-testid": "progress-percent"}, percentText(p.percent)), " · ",
      integer(p.processed), " of ", integer(p.total), " customers · ",
      rate > 0 ? integer(Math.round(rate)) + " customers/s" : "–", " · ",
      "about ", durationText(p.etaSeconds), " left"),
    cancel,
    processesTable(run.participants));
}

const SUMMARY = [
  ["totalCustomers", "Customers processed", integer],
  ["customersWithRecommendations", "Customers with recommendations", integer],
  ["totalRecommendations", "Total recommendations", integer],
  ["averageOffersPerCustomer", "Average offers per customer", (n) => n.toFixed(2)],
  ["executionTimeMs", "Execution time", (ms) => (ms < 1000 ? ms + " ms" : (ms / 1000).toFixed(2) + " s")],
];

function runOutcome(run) {
  const parts = [];
  const base = "#/runs/" + encodeURIComponent(run.id);
  if (run.errorsRecorded > 0) {
    parts.push(h("div", {class: "card failure", role: "alert", "data-testid": "failing-customers"},
      h("h2", {}, integer(run.errorsRecorded), run.errorsRecorded === 1 ? " customer failed" : " customers failed"),
      h("p", {}, run.status === "completed"
        ? "The run completed within its error budget, but the flow failed for these customers: they got no recommendation."
        : "The flow failed for these customers."),
      h("p", {}, h("a", {href: base + "?failed=1", "data-testid": "failing-link"}, "List the failing customers"))));
  }
  const actions = [];
  if (run.interrupted) {
    actions.push(actionButton("Resume run", "resume", () => post("/runs/" + encodeURIComponent(run.id) + "/resume")));
  }
  if (run.status === "completed" && !run.releasedAt) {
    actions.push(actionButton("Release", "release", () => post("/runs/" + encodeURIComponent(run.id) + "/release")));
  }
  if (run.releasedAt) {
    parts.push(h("p", {class: "muted", "data-testid": "released"}, "Released into the interaction history ",
      h("time", {datetime: run.releasedAt}, dateText(run.releasedAt)), "."));
  }
  if (run.status === "completed" || run.status === "failed" || run.status === "cancelled") {
    actions.push(actionButton("Delete run", "delete", async () => {
      if (!window.confirm("Delete run " + run.name + " and its results?")) return;
      await api("/runs/" + encodeURIComponent(run.id), {method: "DELETE"});
      location.hash = "#/";
    }, "danger"));
  }
  if (actions.length) parts.push(h("p", {class: "actions"}, actions));
  if (run.error) {
    const where = [run.error.file, run.error.line].filter((x) => x !== null && x !== undefined).join(":");
    parts.push(h("div", {class: "card failure", role: "alert"},
      h("h2", {}, "Error"),
      h("p", {"data-testid": "run-error"}, run.error.message),
      where && h("p", {}, "In ", h("code", {"data-testid": "run-error-location"}, where)),
      run.error.customerId && h("p", {}, "For customer ", h("code", {}, run.error.customerId))));
  }
  if (run.partial) parts.push(h("p", {class: "muted"}, "Partial: the run ended before every customer was processed."));
  if (run.summary) {
    parts.push(h("h2", {}, "Summary"), h("dl", {class: "stats"}, SUMMARY.map(([key, label, format]) =>
      h("div", {class: "stat"}, h("dt", {}, label),
        h("dd", {"data-testid": "summary-" + key, "data-value": run.summary[key]}, format(run.summary[key]))))));
    parts.push(h("div", {class: "breakdowns"},
      breakdown("Offers", "offer", ["Offer", "Name"], run.offerBreakdown.map((o) => [[o.offerId, o.name], o])),
      breakdown("Channels", "channel", ["Channel"], run.channelBreakdown.map((c) => [[c.channel], c]))));
    if (run.constraints && run.constraints.length) parts.push(constraintsTable(run.constraints));
    if (run.stageFunnel && run.stageFunnel.length) parts.push(funnel(run.stageFunnel));
  }
  parts.push(processesTable(run.participants));
  return h("div", {}, parts);
}

/** The processes that took part in a run (worker processes, or the one that ran it) and the customers each decided. */
function processesTable(participants) {
  if (!participants || participants.length === 0) return "";
  return h("section", {class: "card"},
    h("h2", {}, "Processes"),
    h("table", {class: "stack", "aria-label": "Processes", "data-testid": "participants"},
      h("thead", {}, h("tr", {}, ["Process", "Host"].map((c) => h("th", {scope: "col"}, c)),
        h("th", {scope: "col", class: "num"}, "Customers"))),
      h("tbody", {}, participants.map((p) => h("tr", {"data-testid": "participant-row", "data-key": p.name},
        h("td", {"data-label": "Process"}, p.name), h("td", {"data-label": "Host"}, p.host),
        h("td", {class: "num", "data-label": "Customers", "data-testid": "participant-customers"}, integer(p.customers)))))));
}

/** The live worker processes and the chunk each holds (`RUN#CHUNK`), or nothing when there are none. */
function workersTable(workers) {
  if (workers.length === 0) return "";
  return h("section", {class: "card"},
    h("h2", {}, workers.length === 1 ? "1 worker process" : integer(workers.length) + " worker processes"),
    h("table", {class: "stack", "aria-label": "Worker processes", "data-testid": "workers"},
      h("thead", {}, h("tr", {}, ["Name", "Host"].map((c) => h("th", {scope: "col"}, c)),
        h("th", {scope: "col", class: "num"}, "Threads"), h("th", {scope: "col"}, "Working on"),
        h("th", {scope: "col"}, "Last heartbeat"))),
      h("tbody", {}, workers.map((w) => {
        const held = w.chunk ? w.chunk.split("#") : null;
        return h("tr", {"data-testid": "worker-row", "data-key": w.name},
          h("td", {"data-label": "Name"}, w.name), h("td", {"data-label": "Host"}, w.host),
          h("td", {class: "num", "data-label": "Threads"}, integer(w.threads)),
          h("td", {"data-label": "Working on", "data-testid": "worker-chunk"}, held
            ? [h("a", {href: "#/runs/" + encodeURIComponent(held[0])}, held[0]), " chunk " + held[1]] : "idle"),
          h("td", {"data-label": "Last heartbeat"}, h("time", {datetime: w.heartbeatAt}, dateText(w.heartbeatAt))));
      }))));
}

/** The run's volume constraints: what each selects, its max, what it used and how many pairs it turned away. */
function constraintsTable(constraints) {
  const selects = (c) => c.offer !== undefined ? "offer " + c.offer : c.offers ? "offers " + c.offers.join(", ")
    : c.channel !== undefined ? "channel " + c.channel : "every recommendation";
  return h("section", {class: "card"},
    h("h2", {}, "Volume constraints"),
    h("table", {class: "stack", "aria-label": "Volume constraints", "data-testid": "constraints"},
      h("thead", {}, h("tr", {}, ["Constraint", "Selects"].map((c) => h("th", {scope: "col"}, c)),
        ["Max", "Used", "Turned away"].map((c) => h("th", {scope: "col", class: "num"}, c)))),
      h("tbody", {}, constraints.map((c) => h("tr", {"data-testid": "constraint-row", "data-key": c.name},
        h("td", {"data-label": "Constraint"}, c.name), h("td", {"data-label": "Selects"}, selects(c)),
        h("td", {class: "num", "data-label": "Max"}, integer(c.max)),
        h("td", {class: "num", "data-label": "Used", "data-testid": "constraint-used"}, integer(c.used)),
        h("td", {class: "num", "data-label": "Turned away"}, integer(c.turnedAway)))))));
}

/** The stage funnel: what each stage received, dropped and passed on over the whole run. */
function funnel(stages) {
  return h("section", {class: "card"},
    h("h2", {}, "Stage funnel"),
    h("table", {class: "stack", "aria-label": "Stage funnel", "data-testid": "stage-funnel"},
      h("thead", {}, h("tr", {}, ["Stage", "Kind"].map((c) => h("th", {scope: "col"}, c)),
        ["Received", "Dropped", "Passed"].map((c) => h("th", {scope: "col", class: "num"}, c)))),
      h("tbody", {}, stages.map((s) => h("tr", {"data-testid": "funnel-row", "data-key": s.name},
        h("td", {"data-label": "Stage"}, s.name), h("td", {"data-label": "Kind"}, s.kind),
        h("td", {class: "num", "data-label": "Received"}, integer(s.received)),
        h("td", {class: "num", "data-label": "Dropped"}, integer(s.dropped)),
        h("td", {class: "num", "data-label": "Passed"}, integer(s.received - s.dropped)))))));
}

/** A breakdown as a table whose last column is a horizontal bar of each row's share. */
function breakdown(title, kind, columns, rows) {
  const largest = Math.max(0, ...rows.map(([, share]) => share.count));
  return h("section", {class: "card"},
    h("h2", {}, title),
    rows.length === 0 ? h("p", {class: "muted"}, "No recommendations.") :
      h("table", {class: "stack", "aria-label": title + " breakdown", "data-testid": kind + "-breakdown"},
        h("thead", {}, h("tr", {}, columns.map((c) => h("th", {scope: "col"}, c)),
          h("th", {scope: "col", class: "num"}, "Count"), h("th", {scope: "col", class: "num"}, "Share"),
          h("th", {scope: "col", class: "chart-col"}, h("span", {class: "visually-hidden"}, "Chart")))),
        h("tbody", {}, rows.map(([cells, share]) => h("tr", {"data-testid": kind + "-row", "data-key": cells[0]},
          cells.map((c, i) => h("td", {"data-label": columns[i]}, c)),
          h("td", {class: "num", "data-label": "Count", "data-testid": kind + "-count"}, integer(share.count)),
          h("td", {class: "num", "data-label": "Share", "data-testid": kind + "-percent"}, percentText(share.percent)),
          h("td", {class: "chart-col", "data-label": "Chart"},
            bar(largest > 0 ? 100 * share.count / largest : 0, cells[0] + " share (bar relative to the largest)")))))));
}

/** A button that runs `act` once and shows its error in its place. */
function actionButton(label, testid, act, kind) {
  const button = h("button", {type: "button", class: kind || "", "data-testid": testid + "-button", onclick: async () => {
    button.disabled = true;
    try { await act(); route(); } catch (error) { button.replaceWith(h("span", {class: "error", role: "alert"}, error.message)); }
  }}, label);
  return button;
}

async function resultsSection(run, customer, offset, failed) {
  const base = "#/runs/" + encodeURIComponent(run.id);
  const params = new URLSearchParams({limit: PAGE_SIZE, offset});
  if (customer) params.set("customerId", customer);
  if (failed) params.set("failed", "true");
  const page = await api("/runs/" + encodeURIComponent(run.id) + "/results?" + params);
  const search = h("input", {id: "customer-search", type: "search", value: customer, placeholder: "C000000001"});
  const form = h("form", {class: "search", role: "search", onsubmit: (event) => {
    event.preventDefault();
    const q = search.value.trim();
    location.hash = base + (q ? "?customer=" + encodeURIComponent(q) : "");
  }}, h("label", {for: "customer-search"}, "Customer id"), search, h("button", {type: "submit"}, "Search"));
  const link = (to) => base + "?" + new URLSearchParams({...(customer ? {customer} : {}), ...(failed ? {failed: 1} : {}), offset: to});
  const last = Math.min(offset + page.results.length, page.total);
  return h("div", {},
    h("h2", {}, failed ? "Failing customers" : "Results"), form,
    failed ? h("p", {}, h("a", {href: base}, "Show every customer")) : "",
    page.total === 0 ? h("p", {class: "muted"}, customer ? "No result for customer " + customer + "." : "No results.") :
      h("table", {class: "stack", "aria-label": "Results", "data-testid": "results"},
        h("thead", {}, h("tr", {}, ["Customer", "Recommendations", "Error"].map((c) => h("th", {scope: "col"}, c)))),
        h("tbody", {}, page.results.map((r) => h("tr", {},
          h("td", {"data-label": "Customer"}, h("a", {href: base + "/customers/" + encodeURIComponent(r.customerId),
            "aria-label": "Why customer " + r.customerId + " got this"}, r.customerId)),
          h("td", {"data-label": "Recommendations"}, r.recommendations.length === 0 ? h("span", {class: "muted"}, "none") :
            h("ol", {class: "recs"}, r.recommendations.map((x) => h("li", {}, x.offerId, " via ", x.channel,
              x.score !== null && x.score !== undefined ? h("span", {class: "muted"}, " · score " + Number(x.score).toFixed(3)) : "")))),
          h("td", {"data-label": "Error"}, r.error || ""))))),
    h("nav", {class: "pager", "aria-label": "Results pages"},
      offset > 0 ? h("a", {href: link(Math.max(0, offset - PAGE_SIZE)), class: "button"}, "← Previous") : "",
      h("span", {"data-testid": "results-range"}, page.total === 0 ? "" : integer(offset + 1) + "–" + integer(last) + " of " + integer(page.total)),
      last < page.total ? h("a", {href: link(offset + PAGE_SIZE), class: "button"}, "Next →") : ""));
}

// ---- One customer's decision ----

async function decisionView(id, customerId) {
  const mine = generation;
  document.title = customerId + " · Decide";
  const [trace, results, history] = await Promise.all([
    api("/runs/" + encodeURIComponent(id) + "/results/" + encodeURIComponent(customerId) + "/decision"),
    api("/runs/" + encodeURIComponent(id) + "/results?customerId=" + encodeURIComponent(customerId)),
    api("/customers/" + encodeURIComponent(customerId) + "/interactions?limit=20")]);
  if (mine !== generation) return;
  const stored = results.results[0] || {recommendations: []};
  const score = (s) => (s === null || s === undefined ? "" : Number(s).toFixed(3));
  view.replaceChildren(
    h("p", {}, h("a", {href: "#/runs/" + encodeURIComponent(id)}, "← Run")),
    h("h1", {}, "Why ", customerId, " got what they got"),
    h("p", {class: "muted"}, "Flow ", trace.flow, ", replayed with the run's flow and seed on the customer as they are now."),
    h("ol", {class: "stages"}, trace.stages.map((stage) => h("li", {class: "card"},
      h("h2", {}, stage.name, " ", h("span", {class: "kind"}, stage.kind)),
      h("p", {}, integer(stage.received), " in, ", integer(stage.candidates.length), " out",
        stage.dropped.length ? ", " + stage.dropped.length + " dropped" : ""),
      stage.dropped.length > 0 && h("table", {"aria-label": "Dropped at " + stage.name},
        h("thead", {}, h("tr", {}, h("th", {scope: "col"}, "Dropped"), h("th", {scope: "col"}, "Why"))),
        h("tbody", {}, stage.dropped.map((d) => h("tr", {}, h("td", {}, d.offerId), h("td", {}, d.reason))))),
      stage.candidates.length > 0 && h("p", {class: "candidates"}, "Passed on: ",
        stage.candidates.map((c, i) => [i ? ", " : "", h("code", {}, c.offerId),
          c.score !== null && c.score !== undefined ? " (" + score(c.score) + ")" : "", c.channel ? " via " + c.channel : ""]))))),
    h("section", {class: "card"},
      h("h2", {}, "Recommendations"),
      trace.recommendations.length === 0 ? h("p", {class: "muted"}, "None.") :
        h("table", {"aria-label": "Final recommendations"},
          h("thead", {}, h("tr", {}, ["Rank", "Offer", "Channel", "Score"].map((c) => h("th", {scope: "col"}, c)))),
          h("tbody", {}, trace.recommendations.map((r) => h("tr", {},
            h("td", {}, r.rank), h("td", {}, r.offerId), h("td", {}, r.channel), h("td", {class: "num"}, score(r.score))))))),
    stored.dropped && h("section", {class: "card", "data-testid": "allocation"},
      h("h2", {}, "What the run delivered"),
      h("p", {class: "muted"}, "The run allocated its volume constraints across the whole audience: the flow's own ",
        "decision above is what this customer could get; this is what they got."),
      stored.recommendations.length === 0 ? h("p", {class: "muted"}, "Nothing.") :
        h("ol", {class: "recs"}, stored.recommendations.map((r) => h("li", {}, r.offerId, " via ", r.channel))),
      stored.dropped.length > 0 && h("table", {"aria-label": "Dropped by the allocation", "data-testid": "allocation-dropped"},
        h("thead", {}, h("tr", {}, ["Candidate", "Offer", "Channel", "Score", "Why"].map((c) => h("th", {scope: "col"}, c)))),
        h("tbody", {}, stored.dropped.map((d) => h("tr", {},
          h("td", {}, d.rank), h("td", {}, d.offerId), h("td", {}, d.channel), h("td", {class: "num"}, score(d.score)),
          h("td", {}, d.reason)))))),
    h("section", {class: "card", "data-testid": "history"},
      h("h2", {}, "Interaction history"),
      history.total === 0 ? h("p", {class: "muted"}, "None.") :
        h("table", {"aria-label": "Interaction history"},
          h("thead", {}, h("tr", {}, ["When", "Offer", "Channel", "Outcome"].map((c) => h("th", {scope: "col"}, c)))),
          h("tbody", {}, history.interactions.map((i) => h("tr", {"data-testid": "history-row"},
            h("td", {}, h("time", {datetime: i.at}, dateText(i.at))), h("td", {}, i.offerId), h("td", {}, i.channel || ""),
            h("td", {}, i.outcome))))),
      history.total > history.interactions.length && h("p", {class: "muted"}, "The newest 20 of " + integer(history.total) + ".")),
    trace.printed.length > 0 && h("section", {class: "card"}, h("h2", {}, "Printed"), h("pre", {}, trace.printed.join("\n"))));
}

window.addEventListener("hashchange", route);
route();
