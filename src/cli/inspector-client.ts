/**
 * A minimal client for Node's inspector (the Chrome DevTools Protocol over a
 * WebSocket), enough for `rx-asyncio ps`: text frames out, text frames in,
 * request/response by id.
 *
 * Why not a dependency: Node 20 has no WebSocket client without a flag, and the
 * part of RFC 6455 a client to a local inspector needs (a handshake, masked
 * frames out, unmasked frames in, ping/pong, close) is small. A `ws` package
 * would be a runtime dependency of every user of the library for one command.
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import { get, request } from "node:http";
import type { Socket } from "node:net";

const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** A target listed by the inspector's `/json/list`. */
export interface InspectorTarget {
  id: string;
  type: string;
  title: string;
  url: string;
  webSocketDebuggerUrl: string;
}

/** `GET http://host:port/json/list`: the debuggable targets of one inspector. */
export function listTargets(host: string, port: number, timeoutMs: number): Promise<InspectorTarget[]> {
  return new Promise((resolve, reject) => {
    const req = get({ host, port, path: "/json/list", timeout: timeoutMs, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => {
        try {
          const list = JSON.parse(body) as unknown;
          if (!Array.isArray(list)) throw new Error("not a list");
          resolve(list as InspectorTarget[]);
        } catch (e) {
          reject(new Error(`${host}:${port} answered /json/list with something that is not an inspector's target list (${(e as Error).message})`));
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error(`${host}:${port} did not answer /json/list within ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}

interface Pending {
  resolve(result: unknown): void;
  reject(e: Error): void;
}

/** An error the inspector answered a request with. */
export class ProtocolError extends Error {
  constructor(method: string, message: string) {
    super(`${method}: ${message}`);
    this.name = "ProtocolError";
  }
}

/** One DevTools Protocol session over a WebSocket. */
export class InspectorSession {
  private _nextId = 1;
  private readonly _pending = new Map<number, Pending & { method: string }>();
  private readonly _listeners = new Map<string, ((params: unknown) => void)[]>();
  private _buf: Buffer = Buffer.alloc(0);
  private _fragments: Buffer[] = [];
  private _closed: Error | null = null;

  private constructor(private readonly _socket: Socket) {
    _socket.on("data", (d: Buffer) => this._onData(d));
    _socket.on("error", (e) => this._fail(e));
    _socket.on("close", () => this._fail(new Error("the inspector closed the connection")));
  }

  /** Opens a session on a `ws://host:port/id` URL. */
  static connect(wsUrl: string, timeoutMs: number): Promise<InspectorSession> {
    const u = new URL(wsUrl);
    if (u.protocol !== "ws:") return Promise.reject(new Error(`not a ws:// URL: ${wsUrl}`));
    const key = randomBytes(16).toString("base64");
    return new Promise((resolve, reject) => {
      const req = request({
        host: u.hostname,
        port: Number(u.port || 80),
        agent: false,
        path: u.pathname + u.search,
        timeout: timeoutMs,
        headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Key": key, "Sec-WebSocket-Version": "13" },
      });
      req.on("upgrade", (res, socket, head) => {
        const expected = createHash("sha1").update(key + WS_GUID).digest("base64");
        if (res.headers["sec-websocket-accept"] !== expected) {
          socket.destroy();
          reject(new Error(`${wsUrl}: bad WebSocket handshake (Sec-WebSocket-Accept does not match)`));
          return;
        }
        socket.setTimeout(0);
        socket.setNoDelay(true);
        const s = new InspectorSession(socket);
        if (head.length > 0) s._onData(head);
        resolve(s);
      });
      req.on("response", (res) => {
        res.resume();
        reject(new Error(`${wsUrl}: the inspector refused the WebSocket upgrade (HTTP ${res.statusCode}); is another debugger attached?`));
      });
      req.on("timeout", () => req.destroy(new Error(`${wsUrl}: no WebSocket handshake within ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end();
    });
  }

  /** Sends a request; resolves with its `result`, rejects with a `ProtocolError`. */
  send<R = unknown>(method: string, params: object = {}): Promise<R> {
    if (this._closed !== null) return Promise.reject(this._closed);
    const id = this._nextId++;
    return new Promise<R>((resolve, reject) => {
      this._pending.set(id, { resolve: resolve as (r: unknown) => void, reject, method });
      this._writeFrame(0x1, Buffer.from(JSON.stringify({ id, method, params }), "utf8"));
    });
  }

  /** Calls `fn` with the params of every `method` event. */
  on(method: string, fn: (params: unknown) => void): void {
    const list = this._listeners.get(method);
    if (list === undefined) this._listeners.set(method, [fn]);
    else list.push(fn);
  }

  /** Sends a close frame and ends the connection. */
  close(): void {
    if (this._closed !== null) return;
    try {
      this._writeFrame(0x8, Buffer.from([0x03, 0xe8])); // 1000: normal closure
    } catch {
      /* the socket is already gone */
    }
    this._fail(new Error("the session was closed"));
    this._socket.destroy();
  }

  private _fail(e: Error): void {
    if (this._closed !== null) return;
    this._closed = e;
    for (const p of this._pending.values()) p.reject(e);
    this._pending.clear();
  }

  /** A client frame: FIN set, always masked (RFC 6455 §5.3). */
  private _writeFrame(opcode: number, payload: Buffer): void {
    const n = payload.length;
    const lenBytes = n < 126 ? 0 : n < 65536 ? 2 : 8;
    const header = Buffer.alloc(2 + lenBytes + 4);
    header[0] = 0x80 | opcode;
    if (lenBytes === 0) header[1] = 0x80 | n;
    else if (lenBytes === 2) {
      header[1] = 0x80 | 126;
      header.writeUInt16BE(n, 2);
    } else {
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(n), 2);
    }
    const mask = randomBytes(4);
    mask.copy(header, 2 + lenBytes);
    const masked = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
    this._socket.write(Buffer.concat([header, masked]));
  }

  private _onData(d: Buffer): void {
    this._buf = this._buf.length === 0 ? d : Buffer.concat([this._buf, d]);
    for (;;) {
      const b = this._buf;
      if (b.length < 2) return;
      const fin = (b[0]! & 0x80) !== 0;
      const opcode = b[0]! & 0x0f;
      const masked = (b[1]! & 0x80) !== 0;
      let len = b[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        off = 10;
      }
      const maskOff = off;
      if (masked) off += 4;
      if (b.length < off + len) return;
      let payload = b.subarray(off, off + len);
      if (masked) {
        const m = b.subarray(maskOff, maskOff + 4);
        payload = Buffer.from(payload.map((x, i) => x ^ m[i & 3]!));
      }
      this._buf = b.subarray(off + len);
      this._onFrame(fin, opcode, payload);
    }
  }

  private _onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === 0x9) {
      this._writeFrame(0xa, Buffer.from(payload)); // ping -> pong
      return;
    }
    if (opcode === 0xa) return;
    if (opcode === 0x8) {
      this._fail(new Error("the inspector closed the session"));
      this._socket.end();
      return;
    }
    // Text (1), binary (2) or a continuation (0) of a fragmented message.
    this._fragments.push(Buffer.from(payload));
    if (!fin) return;
    const text = Buffer.concat(this._fragments).toString("utf8");
    this._fragments = [];
    this._onMessage(text);
  }

  private _onMessage(text: string): void {
    let msg: { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message?: string } };
    try {
      msg = JSON.parse(text);
    } catch {
      this._fail(new Error(`the inspector sent a message that is not JSON: ${text.slice(0, 80)}`));
      return;
    }
    if (typeof msg.id === "number") {
      const p = this._pending.get(msg.id);
      if (p === undefined) return;
      this._pending.delete(msg.id);
      if (msg.error !== undefined) p.reject(new ProtocolError(p.method, msg.error.message ?? JSON.stringify(msg.error)));
      else p.resolve(msg.result);
    } else if (typeof msg.method === "string") {
      for (const fn of this._listeners.get(msg.method) ?? []) fn(msg.params);
    }
  }
}
