// Small glue around htmx for a room on flaky Wi-Fi:
// - remembers the last revision a screen has seen, so a reconnecting socket asks only for what it
//   missed, and falls back to HTTP catch-up where WebSockets are blocked;
// - shows the connection state quietly;
// - keeps what people type on the device, and queues posts made offline until they go through;
// - lays the projector wall out at a readable size, and counts characters as people type.
(() => {
  "use strict";

  const POLL_EVERY_MS = 3000;
  const SOCKET_GRACE_MS = 5000; // no socket open by then: assume a proxy blocks WebSockets
  const HEARTBEAT_GRACE_MS = 1500; // behind a heartbeat: a late message may still arrive
  const RETRY_FIRST_MS = 2000;
  const RETRY_MAX_MS = 30000; // the longest an outbox ever waits between two tries
  const AUTOSAVE_MS = 700; // an answer is sent once typing pauses this long
  // Close codes that say why (workshop/handshakes.py, workshop/live/revoke.py).
  const CLOSE_BUSY = 4013; // too many handshakes from this address: again later, backing off
  const CLOSE_REVOKED = 4403; // this person lost the right to the screen: final
  const CLOSE_REPLACED = 4409; // a newer screen of this phone or session took over: final

  // Sixty phones coming back at once must not stampede: exponential backoff with wide jitter.
  window.htmx.config.ws = {
    ...(window.htmx.config.ws || {}),
    // 1000 too: a server that closes a socket normally (a restart, a proxy's idle limit) is
    // still the server this screen needs.
    reconnectCodes: [1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014, CLOSE_BUSY],
    reconnectDelay: 1000,
    reconnectMaxDelay: 15000,
    reconnectJitter: 0.5,
  };

  const screen = () => document.getElementById("main");
  const liveScreen = () => {
    const main = screen();
    return main && main.hasAttribute("hx-ws:connect") ? main : null;
  };

  // --- Revisions: every message says the revision it follows and the one it reaches ---------
  // A screen holds the highest revision it has without a gap. A message that follows more than
  // that means one went missing (a dropped doorbell, messages overtaking each other): the
  // screen ignores it and catches up over HTTP at once. A message without content is a
  // heartbeat — "the latest for you is N" — and a screen behind it catches up too.
  const held = () => Number(liveScreen()?.dataset.revision || 0);
  function hold(revision) {
    const main = liveScreen();
    if (main && revision > held()) main.dataset.revision = String(revision);
  }

  function withRevision(url) {
    const parsed = new URL(url, window.location.href);
    parsed.searchParams.set("after", String(held()));
    return parsed.toString();
  }

  // What to do with a message: "apply" it (the screen then holds its revision), "skip" it (old
  // news, or a heartbeat), or skip it and "catch-up".
  function verdict(message) {
    const revision = Number(message.revision);
    if (!Number.isFinite(revision)) return "skip";
    if (message.content === undefined) return revision > held() ? "behind" : "skip";
    if (revision <= held()) return "skip";
    return Number(message.follows || 0) <= held() ? "apply" : "catch-up";
  }

  function consider(message) {
    if (Number.isFinite(Number(message.now))) clock.set(Number(message.now));
    const decision = verdict(message);
    if (decision === "apply") hold(Number(message.revision));
    else if (decision === "catch-up") catchUp(0);
    else if (decision === "behind") catchUp(HEARTBEAT_GRACE_MS);
    return decision === "apply";
  }

  function swap(content) {
    if (!content) return Promise.resolve();
    return window.htmx.swap({
      target: screen(),
      swap: "innerHTML swapEmpty:false",
      text: content,
      transition: false,
    });
  }

  function apply(message) {
    return consider(message) ? swap(message.content) : Promise.resolve();
  }

  document.addEventListener("htmx:ws:before:message:incoming", (event) => {
    let message;
    try {
      message = JSON.parse(event.detail.message.data);
    } catch {
      return;
    }
    busyRefusals = 0; // a socket that speaks was let in
    if (!consider(message)) event.detail.cancelled = true;
    // hx-ws reconnects to connection.url: from now on it asks for what came after this (the
    // revision held, which a message that came after a gap never raises).
    event.detail.connection.url = withRevision(event.detail.connection.url);
  });
  // Again as it reconnects: an HTTP catch-up may have raised the revision held since.
  document.addEventListener("htmx:ws:before:connection", (event) => {
    event.detail.connection.url = withRevision(event.detail.connection.url);
  });

  // --- Catching up over HTTP: after a gap, behind a heartbeat, where sockets are blocked ---
  let catchingUp = null;
  let catchUpAgain = false;
  let catchUpTimer = null;
  function catchUp(graceMs) {
    if (!liveScreen()) return;
    if (catchingUp) {
      catchUpAgain = true;
      return;
    }
    if (catchUpTimer) {
      if (graceMs) return; // one is due already
      clearTimeout(catchUpTimer);
    }
    // Phones of a whole room told by one heartbeat do not all ask in the same instant; the
    // grace also lets a message that is merely late arrive first.
    const delay = graceMs ? graceMs * (0.5 + Math.random()) : Math.random() * 250;
    catchUpTimer = setTimeout(runCatchUp, delay);
  }
  async function runCatchUp() {
    catchUpTimer = null;
    const main = liveScreen();
    if (!main) return;
    catchingUp = fetchUpdates(main).then((done) => {
      catchingUp = null;
      if (catchUpAgain || !done) {
        // Asked again meanwhile, or the server was busy: once more, a little later if busy.
        catchUpAgain = false;
        catchUp(done ? 0 : HEARTBEAT_GRACE_MS * 2);
      }
    });
  }
  async function fetchUpdates(main) {
    try {
      const response = await fetch(withRevision(main.dataset.updates), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) return false;
      await apply(await response.json());
      return true;
    } catch {
      return false;
    }
  }

  // --- The server's clock, for timers: every message carries it ---------------------------
  const clock = {
    offset: null,
    set(serverNow) {
      this.offset = serverNow - Date.now();
    },
    now() {
      return Date.now() + (this.offset || 0);
    },
  };

  // --- Connection state -----------------------------------------------------------------
  let socketOpen = false;
  let closedSocket = null; // the hx-ws connection waiting out its reconnect backoff
  function setStatus(state) {
    const el = document.getElementById("live-status");
    if (!el) return;
    el.dataset.state = state;
    const text = el.querySelector(".live-status__text");
    const label = el.dataset[`label${state[0].toUpperCase()}${state.slice(1)}`];
    if (text && label) text.textContent = label;
  }

  document.addEventListener("htmx:ws:after:connection", () => {
    socketOpen = true;
    closedSocket = null;
    stopPolling();
    setStatus("live");
    outbox.flush();
    answers.flush();
  });
  let busyRefusals = 0;
  document.addEventListener("htmx:ws:close", (event) => {
    socketOpen = false;
    const code = event.detail && event.detail.code;
    closedSocket = null;
    if (code === CLOSE_BUSY) {
      // Opened only to hear "later", which would reset hx-ws's count of attempts: each refusal
      // in a row doubles the wait (with its jitter), so a crowd comes back spread out.
      busyRefusals += 1;
      if (event.detail.connection) event.detail.connection.attempt = busyRefusals;
    } else if (code === CLOSE_REVOKED) {
      return accessEnded();
    } else if (code === CLOSE_REPLACED) {
      return setStatus("replaced");
    } else if (code >= 4000 && code < 5000) {
      return setStatus("refused");
    }
    const retried = window.htmx.config.ws.reconnectCodes.includes(code);
    if (event.detail?.reason === "closed" && retried) closedSocket = event.detail.connection;
    // Behind a proxy that blocks sockets, a try that fails changes nothing the room sees: the
    // polls still get through, and the screen still says so.
    if (!navigator.onLine) setStatus("offline");
    else if (!pollsGetThrough) setStatus("reconnecting");
    schedulePollingFallback();
  });

  // The person lost the right to this screen (removed, signed out, the workshop deleted): the
  // page loads again, once, and shows what is true now (the join page, the sign-in page). A
  // second time within a minute only says so: never a loop of reloads.
  const RELOADED_KEY = "live:reloaded-after-revoke";
  function accessEnded() {
    setStatus("ended");
    stopPolling();
    try {
      if (Date.now() - Number(sessionStorage.getItem(RELOADED_KEY) || 0) < 60000) return;
      sessionStorage.setItem(RELOADED_KEY, String(Date.now()));
    } catch {
      return; // storage disabled: no guard against a loop, so no reload
    }
    // A whole room told at once (a deleted workshop) does not reload in the same instant.
    setTimeout(() => window.location.reload(), 300 + Math.random() * 1200);
  }
  window.addEventListener("offline", () => setStatus("offline"));
  window.addEventListener("online", () => {
    setStatus(socketOpen ? "live" : "reconnecting");
    reconnectNow();
    outbox.flush();
    answers.flush();
  });

  // --- Back at once: the server answers again --------------------------------------------
  // After a restart hx-ws may be 15 s (and its jitter) into its backoff. The first poll that
  // gets through (after the socket closed, or after polls failed) says the server answers: the
  // socket is tried now, through the extension's own resume (what it does when a phone comes
  // back to the page), instead of the room polling until each backoff runs out. A try that
  // fails (a server still starting may drop a handshake) is made again after 1, 3, 7… polls
  // that get through, at most every 10: where a proxy blocks sockets, that is a try every 30 s.
  function reconnectNow() {
    const connection = closedSocket;
    if (!connection || socketOpen || document.hidden || !connection.visibilityHandler) return;
    if (connection.socket && connection.socket.readyState !== WebSocket.CLOSED) return;
    clearTimeout(connection.timer);
    connection.timer = null;
    connection.visibilityHandler();
  }

  // --- HTTP polling where WebSockets do not get through ----------------------------------
  let pollTimer = null;
  let pollsGetThrough = false; // the last poll got an answer
  const POLLS_BETWEEN_SOCKET_TRIES_MAX = 10;
  let socketTries = 0; // made by polls that got through, since the socket last opened
  let pollsUntilSocketTry = 0;
  let fallbackTimer = null;
  function schedulePollingFallback() {
    if (fallbackTimer || pollTimer || !liveScreen()) return;
    fallbackTimer = setTimeout(() => {
      fallbackTimer = null;
      if (!socketOpen) startPolling();
    }, SOCKET_GRACE_MS);
  }
  function startPolling() {
    if (pollTimer) return;
    const poll = async () => {
      const main = liveScreen();
      if (!main || socketOpen) return stopPolling();
      pollsGetThrough = await fetchUpdates(main);
      if (pollsGetThrough) {
        setStatus("polling");
        if (pollsUntilSocketTry > 0) {
          pollsUntilSocketTry -= 1;
        } else {
          reconnectNow();
          socketTries += 1;
          pollsUntilSocketTry = Math.min(2 ** socketTries - 1, POLLS_BETWEEN_SOCKET_TRIES_MAX);
        }
      } else {
        pollsUntilSocketTry = 0; // the server is away: try the moment it answers
        setStatus(navigator.onLine ? "reconnecting" : "offline");
      }
    };
    poll();
    pollTimer = setInterval(poll, POLL_EVERY_MS);
  }
  function stopPolling() {
    clearInterval(pollTimer);
    clearTimeout(fallbackTimer);
    pollTimer = null;
    fallbackTimer = null;
    pollsGetThrough = false;
    socketTries = 0;
    pollsUntilSocketTry = 0;
  }

  // --- A busy room: the server answers 503 with Retry-After, the phone tries again ----------
  const retryAfterMs = (headers) => 1000 * Math.max(1, Number(headers.get("Retry-After")) || 2);
  const later = (ms) => new Promise((resolve) => setTimeout(resolve, ms * (0.5 + Math.random())));

  // How an outbox tries again: it never gives up on its own. The wait doubles from 2 s up to
  // 30 s, and each wait is drawn between half of it and all of it, so a room of phones spreads
  // out and no phone ever waits longer than 30 s; a reconnect or an `online` event tries at once.
  function retrying(run) {
    let delay = RETRY_FIRST_MS;
    let timer = null;
    return {
      failed() {
        clearTimeout(timer);
        timer = setTimeout(run, delay * (0.5 + Math.random() / 2));
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      },
      succeeded() {
        clearTimeout(timer);
        timer = null;
        delay = RETRY_FIRST_MS;
      },
    };
  }

  // An htmx form (a +1, an answer being saved, a delete) that met a busy server is sent again
  // after Retry-After, with jitter; nothing of the refusal is swapped into the page.
  document.addEventListener("htmx:before:response", (event) => {
    const ctx = event.detail.ctx;
    if (ctx.response.status !== 503) return;
    event.preventDefault();
    const form = ctx.sourceElement?.closest?.("form");
    const tries = Number(form?.dataset.busyTries || 0);
    if (!form || tries >= 8) return;
    form.dataset.busyTries = String(tries + 1);
    later(retryAfterMs(ctx.response.headers) * 2 ** Math.min(tries, 3)).then(() => {
      if (form.isConnected) form.requestSubmit();
    });
  });
  document.addEventListener("htmx:after:request", (event) => {
    const form = event.detail.ctx.sourceElement?.closest?.("form");
    const status = event.detail.ctx.response?.status;
    if (form && status !== 503 && status !== 429) delete form.dataset.busyTries;
  });

  // --- Too fast: the server answers 429 with words to show and Retry-After ------------------
  // A +1 beyond the phone's budget: the words are shown, the form goes again once the budget
  // has room, and nothing of the refusal is swapped into the page.
  function notice(message) {
    let box = document.getElementById("phone-notice");
    if (!box) {
      box = Object.assign(document.createElement("p"), {
        id: "phone-notice",
        className: "phone-notice",
      });
      box.setAttribute("role", "status");
      document.body.append(box);
    }
    box.textContent = message;
    box.hidden = !message;
    clearTimeout(notice.timer);
    notice.timer = setTimeout(() => (box.hidden = true), 6000);
  }
  document.addEventListener("htmx:before:response", (event) => {
    const ctx = event.detail.ctx;
    if (ctx.response.status !== 429) return;
    event.preventDefault();
    ctx.response.raw
      .clone()
      .json()
      .then((data) => notice(data.error || ""))
      .catch(() => {});
    const form = ctx.sourceElement?.closest?.("form");
    const tries = Number(form?.dataset.busyTries || 0);
    if (!form || tries >= 8) return;
    form.dataset.busyTries = String(tries + 1);
    // Never before Retry-After: a form sent sooner would only be refused again.
    const wait = retryAfterMs(ctx.response.headers);
    setTimeout(() => form.isConnected && form.requestSubmit(), wait * (1 + Math.random() / 2));
  });

  // --- What a phone keeps: per workshop and participant --------------------------------------
  // Keys are "kind:/w/CODE/@participant:…", so that a shared phone never sends or shows one
  // person's words as another's, and forgetting a workshop on this phone clears all of it.
  const here = () => screen()?.dataset.here || window.location.pathname;
  const scope = () => `${here()}@${screen()?.dataset.me || ""}`;
  const KEY = /^[a-z]+:(\/w\/[^/]+\/)(?:@([^:]*))?/;
  function forgetOnThisPhone(keep) {
    // `keep(path, participant)` says which keys stay; the others are removed.
    try {
      for (const key of Object.keys(localStorage)) {
        const match = KEY.exec(key);
        if (match && !keep(match[1], match[2])) localStorage.removeItem(key);
      }
    } catch {
      /* storage disabled: nothing was kept */
    }
  }

  function keepOnlyThisParticipant() {
    const main = screen();
    // Deleted their data: nothing of theirs stays on this phone.
    if (main?.dataset.forget) forgetOnThisPhone((path) => path !== main.dataset.forget);
    // Someone else on this phone now: the one who left takes their words with them.
    else if (main?.dataset.me) {
      forgetOnThisPhone((path, who) => path !== here() || who === main.dataset.me);
    }
  }

  // --- Drafts: what is being typed survives a reload, a crash or a night's sleep ----------
  const draftKey = (field) => `draft:${scope()}:${field.dataset.draft}`;
  const drafts = {
    save(field) {
      try {
        if (field.value) localStorage.setItem(draftKey(field), field.value);
        else localStorage.removeItem(draftKey(field));
      } catch {
        /* storage full or disabled: typing still works */
      }
    },
    restore(field) {
      const saved = localStorage.getItem(draftKey(field));
      if (saved && !field.value) field.value = saved;
    },
    clear(field) {
      localStorage.removeItem(draftKey(field));
    },
  };

  // --- Outbox: posts wait on the phone until the server has them -------------------------
  function newToken() {
    // crypto.randomUUID needs HTTPS; a phone on the venue LAN is on plain HTTP.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function csrfToken(form) {
    // Forms that arrived in a shared fragment carry no token; the page's own is on <body>.
    const own = form.querySelector("[name=csrfmiddlewaretoken]")?.value;
    if (own) return own;
    try {
      return JSON.parse(document.body.getAttribute("hx-headers:inherited"))["X-CSRFToken"];
    } catch {
      return "";
    }
  }

  const outbox = {
    key: () => `outbox:${scope()}`,
    form: () => document.querySelector("form[data-outbox]"),
    entries() {
      try {
        return JSON.parse(localStorage.getItem(this.key()) || "[]");
      } catch {
        return [];
      }
    },
    store(entries) {
      localStorage.setItem(this.key(), JSON.stringify(entries));
    },
    add(entry) {
      this.store([...this.entries().filter((e) => e.token !== entry.token), entry]);
      this.showPending(entry, "waiting");
    },
    remove(token) {
      this.store(this.entries().filter((e) => e.token !== token));
      document.getElementById(`pending-${token}`)?.remove();
    },
    showPending(entry, state, said = "") {
      const form = this.form();
      if (!form) return;
      let card = document.getElementById(`pending-${entry.token}`);
      if (!card) {
        card = document.createElement("li");
        card.id = `pending-${entry.token}`;
        card.className = "takeaway takeaway--pending";
        const text = document.createElement("p");
        text.className = "takeaway__text";
        text.dir = "auto";
        text.textContent = entry.text;
        const meta = document.createElement("p");
        meta.className = "takeaway__meta";
        // As the server draws a card (participants/board.html): the name keeps its own direction.
        const author = document.createElement("bdi");
        author.className = "takeaway__author";
        author.textContent = screen().dataset.meName || "";
        const status = document.createElement("span");
        status.className = "takeaway__pending";
        meta.append(author, status);
        card.append(text, meta);
        // The list of this phone's own table (its id is on the page: each phone knows its own).
        document.getElementById(screen().dataset.ownList)?.prepend(card);
      }
      const messages = {
        sending: form.dataset.msgSending,
        busy: form.dataset.msgBusy,
        cannotSave: form.dataset.msgCannotSave,
        waiting: form.dataset.msgWaiting,
      };
      const text = said || messages[state] || messages.waiting;
      card.querySelector(".takeaway__pending").textContent = text;
    },
    showError(message) {
      const box = document.getElementById("composer-error");
      if (!box) return;
      box.replaceChildren(Object.assign(document.createElement("p"), { textContent: message }));
      box.hidden = !message;
    },
    giveBack(entry) {
      // Refused by the server: the words go back into the composer, nothing is lost.
      const field = this.form()?.querySelector("textarea");
      if (!field) return;
      field.value = field.value.trim() ? `${entry.text}\n\n${field.value}` : entry.text;
      field.setAttribute("aria-invalid", "true");
      drafts.save(field);
      updateCounter(field);
    },

    retry: retrying(() => outbox.flush()),
    flushing: false,
    again: false,
    async flush() {
      // A post queued while a flush is under way is sent by that flush, in order.
      if (this.flushing) {
        this.again = true;
        return;
      }
      this.flushing = true;
      try {
        do {
          this.again = false;
          for (const entry of this.entries()) {
            if (!(await this.send(entry))) {
              this.retry.failed();
              return;
            }
          }
        } while (this.again);
        this.retry.succeeded();
      } finally {
        this.flushing = false;
      }
    },
    // True when the entry is settled (stored, or refused for good); false to try again later.
    async send(entry) {
      const form = this.form();
      if (!form) return true;
      this.showPending(entry, "sending");
      const csrf = csrfToken(form);
      const body = new FormData();
      body.set("text", entry.text);
      body.set("token", entry.token);
      body.set("csrfmiddlewaretoken", csrf);
      let response;
      try {
        response = await fetch(entry.action, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": csrf },
        });
      } catch {
        this.showPending(entry, "waiting");
        return false;
      }
      const data = await response.json().catch(() => ({}));
      if (response.ok) {
        this.remove(entry.token);
        announcer.say(form.dataset.msgSaved);
        // The author's own card at once; the screen's revision moves only with its feed.
        if (Number(data.revision) > held()) await swap(data.content);
        return true;
      }
      if (response.status === 422) {
        this.remove(entry.token);
        this.giveBack(entry);
        this.showError(data.error || form.dataset.msgEmpty);
        return true;
      }
      if (response.status === 429) {
        // Sent faster than this phone's budget: it waits here, saying so, and goes out once
        // the budget has room again.
        this.showPending(entry, "waiting", data.error);
        // Doubled: the retry is drawn from half to one and a half times this, never sooner.
        this.retryDelay = Math.max(this.retryDelay, 2 * retryAfterMs(response.headers));
        return false;
      }
      // 503 is "busy" for a moment, or, with saving: false, a server that cannot save (disk full).
      const refusal = data.saving === false ? "cannotSave" : "busy";
      this.showPending(entry, response.status === 503 ? refusal : "waiting");
      if (response.status === 403) {
        this.showError(data.error || form.dataset.msgReload);
        return true; // kept in the outbox: it goes out after a reload
      }
      return false; // busy or down: later
    },
    submit(form) {
      const field = form.querySelector("textarea");
      const text = field.value.trim();
      if (!text) {
        this.showError(form.dataset.msgEmpty);
        field.setAttribute("aria-invalid", "true");
        field.focus();
        return;
      }
      const tokenInput = form.querySelector("[name=token]");
      this.showError("");
      field.removeAttribute("aria-invalid");
      this.add({ token: tokenInput.value, text, action: form.action });
      tokenInput.value = newToken();
      field.value = "";
      drafts.clear(field);
      updateCounter(field);
      this.flush();
    },
    restore() {
      for (const entry of this.entries()) this.showPending(entry, "waiting");
      if (this.entries().length) this.flush();
    },
  };

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target.closest("form[data-outbox]");
      if (!form) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      outbox.submit(form);
    },
    true,
  );

  // --- Answers: every change to a reflection waits on the phone until the server has it -------
  // One record per step ("answer:SCOPE:STEP"), kept only while the server does not hold those
  // words: {text, choices, editedAt, action, state: "unsaved" | "refused", error}. Each change
  // is stamped with when it was typed, in the server's clock (corrected for this device's, and
  // strictly increasing on this device), so that stamps from two devices compare.
  //
  // The merge rule, when the phone learns what the server holds (the rendered form, mine.json,
  // the answer to a save): the newer stamp wins. A record stamped later than the server's
  // answer is this phone's newer draft: it is shown and sent (marked "Not saved yet"). A server
  // answer stamped later was typed on another device: it replaces the record. The server keeps
  // the same rule (an older save never replaces a newer answer), so the order in which saves
  // arrive does not matter.
  const answerKey = (step) => `answer:${scope()}:${step}`;
  const STAMP_KEY = "answer-stamp";
  function stamp() {
    let last = 0;
    try {
      last = Number(localStorage.getItem(STAMP_KEY)) || 0;
    } catch {
      /* storage disabled */
    }
    const now = Math.max(Math.round(clock.now()), last + 1);
    try {
      localStorage.setItem(STAMP_KEY, String(now));
    } catch {
      /* storage disabled: the stamp is still later than the server's */
    }
    return now;
  }

  const answerForm = (step) => document.querySelector(`form[data-answer="${step}"]`);
  function formValue(form) {
    return {
      text: form.querySelector("[name=text]")?.value ?? "", // a textarea, or a one-word field
      choices: [...form.querySelectorAll("input[name=choices]:checked")].map((box) => box.value),
    };
  }
  const sameWords = (a, b) =>
    a.text.trim() === (b.text || "").trim() &&
    [...a.choices].sort().join("\n") === [...(b.choices || [])].sort().join("\n");

  const answers = {
    get(step) {
      try {
        return JSON.parse(localStorage.getItem(answerKey(step)) || "null");
      } catch {
        return null;
      }
    },
    put(step, record) {
      try {
        localStorage.setItem(answerKey(step), JSON.stringify(record));
      } catch {
        /* storage full or disabled: the answer is still sent from this page */
      }
    },
    drop(step) {
      localStorage.removeItem(answerKey(step));
    },
    // The steps with a record, of this phone's participant in this workshop.
    steps() {
      const prefix = answerKey("");
      return Object.keys(localStorage)
        .filter((key) => key.startsWith(prefix))
        .map((key) => key.slice(prefix.length));
    },
    waiting(steps) {
      return steps.filter((step) => this.get(step));
    },

    // What the phone says next to the answer.
    show(step, state, error) {
      const label = document.getElementById(`saved-${step}`);
      const solo = label?.closest("[data-solo]");
      if (!label || !solo) return;
      const text = {
        unsaved: solo.dataset.msgUnsaved,
        saving: solo.dataset.msgSaving,
        saved: `✓ ${solo.dataset.msgSaved}`,
        refused: error,
      }[state];
      label.textContent = text || "";
      label.dataset.state = state;
      label.classList.toggle("saved--error", state === "refused");
      label.classList.toggle("saved--pending", state === "unsaved" || state === "saving");
    },
    fill(form, value) {
      const field = form.querySelector("[name=text]");
      if (field && field.value !== value.text) {
        field.value = value.text;
        updateCounter(field);
      }
      form.querySelectorAll("input[name=choices]").forEach((box) => {
        box.checked = (value.choices || []).includes(box.value);
      });
    },

    // Typed or ticked on this phone: kept at once, sent when typing pauses.
    edited(form, { now = false } = {}) {
      const step = form.dataset.answer;
      this.put(step, { ...formValue(form), editedAt: stamp(), action: form.action, state: "unsaved" });
      this.show(step, "unsaved");
      clearTimeout(this.typing);
      if (now) this.flush();
      else this.typing = setTimeout(() => this.flush(), AUTOSAVE_MS);
    },

    // The newest stamp of each step's words this page has shown or had saved. An answer from
    // the server stamped earlier left it before a save of this page landed (mine.json asked
    // for as the room came Back, overtaken by the unsent words going out): it is old news.
    newest: {},
    learned(step, editedAt) {
      this.newest[step] = Math.max(this.newest[step] || 0, editedAt || 0);
    },

    // What the server holds for a step, against what the phone holds (see the rule above).
    merge(step, server) {
      if (server && (server.edited_at || 0) < (this.newest[step] || 0)) return;
      if (server) this.learned(step, server.edited_at);
      const form = answerForm(step);
      const local = this.get(step);
      if (local && server && (server.edited_at || 0) > local.editedAt) this.drop(step);
      else if (local && server && sameWords(local, server)) this.drop(step);
      else if (local) {
        if (form) this.fill(form, local);
        this.show(step, local.state, local.error);
        return;
      }
      if (form && server) this.fill(form, server);
    },
    mergeRendered(form) {
      // A form rendered for this phone holds the server's answer; a shared one holds nothing
      // yet (mine.json brings it), so only this phone's records go in for now.
      if (form.dataset.merged !== undefined) return;
      form.dataset.merged = "";
      const own = form.closest("[data-solo]")?.hasAttribute("data-own");
      const server = own
        ? { ...formValue(form), edited_at: Number(form.dataset.editedAt) || 0 }
        : null;
      this.merge(form.dataset.answer, server);
    },

    retry: retrying(() => answers.flush()),
    flushing: null,
    again: false,
    // Sends every unsaved record, one at a time; resolves once this phone has tried them all.
    flush() {
      if (this.flushing) {
        this.again = true;
        return this.flushing;
      }
      // Cleared in .finally, which always runs later: never before it was set.
      this.flushing = this.sendAll().finally(() => {
        this.flushing = null;
      });
      return this.flushing;
    },
    async sendAll() {
      let settled = true;
      do {
        this.again = false;
        for (const step of this.steps()) {
          const record = this.get(step);
          if (record?.state !== "unsaved") continue;
          if (!(await this.send(step, record))) {
            settled = false;
            break;
          }
        }
      } while (this.again && settled);
      if (settled) this.retry.succeeded();
      else this.retry.failed();
    },
    // True when the server answered for good (stored, or refused the words); false to retry.
    async send(step, record) {
      this.show(step, "saving");
      const csrf = csrfToken(answerForm(step) || document.createElement("form"));
      const body = new FormData();
      body.set("text", record.text);
      record.choices.forEach((choice) => body.append("choices", choice));
      body.set("edited_at", String(record.editedAt));
      body.set("csrfmiddlewaretoken", csrf);
      let response;
      let data = {};
      try {
        response = await fetch(record.action, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": csrf },
        });
        data = await response.json();
      } catch {
        data = {}; // offline, or not the JSON of a save (a sign-in page, a proxy's error)
      }
      const current = this.get(step);
      const editedMeanwhile = current && current.editedAt !== record.editedAt;
      if (response?.ok && data.saved) {
        rememberAnswered();
        this.learned(step, data.edited_at);
        if (editedMeanwhile) this.again = true;
        else {
          this.drop(step);
          // The server kept another device's newer answer: that one shows. (Otherwise the
          // field stays as typed: the stored text may differ only by normalising.)
          const form = answerForm(step);
          if (form && (data.edited_at || 0) > record.editedAt) this.fill(form, data);
          this.show(step, "saved");
          announcer.say(document.querySelector("[data-solo]")?.dataset.msgSaved);
        }
        return true;
      }
      if (response?.status === 422 && !editedMeanwhile) {
        // The words themselves are refused (too long): shown and kept, sent again once changed.
        this.put(step, { ...record, state: "refused", error: data.error });
        this.show(step, "refused", data.error);
        announcer.say(data.error);
        return true;
      }
      // The room is elsewhere or closed (409), busy (503), or the phone is offline: kept.
      this.show(step, "unsaved");
      return false;
    },
  };

  function rememberAnswered() {
    const solo = document.querySelector("[data-solo]");
    if (!solo) return;
    try {
      localStorage.setItem(answeredKey(solo), "1");
    } catch {
      /* storage full or disabled: its answers still show after a reload of the page */
    }
  }

  document.addEventListener("input", (event) => {
    const form = event.target.closest?.("form[data-answer]");
    if (form && event.target.matches("[name=text]")) answers.edited(form);
  });
  document.addEventListener("change", (event) => {
    const form = event.target.closest?.("form[data-answer]");
    if (form && event.target.matches("input[name=choices]")) answers.edited(form, { now: true });
  });
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target.closest("form[data-answer]");
      if (!form) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      answers.edited(form, { now: true });
    },
    true,
  );

  // "I'm done" goes out once every answer on the screen is saved: the facilitator's count and
  // the notes then hold what the phone shows.
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target.closest("form[data-solo-done]");
      if (!form) return;
      if (form.dataset.flushed !== undefined) {
        delete form.dataset.flushed;
        return; // on to htmx
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      const solo = form.closest("[data-solo]");
      const steps = [...solo.querySelectorAll("form[data-answer]")].map((f) => f.dataset.answer);
      clearTimeout(answers.typing);
      answers.flush().then(() => {
        const error = form.querySelector("[data-done-error]");
        if (answers.waiting(steps).length) {
          error.replaceChildren(
            Object.assign(document.createElement("p"), { textContent: form.dataset.msgUnsent }),
          );
          error.hidden = false;
          return;
        }
        form.dataset.flushed = "";
        // Later than this event: a form still firing its submit event ignores requestSubmit.
        setTimeout(() => form.requestSubmit());
      });
    },
    true,
  );

  // --- Character counters ---------------------------------------------------------------
  // Near the limit from 90 %: a field's level is 0 below that, 1 near the limit, 2 at or over it.
  const NEAR_LIMIT = 0.9;
  const limitLevels = new WeakMap();
  // Returns the level the field has just risen to (0 if it did not rise).
  function updateCounter(textarea) {
    const limit = Number(textarea.dataset.limit);
    if (!limit) return 0;
    const length = textarea.value.trim().length;
    const level = length >= limit ? 2 : length >= limit * NEAR_LIMIT ? 1 : 0;
    const was = limitLevels.get(textarea) ?? level; // words put back on arrival rise nothing
    limitLevels.set(textarea, level);
    const counter = textarea.form && textarea.form.querySelector(".counter");
    if (counter) {
      counter.textContent = `${length} / ${limit}`;
      counter.classList.toggle("counter--over", length > limit);
    }
    return level > was ? level : 0;
  }
  document.addEventListener("input", (event) => {
    const field = event.target;
    if (field.matches("textarea[data-limit]")) {
      const rose = updateCounter(field);
      if (rose) announceLimit(field, rose);
    }
    if (field.matches("[data-draft]")) drafts.save(field);
  });
  function refreshFields() {
    keepOnlyThisParticipant(); // a page swapped in may be "your data was deleted"
    document.querySelectorAll("[data-draft]").forEach((field) => drafts.restore(field));
    document.querySelectorAll("textarea[data-limit]").forEach(updateCounter);
    // A composer that arrived in a fragment shared by the whole table gets a token of its own.
    document.querySelectorAll("form[data-outbox]:not([data-token-set])").forEach((form) => {
      form.querySelector("[name=token]").value = newToken();
      form.dataset.tokenSet = "";
    });
    markVotes();
    markPolls();
    ownTableLast();
    pageSteps();
    document.querySelectorAll("[data-solo]").forEach(ownAnswers);
    // A reflection or a composer on screen again (the room came Back): what waits goes now.
    if (document.querySelector("[data-solo]")) answers.flush();
    if (outbox.form() && outbox.entries().length) outbox.flush();
    tickTimers();
    tickSchedule();
  }

  // --- Timers: counted from the server's end time, corrected for this device's clock -------
  // The end times this screen has seen a timer run towards: reaching one says "Time's up"
  // once (a timer already up when the page opened, or drawn again, says nothing).
  const timersRunning = new Set();
  function tickTimers() {
    document.querySelectorAll("[data-timer]").forEach((timer) => {
      let seconds;
      if (timer.dataset.paused !== "") seconds = Number(timer.dataset.paused);
      else if (timer.dataset.endsAt !== "") {
        seconds = Math.max(0, Math.round((Number(timer.dataset.endsAt) - clock.now()) / 1000));
        if (seconds > 0) timersRunning.add(timer.dataset.endsAt);
        else if (timersRunning.delete(timer.dataset.endsAt)) {
          announcer.say(timer.dataset.announceUp);
        }
      } else return;
      const value = timer.querySelector(".timer__value");
      const text = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
      if (value.textContent !== text) value.textContent = text;
      timer.classList.toggle("timer--up", seconds === 0);
    });
  }
  setInterval(tickTimers, 250);

  // A translated label with its {placeholders} filled in.
  const filled = (label, values) =>
    (label || "").replace(/\{(\w+)\}/g, (_match, name) => String(values[name] ?? ""));

  // --- The console's clock: the day against its agenda's minutes -------------------------
  // Behind by what the day has taken beyond what the agenda planned up to this point: the
  // minutes of the activities before this one, and of this one as far as it has gone.
  const MINUTE_MS = 60000;
  function tickSchedule() {
    const schedule = document.querySelector("[data-schedule]");
    if (!schedule) return;
    const now = clock.now();
    const show = (selector, text) => {
      const element = schedule.querySelector(selector);
      if (element && element.textContent !== text) element.textContent = text;
    };
    const time = new Date(now).toLocaleTimeString(document.documentElement.lang || [], {
      hour: "2-digit",
      minute: "2-digit",
    });
    show("[data-clock]", time);
    const { dayStarted, activityStarted, plannedBefore, plannedNow } = schedule.dataset;
    if (!dayStarted || !activityStarted) {
      show("[data-late]", schedule.dataset.labelWaiting);
      show("[data-elapsed]", "");
      return;
    }
    const elapsed = Math.max(0, now - Number(activityStarted));
    const planned = plannedNow === "" ? null : Number(plannedNow) * MINUTE_MS;
    const plannedSoFar =
      Number(plannedBefore) * MINUTE_MS + (planned === null ? elapsed : Math.min(elapsed, planned));
    const late = Math.round((now - Number(dayStarted) - plannedSoFar) / MINUTE_MS);
    let state = "on-time";
    if (late > 0) state = "behind";
    else if (late < 0) state = "ahead";
    const label = { "on-time": "labelOnTime", behind: "labelBehind", ahead: "labelAhead" }[state];
    show("[data-late]", filled(schedule.dataset[label], { minutes: Math.abs(late) }));
    schedule.dataset.pace = state;
    const minutes = Math.floor(elapsed / MINUTE_MS);
    show(
      "[data-elapsed]",
      planned === null
        ? filled(schedule.dataset.labelElapsedOpen, { elapsed: minutes })
        : filled(schedule.dataset.labelElapsed, { elapsed: minutes, planned: plannedNow }),
    );
    schedule.classList.toggle("room-strip__clock--over", planned !== null && elapsed > planned);
  }
  setInterval(tickSchedule, 1000);

  // --- The console's preview of the projector: a projector of its own, only while open ------
  document.addEventListener(
    "toggle",
    (event) => {
      const preview = event.target.closest?.("[data-projector-preview]");
      const frame = preview?.querySelector("iframe");
      if (!frame) return;
      if (preview.open) frame.src = frame.dataset.src;
      else frame.removeAttribute("src");
    },
    true,
  );

  // --- Share-out: the other tables' takeaways first; this phone's own table last, folded ------
  function ownTableLast() {
    const list = document.getElementById(screen()?.dataset.ownList || "");
    const section = list?.closest(".phone-board--shareout .phone-table");
    if (!section || section.dataset.placed !== undefined) return;
    section.dataset.placed = "";
    section.classList.add("phone-table--own");
    section.parentElement.append(section);
    const fold = section.querySelector(".phone-table__fold");
    if (!fold) return;
    const show = (open) => {
      list.hidden = !open;
      fold.setAttribute("aria-expanded", String(open));
      fold.textContent = open ? fold.dataset.labelHide : fold.dataset.labelShow;
    };
    fold.hidden = false;
    fold.addEventListener("click", () => show(list.hidden));
    show(false);
  }

  // --- Votes: a phone remembers its own +1s across the fragments its table shares ----------
  // A +1 is a toggle: pressed, a tap takes it back. The form says which state it asks for.
  const myVotes = () => new Set((screen()?.dataset.myVotes || "").split(",").filter(Boolean));
  function markVotes() {
    const mine = myVotes();
    document.querySelectorAll("[data-vote-for]").forEach((button) => {
      button.setAttribute("aria-pressed", String(mine.has(button.dataset.voteFor)));
    });
  }
  // A tap that lands twice (a shaky thumb) must not give and take back at once.
  const DOUBLE_TAP_MS = 700;
  const lastVoteTap = new Map();
  // Marked when sent: the answer may arrive after a fragment has replaced the form. The server
  // refuses a second +1, and a reload shows the votes it really has.
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target.closest("form[data-vote]");
      if (!form) return;
      const id = form.dataset.vote;
      const now = Date.now();
      if (now - (lastVoteTap.get(id) || 0) < DOUBLE_TAP_MS) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      lastVoteTap.set(id, now);
      const mine = myVotes();
      const give = !mine.has(id);
      form.elements.give.value = give ? "1" : "0";
      if (give) mine.add(id);
      else mine.delete(id);
      screen().dataset.myVotes = [...mine].join(",");
      setTimeout(markVotes);
    },
    true,
  );

  // --- A poll is sent to every phone without answers: each marks its own ----------------------
  // The server forgets who answered once a poll closes, so a phone keeps its own answer here,
  // as the server last said it holds it (data-poll-choices on the answer to each tap).
  const pollKey = (question) => `poll:${scope()}:${question}`;
  function markPolls() {
    document.querySelectorAll("[data-poll-choices]").forEach((status) => {
      const form = status.closest("form[data-poll]");
      const mine = { choices: JSON.parse(status.dataset.pollChoices), text: status.dataset.pollText };
      try {
        localStorage.setItem(pollKey(form.dataset.poll), JSON.stringify(mine));
      } catch {
        /* storage full or disabled: the page shows the answer again after a reload */
      }
    });
    document.querySelectorAll("form[data-poll]:not([data-poll-marked])").forEach((form) => {
      form.dataset.pollMarked = "";
      if (form.querySelector("[data-poll-choices]")) return; // drawn with this phone's answer
      let mine = null;
      try {
        mine = JSON.parse(localStorage.getItem(pollKey(form.dataset.poll)) || "null");
      } catch {
        mine = null;
      }
      if (!mine || (!mine.choices.length && !mine.text)) return;
      form.querySelectorAll("input[name=choices]").forEach((input) => {
        input.checked = mine.choices.includes(input.value);
      });
      const word = form.querySelector("input[name=text]");
      if (word && !word.value) word.value = mine.text;
      const status = form.querySelector(".poll-phone__status");
      if (status) status.textContent = `✓ ${form.dataset.msgSaved}`;
    });
  }

  // --- A reflection is sent to every phone without answers: each puts in its own ------------
  // Only a phone that has answered this reflection before asks for its answers (a room
  // arriving in a reflection would otherwise ask a thousand times for nothing).
  const answeredKey = (solo) => `answered:${scope()}:${solo.dataset.activity}`;
  async function ownAnswers(solo) {
    solo.querySelectorAll("form[data-answer]").forEach((form) => answers.mergeRendered(form));
    if (solo.hasAttribute("data-own") || solo.dataset.filled !== undefined) return;
    solo.dataset.filled = "";
    const steps = [...solo.querySelectorAll("form[data-answer]")].map((f) => f.dataset.answer);
    if (!localStorage.getItem(answeredKey(solo)) && !answers.waiting(steps).length) return;
    let data;
    try {
      const response = await fetch(solo.dataset.answers, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) return;
      data = await response.json();
    } catch {
      return;
    }
    for (const [step, answer] of Object.entries(data.answers || {})) answers.merge(step, answer);
    if (data.done) {
      await window.htmx.swap({ target: "#solo-done", swap: "outerHTML", text: data.done });
    }
    document.querySelectorAll("textarea[data-limit]").forEach(updateCounter);
    solo.dataset.filled = "merged"; // what the server holds is in (a test waits for it)
  }
  document.addEventListener("htmx:after:request", (event) => {
    const ctx = event.detail.ctx;
    const solo = ctx.sourceElement?.closest?.("[data-solo]");
    if (!solo || !(ctx.response?.status < 300)) return;
    try {
      localStorage.setItem(answeredKey(solo), "1");
    } catch {
      /* storage full or disabled: its answers still show after a reload of the page */
    }
  });

  // --- A reflection shows one step at a time (all of them without JavaScript) --------------
  function pageSteps() {
    document.querySelectorAll("[data-solo]:not(.solo--paged)").forEach((solo) => {
      solo.classList.add("solo--paged");
      const steps = [...solo.querySelectorAll("[data-step]")];
      const show = (index) =>
        steps.forEach((step, i) => step.classList.toggle("is-current", i === index));
      solo.querySelectorAll("[data-step-nav]").forEach((nav) => (nav.hidden = false));
      solo.addEventListener("click", (event) => {
        const button = event.target.closest("[data-step-go]");
        if (!button) return;
        const current = steps.findIndex((step) => step.classList.contains("is-current"));
        const next = Math.min(steps.length - 1, Math.max(0, current + Number(button.dataset.stepGo)));
        show(next);
        // The step's own field (its text, its first box): never the form's hidden token.
        const field = steps[next].querySelector("textarea, input:not([type=hidden])");
        field?.focus({ preventScroll: true });
        solo.scrollIntoView({ block: "start" });
      });
      show(0);
    });
  }

  // --- Projector: a wall read from the back row ---------------------------------------------
  // The type never shrinks. When the screen cannot hold every table at a readable width, the
  // tables come in pages; when a table's column cannot hold its cards, it shows as many as fit,
  // newest first, with "+k more", and on a calm timer the next ones. A page turns once every
  // table on it has shown all its cards, so every card comes round.
  const ROTATE_MS = 8000;
  const TABLE_MIN_EM = { width: 20, height: 15 }; // a line of ~30 characters; a head, two cards
  const wall = { element: null, page: 0, pages: 1, starts: new Map(), shownAll: new Set() };

  const overflows = (element) => element.scrollHeight > element.clientHeight + 1;
  // Only a text that changed is written: a write is a mutation, and a mutation lays the wall
  // out again (cardsArrived), which would write it again, every frame.
  const setText = (element, text) => {
    if (element.textContent !== text) element.textContent = text;
  };

  function wallLayout(wallElement, tables) {
    // As few pages as the screen allows, the tables of a page spread evenly over its grid; but
    // a column is never so small that one of its cards could not fit in it on its own (a long
    // takeaway takes a taller or wider column, and the tables come in more pages).
    const style = getComputedStyle(wallElement);
    const em = parseFloat(style.fontSize);
    const gap = parseFloat(style.columnGap) || 0;
    const fit = (room, size) => Math.max(1, Math.floor((room + gap) / (size * em + gap)));
    let maxColumns = fit(wallElement.clientWidth, TABLE_MIN_EM.width);
    let maxRows = fit(wallElement.clientHeight, TABLE_MIN_EM.height);
    for (;;) {
      const pages = Math.max(1, Math.ceil(tables.length / (maxColumns * maxRows)));
      const perPage = Math.ceil(tables.length / pages) || 1;
      const rows = Math.min(maxRows, Math.ceil(perPage / maxColumns));
      const layout = { pages, perPage, rows, columns: Math.ceil(perPage / rows) };
      if (layout.rows * layout.columns === 1 || cardsFit(wallElement, tables, layout)) {
        return layout;
      }
      if (layout.rows > 1) maxRows = layout.rows - 1;
      else maxColumns = layout.columns - 1;
    }
  }

  // The tallest card at a column width, measured once per content and width: every card is
  // laid out at that width (all at once, before anything is painted) and the tallest kept.
  const tallestCard = new Map();
  function cardsFit(wallElement, tables, { columns, rows }) {
    const table = tables[0];
    const list = table?.querySelector(".takeaways--wall");
    if (!list) return true;
    const key = `${columns}:${wallElement.clientWidth}:${getComputedStyle(wallElement).fontSize}`;
    if (!tallestCard.has(key)) {
      wallElement.style.setProperty("--columns", columns);
      tables.forEach((t) => t.classList.remove("is-off-page"));
      const cards = tables.flatMap((t) => [...t.querySelectorAll(".takeaway--wall")]);
      cards.forEach((card) => card.classList.remove("is-off"));
      const heights = cards.map(
        (card) => card.offsetHeight + parseFloat(getComputedStyle(card).marginBlockStart || 0),
      );
      tallestCard.set(key, Math.max(0, ...heights));
    }
    // A column's room for cards: its grid cell, less the table's frame, head and "+k more".
    const px = (element, ...properties) =>
      properties.reduce((sum, p) => sum + (parseFloat(getComputedStyle(element)[p]) || 0), 0);
    const rowGap = parseFloat(getComputedStyle(wallElement).rowGap) || 0;
    const cell = (wallElement.clientHeight - rowGap * (rows - 1)) / rows;
    const head = table.querySelector(".wall-table__head");
    const frame =
      px(table, "paddingTop", "paddingBottom", "borderTopWidth", "borderBottomWidth") +
      (head ? head.offsetHeight + px(head, "marginBottom") : 0) +
      px(list, "paddingTop", "paddingBottom");
    const moreLine = 2 * parseFloat(getComputedStyle(table).fontSize);
    return tallestCard.get(key) <= cell - frame - moreLine;
  }

  function focusedTable(wallElement) {
    // The facilitator may put one table alone on the wall (the status says which).
    const focus = document.getElementById("workshop-status")?.dataset.focus;
    const table = focus ? document.getElementById(`wall-table-${focus}`) : null;
    wallElement.classList.toggle("wall--focus", Boolean(table));
    return table;
  }

  function showPage(board, wallElement) {
    const focused = focusedTable(wallElement);
    const tables = focused ? [focused] : [...wallElement.querySelectorAll(".wall-table")];
    wallElement.querySelectorAll(".wall-table").forEach((table) => {
      if (!tables.includes(table)) table.classList.add("is-off-page");
    });
    const { pages, perPage, rows, columns } = wallLayout(wallElement, tables);
    wall.pages = pages;
    wall.page %= pages;
    wallElement.style.setProperty("--columns", columns);
    wallElement.style.setProperty("--rows", rows);
    const first = wall.page * perPage;
    tables.forEach((table, i) =>
      table.classList.toggle("is-off-page", i < first || i >= first + perPage),
    );
    let pager = board.querySelector(".wall__pager");
    if (pages > 1 && !pager) {
      pager = Object.assign(document.createElement("p"), { className: "wall__pager" });
      wallElement.after(pager);
    }
    if (pager) {
      pager.hidden = pages < 2;
      setText(pager, filled(board.dataset.labelPage, {
        first: first + 1,
        last: Math.min(first + perPage, tables.length),
        total: tables.length,
      }));
    }
    return tables.slice(first, first + perPage);
  }

  function showCards(table) {
    // From this table's place in its rotation, as many cards as its column holds.
    const list = table.querySelector(".takeaways--wall");
    if (!list) return;
    const cards = [...list.querySelectorAll(":scope > .takeaway--wall")];
    let more = table.querySelector(".wall-table__more");
    cards.forEach((card) => card.classList.remove("is-off"));
    if (more) more.hidden = true;
    if (!overflows(list)) {
      delete table.dataset.next;
      return;
    }
    if (!more) {
      more = Object.assign(document.createElement("p"), { className: "wall-table__more" });
      list.after(more);
    }
    more.hidden = false; // it takes its line before the cards are measured
    let start = wall.starts.get(table.id) || 0;
    if (start >= cards.length) start = 0;
    cards.forEach((card) => card.classList.add("is-off"));
    let end = start;
    while (end < cards.length) {
      cards[end].classList.remove("is-off");
      if (end > start && overflows(list)) {
        cards[end].classList.add("is-off");
        break;
      }
      end += 1;
    }
    table.dataset.next = String(end >= cards.length ? 0 : end);
    setText(more, filled(table.closest("[data-fit]").dataset.labelMore, {
      count: cards.length - (end - start),
    }));
  }

  function fitSpotlight(board) {
    // As large as the screen allows: 64 px or more for all but the longest takeaways, which
    // would not fit at 64 px and go on down (to 40 px at most) rather than lose their end.
    const text = board.querySelector(".spotlight:not([hidden]) .spotlight__text");
    if (!text) return;
    const card = text.closest(".spotlight__card");
    let size = 120;
    text.style.setProperty("--spotlight-size", `${size}px`);
    while (size > 40 && overflows(card)) {
      size -= 4;
      text.style.setProperty("--spotlight-size", `${size}px`);
    }
  }

  function layoutWall() {
    const board = document.querySelector("[data-fit]");
    if (!board) return;
    fitSpotlight(board);
    const wallElement = board.querySelector(".wall");
    if (!wallElement) return;
    if (wall.element !== wallElement) {
      // Another activity's wall: it starts from its first page and its newest cards.
      Object.assign(wall, { element: wallElement, page: 0 });
      wall.starts.clear();
      wall.shownAll.clear();
      tallestCard.clear();
    }
    showPage(board, wallElement).forEach(showCards);
  }

  function turnWall() {
    // Each table on the page moves on to its next cards; the page turns once all came round.
    const board = document.querySelector("[data-fit]");
    const wallElement = board?.querySelector(".wall");
    if (!wallElement) return;
    let allShown = true;
    for (const table of wallElement.querySelectorAll(".wall-table:not(.is-off-page)")) {
      if (table.dataset.next === undefined) continue; // all its cards fit
      const next = Number(table.dataset.next);
      wall.starts.set(table.id, next);
      if (next === 0) wall.shownAll.add(table.id);
      if (!wall.shownAll.has(table.id)) allShown = false;
    }
    if (allShown && wall.pages > 1) {
      wall.page = (wall.page + 1) % wall.pages;
      wall.starts.clear();
      wall.shownAll.clear();
    }
    layoutWall();
  }

  function cardsArrived(mutations) {
    // A new card shows at once: its table goes back to its newest cards (the new one on top).
    // A card redrawn in place (a vote, an edit) moves nothing.
    const redrawn = new Set(
      mutations.flatMap((mutation) => [...mutation.removedNodes].map((node) => node.id)),
    );
    for (const mutation of mutations) {
      for (const node of mutation.addedNodes) {
        if (!node.classList?.contains("takeaway--wall") || redrawn.has(node.id)) continue;
        const table = node.closest(".wall-table");
        if (table) wall.starts.delete(table.id);
      }
    }
    tallestCard.clear(); // a card came, went or changed
    scheduleFit();
  }

  let fitPending = false;
  function scheduleFit() {
    if (fitPending) return;
    fitPending = true;
    requestAnimationFrame(fitNow);
  }
  function fitNow() {
    if (!fitPending) return;
    fitPending = false;
    layoutWall();
  }

  // --- Cards glide to their new place: a +1 that re-ranks, "Order by votes" switched on -------
  // FLIP, keyed by the card's id (a card deleted and upserted elsewhere is still the same card):
  // the cards of the lists a swap touches are measured before it, again in the next frame (the
  // wall fitted first, so they glide to where they end up, before anything is painted), and
  // eased from the old place to the new one. `translate` leaves a new card's entrance, on
  // `transform`, to itself; a translated card changes no layout, so no scrollbar ever shows,
  // and what runs meanwhile is the compositor's: no layout, nothing polled per frame.
  const GLIDE = "glide";
  const GLIDE_MS = 350;
  const GLIDE_EASING = "cubic-bezier(0.2, 0, 0, 1)";
  const GLIDING_LISTS = ".takeaways--wall, .takeaways--console";
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  let glideFrom = null; // card id → {card, place}: before the first swap since the last frame
  let gliding = []; // {card, place, to, animation}: started since the last swap settled
  let redrawn = []; // cards marked since the last swap settled

  function listsTouched(tasks) {
    const lists = new Set();
    for (const task of tasks) {
      const target =
        typeof task.target === "string" ? document.querySelector(task.target) : task.target;
      if (!target?.isConnected) continue;
      const around = target.closest(GLIDING_LISTS); // a card deleted or replaced, a list upserted
      if (around) lists.add(around);
      target.querySelectorAll(GLIDING_LISTS).forEach((list) => lists.add(list)); // a board
    }
    return lists;
  }

  const placeOf = (card) => {
    const rect = card.getBoundingClientRect();
    return rect.width || rect.height ? rect : null; // off the wall's page or rotation: no place
  };

  function glideBetween(card, place, to, currentTime = 0) {
    const dx = place.left - to.left;
    const dy = place.top - to.top;
    if (Math.abs(dx) < 1 && Math.abs(dy) < 1) return null;
    const above = dy > 0 ? { zIndex: 1 } : {}; // a card that climbs passes over those it overtakes
    const animation = card.animate(
      [
        { translate: `${dx}px ${dy}px`, ...above },
        { translate: "0 0", ...above },
      ],
      { id: GLIDE, duration: GLIDE_MS, easing: GLIDE_EASING },
    );
    animation.currentTime = currentTime;
    return animation;
  }

  document.addEventListener("htmx:before:swap", (event) => {
    if (reducedMotion.matches || document.hidden) return;
    const lists = listsTouched(event.detail.tasks || []);
    if (!lists.size) return;
    const first = glideFrom || new Map();
    for (const list of lists) {
      for (const card of list.querySelectorAll(":scope > .takeaway[id]")) {
        // Two swaps in one frame: the place counts from before the first, the one on screen.
        if (!first.has(card.id)) first.set(card.id, { card, place: placeOf(card) });
      }
    }
    if (!glideFrom) requestAnimationFrame(glide);
    glideFrom = first;
  });

  function glide() {
    const first = glideFrom;
    glideFrom = null;
    fitNow();
    // Writes, then reads, then animations: one layout for the whole frame.
    const moving = [];
    for (const [id, { card: before, place }] of first) {
      const card = document.getElementById(id);
      if (!card?.parentElement?.matches(GLIDING_LISTS)) continue;
      // Drawn again, yet no new card: it moves (or only its count changed), it does not arrive.
      if (card !== before) {
        card.classList.add("is-redrawn");
        redrawn.push(card);
      }
      if (!place) continue;
      card.getAnimations().forEach((running) => running.id === GLIDE && running.cancel());
      moving.push({ card, place });
    }
    for (const move of moving) move.to = placeOf(move.card);
    gliding = moving.filter((move) => move.to);
    for (const move of gliding) move.animation = glideBetween(move.card, move.place, move.to);
    gliding = gliding.filter((move) => move.animation);
  }

  // htmx settles a swap, and live.js fills in what the server leaves blank (the console's clock,
  // the timers), after the frame the glides may have started in. Settling puts back the classes
  // the server drew (a redrawn card would arrive after all): the mark goes on again. Whatever
  // moved the cards meanwhile, they aim again at where they now end up, as far along as they were.
  function settleGlides() {
    redrawn.forEach((card) => card.classList.add("is-redrawn"));
    redrawn = [];
    const moves = gliding.filter((move) => move.animation.playState === "running");
    gliding = [];
    if (!moves.length) return;
    layoutWall(); // the classes put back show cards the wall had fitted away
    for (const move of moves) {
      // Where its layout puts it: where it is seen, less the glide's translate ("none", "Xpx").
      const [x, y] = getComputedStyle(move.card).translate.split(" ").map(parseFloat);
      const seen = placeOf(move.card);
      move.now = seen && { left: seen.left - (x || 0), top: seen.top - (y || 0) };
    }
    for (const { card, place, to, now, animation } of moves) {
      if (!now || (Math.abs(now.left - to.left) < 1 && Math.abs(now.top - to.top) < 1)) continue;
      const currentTime = animation.currentTime;
      animation.cancel();
      glideBetween(card, place, now, currentTime);
    }
  }
  document.addEventListener("htmx:after:swap", () => {
    if (gliding.length || redrawn.length) queueMicrotask(settleGlides); // after refreshFields
  });

  // --- One polite announcer per live screen ---------------------------------------------------
  // A screen reader hears what changed for this person, once: the room moved on, time is up,
  // their words were saved, a table posted (the console). One region, outside everything that
  // is swapped (a region swapped in anew is not heard), says it; its words come from the
  // server's templates (data-announce…, translated there). What changes together is said
  // together, and what comes while the person types waits until they pause, but for the
  // counter near its limit, which is said as they reach it.
  const ANNOUNCE_MS = 400;
  const TYPING_PAUSE_MS = 1500;
  let lastTyped = 0;
  const announcer = {
    pending: [],
    urgent: false,
    timer: null,
    say(text, { whileTyping = false } = {}) {
      if (!text || !document.getElementById("announcer")) return;
      if (!this.pending.includes(text)) this.pending.push(text);
      this.urgent ||= whileTyping;
      this.schedule(ANNOUNCE_MS);
    },
    unsay(text) {
      this.pending = this.pending.filter((pending) => pending !== text);
    },
    schedule(ms) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.speak(), ms);
    },
    speak() {
      const region = document.getElementById("announcer");
      if (!region || !this.pending.length) return;
      const typing = Date.now() - lastTyped;
      if (!this.urgent && typing < TYPING_PAUSE_MS) return this.schedule(TYPING_PAUSE_MS - typing);
      const text = this.pending.join(" ");
      this.pending = [];
      this.urgent = false;
      // The same words twice (a second "Saved") are heard only as a change: emptied first.
      region.textContent = "";
      setTimeout(() => (region.textContent = text), 50);
    },
  };
  document.addEventListener("input", (event) => {
    if (!event.target.matches?.("textarea, input[type=text]")) return;
    lastTyped = Date.now();
    // "Saved" of words the person is changing again is no longer true.
    const saved =
      event.target.form?.dataset.msgSaved ||
      event.target.closest("[data-solo]")?.dataset.msgSaved;
    if (saved) announcer.unsay(saved);
  });

  // The character counter speaks once near the limit, once at it; never at each keystroke.
  function announceLimit(field, level) {
    const limit = Number(field.dataset.limit);
    const length = field.value.trim().length;
    // Its words are on the field's form, or on its screen's part that holds such fields.
    const words = field.closest("[data-msg-near]")?.dataset || {};
    const label = level === 2 ? words.msgLimit : words.msgNear;
    announcer.say(filled(label, { limit, remaining: Math.max(0, limit - length) }), {
      whileTyping: true,
    });
  }

  // --- Focus that survives live updates -----------------------------------------------------
  // A swap replaces the region that holds the control just used (the console's board after
  // Next, a card after someone else's +1): the browser would drop focus on <body>, and a
  // keyboard user would start again from the top. Every control has a stable key (its id, or
  // data-focus-key): focus goes back to the control with the same key, or to the first there of
  // its successors (its data-focus-fallback keys, then its keyed neighbours, the next first),
  // or to the screen's heading. On a phone, a move to another activity takes focus to the new
  // activity's heading, when focus was on what was replaced or nowhere: never from a field the
  // person is typing in elsewhere.
  const NEIGHBOURS = 8;
  const KEYED = "[data-focus-key], a[id], button[id], input[id], select[id], textarea[id]";
  const focusKey = (element) => element?.dataset?.focusKey || element?.id || "";
  const byKey = (key) =>
    document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`) || document.getElementById(key);
  const focusable = (element) =>
    Boolean(element?.isConnected) &&
    !element.disabled &&
    element.getClientRects().length > 0 &&
    !element.closest("[inert]");
  const nowhere = (element) => !element || element === document.body || !element.isConnected;

  // A region (data-focus-region: a queue's list) keeps its neighbours to itself, and names
  // where focus goes once none of them is left.
  const keysOf = (value) => (value || "").split(/\s+/).filter(Boolean);
  function focusPlan(active) {
    const key = focusKey(active);
    if (!key) return null;
    const region = active.closest("[data-focus-region]");
    const keyed = [...(region || document).querySelectorAll(KEYED)];
    const at = keyed.indexOf(active);
    const next = at < 0 ? [] : keyed.slice(at + 1, at + 1 + NEIGHBOURS);
    const previous = at < 0 ? [] : keyed.slice(Math.max(0, at - NEIGHBOURS), at).reverse();
    let selection = null;
    if (typeof active.selectionStart === "number") {
      selection = [active.selectionStart, active.selectionEnd];
    }
    const keys = [key, ...keysOf(active.dataset.focusFallback)];
    keys.push(...[...next, ...previous].map(focusKey), ...keysOf(region?.dataset.focusRegion));
    return { keys, selection };
  }

  function putFocusBack(plan) {
    for (const key of plan.keys) {
      const element = byKey(key);
      if (!focusable(element)) continue;
      element.focus({ preventScroll: true });
      if (plan.selection && key === plan.keys[0]) {
        try {
          element.setSelectionRange(...plan.selection);
        } catch {
          /* not a text field any more */
        }
      }
      return;
    }
    document.querySelector("[data-focus-heading]")?.focus({ preventScroll: true });
  }

  // The activity this screen shows, and the arrivals it has seen (each said once).
  let shownActivity;
  // A card in a list that names where its words are (its table's head, sent again on a
  // rename), or an element that carries its own.
  const ARRIVING = "[data-arrivals] > [id], [data-announce-arrival]";
  const arrivalKey = (element) => element.dataset.arrivalOf || element.id;
  const announcedArrivals = new Set();
  const arrivalsOnScreen = () => new Set([...document.querySelectorAll(ARRIVING)].map(arrivalKey));

  function announceArrivals(before) {
    // A board drawn whole again (the room moved, a catch-up, the console's own answer) brings
    // nothing new to say: only a card that comes into a list already on screen has arrived.
    if (document.getElementById("board") !== before.board) return;
    for (const element of document.querySelectorAll(ARRIVING)) {
      const key = arrivalKey(element);
      if (before.arrivals.has(key) || announcedArrivals.has(key)) continue;
      announcedArrivals.add(key);
      const words = document.getElementById(element.parentElement.dataset.arrivals || "");
      announcer.say(element.dataset.announceArrival ?? words?.dataset.announceNew);
    }
  }

  const swapsUnderWay = new WeakMap(); // an htmx swap → the screen as it was before it
  document.addEventListener("htmx:before:swap", (event) => {
    if (!event.detail?.ctx) return; // every swap htmx 4 makes has one; a key must be an object
    const active = document.activeElement;
    const board = document.getElementById("board");
    swapsUnderWay.set(event.detail.ctx, {
      active,
      plan: nowhere(active) ? null : focusPlan(active),
      board,
      arrivals: arrivalsOnScreen(),
    });
  });
  document.addEventListener("htmx:after:swap", (event) => {
    const before = event.detail?.ctx && swapsUnderWay.get(event.detail.ctx);
    if (!before) return;
    swapsUnderWay.delete(event.detail.ctx);
    // After the other after:swap work: a draft put back into its field before its caret.
    queueMicrotask(() => afterSwap(before));
  });

  function afterSwap(before) {
    const lost = nowhere(document.activeElement);
    const board = document.getElementById("board");
    const activity = board?.dataset.activity;
    if (board && activity !== shownActivity) {
      shownActivity = activity;
      announcer.say(board.dataset.announce);
      const heading = board.querySelector("[data-focus-arrival]");
      if (heading && lost && nowhere(before.active)) {
        heading.focus();
        return;
      }
    }
    if (lost && before.plan) putFocusBack(before.plan);
    announceArrivals(before);
  }
  document.addEventListener("DOMContentLoaded", () => {
    shownActivity = document.getElementById("board")?.dataset.activity;
    arrivalsOnScreen().forEach((key) => announcedArrivals.add(key));
  });

  document.addEventListener("DOMContentLoaded", () => {
    // The board answers the join form itself: the address bar says where the phone is.
    const here = screen()?.dataset.here;
    if (here && window.location.pathname !== here) window.history.replaceState(null, "", here);
    const serverNow = Number(screen()?.dataset.serverNow);
    if (Number.isFinite(serverNow) && serverNow > 0) clock.set(serverNow);
    refreshFields();
    outbox.restore();
    scheduleFit();
    if (liveScreen()) schedulePollingFallback();
    if (document.querySelector("[data-fit]")) {
      new MutationObserver(cardsArrived).observe(screen(), { childList: true, subtree: true });
      window.addEventListener("resize", scheduleFit);
      setInterval(turnWall, ROTATE_MS);
    }
    document.querySelectorAll("[data-print]").forEach((button) =>
      button.addEventListener("click", () => window.print()),
    );
  });
  document.addEventListener("htmx:after:swap", refreshFields);
})();
