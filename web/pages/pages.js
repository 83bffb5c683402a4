// drape pages: what the overlay, producer and viewer pages share — the
// catalog, the live state from /events, prices and QR codes.
"use strict";

// URLs are UTF-8 on the wire; the encoder's default keeps only low bytes.
// (The producer page draws no QR code and loads no encoder.)
if (typeof qrcode !== "undefined") {
  qrcode.stringToBytes = qrcode.stringToBytesFuncs["UTF-8"];
}

const drape = (() => {
  const SVG = "http://www.w3.org/2000/svg";
  // The QR standard's margin, in modules, light like the code's background.
  const QUIET_ZONE_MODULES = 4;

  /** The catalog's garments: [{id, name, price, currency, buy_url, thumbnail_url, kind, sizes}]. */
  async function catalog() {
    const response = await fetch("/api/catalog", { cache: "no-store" });
    if (!response.ok) {
      throw new Error(`GET /api/catalog: ${response.status}`);
    }
    return (await response.json()).garments;
  }

  /**
   * Calls onState with the live state now and on every change (the server
   * sends it on connect); the browser reconnects by itself. onConnected,
   * if given, hears true/false as the stream opens and drops.
   */
  function follow(onState, onConnected) {
    const events = new EventSource("/events");
    events.addEventListener("live", (event) => onState(JSON.parse(event.data)));
    if (onConnected) {
      events.addEventListener("open", () => onConnected(true));
      events.addEventListener("error", () => onConnected(false));
    }
    return events;
  }

  /** "24.90 EUR", as the program feed's card writes it. */
  function price(item) {
    return `${item.price} ${item.currency}`;
  }

  /**
   * An <svg> QR code of text (byte mode, ECC M), whole pixels per module
   * so a camera or a screenshot reads it, at most maxSidePx wide with its
   * quiet zone (never under 2 px a module).
   */
  function qrSvg(text, maxSidePx) {
    const code = qrcode(0, "M");
    code.addData(text, "Byte");
    code.make();
    const count = code.getModuleCount();
    const side = count + 2 * QUIET_ZONE_MODULES;
    const modulePx = Math.max(2, Math.floor(maxSidePx / side));
    let path = "";
    for (let row = 0; row < count; row += 1) {
      for (let col = 0; col < count; col += 1) {
        if (code.isDark(row, col)) {
          path += `M${col + QUIET_ZONE_MODULES} ${row + QUIET_ZONE_MODULES}h1v1h-1z`;
        }
      }
    }
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${side} ${side}`);
    svg.setAttribute("width", side * modulePx);
    svg.setAttribute("height", side * modulePx);
    svg.setAttribute("shape-rendering", "crispEdges");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", `QR code: ${text}`);
    const light = document.createElementNS(SVG, "rect");
    light.setAttribute("width", side);
    light.setAttribute("height", side);
    light.setAttribute("fill", "#fff");
    const dark = document.createElementNS(SVG, "path");
    dark.setAttribute("d", path);
    dark.setAttribute("fill", "#141414");
    svg.append(light, dark);
    return svg;
  }

  return { catalog, follow, price, qrSvg };
})();
