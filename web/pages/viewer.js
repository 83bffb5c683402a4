// The viewer page: the garment on air now with its buy link and QR code,
// or "Stay tuned" when nothing is on air; follows /events.
"use strict";

(() => {
  const now = document.getElementById("now");
  const stayTuned = document.getElementById("stay-tuned");
  let items = new Map();
  let state = null;
  let shownId = null;

  function render() {
    const item = state && state.garment !== null ? items.get(state.garment) : undefined;
    now.hidden = !item;
    stayTuned.hidden = Boolean(item);
    if (!item || item.id === shownId) {
      shownId = item ? item.id : null;
      return;
    }
    shownId = item.id;
    const thumb = document.getElementById("now-thumb");
    thumb.src = item.thumbnail_url;
    thumb.alt = item.name;
    document.getElementById("now-name").textContent = item.name;
    document.getElementById("now-price").textContent = drape.price(item);
    document.getElementById("buy-now").href = item.buy_url;
    document.getElementById("now-qr").replaceChildren(drape.qrSvg(item.buy_url, 140));
    document.title = `${item.name} — See Now, Buy Now`;
  }

  async function loadCatalog() {
    items = new Map((await drape.catalog()).map((item) => [item.id, item]));
    shownId = null;
    render();
  }

  drape.follow((next) => {
    state = next;
    if (state.garment !== null && !items.has(state.garment)) {
      loadCatalog().catch(() => {});
    }
    render();
  });
  loadCatalog().catch(() => {});
})();
