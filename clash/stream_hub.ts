/**
 * Fans one upstream Clash stream out to any number of browser sockets (docs/clash-accounting.md P9: one
 * upstream subscription per stream, whatever the number of browsers). A browser that has not drained its
 * socket skips frames instead of growing the server's memory.
 */

/** One browser socket as the hub sees it. */
export interface HubSubscriber {
  send(text: string): void;
  /** Bytes queued on the socket and not yet written (WebSocket.bufferedAmount). */
  bufferedBytes(): number;
}

/** Queued bytes above which a subscriber skips frames: a 20 MB snapshot is sent once, then skipped. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

/** The subscribers of one stream and its latest frame. */
export class StreamHub {
  readonly #subscribers = new Set<HubSubscriber>();
  readonly #replaysLatest: boolean;
  #latest: string | null = null;
  #skippedFrames = 0;

  /**
   * `replaysLatest`: a new subscriber gets the latest frame at once (a whole state, like a `/connections`
   * snapshot); false for a stream whose frames are increments that a late subscriber reads elsewhere.
   */
  constructor(options: { readonly replaysLatest: boolean } = { replaysLatest: true }) {
    this.#replaysLatest = options.replaysLatest;
  }

  /** Adds a subscriber, sends it the latest frame if replayed; returns the function that removes it. */
  subscribe(subscriber: HubSubscriber): () => void {
    this.#subscribers.add(subscriber);
    if (this.#replaysLatest && this.#latest !== null) this.#deliver(subscriber, this.#latest);
    return () => this.#subscribers.delete(subscriber);
  }

  /** Sends one upstream frame to every subscriber that keeps up. */
  publish(text: string): void {
    this.#latest = text;
    for (const subscriber of this.#subscribers) this.#deliver(subscriber, text);
  }

  /** Forgets the latest frame (the upstream is gone, so it is stale). */
  clearLatest(): void {
    this.#latest = null;
  }

  /** Number of browser sockets attached. */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Frames not sent to a slow subscriber, since start. */
  get skippedFrames(): number {
    return this.#skippedFrames;
  }

  #deliver(subscriber: HubSubscriber, text: string): void {
    if (subscriber.bufferedBytes() > MAX_BUFFERED_BYTES) {
      this.#skippedFrames++;
      return;
    }
    try {
      subscriber.send(text);
    } catch (e) {
      // A socket that closed between its close event and this send: drop it, the others keep streaming.
      if (!(e instanceof DOMException)) throw e;
      this.#subscribers.delete(subscriber);
    }
  }
}
