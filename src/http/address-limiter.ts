/**
 * A small in-memory fixed-window counter per client key (an address), for
 * public endpoints that need their own limit. Bounded: at most `maxClients`
 * windows are kept; expired ones go first, then the oldest.
 */
export class AddressLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly window: number,
    private readonly clock: () => number,
    private readonly maxClients = 10_000,
  ) {}

  /** Counts one request of `client`: 0 when allowed, else the seconds until its window resets. */
  take(client: string): number {
    const now = this.clock();
    let entry = this.windows.get(client);
    if (!entry || entry.resetAt <= now) {
      if (entry) this.windows.delete(client);
      this.makeRoom(now);
      entry = { count: 0, resetAt: now + this.window };
      this.windows.set(client, entry);
    }
    entry.count++;
    return entry.count <= this.limit ? 0 : Math.max(1, Math.ceil((entry.resetAt - now) / 1000));
  }

  private makeRoom(now: number): void {
    if (this.windows.size < this.maxClients) return;
    for (const [client, entry] of this.windows) if (entry.resetAt <= now) this.windows.delete(client);
    while (this.windows.size >= this.maxClients) {
      const oldest = this.windows.keys().next().value as string;
      this.windows.delete(oldest);
    }
  }
}
