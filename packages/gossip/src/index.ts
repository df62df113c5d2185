export type { GossipConfig, ConfigName } from './core/config.js';
export { lanConfig, localConfig, wanConfig, configs, resolveConfig } from './core/config.js';
export type {
  AliveMessage,
  BroadcastMessage,
  DeadMessage,
  Endpoint,
  MemberStatus,
  PacketMessage,
  PushPullState,
  SuspectMessage,
  Tags,
  UserEventMessage,
} from './core/messages.js';
export type { UserEvent, UserEventsAtTime, UserEventsState } from './core/user-events.js';
export { UserEventLog, USER_EVENT_BUFFER_SIZE, USER_EVENT_SANE_LIMIT, USER_EVENT_SIZE_LIMIT } from './core/user-events.js';
export { LamportClock } from './core/lamport.js';
export type { MemberInfo, MemberEvent, MemberEventType, CoreOutput, CoreStats, SwimCoreOptions } from './core/swim.js';
export { SwimCore } from './core/swim.js';
export { MAX_INCARNATION, incNewer, refutingIncarnation } from './core/incarnation.js';
export type { Prng } from '@concord/simkit';
export { createPrng } from '@concord/simkit';
export type { Coordinate, VivaldiConfig } from './core/coordinate.js';
export {
  applyForce,
  coordinateProblem,
  copyCoordinate,
  defaultVivaldiConfig,
  distance,
  isCoordinate,
  newCoordinate,
  rawDistance,
} from './core/coordinate.js';
export { VivaldiClient, MAX_RTT_SECONDS } from './core/vivaldi.js';
export { LatencyFilter } from './core/latency-filter.js';
export { BroadcastQueue } from './core/broadcast-queue.js';
export { Suspicion } from './core/suspicion.js';
export { Awareness } from './core/awareness.js';
export {
  expectedConfirmations,
  pushPullScale,
  remainingSuspicionTime,
  retransmitLimit,
  suspicionTimeout,
} from './core/timing.js';
export {
  GossipError,
  GossipConfigError,
  GossipCoordinateError,
  GossipDecodeError,
  GossipDecryptError,
  GossipJoinError,
  GossipKeyringError,
  GossipStateError,
  GossipTagsTooLargeError,
  GossipUserEventTooLargeError,
} from './errors.js';
export type { GossipOptions, GossipEvents, GossipStats } from './driver/gossip.js';
export { Gossip, createGossip } from './driver/gossip.js';
export { Keyring, generateKey, ENCRYPTION_OVERHEAD } from './driver/keyring.js';
export { parseAddress, DEFAULT_GOSSIP_PORT } from './driver/address.js';
export type { StreamMessage, WireUserEvents } from './wire/codec.js';
export { encodePacket, decodePacket, encodeStream, decodeStream } from './wire/codec.js';
