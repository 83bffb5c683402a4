// The viewer page: the item on air now with its buy link and QR code, the
// accessories worn with it ("Also on air"), or "Stay tuned" when nothing is
// on air; follows /events.
"use strict";

(() => {
  const now = document.getElementById("now");
  const stayTuned = document.getElementById("stay-tuned");
  const also = document.getElementById("also");
  let items = new Map();
  let state = null;
  let shownId = null;
  let shownAlso = "";

  /** The catalog items on air: the garment first, then the accessories. */
  function onAir() {
    if (!state) {
      return [];
    }
    const ids = state.garment !== null ? [state.garment, ...state.accessories] : state.accessories;
    return ids.map((id) => items.get(id)).filter(Boolean);
  }

  /** One accessory in the "Also on air" list: thumbnail, name, price, buy link. */
  function alsoItem(item) {
    const li = document.createElement("li");
    li.dataset.id = item.id;
    const img = document.createElement("img");
    img.src = item.thumbnail_url || "";
    img.alt = item.name;
    const name = document.createElement("span");
    name.className = "also-name";
    name.textContent = item.name;
    const price = document.createElement("span");
    price.className = "also-price";
    price.textContent = drape.price(item);
    const buy = document.createElement("a");
    buy.href = item.buy_url;
    buy.target = "_blank";
    buy.rel = "noopener";
    buy.textContent = "Buy";
    li.append(img, name, price, buy);
    return li;
  }

  function render() {
    const [item, ...rest] = onAir();
    now.hidden = !item;
    stayTuned.hidden = Boolean(item);
    const alsoIds = rest.map((other) => other.id).join(",");
    if (alsoIds !== shownAlso) {
      shownAlso = alsoIds;
      document.getElementById("also-list").replaceChildren(...rest.map(alsoItem));
    }
    also.hidden = rest.length === 0;
    if (!item || item.id === shownId) {
      shownId = item ? item.id : null;
      return;
    }
    shownId = item.id;
    const thumb = document.getElementById("now-thumb");
    thumb.src = item.thumbnail_url || "";
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
    shownAlso = "";
    render();
  }

  drape.follow((next) => {
    state = next;
    const ids = state.garment !== null ? [state.garment, ...state.accessories] : state.accessories;
    if (ids.some((id) => !items.has(id))) {
      loadCatalog().catch(() => {});
    }
    render();
  });
  loadCatalog().catch(() => {});
})();
