// The /try page: the viewer's camera, dressed by drape's engine compiled to
// WebAssembly, drawn with WebGPU. Frames and landmarks never leave the
// page: the only requests are this page's files, the models and the
// catalog's files (static), and /events for the item on air.
import init, { Engine } from "./drape_web.js";

const $ = (id) => document.getElementById(id);
const statusLine = $("drape-status");
const timesLine = $("drape-times");

/** Shows `text` over the mirror and in the status line; the page stops there. */
function fail(text) {
  $("message").textContent = text;
  $("message").hidden = false;
  statusLine.textContent = `error: ${text}`;
}

const NO_WEBGPU =
  "This page needs WebGPU, which this browser does not offer. It works in Chrome or Edge 113 " +
  "and newer (Windows, macOS, ChromeOS, Android 12+), Safari 26 and Firefox 141 on Windows. " +
  "(WebGL cannot run drape's compute shaders.)";

/** Fetches `url` as bytes, or throws an Error naming it and the status. */
async function download(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`The try-on could not download ${url} (the server cannot be reached). Reload the page to try again.`);
  }
  if (!response.ok) {
    throw new Error(`The try-on could not download ${url} (HTTP ${response.status}). Reload the page to try again.`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** The camera's stream, or throws an Error saying what to do. */
async function openCamera() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw new Error("This browser gives pages no camera (or the page is not on https). Open it over https in a current browser.");
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: "user" },
      audio: false,
    });
  } catch (error) {
    if (error.name === "NotAllowedError" || error.name === "SecurityError") {
      throw new Error("Camera access was refused. Allow the camera for this site (the camera icon in the address bar) and reload: the picture stays on your device.");
    }
    if (error.name === "NotFoundError" || error.name === "OverconstrainedError") {
      throw new Error("No camera was found. Plug one in (or close the app using it) and reload.");
    }
    if (error.name === "NotReadableError") {
      throw new Error("The camera is busy in another app. Close it there and reload.");
    }
    throw new Error(`The camera could not be opened: ${error.message}`);
  }
}

/** The item on air, from the first /events message (null when none). */
function followOnAir(onState) {
  const events = new EventSource("/events");
  events.addEventListener("live", (event) => onState(JSON.parse(event.data)));
  return events;
}

async function main() {
  if (!navigator.gpu || !(await navigator.gpu.requestAdapter())) {
    fail(NO_WEBGPU);
    return;
  }
  statusLine.textContent = "loading…";
  const setup = await (await fetch("setup.json")).json();
  const garments = new Map(setup.garments.map((item) => [item.id, item]));

  let onAir = null;
  let firstState;
  const stateArrived = new Promise((resolve) => (firstState = resolve));
  followOnAir((state) => {
    onAir = state.garment;
    const item = onAir && garments.get(onAir);
    $("on-air").hidden = !item;
    $("on-air").textContent = item ? `On air now: ${item.name}` : "";
    firstState();
  });

  const camera = openCamera();
  camera.catch(() => {}); // reported below, in order
  const [, detector, landmarks, ...files] = await Promise.all([
    init(),
    download(setup.models.detector),
    download(setup.models.landmarks),
    ...setup.files.map((path) => download(`catalog/${path}`)),
  ]);
  const catalogFiles = new Map(setup.files.map((path, i) => [path, files[i]]));
  const stream = await camera;
  // The item on air when the page opened is worn first (if /events is slow, the default).
  await Promise.race([stateArrived, new Promise((resolve) => setTimeout(resolve, 2000))]);

  const video = $("camera");
  video.srcObject = stream;
  await video.play();
  const canvas = $("mirror");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const engine = await Engine.start(canvas, detector, landmarks, catalogFiles, onAir || undefined);

  const grab = new OffscreenCanvas(video.videoWidth, video.videoHeight);
  const grabContext = grab.getContext("2d", { willReadFrequently: true });
  let last = null;
  let paused = false;
  // Garments picked while a frame is being drawn are put on before the next.
  let picked = null;

  function showOutfit() {
    const worn = engine.outfit();
    for (const button of document.querySelectorAll("#garments button")) {
      button.setAttribute("aria-pressed", String(worn.includes(button.dataset.id)));
    }
    const item = garments.get(worn[0]);
    $("buy-now").hidden = !item;
    if (item) {
      $("buy-now").href = item.buy_url;
      $("buy-now").textContent = `Buy now — ${item.price} ${item.currency}`;
    }
  }

  for (const item of setup.garments.filter((g) => g.kind !== "accessory")) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.id = item.id;
    if (item.thumbnail) {
      const img = document.createElement("img");
      img.src = `catalog/${item.thumbnail}`;
      img.alt = "";
      button.append(img);
    }
    button.append(item.name);
    button.addEventListener("click", () => (picked = item.id));
    li.append(button);
    $("garments").append(li);
  }
  showOutfit();

  // The photo is the canvas as shown: saved on this device, never uploaded.
  $("snapshot").disabled = false;
  $("snapshot").addEventListener("click", () => {
    canvas.toBlob((blob) => {
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "drape-try-on.png";
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    }, "image/png");
  });

  async function onFrame(now) {
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (width > 0 && height > 0 && !paused) {
      if (grab.width !== width || grab.height !== height) {
        grab.width = width;
        grab.height = height;
      }
      grabContext.drawImage(video, 0, 0);
      const pixels = grabContext.getImageData(0, 0, width, height).data;
      if (picked !== null) {
        const id = picked;
        picked = null;
        try {
          engine.wear(id);
        } catch (error) {
          $("message").textContent = `That garment cannot be worn: ${error.message}`;
          $("message").hidden = false;
          setTimeout(() => ($("message").hidden = true), 4000);
        }
        showOutfit();
      }
      try {
        await engine.frame(pixels, width, height, now);
        last = { pixels, width, height };
      } catch (error) {
        fail(`The try-on stopped: ${error.message || error}`);
        return;
      }
      statusLine.textContent = engine.status();
      const t = JSON.parse(engine.stage_times());
      timesLine.textContent = `pose ${t.pose_ms.toFixed(1)} ms · fit ${t.fit_ms.toFixed(1)} ms · ` +
        `deform ${t.deform_ms.toFixed(1)} ms · cloth ${t.cloth_ms.toFixed(1)} ms · render ${t.render_ms.toFixed(1)} ms`;
    }
    next();
  }
  const next = () =>
    video.requestVideoFrameCallback
      ? video.requestVideoFrameCallback((now) => onFrame(now))
      : requestAnimationFrame(onFrame);
  next();

  // For tests and the curious: the engine, and a check of the last frame's
  // landmarks in still mode (what the native build computes on it).
  window.drapeTry = {
    engine,
    /** Stops (true) or restarts dressing frames: a benchmark's quiet. */
    pause(on) {
      paused = on;
    },
    lastFrameStill() {
      if (!last) {
        return null;
      }
      const landmarks = Array.from(engine.landmarks_of(last.pixels, last.width, last.height));
      let binary = "";
      for (let i = 0; i < last.pixels.length; i += 0x8000) {
        binary += String.fromCharCode(...last.pixels.subarray(i, i + 0x8000));
      }
      return { width: last.width, height: last.height, rgba: btoa(binary), landmarks };
    },
  };
}

main().catch((error) => fail(error.message));
