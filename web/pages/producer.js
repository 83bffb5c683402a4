// The producer's page: puts garments on air, the card on and off, wears
// accessories, edits and runs the cue list, and previews the program.
// The token is asked once and kept in sessionStorage (this tab only).
"use strict";

(() => {
  const TOKEN_KEY = "drape-token";
  // A cue's garment choices besides the catalog's ids (which have no brackets).
  const KEEP = "(keep)";
  const NOTHING = "(nothing)";
  const PREVIEW_PERIOD_MS = 1000;
  const $ = (id) => document.getElementById(id);
  let items = [];
  let state = null;
  let previewUrl = null;

  const token = () => sessionStorage.getItem(TOKEN_KEY);
  const nameOf = (id) => (items.find((item) => item.id === id) || { name: id }).name;

  function say(message, isError = false) {
    $("status").value = message;
    $("status").classList.toggle("error", isError);
  }

  function askToken() {
    sessionStorage.removeItem(TOKEN_KEY);
    $("login").hidden = false;
    $("console").hidden = true;
    $("forget-token").hidden = true;
    $("token").focus();
  }

  function showConsole() {
    $("login").hidden = true;
    $("console").hidden = false;
    $("forget-token").hidden = false;
  }

  /** A token-bearing request; the response when it succeeded, else null (and the error said). */
  async function send(method, path, body) {
    const headers = { Authorization: `Bearer ${token()}` };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      say(`${method} ${path}: the server cannot be reached (${error.message})`, true);
      return null;
    }
    if (response.ok) {
      return response;
    }
    let message = response.statusText;
    try {
      message = (await response.json()).error || message;
    } catch (_) {
      // Not JSON: the status text says enough.
    }
    say(`${method} ${path}: ${response.status} ${message}`, true);
    if (response.status === 401) {
      askToken();
    }
    return null;
  }

  async function changeLive(change, done) {
    const response = await send("PUT", "/api/live", change);
    if (response) {
      render(await response.json());
      say(done);
    }
  }

  function render(next) {
    // A request's answer can come after the event of a later change.
    if (state && next.version < state.version) {
      return;
    }
    state = next;
    $("on-air-name").textContent = state.garment === null ? "nothing" : nameOf(state.garment);
    $("card-toggle").checked = state.card;
    for (const entry of $("catalog").children) {
      const id = entry.dataset.id;
      const worn = state.accessories.includes(id);
      entry.classList.toggle("current", id === state.garment || worn);
      const button = entry.querySelector("button");
      if (button.classList.contains("wear")) {
        button.textContent = worn ? "Take off" : "Wear";
      }
      button.setAttribute("aria-pressed", String(id === state.garment || worn));
    }
    const cue = state.cue;
    $("cue-state").textContent = !cue.running
      ? `Cues: ${cue.count}, stopped`
      : `Cue ${cue.index === null ? "–" : cue.index + 1} of ${cue.count}`;
  }

  function element(tag, properties, ...children) {
    const made = Object.assign(document.createElement(tag), properties);
    made.append(...children);
    return made;
  }

  function buildCatalog() {
    $("catalog").replaceChildren(...items.map((item) => {
      const accessory = item.kind === "accessory";
      const button = element("button", {
        type: "button",
        className: accessory ? "wear" : "on-air",
        textContent: accessory ? "Wear" : "On air",
      });
      button.dataset.id = item.id;
      const entry = element("li", {},
        element("img", { src: item.thumbnail_url, alt: "", loading: "lazy" }),
        element("div", { textContent: item.name }),
        element("div", { textContent: drape.price(item) }),
        button);
      entry.dataset.id = item.id;
      return entry;
    }));
    if (state) {
      render(state);
    }
  }

  $("catalog").addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) {
      return;
    }
    const id = button.dataset.id;
    if (button.classList.contains("on-air")) {
      changeLive({ garment: id }, `On air: ${nameOf(id)}`);
      return;
    }
    const worn = state ? state.accessories : [];
    const accessories = worn.includes(id) ? worn.filter((a) => a !== id) : [...worn, id];
    changeLive({ accessories }, `Accessories: ${accessories.map(nameOf).join(", ") || "none"}`);
  });
  $("off-air").addEventListener("click", () => changeLive({ garment: null }, "Nothing on air"));
  $("card-toggle").addEventListener("change", (event) => {
    const on = event.target.checked;
    changeLive({ card: on }, on ? "Card on" : "Card off");
  });

  // The cue list: rows of (at seconds, garment, card); a cue's garment may
  // be kept as it is or taken off air (null).
  function cueRow(cue) {
    const garment = element("select", { className: "cue-garment" },
      element("option", { value: KEEP, textContent: "(keep)" }),
      element("option", { value: NOTHING, textContent: "(nothing)" }),
      ...items.filter((item) => item.kind !== "accessory")
        .map((item) => element("option", { value: item.id, textContent: item.name })));
    garment.value = cue.garment === undefined ? KEEP : cue.garment === null ? NOTHING : cue.garment;
    const remove = element("button", {
      type: "button", className: "cue-remove", textContent: "✕", title: "Remove this cue",
    });
    const row = element("tr", {},
      element("td", {}, element("input", { type: "number", className: "cue-at", min: 0, step: 0.1, value: cue.at })),
      element("td", {}, garment),
      element("td", {}, element("input", { type: "checkbox", className: "cue-card", checked: cue.card !== false })),
      element("td", {}, remove));
    remove.addEventListener("click", () => row.remove());
    return row;
  }

  function cuesInEditor() {
    return [...$("cues").tBodies[0].rows].map((row) => {
      const cue = { at: Number(row.querySelector(".cue-at").value) };
      const garment = row.querySelector(".cue-garment").value;
      if (garment !== KEEP) {
        cue.garment = garment === NOTHING ? null : garment;
      }
      cue.card = row.querySelector(".cue-card").checked;
      return cue;
    });
  }

  $("cue-add").addEventListener("click", () => {
    const cues = cuesInEditor();
    const at = cues.length ? cues[cues.length - 1].at + 10 : 0;
    $("cues").tBodies[0].append(cueRow({ at, garment: state && state.garment, card: true }));
  });
  $("cue-upload").addEventListener("click", async () => {
    const cues = cuesInEditor();
    if (cues.some((cue) => !Number.isFinite(cue.at) || cue.at < 0)) {
      say("Each cue needs a time in seconds, 0 or more.", true);
      return;
    }
    const response = await send("PUT", "/api/cues", cues);
    if (response) {
      render(await response.json());
      say(`Uploaded ${cues.length} cues`);
    }
  });
  for (const [button, path, done] of [["cue-start", "/api/cues/start", "Cues started"],
    ["cue-stop", "/api/cues/stop", "Cues stopped"]]) {
    $(button).addEventListener("click", async () => {
      const response = await send("POST", path);
      if (response) {
        render(await response.json());
        say(done);
      }
    });
  }

  // The preview: the program frame once a second as JPEG; the last good one stays.
  async function pollPreview() {
    const note = $("preview-note");
    if (token() && !$("console").hidden) {
      try {
        const response = await fetch("/api/snapshot", {
          method: "POST",
          headers: { Authorization: `Bearer ${token()}`, Accept: "image/jpeg" },
        });
        if (response.ok) {
          const url = URL.createObjectURL(await response.blob());
          const old = previewUrl;
          previewUrl = url;
          $("preview").addEventListener("load", () => old && URL.revokeObjectURL(old), { once: true });
          $("preview").src = url;
          note.textContent = "";
        } else if (response.status === 503) {
          note.textContent = "Waiting for the program's first frame…";
        } else if (response.status === 401) {
          say("The server refused the token (401); enter it again.", true);
          askToken();
        } else {
          note.textContent = `Preview: ${response.status} ${response.statusText}`;
        }
      } catch (error) {
        note.textContent = "Preview: the server cannot be reached";
      }
    }
    setTimeout(pollPreview, PREVIEW_PERIOD_MS);
  }

  $("login").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("token").value.trim();
    if (!value) {
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, value);
    $("token").value = "";
    showConsole();
    say("Token kept in this tab.");
  });
  $("forget-token").addEventListener("click", () => {
    askToken();
    say("Token forgotten.");
  });

  const LOST = "Lost the live events; reconnecting…";
  drape.follow(render, (connected) => {
    if (!connected) {
      say(LOST, true);
    } else if ($("status").value === LOST) {
      say("Live events back.");
    }
  });
  drape.catalog().then(async (list) => {
    items = list;
    buildCatalog();
    // The list the studio holds, to edit.
    const response = await fetch("/api/cues", { cache: "no-store" });
    if (response.ok) {
      $("cues").tBodies[0].replaceChildren(...(await response.json()).map(cueRow));
    }
  }).catch((error) => say(`The catalog did not load: ${error.message}`, true));
  if (token()) {
    showConsole();
  } else {
    askToken();
  }
  pollPreview();
})();
