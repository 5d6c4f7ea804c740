// The demo page's own behaviour: the snippet names this origin, it can be copied,
// and the form sets a card's attributes.
const snippet = document.getElementById("snippet");
snippet.textContent = snippet.textContent.replace('src="/widget.js"', `src="${location.origin}/widget.js"`);

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
