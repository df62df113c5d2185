/**
 * Sets `key` as the newest entry of `map`. A full map first drops its oldest insertion: in the DNS
 * caches that is mostly a name nobody asked for twice.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, maxEntries: number): void {
  if (!map.has(key) && map.size >= maxEntries) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.delete(key);
  map.set(key, value);
}
