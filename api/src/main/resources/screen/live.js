// citytwin's live streams for screens: server-sent events read over fetch, so that the request can
// carry the bearer token in a header (EventSource cannot), resuming with Last-Event-ID after a
// break. Any screen built on citytwin's API can use it; see docs/screen.md.
"use strict";

/**
 * Keeps one event stream open until stop() is called.
 *
 * options: token() -> the bearer token or null; onEvent(data, id) for each event's parsed JSON;
 * onResync() when the server no longer holds what was missed (read state again);
 * onStatus(status) with "live", "reconnecting" or "unauthorised".
 */
export class LiveStream {
  constructor(url, options) {
    this.url = url;
    this.options = options;
    this.lastEventId = null;
    this.stopped = false;
    this.controller = null;
    this.retryMillis = 500;
  }

  start() {
    this.loop();
    return this;
  }

  stop() {
    this.stopped = true;
    if (this.controller) {
      this.controller.abort();
    }
  }

  /** Drops the connection as a network break would; the stream resumes by itself. */
  interrupt() {
    if (this.controller) {
      this.controller.abort();
    }
  }

  async loop() {
    while (!this.stopped) {
      try {
        await this.readOnce();
      } catch (e) {
        // A network error or an abort: fall through to reconnect.
      }
      if (this.stopped) {
        return;
      }
      this.options.onStatus("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, this.retryMillis));
      this.retryMillis = Math.min(this.retryMillis * 2, 10000);
    }
  }

  async readOnce() {
    this.controller = new AbortController();
    const headers = { Accept: "text/event-stream" };
    const token = this.options.token();
    if (token) {
      headers.Authorization = "Bearer " + token;
    }
    if (this.lastEventId) {
      headers["Last-Event-ID"] = this.lastEventId;
    }
    const response = await fetch(this.url, { headers, signal: this.controller.signal });
    if (response.status === 401) {
      this.options.onStatus("unauthorised");
      this.stopped = true;
      return;
    }
    if (!response.ok || !response.body) {
      throw new Error("stream answered " + response.status);
    }
    this.options.onStatus("live");
    this.retryMillis = 500;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        this.dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  dispatch(block) {
    let name = "message";
    let id = null;
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) {
        continue;
      }
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") {
        name = value;
      } else if (field === "id") {
        id = value;
      } else if (field === "data") {
        data.push(value);
      }
    }
    if (data.length === 0) {
      return;
    }
    if (id !== null) {
      this.lastEventId = id;
    }
    if (name === "resync") {
      this.options.onResync();
    } else {
      this.options.onEvent(JSON.parse(data.join("\n")), id);
    }
  }
}

/** fetch() with the bearer token; rejects with the answer's status on anything but 2xx. */
export async function apiGet(path, token) {
  const headers = { Accept: "application/json" };
  if (token) {
    headers.Authorization = "Bearer " + token;
  }
  const response = await fetch(path, { headers });
  if (!response.ok) {
    const error = new Error(path + " answered " + response.status);
    error.status = response.status;
    throw error;
  }
  return response.json();
}
