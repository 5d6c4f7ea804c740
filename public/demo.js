// The demo page's own behaviour: the snippets name this origin, the widget's can be copied,
// and the form sets a card's attributes.
const snippet = document.getElementById("snippet");
snippet.textContent = snippet.textContent.replaceAll('src="/', `src="${location.origin}/`);
for (const code of document.querySelectorAll("code[data-origin]")) {
  code.textContent = code.textContent.replace(/(^|[\s"(])\/(v1|embed)\//g, `$1${location.origin}/$2/`);
}

document.getElementById("copy").addEventListener("click", async () => {
  const status = document.getElementById("copied");
  try {
    await navigator.clipboard.writeText(snippet.textContent);
    status.textContent = "Copied.";
  } catch {
    status.textContent = "Select the snippet and copy it by hand.";
  }
});

document.getElementById("try-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const card = document.getElementById("tried");
  for (const name of ["clip-id", "region", "period"]) card.setAttribute(name, String(form.get(name)).trim());
});
