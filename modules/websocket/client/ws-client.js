// A browser client for this service's WebSocket contract (docs/websocket.md):
// one dependency-free ES module. It connects with a token, answers the welcome,
// reconnects with exponential backoff and full jitter, re-joins its rooms with
// `since` so no room message is missed or seen twice, and reports everything as
// events on an EventTarget. Types: ws-client.d.ts.

/** Close codes after which reconnecting would only fail again the same way. */
const FINAL_CLOSE_CODES = new Set([1000, 1002, 1003, 1007, 1008, 1009, 1010]);

/** The code this client closes with when the server stopped answering. */
export const CLOSE_UNRESPONSIVE = 4000;

/** The defaults of every option but `token`. */
export const DEFAULTS = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 30000,
  healthyAfterMs: 5000,
  maxAttempts: Infinity,
  requestTimeoutMs: 10000,
});

/**
 * Whether the client reconnects after the server closed with `code` and `reason`.
 * 1008 after a heartbeat timeout is worth retrying, and so is 1008 after an
 * expired token when `token` is a function that can fetch a fresh one.
 */
export function isRetryable(code, reason, tokenIsRenewable) {
  if (code === 1008) {
    return reason === "heartbeat_timeout" || (reason === "token_expired" && tokenIsRenewable);
  }
  return !FINAL_CLOSE_CODES.has(code);
}

/** The pause before reconnect attempt `attempt` (0-based): full jitter, capped. */
export function backoffDelay(attempt, initialDelayMs, maxDelayMs, random = Math.random) {
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** A client of one service endpoint; see ws-client.d.ts for the events it dispatches. */
export class WsClient extends EventTarget {
  #url;
  #options;
  #socket = null;
  #state = "idle";
  #attempt = 0;
  #retryTimer = null;
  #healthyTimer = null;
  #livenessTimer = null;
  #lastFrameAt = 0;
  #heartbeatMs = 0;
  #nextId = 1;
  #pending = new Map();
  #rooms = new Map();

  /**
   * @param {string} url  the endpoint, e.g. `ws://localhost:8000/ws`
   * @param {object} options  `token` and the fields of DEFAULTS
   */
  constructor(url, options = {}) {
    super();
    this.#url = url;
    this.#options = { ...DEFAULTS, ...options };
  }

  /** "idle", "connecting", "open", "waiting" (to reconnect) or "closed". */
  get state() {
    return this.#state;
  }

  /** The connection id of the current connection (from its welcome), or null. */
  connectionId = null;

  /** The rooms this client is in (or re-joining), with the epoch and offset it saw last. */
  get rooms() {
    return new Map([...this.#rooms].map(([room, { epoch, offset }]) => [room, { epoch, offset }]));
  }

  /** Opens the connection; reconnects by itself until `close()`. */
  connect() {
    if (this.#state === "idle" || this.#state === "closed") {
      this.#attempt = 0;
      this.#open();
    }
    return this;
  }

  /** Closes for good (code 1000): no reconnect, pending requests fail. */
  close() {
    this.#state = "closed";
    clearTimeout(this.#retryTimer);
    const socket = this.#socket;
    this.#drop();
    this.#failJoins("client closed");
    if (socket) {
      socket.close(1000, "client closed");
      this.#emit("close", { code: 1000, reason: "client closed", wasClean: true, reconnecting: false, delayMs: null });
    }
  }

  /**
   * Joins `room`, now or once connected, and again after every reconnect
   * (with `since`). Resolves with the first `joined` frame; rejects when the
   * server refuses the room (which forgets it) or on `close()`.
   */
  join(room) {
    let seen = this.#rooms.get(room);
    if (!seen) {
      seen = { epoch: null, offset: null, waiters: [] };
      this.#rooms.set(room, seen);
    }
    const joined = new Promise((resolve, reject) => seen.waiters.push({ resolve, reject }));
    if (this.#state === "open") {
      this.#join(room, seen);
    }
    return joined;
  }

  /** Leaves `room`; resolves with the `left` frame. */
  leave(room) {
    this.#rooms.delete(room);
    return this.#request({ type: "leave", room });
  }

  /** Sends `data` to every other member of `room`; resolves with the `ack` frame. */
  broadcast(room, data) {
    return this.#request({ type: "broadcast", room, data });
  }

  /** Sends `data` to one connection; resolves with the `ack` frame. */
  direct(to, data) {
    return this.#request({ type: "direct", to, data });
  }

  /** Asks who is in `room`; resolves with the `presence` frame. */
  presence(room) {
    return this.#request({ type: "presence", room });
  }

  /** Hands the live connection a new token; resolves with the `refreshed` frame. */
  refresh(token) {
    return this.#request({ type: "refresh", token });
  }

  /** Application-level ping; resolves with the `pong` frame. */
  ping() {
    return this.#request({ type: "ping" });
  }

  /** Sends any frame (an application type handled by the server's hooks), with an `id`. */
  request(frame) {
    return this.#request(frame);
  }

  async #open() {
    this.#state = "connecting";
    let url = this.#url;
    let token;
    try {
      token = typeof this.#options.token === "function"
        ? await this.#options.token()
        : this.#options.token;
    } catch (error) {
      this.#emit("error", { code: "token_failed", message: String(error) });
      this.#closed(1006, "", false);
      return;
    }
    if (this.#state !== "connecting") {
      return;
    }
    if (token) {
      // Browsers cannot set headers on a WebSocket handshake: the contract's
      // `token` query parameter carries it (the service redacts it in logs).
      url += (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token);
    }
    try {
      this.#socket = new WebSocket(url);
    } catch (error) {
      // A malformed URL: retrying cannot help.
      this.#state = "closed";
      this.#failJoins("bad URL");
      this.#emit("error", { code: "bad_url", message: String(error) });
      this.#emit("close", { code: 1006, reason: "", wasClean: false, reconnecting: false, delayMs: null });
      return;
    }
    const socket = this.#socket;
    socket.onmessage = (event) => {
      if (socket === this.#socket) {
        this.#receive(event.data);
      }
    };
    socket.onclose = (event) => {
      if (socket === this.#socket) {
        this.#closed(event.code, event.reason, event.wasClean);
      }
    };
  }

  #receive(text) {
    this.#lastFrameAt = Date.now();
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      frame = null;
    }
    if (typeof frame !== "object" || frame === null) {
      this.#emit("error", { code: "bad_frame", message: "the server sent a frame that is not a JSON object" });
      return;
    }
    switch (frame.type) {
      case "welcome":
        this.#welcomed(frame);
        return;
      case "message":
        this.#delivered(frame);
        return;
      case "joined":
        this.#joined(frame);
        break;
      case "member_joined":
      case "member_left":
        this.#emit(frame.type, frame);
        return;
      case "error":
        this.#emit("error", frame);
        break;
      default:
        break;
    }
    this.#answer(frame);
  }

  #welcomed(frame) {
    this.connectionId = frame.connection_id;
    this.#state = "open";
    this.#heartbeatMs = Math.max(1000, Number(frame.heartbeat_interval_ms) || 10000);
    this.#watchLiveness();
    this.#healthyTimer = setTimeout(() => {
      this.#attempt = 0;
    }, this.#options.healthyAfterMs);
    this.#emit("open", frame);
    for (const [room, seen] of this.#rooms) {
      this.#join(room, seen);
    }
  }

  /** Sends `join`, with `since` when the room's position is known; settles the room's waiters. */
  #join(room, seen) {
    const frame = { type: "join", room };
    if (seen.epoch !== null && seen.offset !== null) {
      frame.since = { epoch: seen.epoch, offset: seen.offset };
    }
    this.#request(frame).then(
      (joined) => {
        for (const waiter of seen.waiters.splice(0)) {
          waiter.resolve(joined);
        }
      },
      (error) => {
        // Without an error frame the connection went away: the next one re-joins.
        if (error.frame) {
          this.#rooms.delete(room);
          for (const waiter of seen.waiters.splice(0)) {
            waiter.reject(error);
          }
        }
      },
    );
  }

  /** Delivers a message once: a room message at or below the last offset seen is a duplicate. */
  #delivered(frame) {
    const seen = frame.room === undefined ? undefined : this.#rooms.get(frame.room);
    if (seen && typeof frame.offset === "number") {
      if (seen.offset !== null && frame.offset <= seen.offset) {
        return;
      }
      seen.offset = frame.offset;
    }
    this.#emit("message", frame);
  }

  #joined(frame) {
    const seen = this.#rooms.get(frame.room);
    if (!seen) {
      return;
    }
    const asked = this.#pending.get(String(frame.id))?.frame.since;
    const offset = typeof frame.offset === "number" ? frame.offset : null;
    if (asked && frame.recovered === false) {
      // Nothing was replayed: carry on from the room's position as it is now,
      // even when that is behind the offset this client had seen.
      seen.epoch = frame.epoch ?? null;
      seen.offset = offset;
    } else if (frame.epoch !== undefined && frame.epoch !== seen.epoch) {
      seen.epoch = frame.epoch;
      seen.offset = offset;
    } else if (offset !== null) {
      seen.offset = Math.max(seen.offset ?? 0, offset);
    }
    this.#emit("joined", frame);
    if (asked && frame.recovered === false) {
      // Messages were missed and cannot be replayed: the application reloads.
      this.#emit("reset", { room: frame.room, epoch: frame.epoch, offset: frame.offset });
    }
  }

  /** Settles the request an answer belongs to: by `id`. */
  #answer(frame) {
    const key = frame.id === undefined ? undefined : String(frame.id);
    const pending = key === undefined ? undefined : this.#pending.get(key);
    if (!pending) {
      return;
    }
    this.#pending.delete(key);
    clearTimeout(pending.timer);
    if (frame.type === "error") {
      const error = new Error(`${frame.code}: ${frame.message}`);
      error.frame = frame;
      pending.reject(error);
    } else {
      pending.resolve(frame);
    }
  }

  #request(frame) {
    return new Promise((resolve, reject) => {
      if (this.#state !== "open") {
        reject(new Error(`not connected (${this.#state})`));
        return;
      }
      const id = `c${this.#nextId++}`;
      const sent = { ...frame, id };
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`no answer to ${frame.type} within ${this.#options.requestTimeoutMs} ms`));
      }, this.#options.requestTimeoutMs);
      this.#pending.set(id, { frame: sent, resolve, reject, timer });
      this.#socket.send(JSON.stringify(sent));
    });
  }

  /**
   * The server pings at the protocol level, which a page cannot see; a cut
   * network can leave a socket open and silent. Every heartbeat interval
   * without a frame, the client pings; after two silent ones it reconnects.
   */
  #watchLiveness() {
    this.#livenessTimer = setInterval(() => {
      const silentFor = Date.now() - this.#lastFrameAt;
      if (silentFor > 2 * this.#heartbeatMs) {
        const socket = this.#socket;
        this.#closed(CLOSE_UNRESPONSIVE, "server unresponsive", false);
        socket?.close(CLOSE_UNRESPONSIVE, "server unresponsive");
      } else if (silentFor >= this.#heartbeatMs) {
        this.#request({ type: "ping" }).catch(() => {});
      }
    }, this.#heartbeatMs / 2);
  }

  /** Forgets the socket, its timers and the requests waiting on it. */
  #drop() {
    clearInterval(this.#livenessTimer);
    clearTimeout(this.#healthyTimer);
    this.#socket = null;
    this.connectionId = null;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error("connection closed"));
    }
    this.#pending.clear();
  }

  /** Rejects every `join()` still waiting: no connection will answer it. */
  #failJoins(message) {
    for (const seen of this.#rooms.values()) {
      for (const waiter of seen.waiters.splice(0)) {
        waiter.reject(new Error(message));
      }
    }
  }

  #closed(code, reason, wasClean) {
    const closedByUs = this.#state === "closed";
    this.#drop();
    const renewable = typeof this.#options.token === "function";
    const retry = !closedByUs
      && isRetryable(code, reason, renewable)
      && this.#attempt < this.#options.maxAttempts;
    const delayMs = retry
      ? backoffDelay(this.#attempt, this.#options.initialDelayMs, this.#options.maxDelayMs)
      : null;
    this.#state = retry ? "waiting" : "closed";
    this.#emit("close", { code, reason, wasClean, reconnecting: retry, delayMs });
    if (retry) {
      this.#attempt += 1;
      this.#retryTimer = setTimeout(() => this.#open(), delayMs);
    } else {
      this.#failJoins(`connection closed with ${code}`);
    }
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
