import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import type { Io } from '../../io.js';
import { exists, writeNew } from './files.js';
import { createCa, daysProblem } from './issue.js';

const FLAGS = {
  days: { kind: 'number' },
  domain: { kind: 'string' },
  'name-constraint': { kind: 'boolean' },
  'additional-name-constraint': { kind: 'list' },
} as const;

export const tlsCaCreate: Command = {
  synopsis: 'Create a new CA',
  help: () => `Usage: concord tls ca create [options]

  Create a new CA, an ECDSA P-256 key and a self-signed certificate, in the
  current directory:

  $ concord tls ca create
  ==> Saved consul-agent-ca.pem
  ==> Saved consul-agent-ca-key.pem

  The key file is readable by its owner only.

Command Options

  -additional-name-constraint=<value>
     Add name constraints for the CA. Results in rejecting certificates for
     other DNS than specified. Can be used multiple times. Only used in
     combination with -name-constraint.

  -days=<int>
     Provide number of days the CA is valid for from now on. Defaults to 5
     years (1825).

  -domain=<string>
     Domain of the cluster; names the files and, with -name-constraint, is
     added to the allowed DNS names. Defaults to consul.

  -name-constraint
     Add name constraints for the CA: only certificates for -domain,
     localhost and the -additional-name-constraint names verify. Defaults to
     false.`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io);
    if (!line) return 1;
    const { flags } = line;
    const days = flags.has('days') ? flags.number('days') : 1825;
    const badDays = daysProblem(days);
    if (badDays) {
      io.err(badDays);
      return 1;
    }
    const domain = flags.string('domain', 'consul');
    const certFile = `${domain}-agent-ca.pem`;
    const keyFile = `${domain}-agent-ca-key.pem`;
    for (const f of [certFile, keyFile]) {
      if (exists(f)) {
        io.err(`${f} already exists.`);
        return 1;
      }
    }
    const constraints = flags.bool('name-constraint') ? [...flags.list('additional-name-constraint'), domain, 'localhost'] : [];
    const ca = await createCa({ days, constraints });
    await writeNew(certFile, ca.certPem, 0o644);
    io.out(`==> Saved ${certFile}`);
    await writeNew(keyFile, ca.keyPem, 0o600);
    io.out(`==> Saved ${keyFile}`);
    return 0;
  },
};
