// Types of ws-client.js, the browser client of this service's WebSocket contract.

/** The code the client closes with when the server stopped answering. */
export declare const CLOSE_UNRESPONSIVE: 4000;

/** Reconnect and request timing; every field has a default (DEFAULTS). */
export interface TimingOptions {
  /** Ceiling of the first reconnect pause, doubled per failed attempt (500). */
  initialDelayMs: number;
  /** Largest reconnect pause (30000). */
  maxDelayMs: number;
  /** A connection open this long resets the backoff (5000). */
  healthyAfterMs: number;
  /** Consecutive failed attempts before giving up (Infinity). */
  maxAttempts: number;
  /** How long a request waits for its answer (10000). */
  requestTimeoutMs: number;
}

export interface WsClientOptions extends Partial<TimingOptions> {
  /**
   * The credential, sent as the `token` query parameter. A function is called
   * before every (re)connect, so it can hand out a fresh token.
   */
  token?: string | null | (() => string | null | Promise<string | null>);
}

export declare const DEFAULTS: Readonly<TimingOptions>;

/** Whether the client reconnects after a close with `code` and `reason`. */
export declare function isRetryable(code: number, reason: string, tokenIsRenewable: boolean): boolean;

/** The pause before reconnect attempt `attempt` (0-based): uniform in [0, min(max, initial * 2^attempt)). */
export declare function backoffDelay(
  attempt: number,
  initialDelayMs: number,
  maxDelayMs: number,
  random?: () => number,
): number;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The first frame of every connection. */
export interface WelcomeFrame {
  type: "welcome";
  connection_id: string;
  heartbeat_interval_ms: number;
}

/** A delivery; `offset` is present when the service keeps room history. */
export interface MessageFrame {
  type: "message";
  room?: string;
  from: string;
  data: JsonValue;
  offset?: number;
}

export interface JoinedFrame {
  type: "joined";
  room: string;
  members: number;
  epoch?: string;
  offset?: number;
  recovered?: boolean;
  id?: string | number;
}

export interface LeftFrame {
  type: "left";
  room: string;
  id?: string | number;
}

export interface AckFrame {
  type: "ack";
  id: string | number;
  delivered: number;
}

export interface PongFrame {
  type: "pong";
  id?: string | number;
}

export interface RefreshedFrame {
  type: "refreshed";
  id?: string | number;
}

export interface Member {
  connection_id: string;
  user: string | null;
}

export interface PresenceFrame {
  type: "presence";
  room: string;
  count: number;
  members: Member[];
  id?: string | number;
}

export interface MemberFrame extends Member {
  type: "member_joined" | "member_left";
  room: string;
}

/** An `error` frame from the server, or a client-side failure (`token_failed`, `bad_url`, `bad_frame`). */
export interface ErrorDetail {
  type?: "error";
  code: string;
  message: string;
  id?: string | number;
}

export interface CloseDetail {
  /** The close code (1006 when the connection broke or never opened, 4000 when the server stopped answering). */
  code: number;
  reason: string;
  wasClean: boolean;
  /** Whether the client will try again, after `delayMs`. */
  reconnecting: boolean;
  delayMs: number | null;
}

/** A room's history could not be replayed after a reconnect: reload the room's state. */
export interface ResetDetail {
  room: string;
  epoch?: string;
  offset?: number;
}

export interface WsClientEventMap {
  open: CustomEvent<WelcomeFrame>;
  message: CustomEvent<MessageFrame>;
  joined: CustomEvent<JoinedFrame>;
  reset: CustomEvent<ResetDetail>;
  member_joined: CustomEvent<MemberFrame>;
  member_left: CustomEvent<MemberFrame>;
  error: CustomEvent<ErrorDetail>;
  close: CustomEvent<CloseDetail>;
}

/** What the client knows of a room it is in. */
export interface RoomPosition {
  epoch: string | null;
  offset: number | null;
}

/** Answers reject with an `Error` whose `frame` is the server's `error` frame, if it sent one. */
export interface RequestError extends Error {
  frame?: ErrorDetail;
}

export declare class WsClient extends EventTarget {
  constructor(url: string, options?: WsClientOptions);
  readonly state: "idle" | "connecting" | "open" | "waiting" | "closed";
  readonly connectionId: string | null;
  readonly rooms: Map<string, RoomPosition>;
  connect(): this;
  close(): void;
  join(room: string): Promise<JoinedFrame>;
  leave(room: string): Promise<LeftFrame>;
  broadcast(room: string, data: JsonValue): Promise<AckFrame>;
  direct(to: string, data: JsonValue): Promise<AckFrame>;
  presence(room: string): Promise<PresenceFrame>;
  refresh(token: string): Promise<RefreshedFrame>;
  ping(): Promise<PongFrame>;
  request(frame: { type: string; [field: string]: JsonValue | undefined }): Promise<{ type: string; [field: string]: unknown }>;
  addEventListener<K extends keyof WsClientEventMap>(
    type: K,
    listener: (event: WsClientEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof WsClientEventMap>(
    type: K,
    listener: (event: WsClientEventMap[K]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}
