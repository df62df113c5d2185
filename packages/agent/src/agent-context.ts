import type { Command } from '@concord/state';
import type { Logger } from 'pino';
import type { AgentConfig } from './config/config.js';
import type { EventBuffer } from './events/event-buffer.js';
import type { QuerySource } from './http/blocking.js';
import type { LocalState } from './local/local-state.js';
import type { SessionTimers } from './server/session-timers.js';
import type { StateServer, WriteResult } from './server/state-server.js';

/** A gossip member as `/v1/agent/members` reports it. */
export interface MemberInfo {
  Name: string;
  Addr: string;
  Port: number;
  Tags: Record<string, string>;
  Status: number;
  ProtocolMin: number;
  ProtocolMax: number;
  ProtocolCur: number;
  DelegateMin: number;
  DelegateMax: number;
  DelegateCur: number;
}

/** Everything the HTTP endpoints need from the running agent. */
export interface AgentContext {
  readonly config: AgentConfig;
  readonly server: StateServer;
  readonly local: LocalState;
  readonly events: EventBuffer;
  readonly sessionTimers: SessionTimers;
  readonly logger: Logger;
  readonly query: QuerySource;
  readonly startedAt: number;
  readonly version: string;
  /** `<advertise>:<server port>` of this server. */
  readonly serverAddress: string;
  members(): MemberInfo[];
  /** Applies a command through the log; throws HttpError when the state machine rejects it. */
  write(command: Command): Promise<WriteResult>;
  reload(): Promise<void>;
  leave(): Promise<void>;
}
