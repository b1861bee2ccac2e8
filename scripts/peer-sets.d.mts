/** Peer name → the version or major npm installs for it. */
export declare const PEER_SETS: Record<"newest" | "oldest" | "redis5", Record<string, string>>;
