// Small glue around htmx: remembers the last revision a screen has seen so that a reconnecting
// socket asks only for what it missed, shows the connection state, fits the projector wall to
// the screen, and counts characters as people type.
(() => {
  "use strict";

  const statusLabels = (el) => ({
    live: el.dataset.labelLive,
    reconnecting: el.dataset.labelReconnecting,
    offline: el.dataset.labelOffline,
    refused: el.dataset.labelRefused,
  });

  function setStatus(state) {
    const el = document.getElementById("live-status");
    if (!el) return;
    el.dataset.state = state;
    const text = el.querySelector(".live-status__text");
    if (text) text.textContent = statusLabels(el)[state] || "";
  }

  function withRevision(url, revision) {
    const parsed = new URL(url);
    parsed.searchParams.set("after", revision);
    return parsed.toString();
  }

  document.addEventListener("htmx:ws:before:message:incoming", (event) => {
    const screen = event.target;
    let data;
    try {
      data = JSON.parse(event.detail.message.data);
    } catch {
      return;
    }
    const revision = Number(data.revision);
    if (Number.isFinite(revision) && revision > Number(screen.dataset.revision || 0)) {
      screen.dataset.revision = String(revision);
    }
    // hx-ws reconnects to connection.url: from now on it asks for what came after this.
    const connection = event.detail.connection;
    connection.url = withRevision(connection.url, screen.dataset.revision || "0");
  });

  document.addEventListener("htmx:ws:after:connection", () => setStatus("live"));
  document.addEventListener("htmx:ws:close", (event) => {
    const code = event.detail && event.detail.code;
    if (code >= 4000 && code < 5000) setStatus("refused");
    else setStatus(navigator.onLine ? "reconnecting" : "offline");
  });
  window.addEventListener("offline", () => setStatus("offline"));

  // --- Character counters ---------------------------------------------------------------
  function updateCounter(textarea) {
    const counter = textarea.form && textarea.form.querySelector(".counter");
    const limit = Number(textarea.dataset.limit);
    if (!counter || !limit) return;
    const length = textarea.value.trim().length;
    counter.textContent = `${length} / ${limit}`;
    counter.classList.toggle("counter--over", length > limit);
  }
  document.addEventListener("input", (event) => {
    if (event.target.matches("textarea[data-limit]")) updateCounter(event.target);
  });
  const refreshCounters = () =>
    document.querySelectorAll("textarea[data-limit]").forEach(updateCounter);

  // --- Projector: shrink the wall until every table's takeaways fit on screen --------------
  const MIN_SCALE = 0.4;
  function overflowing(board) {
    return [...board.querySelectorAll(".takeaways--wall")].some(
      (list) => list.scrollHeight > list.clientHeight + 1,
    );
  }
  function fitWall() {
    const board = document.querySelector("[data-fit]");
    if (!board) return;
    let scale = 1;
    board.style.setProperty("--wall-scale", scale);
    while (overflowing(board) && scale > MIN_SCALE) {
      scale = Math.round((scale - 0.05) * 100) / 100;
      board.style.setProperty("--wall-scale", scale);
    }
  }
  let fitPending = false;
  function scheduleFit() {
    if (fitPending) return;
    fitPending = true;
    requestAnimationFrame(() => {
      fitPending = false;
      fitWall();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    refreshCounters();
    scheduleFit();
    const main = document.getElementById("main");
    if (document.querySelector("[data-fit]")) {
      new MutationObserver(scheduleFit).observe(main, { childList: true, subtree: true });
      window.addEventListener("resize", scheduleFit);
    }
    document.querySelectorAll("[data-print]").forEach((button) =>
      button.addEventListener("click", () => window.print()),
    );
  });
  document.addEventListener("htmx:after:swap", refreshCounters);
})();
