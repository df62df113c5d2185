/**
 * The parts of Docker's container inspect and event objects the sidecar reads.
 * Docker sends `null` for exposed-but-unpublished ports, so the binding lists
 * are typed `| null`; everything else may be missing on odd engines.
 */

export interface PortBinding {
  readonly HostIp?: string;
  readonly HostPort?: string;
}

export interface NetworkEndpoint {
  readonly IPAddress?: string;
  readonly GlobalIPv6Address?: string;
}

export interface ContainerState {
  readonly Status?: string;
  readonly Running?: boolean;
  readonly Paused?: boolean;
  readonly Restarting?: boolean;
  readonly ExitCode?: number;
  readonly Health?: { readonly Status?: string } | null;
}

/** `GET /containers/<id>/json`, trimmed to what we use. */
export interface ContainerInspect {
  readonly Id: string;
  /** With its leading slash: `/web1`. */
  readonly Name: string;
  readonly State?: ContainerState;
  readonly Config?: {
    readonly Image?: string;
    readonly Hostname?: string;
    readonly Env?: readonly string[] | null;
    readonly Labels?: Readonly<Record<string, string>> | null;
    readonly ExposedPorts?: Readonly<Record<string, object>> | null;
  };
  readonly HostConfig?: {
    readonly NetworkMode?: string;
    readonly PortBindings?: Readonly<Record<string, readonly PortBinding[] | null>> | null;
  };
  readonly NetworkSettings?: {
    readonly IPAddress?: string;
    readonly Ports?: Readonly<Record<string, readonly PortBinding[] | null>> | null;
    readonly Networks?: Readonly<Record<string, NetworkEndpoint>> | null;
  };
}

/** One object of the `/events` stream (API ≥ 1.22 fields only). */
export interface DockerEvent {
  readonly Type?: string;
  readonly Action?: string;
  readonly Actor?: { readonly ID?: string; readonly Attributes?: Readonly<Record<string, string>> };
  readonly time?: number;
  readonly timeNano?: number;
}
