/**
 * Consul's `runtime.*` metrics (go-metrics' runtime stats) from Node.js: memory gauges, the
 * number of tasks in flight (Node's active resources stand in for goroutines) and garbage
 * collection pauses.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import type { Telemetry } from './telemetry.js';

export function emitRuntimeMetrics(t: Telemetry): () => void {
  t.gaugeFrom(['runtime', 'alloc_bytes'], () => process.memoryUsage().heapUsed);
  t.gaugeFrom(['runtime', 'sys_bytes'], () => process.memoryUsage().rss);
  t.gaugeFrom(['runtime', 'num_goroutines'], () => process.getActiveResourcesInfo().length);
  let pauseNs = 0;
  let runs = 0;
  t.gaugeFrom(['runtime', 'total_gc_pause_ns'], () => pauseNs);
  t.gaugeFrom(['runtime', 'total_gc_runs'], () => runs);
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const ns = e.duration * 1e6;
      pauseNs += ns;
      runs++;
      t.addSample(['runtime', 'gc_pause_ns'], ns);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
