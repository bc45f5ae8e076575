/**
 * `--shard i/n`: a deterministic part of the selected tenant stacks, so that a CI matrix of n jobs covers the fleet
 * once. A stack's shard is a stable hash of its name (FNV-1a, 32 bits, of its UTF-8 bytes), so it does not move when
 * other tenants come or go. `control-plane` is in no shard: it runs first, in a job of its own.
 */
import { UsageError } from "../../core/errors";
import { CONTROL_PLANE_STACK } from "../../core/naming";

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** `2/5` → {index: 2, count: 5}; anything else is a usage error that says what is expected. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (
    !match ||
    !Number.isSafeInteger(index) ||
    !Number.isSafeInteger(count) ||
    count < 1 ||
    index < 1 ||
    index > count
  ) {
    throw new UsageError(`--shard ${text}: expected i/n with 1 ≤ i ≤ n, e.g. --shard 1/4`);
  }
  return { index, count };
}

const utf8 = new TextEncoder();

/** FNV-1a over the name's UTF-8 bytes: stable across runs, machines and Node versions. */
export function stackHash(stack: string): number {
  let hash = 0x811c9dc5;
  for (const byte of utf8.encode(stack)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function inShard(stack: string, shard: Shard): boolean {
  return stack !== CONTROL_PLANE_STACK && stackHash(stack) % shard.count === shard.index - 1;
}
