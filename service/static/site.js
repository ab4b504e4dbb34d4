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
