// Airlock's Cockpit plugin "Audit & explorer": who has what (GET /api/explorer) and the audit log
// (GET /api/audit), read with the Cockpit session, each with its download buttons. Plain DOM, no
// framework. Airlock's API decides who may read; a refusal is shown as it comes.
const PATH = "/airlock";

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
  children.forEach(c => e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c))));
  return e;
}

async function read(url) {
  const r = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    throw new Error(body.detail || body.title || ("HTTP " + r.status));
  }
  return body;
}

function table(columns, rows) {
  const head = el("tr", {}, ...columns.map(c => el("th", {}, c.label)));
  const body = rows.map(row => el("tr", {}, ...columns.map(c => el("td", {}, c.value(row)))));
  return el("table", { class: "cam-table" }, el("thead", {}, head), el("tbody", {}, ...body));
}

function query(form) {
  const params = new URLSearchParams();
  new FormData(form).forEach((v, k) => { if (String(v).trim()) params.set(k, String(v).trim()); });
  return params;
}

function section(title, fields, load, downloads) {
  const form = el("form", { class: "form-inline" },
    ...fields.map(f => el("input", { name: f, placeholder: f, class: "form-control input-sm" })),
    el("button", { type: "submit", class: "btn btn-default btn-sm" }, "Filter"));
  const links = el("span", {});
  const out = el("div", {});
  const refresh = async () => {
    const params = query(form);
    links.replaceChildren(...downloads.map(d => {
      const p = new URLSearchParams(params);
      p.set("format", d.format);
      return el("a", { class: "btn btn-link btn-sm", href: d.url + "?" + p, download: "" }, "Download " + d.label);
    }));
    out.replaceChildren("Loading…");
    try {
      out.replaceChildren(await load(params));
    } catch (e) {
      out.replaceChildren(el("div", { class: "alert alert-danger" }, e.message));
    }
  };
  form.addEventListener("submit", e => { e.preventDefault(); refresh(); });
  refresh();
  return el("section", { class: "airlock-section" }, el("h3", {}, title), form, links, out);
}

function explorer() {
  return section("Explorer: who has what", ["principal", "group", "account", "permission", "source"],
    async params => {
      const result = await read("/api/explorer?" + params);
      return el("div", {},
        el("p", {}, "From the scan of " + (result.scannedAt || "never") + ": " + result.mappings.length + " mappings"),
        table([
          { label: "Principal", value: m => m.principalName || m.principalId },
          { label: "Account", value: m => m.accountId + (m.accountName ? " (" + m.accountName + ")" : "") },
          { label: "Permission set", value: m => m.permissionSetName },
          { label: "Source", value: m => m.source },
          { label: "Request", value: m => m.requestId || "" },
          { label: "Ends at", value: m => m.endsAt || "" }
        ], result.mappings));
    },
    [{ url: "/api/explorer", format: "csv", label: "CSV" }, { url: "/api/explorer", format: "json", label: "JSON" }]);
}

function auditLog() {
  return section("Audit log", ["from", "to", "actor", "requestId", "account", "action"],
    async params => {
      params.set("limit", "200");
      const page = await read("/api/audit?" + params);
      return el("div", {},
        table([
          { label: "#", value: e => e.seq },
          { label: "When", value: e => e.occurredAt },
          { label: "Who", value: e => e.actor },
          { label: "What", value: e => e.action },
          { label: "Request", value: e => e.requestId || "" },
          { label: "Details", value: e => JSON.stringify(e.details) }
        ], page.events),
        page.next ? el("p", {}, "More entries after #" + page.next + ": narrow the filter or download.") : "");
    },
    [{ url: "/api/audit", format: "csv", label: "CSV" }, { url: "/api/audit", format: "jsonl", label: "JSON Lines" }]);
}

export default [
  {
    id: "airlock.navigation",
    pluginPoint: "cockpit.navigation",
    // In the header beside Processes and Decisions (a negative priority hides it under "More").
    priority: 5,
    properties: {
      label: "Audit & explorer",
      pagePath: "#" + PATH,
      checkActive: path => path.indexOf("#" + PATH) > -1
    },
    // Cockpit draws a JavaScript plugin's entry with its render function only: this is the link.
    render: node => {
      node.replaceChildren(el("a", { href: "#" + PATH }, "Audit & explorer"));
    }
  },
  {
    id: "airlock.route",
    pluginPoint: "cockpit.route",
    properties: { path: PATH, label: "Audit & explorer" },
    render: node => {
      node.replaceChildren(el("div", { class: "container-fluid airlock-audit-explorer" },
        el("h2", {}, "Audit & explorer"), explorer(), auditLog()));
    }
  }
];
