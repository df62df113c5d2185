import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/** Facts about the agent the UI talks to, read once at start. */
export interface AgentInfo {
  datacenter: string;
  node: string;
  /** The DNS domain with its trailing dot removed (`consul`). */
  domain: string;
}

export const AgentInfoContext = createContext<AgentInfo>({ datacenter: 'dc1', node: '', domain: 'consul' });

export function useAgentInfo(): AgentInfo {
  return useContext(AgentInfoContext);
}
