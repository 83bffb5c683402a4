// The overlay: the product card in when the live state has a garment on air
// and its card on, out otherwise (the CSS transition animates both).
"use strict";

(() => {
  const card = document.getElementById("card");
  let items = new Map();
  let state = null;
  let drawnUrl = null;

  function render() {
    const item = state && state.garment !== null ? items.get(state.garment) : undefined;
    if (!state || !state.card || !item) {
      // The text stays while the card fades out.
      card.classList.remove("shown");
      return;
    }
    document.getElementById("card-name").textContent = item.name;
    document.getElementById("card-price").textContent = drape.price(item);
    // Sizes in stock, small, as the program's third line.
    document.getElementById("card-sizes").textContent = (item.sizes || []).join(" · ");
    if (drawnUrl !== item.buy_url) {
      // The QR takes the card's inner height, as in the program feed.
      const inner = 0.22 * 0.84 * window.innerHeight;
      document.getElementById("card-qr").replaceChildren(drape.qrSvg(item.buy_url, inner));
      drawnUrl = item.buy_url;
    }
    card.classList.add("shown");
  }

  async function loadCatalog() {
    items = new Map((await drape.catalog()).map((item) => [item.id, item]));
    render();
  }

  drape.follow((next) => {
    state = next;
    // A garment the catalog does not know yet: the catalog was reloaded.
    if (state.garment !== null && !items.has(state.garment)) {
      loadCatalog().catch(() => {});
    }
    render();
  });
  loadCatalog().catch(() => {});
  window.addEventListener("resize", () => {
    drawnUrl = null;
    render();
  });
})();
