// When an htmx request fails, say so, and leave the page as it was.
// htmx 4 swaps every answer but 204 and 304 (htmx.config.noSwap), error pages included: a
// stale CSRF token would put the 403 page inside the card that was clicked. Here any answer of
// 400 or more, a redirect (a session that ended sends a fragment request to the sign-in page)
// and a network failure show a short message in the page's #request-error region instead,
// with a reload button where only a reload can help. 503 "busy" is live.js's: it retries.
(() => {
  "use strict";

  const region = () => document.getElementById("request-error");

  function show(message, { reload }) {
    const box = region();
    if (!box) return;
    box.querySelector("[data-error-text]").textContent = message;
    box.querySelector("[data-error-reload]").hidden = !reload;
    box.hidden = false;
  }

  function hide() {
    const box = region();
    if (box) box.hidden = true;
  }

  // The message the server wrote for people: an error page's [data-error-message], or the
  // "error" of a JSON answer. Otherwise one of the region's own, by status.
  function serverMessage(text) {
    try {
      return JSON.parse(text).error || "";
    } catch {
      const page = new DOMParser().parseFromString(text, "text/html");
      return page.querySelector("[data-error-message]")?.textContent.trim() || "";
    }
  }

  function fallback(status) {
    const labels = region()?.dataset || {};
    if (status === 403) return labels.msgForbidden;
    if (status === 404) return labels.msgGone;
    if (status === 429) return labels.msgSlowDown;
    if (status >= 500) return labels.msgServer;
    return labels.msgRefused;
  }

  // Only a reload helps: a token or session that is gone, a page that shows what is gone.
  const needsReload = (status) => status === 403 || status === 404 || status >= 500;

  document.addEventListener("htmx:before:response", async (event) => {
    const { ctx } = event.detail;
    const { status, raw } = ctx.response;
    if (status === 503) return; // busy: live.js sends it again
    if (status < 400 && !raw.redirected) return;
    event.preventDefault(); // nothing of this answer is swapped in
    if (raw.redirected && status < 400) {
      show(region()?.dataset.msgExpired, { reload: true });
      return;
    }
    const text = await raw.text().catch(() => "");
    show(serverMessage(text) || fallback(status), { reload: needsReload(status) });
  });

  document.addEventListener("htmx:after:request", (event) => {
    if (event.detail.ctx.response?.status < 400) hide();
  });

  // No answer at all: the Wi-Fi dropped, the server is restarting.
  document.addEventListener("htmx:error", (event) => {
    const ctx = event.detail.ctx;
    if (!ctx || ctx.response) return; // an error while swapping is not the network's
    show(region()?.dataset.msgOffline, { reload: false });
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-error-reload]")) window.location.reload();
    else if (event.target.closest("[data-error-dismiss]")) hide();
  });
})();
