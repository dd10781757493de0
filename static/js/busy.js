// The room was busy: the page the server answered with holds the form that was sent, and sends
// it again by itself after the server's Retry-After, with jitter so that a room's phones come
// back spread out. Without JavaScript, its button does the same.
(() => {
  "use strict";
  const form = document.querySelector("form[data-retry-after]");
  if (!form) return;
  const seconds = Number(form.dataset.retryAfter) || 2;
  setTimeout(() => form.submit(), seconds * 1000 * (0.5 + Math.random()));
})();
