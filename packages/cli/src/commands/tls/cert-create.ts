import { readFile } from 'node:fs/promises';
import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import type { Io } from '../../io.js';
import { exists, writeNew } from './files.js';
import { createLeaf, daysProblem, isIpAddress } from './issue.js';

const FLAGS = {
  ca: { kind: 'string' },
  key: { kind: 'string' },
  server: { kind: 'boolean' },
  client: { kind: 'boolean' },
  cli: { kind: 'boolean' },
  node: { kind: 'string' },
  days: { kind: 'number' },
  dc: { kind: 'string' },
  domain: { kind: 'string' },
  'additional-dnsname': { kind: 'list' },
  'additional-ipaddress': { kind: 'list' },
} as const;

const SERVER_WARNING = `==> WARNING: Server Certificates grants authority to become a
    server and access all state in the cluster including root keys
    and all ACL tokens. Do not distribute them to production hosts
    that are not server nodes. Store them as securely as CA keys.`;

/** The first `<prefix>-<n>.pem` / `<prefix>-<n>-key.pem` pair that does not exist yet. */
function freeNames(prefix: string): { certFile: string; keyFile: string } | undefined {
  for (let i = 0; i <= 10_000; i++) {
    const certFile = `${prefix}-${i}.pem`;
    const keyFile = `${prefix}-${i}-key.pem`;
    if (!exists(certFile) && !exists(keyFile)) return { certFile, keyFile };
  }
  return undefined;
}

export const tlsCertCreate: Command = {
  synopsis: 'Create a new certificate',
  help: () => `Usage: concord tls cert create [options]

  Create a new certificate signed by the CA, in the current directory:

  $ concord tls cert create -server
  ==> WARNING: Server Certificates grants authority to become a
      server and access all state in the cluster including root keys
      and all ACL tokens. Do not distribute them to production hosts
      that are not server nodes. Store them as securely as CA keys.
  ==> Using consul-agent-ca.pem and consul-agent-ca-key.pem
  ==> Saved dc1-server-consul-0.pem
  ==> Saved dc1-server-consul-0-key.pem
  $ concord tls cert create -client
  ==> Using consul-agent-ca.pem and consul-agent-ca-key.pem
  ==> Saved dc1-client-consul-0.pem
  ==> Saved dc1-client-consul-0-key.pem

  A server certificate names server.<dc>.<domain> (what verify_server_hostname
  checks), a client one client.<dc>.<domain>, a CLI one cli.<dc>.<domain>;
  all name localhost, and server and client ones 127.0.0.1. Key files are
  readable by their owner only.

Command Options

  -additional-dnsname=<value>
     Provide an additional dnsname for Subject Alternative Names. localhost
     is always included. This flag may be provided multiple times.

  -additional-ipaddress=<value>
     Provide an additional ipaddress for Subject Alternative Names.
     127.0.0.1 is always included. This flag may be provided multiple times.

  -ca=<string>
     Provide path to the ca. Defaults to #DOMAIN#-agent-ca.pem.

  -cli
     Generate cli certificate.

  -client
     Generate client certificate.

  -days=<int>
     Provide number of days the certificate is valid for from now on.
     Defaults to 1 year (365).

  -dc=<string>
     Provide the datacenter. Matters only for -server certificates. Defaults
     to dc1.

  -domain=<string>
     Provide the domain. Matters only for -server certificates. Defaults to
     consul.

  -key=<string>
     Provide path to the key. Defaults to #DOMAIN#-agent-ca-key.pem.

  -node=<string>
     When generating a server cert and this is set an additional dns name is
     included of the form <node>.server.<datacenter>.<domain>.

  -server
     Generate server certificate.`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io);
    if (!line) return 1;
    const { flags } = line;
    const domain = flags.string('domain', 'consul');
    const dc = flags.string('dc', 'dc1');
    const caFile = (flags.has('ca') ? flags.string('ca') : '#DOMAIN#-agent-ca.pem').replace('#DOMAIN#', domain);
    const caKeyFile = (flags.has('key') ? flags.string('key') : '#DOMAIN#-agent-ca-key.pem').replace('#DOMAIN#', domain);
    if (caFile === '') {
      io.err('Please provide the ca');
      return 1;
    }
    if (caKeyFile === '') {
      io.err('Please provide the key');
      return 1;
    }
    const kinds = [flags.bool('server'), flags.bool('client'), flags.bool('cli')].filter(Boolean).length;
    if (kinds !== 1) {
      io.err('Please provide either -server, -client, or -cli');
      return 1;
    }
    const node = flags.string('node');
    if (node !== '' && !flags.bool('server')) {
      io.err('-node requires -server');
      return 1;
    }
    const days = flags.has('days') ? flags.number('days') : 365;
    const badDays = daysProblem(days);
    if (badDays) {
      io.err(badDays);
      return 1;
    }
    const dnsNames = flags
      .list('additional-dnsname')
      .map((d) => d.trim())
      .filter((d) => d !== '');
    const ipAddresses = flags
      .list('additional-ipaddress')
      .map((i) => i.trim())
      .filter((i) => i !== '');
    const badIp = ipAddresses.find((ip) => !isIpAddress(ip));
    if (badIp !== undefined) {
      io.err(`invalid value "${badIp}" for flag -additional-ipaddress: not an IP address`);
      return 1;
    }
    let name: string;
    let prefix: string;
    let serverAuth = true;
    let clientAuth = true;
    if (flags.bool('server')) {
      name = `server.${dc}.${domain}`;
      if (node !== '') dnsNames.push(`${node}.server.${dc}.${domain}`);
      dnsNames.push(name, 'localhost');
      ipAddresses.push('127.0.0.1');
      prefix = `${dc}-server-${domain}`;
    } else if (flags.bool('client')) {
      name = `client.${dc}.${domain}`;
      dnsNames.push(name, 'localhost');
      ipAddresses.push('127.0.0.1');
      prefix = `${dc}-client-${domain}`;
    } else {
      name = `cli.${dc}.${domain}`;
      dnsNames.splice(0, dnsNames.length, name, 'localhost');
      serverAuth = false;
      clientAuth = true;
      prefix = `${dc}-cli-${domain}`;
    }
    const names = freeNames(prefix);
    if (!names) {
      io.err("Could not find a filename that doesn't already exist");
      return 1;
    }
    let caCertPem: string;
    let caKeyPem: string;
    try {
      caCertPem = await readFile(caFile, 'utf8');
    } catch (err) {
      io.err(`Error reading CA: ${(err as Error).message}`);
      return 1;
    }
    try {
      caKeyPem = await readFile(caKeyFile, 'utf8');
    } catch (err) {
      io.err(`Error reading CA key: ${(err as Error).message}`);
      return 1;
    }
    if (flags.bool('server')) io.out(SERVER_WARNING);
    io.out(`==> Using ${caFile} and ${caKeyFile}`);
    let issued: { certPem: string; keyPem: string };
    try {
      issued = await createLeaf({ caCertPem, caKeyPem, commonName: name, dnsNames, ipAddresses, days, serverAuth, clientAuth });
    } catch (err) {
      io.err((err as Error).message);
      return 1;
    }
    await writeNew(names.certFile, issued.certPem, 0o644);
    io.out(`==> Saved ${names.certFile}`);
    await writeNew(names.keyFile, issued.keyPem, 0o600);
    io.out(`==> Saved ${names.keyFile}`);
    return 0;
  },
};
