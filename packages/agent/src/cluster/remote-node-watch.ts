/**
 * The alias checks' view of the catalog on a client agent: one blocking-query loop per watched
 * node against a server keeps a cached copy of that node's services and checks.
 */
import type { CheckEntry } from '@concord/state';
import type { AliasCatalog } from '../checks/alias-check.js';
import type { NodeCatalogView } from '../local/anti-entropy.js';
import { type InternalCall, remoteNodeView } from './remote-catalog.js';

interface Watched {
  view: NodeCatalogView | undefined;
  index: number;
  callbacks: Set<() => void>;
  running: boolean;
}

export class RemoteNodeWatch implements AliasCatalog {
  readonly #call: InternalCall;
  readonly #nodes = new Map<string, Watched>();
  #closed = false;

  constructor(call: InternalCall) {
    this.#call = call;
  }

  checksOnNode(node: string): CheckEntry[] {
    return this.#entry(node).view?.checks ?? [];
  }

  serviceExists(node: string, serviceId: string): boolean {
    return this.#entry(node).view?.services.some((s) => s.ID === serviceId) ?? false;
  }

  watchNode(node: string, cb: () => void): () => void {
    const w = this.#entry(node);
    w.callbacks.add(cb);
    return () => w.callbacks.delete(cb);
  }

  #entry(node: string): Watched {
    let w = this.#nodes.get(node);
    if (!w) {
      w = { view: undefined, index: 0, callbacks: new Set(), running: false };
      this.#nodes.set(node, w);
      void this.#loop(node, w);
    }
    return w;
  }

  async #loop(node: string, w: Watched): Promise<void> {
    w.running = true;
    while (!this.#closed) {
      try {
        const r = await remoteNodeView(this.#call, node, w.index, 60_000);
        const changed = r.index !== w.index;
        w.view = r.value;
        w.index = r.index;
        if (changed) {
          const cbs = [...w.callbacks];
          w.callbacks.clear();
          for (const cb of cbs) cb();
        }
      } catch {
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    w.running = false;
  }

  close(): void {
    this.#closed = true;
  }
}
