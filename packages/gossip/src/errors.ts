/** Base class of every error this package throws; branch on `code`. */
export class GossipError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A packet or stream frame that could not be decoded. */
export class GossipDecodeError extends GossipError {
  constructor(message: string, options?: ErrorOptions) {
    super('GOSSIP_DECODE', message, options);
  }
}

/** No key in the keyring could decrypt a message. */
export class GossipDecryptError extends GossipError {
  constructor(message = 'no installed key decrypts the message', options?: ErrorOptions) {
    super('GOSSIP_DECRYPT', message, options);
  }
}

/** A key that is not 16, 24 or 32 bytes of base64, or a keyring operation that is not allowed. */
export class GossipKeyringError extends GossipError {
  constructor(message: string, options?: ErrorOptions) {
    super('GOSSIP_KEYRING', message, options);
  }
}

/** Tags whose encoding exceeds the configured limit. */
export class GossipTagsTooLargeError extends GossipError {
  constructor(size: number, limit: number) {
    super('GOSSIP_TAGS_TOO_LARGE', `encoded tags take ${size} bytes, limit is ${limit}`);
  }
}

/** An operation on a member that is not started, already left, or shut down. */
export class GossipStateError extends GossipError {
  constructor(message: string) {
    super('GOSSIP_STATE', message);
  }
}

/** A join that reached none of the given addresses. */
export class GossipJoinError extends GossipError {
  constructor(message: string, options?: ErrorOptions) {
    super('GOSSIP_JOIN', message, options);
  }
}

/** Bad options given to `createGossip` or the simulator. */
export class GossipConfigError extends GossipError {
  constructor(message: string) {
    super('GOSSIP_CONFIG', message);
  }
}

/** A network-coordinate observation refused: an invalid coordinate or an RTT outside (0, 10 s]. */
export class GossipCoordinateError extends GossipError {
  constructor(message: string) {
    super('GOSSIP_COORDINATE', message);
  }
}

/** A user event over Serf's size limits (`GOSSIP_USER_EVENT_TOO_LARGE`), with Serf's wording. */
export class GossipUserEventTooLargeError extends GossipError {
  constructor(message: string) {
    super('GOSSIP_USER_EVENT_TOO_LARGE', message);
  }
}
