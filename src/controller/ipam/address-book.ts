// The reconciler's memory of which addresses are taken, per pool and family, and where the next search
// starts (next-fit: after the last address handed out, so a just-released address is not reused at
// once). A hint, never the truth: it is filled from a full list of IPAllocations (`seed`), from this
// process's own creates and deletes, and from AlreadyExists answers; the create-as-lock decides. An
// address being created is `pending` until the answer, so this process's workers never race each other.
//
// Public API: `AddressBook`.
import type { IpFamily } from "../../api/ip-address.ts";
import { parseInterfaceAddress } from "../../api/ip-address.ts";
import type { IPAllocation } from "../../api/ip-address.ts";

interface FamilyBook {
  taken: Set<bigint>;
  pending: Set<bigint>;
  cursor: bigint;
}

export class AddressBook {
  #pools = new Map<string, FamilyBook>();
  #seededAtMs: number | undefined;

  #book(pool: string, family: IpFamily): FamilyBook {
    const key = `${family}/${pool}`;
    let book = this.#pools.get(key);
    if (book === undefined) {
      book = { taken: new Set(), pending: new Set(), cursor: 0n };
      this.#pools.set(key, book);
    }
    return book;
  }

  /** When `seed` last ran (clock ms), or undefined. */
  seededAtMs(): number | undefined {
    return this.#seededAtMs;
  }

  /** Replaces what is taken with a full list; cursors and pending creates stay. */
  seed(allocations: readonly IPAllocation[], nowMs: number): void {
    for (const book of this.#pools.values()) book.taken.clear();
    for (const allocation of allocations) {
      const parsed = parseInterfaceAddress(allocation.spec.address);
      if (typeof parsed === "string") continue;
      this.#book(allocation.spec.pool, parsed.ip.family).taken.add(parsed.ip.value);
    }
    this.#seededAtMs = nowMs;
  }

  isTaken(pool: string, family: IpFamily, value: bigint): boolean {
    const book = this.#book(pool, family);
    return book.taken.has(value) || book.pending.has(value);
  }

  /** Upper bound of taken addresses (pending included). */
  takenCount(pool: string, family: IpFamily): number {
    const book = this.#book(pool, family);
    return book.taken.size + book.pending.size;
  }

  reserve(pool: string, family: IpFamily, value: bigint): void {
    this.#book(pool, family).pending.add(value);
  }

  /** The address is held (by us or by someone else). */
  markTaken(pool: string, family: IpFamily, value: bigint): void {
    const book = this.#book(pool, family);
    book.pending.delete(value);
    book.taken.add(value);
  }

  /** A reservation that did not become an allocation. */
  cancel(pool: string, family: IpFamily, value: bigint): void {
    this.#book(pool, family).pending.delete(value);
  }

  release(pool: string, family: IpFamily, value: bigint): void {
    this.#book(pool, family).taken.delete(value);
  }

  cursor(pool: string, family: IpFamily): bigint {
    return this.#book(pool, family).cursor;
  }

  setCursor(pool: string, family: IpFamily, offset: bigint): void {
    this.#book(pool, family).cursor = offset;
  }
}
