// Desk check-in: judges a member card's QR code on this device (Ed25519 signature with the
// network's public keys, revocation list, validity dates, agreements and visiting hours, all
// synchronised from the server and kept in localStorage so the desk keeps working offline),
// then asks the server to record the visit. Visits checked while offline are queued and sent
// when the connection returns. The camera is read with the browser's BarcodeDetector where it
// has one, else with the vendored jsQR (loaded only then, from our own server).
"use strict";
(function () {
  const root = document.getElementById("desk");
  if (!root) return;
  const status = document.getElementById("desk-sync");
  const offlineBox = document.getElementById("desk-offline");
  const resultBox = document.getElementById("desk-result");
  const form = document.getElementById("desk-form");
  const numberField = form.querySelector("[name=number]");
  const tokenField = form.querySelector("[name=token]");
  const storeKey = "simpul-desk-" + root.dataset.host;
  const queueKey = storeKey + "-queue";
  const text = (name) => status.dataset["text" + name] || "";

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { return null; }
  }
  function queue() {
    try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function showSync(data, fresh) {
    if (!data) { status.textContent = text("Never"); return; }
    const when = new Date(data.saved_at).toLocaleString();
    status.textContent = (fresh ? text("Synced") : text("Offline")) + " " + when;
  }

  async function sync() {
    try {
      const response = await fetch(root.dataset.syncUrl, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      data.saved_at = new Date().toISOString();
      localStorage.setItem(storeKey, JSON.stringify(data));
      showSync(data, true);
      await flush();
    } catch (e) {
      showSync(load(), false);
    }
  }

  function b64(text) {
    const plain = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = plain + "=".repeat((4 - (plain.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }
  function localDate(zone) {
    return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  }
  function localTime(zone) {
    return new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date());
  }
  function localWeekday(zone) {
    const day = new Intl.DateTimeFormat("en-US", { timeZone: zone, weekday: "short" }).format(new Date());
    return ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(day);
  }

  // The same judgement as services.judge_card, with what the desk has in its store.
  async function judge(token, data) {
    const say = (code, values) => {
      let message = data.messages[code] || code;
      for (const [name, value] of Object.entries(values || {})) message = message.replace("{" + name + "}", value);
      return { code: code, message: message };
    };
    const parts = token.trim().split(".");
    if (parts.length !== 3 || parts[0] !== "SMP1") return { valid: false, reasons: [say("malformed")] };
    let claims;
    try { claims = JSON.parse(new TextDecoder().decode(b64(parts[1]))); } catch (e) {
      return { valid: false, reasons: [say("malformed")] };
    }
    const key = data.keys.find((k) => k.kid === claims.k);
    if (!key) return { valid: false, reasons: [say("unknown_key")] };
    let genuine;
    try {
      const publicKey = await crypto.subtle.importKey("raw", b64(key.key), { name: "Ed25519" }, false, ["verify"]);
      genuine = await crypto.subtle.verify({ name: "Ed25519" }, publicKey, b64(parts[2]), new TextEncoder().encode(parts[0] + "." + parts[1]));
    } catch (e) {
      return { unsupported: true };
    }
    if (!genuine) return { valid: false, reasons: [say("forged")] };
    const reasons = [];
    const revoked = data.revoked.find((r) => r.number === claims.n);
    if (revoked) reasons.push(say(revoked.status));
    const today = localDate(data.time_zone);
    if (today < claims.f) reasons.push(say("not_yet_valid"));
    if (today > claims.u) reasons.push(say("expired", { date: claims.u }));
    if (claims.l !== data.host) {
      if (!data.allowed_home_libraries.includes(claims.l)) reasons.push(say("no_agreement", { home: claims.l }));
      if (!data.weekdays.includes(localWeekday(data.time_zone))) reasons.push(say("closed_day"));
      else {
        const now = localTime(data.time_zone);
        if (now < data.opens || now > data.closes) reasons.push(say("outside_hours"));
      }
    }
    return { valid: reasons.length === 0, reasons: reasons, claims: claims };
  }

  function showOffline(verdict) {
    offlineBox.replaceChildren();
    if (!verdict || verdict.unsupported) {
      if (verdict) offlineBox.textContent = text("NoCrypto");
      return;
    }
    const section = document.createElement("section");
    section.className = "desk-result " + (verdict.valid ? "valid" : "invalid");
    section.setAttribute("data-testid", "desk-offline-result");
    section.setAttribute("data-valid", String(verdict.valid));
    const title = document.createElement("h2");
    title.textContent = verdict.valid ? "✔ " + text("Valid") : "✘ " + text("Invalid");
    section.append(title);
    if (verdict.claims) {
      const who = document.createElement("p");
      who.textContent = verdict.claims.h + " · " + verdict.claims.l + " · " + verdict.claims.n;
      section.append(who);
    }
    const list = document.createElement("ul");
    for (const reason of verdict.reasons) {
      const item = document.createElement("li");
      item.dataset.reason = reason.code;
      item.textContent = reason.message;
      list.append(item);
    }
    if (verdict.reasons.length) section.append(list);
    offlineBox.append(section);
  }

  async function send(fields) {
    const body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    const response = await fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin", headers: { "HX-Request": "true" },
    });
    if (!response.ok) throw new Error(String(response.status));
    return response.text();
  }

  // One flush at a time: "online" and the periodic sync can fire together, and the same
  // queued visit must not be sent twice.
  let flushing = false;
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      const pending = queue();
      const left = [];
      for (const fields of pending) {
        try { await send(fields); } catch (e) { left.push(fields); }
      }
      // Visits checked while this ran were appended after the ones just sent.
      const added = queue().slice(pending.length);
      localStorage.setItem(queueKey, JSON.stringify(left.concat(added)));
    } finally {
      flushing = false;
    }
  }

  async function check(fields) {
    const data = load();
    let verdict = null;
    if (fields.token && data) verdict = await judge(fields.token, data);
    showOffline(verdict);
    try {
      resultBox.innerHTML = await send(fields);
    } catch (e) {
      if (verdict && verdict.valid) {
        const pending = queue();
        pending.push(fields);
        localStorage.setItem(queueKey, JSON.stringify(pending));
        resultBox.textContent = text("Queued");
      }
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const typed = numberField.value.trim();
    // A hand scanner "types" the QR code's text into the number field.
    const fields = typed.startsWith("SMP1.") ? { number: "", token: typed } : { number: typed, token: tokenField.value };
    check(fields);
    numberField.value = "";
    tokenField.value = "";
    numberField.focus();
  });

  const scanButton = document.getElementById("scan-button");
  const video = document.getElementById("scan-video");
  let scanning = false;
  // A function that finds a QR code in the playing video, or null when none can be read.
  async function qrReader() {
    if ("BarcodeDetector" in window) {
      const formats = await window.BarcodeDetector.getSupportedFormats().catch(() => []);
      if (formats.includes("qr_code")) {
        const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return async () => {
          const codes = await detector.detect(video).catch(() => []);
          return codes.length ? codes[0].rawValue : null;
        };
      }
    }
    if (!window.jsQR) {
      await new Promise((resolve) => {
        const script = document.createElement("script");
        script.src = video.dataset.jsqr;
        script.onload = resolve;
        script.onerror = resolve;
        document.head.appendChild(script);
      });
    }
    if (!window.jsQR) return null;
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    return async () => {
      if (!video.videoWidth) return null;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      return code && code.data ? code.data : null;
    };
  }

  scanButton.addEventListener("click", async function () {
    if (scanning) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      offlineBox.textContent = text("NoCamera");
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (e) { offlineBox.textContent = text("NoCamera"); return; }
    const stop = () => { stream.getTracks().forEach((track) => track.stop()); video.hidden = true; };
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const read = await qrReader();
    if (!read) { stop(); offlineBox.textContent = text("NoCamera"); return; }
    scanning = true;
    while (scanning) {
      const found = await read();
      if (found) {
        scanning = false;
        stop();
        await check({ number: "", token: found });
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  showSync(load(), false);
  sync();
  setInterval(sync, 5 * 60 * 1000);
  window.addEventListener("online", sync);
})();
