// The SPARQL editor page: YASGUI against this service's endpoint, pre-filled with the prefixes and a
// starter query; catalogue examples open in new tabs; "Save" stores the current query under /saved.
document.addEventListener("DOMContentLoaded", () => {
  const config = JSON.parse(document.getElementById("editor-config").textContent);
  // each tab's result view takes its error renderers from Yasr's defaults (not from Yasgui's config)
  Yasgui.Yasr.defaults.errorRenderers = [readableError];
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint: config.endpoint }], keys: [] },
    // the prefixes folded into one line, so that the starter query shows without scrolling
    yasqe: { value: config.starter, editorHeight: "420px", collapsePrefixesOnLoad: true },
  });
  window.lmkgYasgui = yasgui;   // for people poking at it from the console, and for the browser tests

  for (const button of document.querySelectorAll("button[data-example]")) {
    button.addEventListener("click", () => {
      const example = config.examples[Number(button.dataset.example)];
      const tab = yasgui.addTab(true, { name: example.name, yasqe: { value: example.query, collapsePrefixesOnLoad: true },
                                        requestConfig: { endpoint: config.endpoint } });
      tab.show();
      document.getElementById("yasgui").scrollIntoView();
    });
  }

  const form = document.getElementById("save-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const output = document.getElementById("save-result");
    const query = yasgui.getTab().getQuery();
    const headers = { "Content-Type": "application/json", "Accept": "application/json" };
    const token = document.getElementById("save-token");   // there when the service needs a write token
    if (token) headers.Authorization = `Bearer ${token.value}`;
    const response = await fetch(form.dataset.action, {
      method: "POST", headers, body: JSON.stringify({ query, title: document.getElementById("save-title").value }),
    });
    const body = await response.json();
    output.textContent = "";
    if (!response.ok) {
      output.textContent = `Not saved: ${body.detail || body.title}`;
      return;
    }
    const link = document.createElement("a");
    link.href = body.url;
    link.textContent = body.url;
    output.append("Saved: ", link, " ");
    const copy = document.createElement("button");
    copy.type = "button";
    copy.textContent = "Copy link";
    copy.addEventListener("click", () => navigator.clipboard.writeText(body.url));
    output.append(copy);
  });
});

// The service answers an error as problem+json: show its title and detail as sentences, not the JSON.
async function readableError(error) {
  let problem;
  try {
    problem = JSON.parse(error.text);
  } catch {
    return undefined;                 // not a problem document: YASR's own rendering
  }
  const box = document.createElement("div");
  box.className = "problem";
  box.setAttribute("role", "alert");
  const title = document.createElement("h3");
  title.textContent = `${problem.title || "Error"} (${problem.status || error.status})`;
  const detail = document.createElement("p");
  detail.textContent = problem.detail || "";
  box.append(title, detail);
  return box;
}
