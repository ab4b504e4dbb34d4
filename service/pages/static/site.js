// Progressive enhancement only: every page reads and works without this file.
// "Copy link" buttons copy the URL of the input they name (data-copy-target) to the clipboard.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.copy[data-copy-target]")) {
    const input = document.getElementById(button.dataset.copyTarget);
    const status = button.closest(".share")?.querySelector(".copied");
    button.hidden = false;
    button.addEventListener("click", async () => {
      input.select();
      try {
        await navigator.clipboard.writeText(input.value);
      } catch {
        document.execCommand("copy");   // older browsers, and pages served over plain http
      }
      if (status) status.textContent = "Link copied.";
    });
  }
});

// Answer tables (table[data-answer]): a filter box that hides rows not containing its text, and column titles
// that sort the rows (numbers as numbers, by each cell's data-sort). Without this file the table is plain.
document.addEventListener("DOMContentLoaded", () => {
  for (const table of document.querySelectorAll("table[data-answer]")) {
    addFilter(table);
    for (const [index, th] of [...table.tHead.rows[0].cells].entries()) makeSortable(table, th, index);
  }
});

function addFilter(table) {
  const label = document.createElement("label");
  label.className = "filter";
  label.textContent = "Filter rows ";
  const input = document.createElement("input");
  input.type = "search";
  label.append(input);
  table.closest(".scroll").before(label);
  input.addEventListener("input", () => {
    const text = input.value.trim().toLowerCase();
    for (const row of table.tBodies[0].rows) row.hidden = !row.textContent.toLowerCase().includes(text);
  });
}

function makeSortable(table, th, index) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "sort";
  button.append(...th.childNodes);
  th.append(button);
  th.setAttribute("aria-sort", "none");
  button.addEventListener("click", () => {
    const ascending = th.getAttribute("aria-sort") !== "ascending";
    for (const other of th.parentElement.cells) other.setAttribute("aria-sort", "none");
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const rows = [...table.tBodies[0].rows];
    rows.sort((a, b) => compare(a.cells[index].dataset.sort, b.cells[index].dataset.sort) * (ascending ? 1 : -1));
    table.tBodies[0].append(...rows);
  });
}

function compare(a = "", b = "") {
  const [x, y] = [parseFloat(a), parseFloat(b)];
  if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  if (a === "" || b === "") return a === "" ? 1 : -1;   // empty cells last
  return a.localeCompare(b);
}
