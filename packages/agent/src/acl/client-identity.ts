/** Client agents resolve tokens through a server: the typed `ACL.ResolveToken` method. */
import type { IdentitySource, ResolvedIdentity } from './resolver.js';

/** Asks a server for a secret's identity (null when no token has it); throws when none answers. */
export type ResolveOnServer = (secret: string) => Promise<ResolvedIdentity | null>;

export class ServerIdentitySource implements IdentitySource {
  constructor(readonly resolve: ResolveOnServer) {}

  lookup(secret: string): Promise<ResolvedIdentity | null> {
    return this.resolve(secret);
  }
}
