// Airlock's Tasklist plugin "My requests": the signed-in user's requests (GET /api/requests?mine=true,
// with the Tasklist session), what each is waiting for and who must review it, the decision with its
// comment, when the access ends, and Withdraw for requests still waiting (POST .../withdraw with
// Tasklist's CSRF token). Plain DOM, no framework. Airlock's API decides; a refusal is shown as it comes,
// except an approval refused for want of a recent second factor, which starts Keycloak's step-up.

const PANEL_ID = "airlock-my-requests";

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
  children.forEach(c => e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c))));
  return e;
}

function csrfToken() {
  const c = document.cookie.split(";").map(s => s.trim()).find(s => s.startsWith("XSRF-TOKEN="));
  return c ? decodeURIComponent(c.substring("XSRF-TOKEN=".length)) : "";
}

async function call(method, url, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    headers["X-XSRF-TOKEN"] = csrfToken();
  }
  const r = await fetch(url, { method, credentials: "same-origin", headers,
    body: body === undefined ? undefined : JSON.stringify(body) });
  const answer = await r.json().catch(() => ({}));
  if (!r.ok) {
    const fields = (answer.errors || []).map(e => (e.field ? e.field + ": " : "") + (e.message || e.detail || ""));
    throw new Error([answer.detail || answer.title || ("HTTP " + r.status), ...fields].join(" "));
  }
  return answer;
}

// Step-up: an approval refused because the approver's sign-in holds no recent second factor (Keycloak)
// answers 403 {"type":"StepUpRequired","stepUp":"/login/step-up"}. Tasklist would only show the sentence;
// send the person through Keycloak's sign-in with their second factor and back to this task instead.
(function stepUpOnRefusal() {
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    this.addEventListener("load", () => {
      if (this.status !== 403 || !/json/.test(this.getResponseHeader("Content-Type") || "")) {
        return;
      }
      let answer;
      try {
        answer = JSON.parse(this.responseText);
      } catch (e) {
        return;
      }
      if (answer && answer.type === "StepUpRequired" && typeof answer.stepUp === "string" && answer.stepUp.startsWith("/")) {
        const here = window.location.pathname + window.location.search + window.location.hash;
        window.location.assign(answer.stepUp + "?continue=" + encodeURIComponent(here));
      }
    });
    return send.apply(this, args);
  };
})();

// "PT1H30M" -> "1 h 30 min"
function human(iso) {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(iso || "");
  if (!m) {
    return iso || "";
  }
  const parts = [];
  let hours = Number(m[1] || 0);
  if (hours >= 24) {
    parts.push(Math.floor(hours / 24) + " d");
    hours = hours % 24;
  }
  if (hours) parts.push(hours + " h");
  if (m[2] && Number(m[2])) parts.push(Number(m[2]) + " min");
  if (m[3] && Number(m[3])) parts.push(Number(m[3]) + " s");
  return parts.join(" ") || "0 min";
}

function when(instant) {
  return instant ? new Date(instant).toLocaleString() : "";
}

const WAITING = ["PENDING_REVIEW", "SCHEDULED"];
const STATUS = {
  PENDING_REVIEW: "Waiting for review", SCHEDULED: "Approved, starts later", GRANTING: "Being granted",
  ACTIVE: "Active", REVOKING: "Being revoked", REVOKED: "Ended", DENIED: "Denied",
  REJECTED_OUT_OF_SCOPE: "Not allowed by policy", FAILED: "Failed", CANCELLED: "Withdrawn",
  EXPIRED: "Not reviewed in time", SUPERSEDED: "Replaced"
};

function reviewers(r) {
  if (r.status !== "PENDING_REVIEW") {
    return "";
  }
  const groups = (r.approverGroups || "").split(",").map(s => s.trim()).filter(Boolean).join(", ");
  return (r.approvalsRequired > 1 ? r.approvalsRequired + " approvals from " : "") + (groups || "—");
}

function decision(r) {
  const lines = [];
  if (r.reviewer) {
    const outcome = r.reviewOutcome === "DENY" || r.status === "DENIED" ? "Denied" : "Approved";
    lines.push(outcome + " by " + r.reviewer + (r.reviewComment ? ": “" + r.reviewComment + "”" : ""));
  } else if (r.decision === "APPROVE" || r.decision === "DENY") {
    lines.push((r.decision === "APPROVE" ? "Approved" : "Denied") + " by policy" + (r.reason ? ": " + r.reason : ""));
  } else if (r.reason && r.status !== "PENDING_REVIEW") {
    lines.push(r.reason);
  }
  if (r.revokeReason && r.revokeRequestedBy) {
    lines.push("Ended by " + r.revokeRequestedBy + ": " + r.revokeReason);
  }
  return lines.join(" · ");
}

function ends(r) {
  if (r.grantEnd) return when(r.grantEnd);
  if (r.startAt && WAITING.includes(r.status)) return "starts " + when(r.startAt);
  return "";
}

async function render(out, accounts) {
  out.replaceChildren("Loading…");
  try {
    const requests = await call("GET", "/api/requests?mine=true&limit=100");
    if (!requests.length) {
      out.replaceChildren(el("p", {}, "You have no requests yet. Start one with “Start process” → “Request AWS access”."));
      return;
    }
    const rows = requests.map(r => {
      const account = accounts[r.target] ? accounts[r.target] + " (" + r.target + ")" : r.target;
      const actions = el("td", {});
      if (WAITING.includes(r.status)) {
        // Withdraw asks once more before it acts: a stray click must not cancel a request.
        const withdraw = el("button", { type: "button", class: "btn btn-default btn-xs airlock-withdraw" }, "Withdraw…");
        const confirm = el("button", { type: "button", class: "btn btn-danger btn-xs airlock-withdraw-confirm" },
          "Yes, withdraw it");
        const keep = el("button", { type: "button", class: "btn btn-link btn-xs" }, "Keep it");
        const ask = el("span", { class: "airlock-withdraw-ask", hidden: "" }, "Withdraw this request? ", confirm, " ", keep);
        withdraw.addEventListener("click", () => { withdraw.hidden = true; ask.hidden = false; confirm.focus(); });
        keep.addEventListener("click", () => { ask.hidden = true; withdraw.hidden = false; withdraw.focus(); });
        confirm.addEventListener("click", async () => {
          confirm.disabled = true;
          try {
            await call("POST", "/api/requests/" + encodeURIComponent(r.id) + "/withdraw", { reason: "withdrawn in Tasklist" });
            render(out, accounts);
          } catch (e) {
            confirm.disabled = false;
            actions.append(el("div", { class: "text-danger" }, e.message));
          }
        });
        actions.append(withdraw, ask);
      }
      actions.append(el("a", { href: "/requests/" + encodeURIComponent(r.id), class: "btn btn-link btn-xs",
        target: "_blank", rel: "noopener" }, "Open in Airlock"));
      return el("tr", { "data-request-id": r.id, "data-status": r.status },
        el("td", {}, STATUS[r.status] || r.status),
        el("td", {}, account),
        el("td", {}, r.permission || (r.craftTemplate ? "crafted: " + r.craftTemplate : "")),
        el("td", {}, human(r.duration)),
        el("td", { class: "airlock-reviewers" }, reviewers(r)),
        el("td", { class: "airlock-decision" }, decision(r)),
        el("td", {}, ends(r)),
        el("td", {}, when(r.createdAt)),
        actions);
    });
    const head = el("tr", {}, ...["Status", "Account", "Permission", "Duration", "Who must review", "Decision",
      "Ends", "Requested", ""].map(h => el("th", {}, h)));
    out.replaceChildren(el("table", { class: "table table-condensed airlock-requests" },
      el("thead", {}, head), el("tbody", {}, ...rows)));
  } catch (e) {
    out.replaceChildren(el("div", { class: "alert alert-danger" }, e.message));
  }
}

async function open() {
  let panel = document.getElementById(PANEL_ID);
  if (!panel) {
    const out = el("div", { class: "airlock-requests-body" });
    const close = el("button", { type: "button", class: "btn btn-link", "aria-label": "Close" }, "Close");
    const refresh = el("button", { type: "button", class: "btn btn-default btn-sm" }, "Refresh");
    panel = el("div", { id: PANEL_ID, role: "dialog", "aria-label": "My requests",
      style: "position:fixed;top:60px;left:5%;right:5%;max-height:80vh;overflow:auto;z-index:2000;"
        + "background:#fff;border:1px solid #ccc;box-shadow:0 4px 16px rgba(0,0,0,.3);padding:12px 18px;" },
      el("div", { style: "display:flex;justify-content:space-between;align-items:center" },
        el("h3", { style: "margin:0" }, "My requests"), el("span", {}, refresh, close)),
      out);
    document.body.append(panel);
    let accounts = {};
    try {
      const catalog = await call("GET", "/api/catalog");
      (catalog.targets || []).forEach(t => { accounts[t.target] = t.name; });
    } catch (e) {
      accounts = {}; // names are a nicety: show the ids
    }
    panel.refresh = () => render(out, accounts);
    close.addEventListener("click", () => { panel.style.display = "none"; });
    refresh.addEventListener("click", () => panel.refresh());
  }
  panel.style.display = "block";
  if (panel.refresh) {
    panel.refresh();
  }
}

export default [
  {
    id: "airlock.myRequests",
    pluginPoint: "tasklist.navbar.action",
    priority: 10,
    render: node => {
      const link = el("a", { href: "", class: "airlock-my-requests-link", title: "Your access requests: waiting, decided, ended" },
        "My requests");
      link.addEventListener("click", e => { e.preventDefault(); open(); });
      node.replaceChildren(link);
    }
  }
];
