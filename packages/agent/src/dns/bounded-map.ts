/**
 * Sets `key` as the newest entry of `map`. A full map first drops its oldest insertion, if
 * `evictable` allows (by default it always does); otherwise the new entry is not kept, so that a
 * client cycling through more names than fit does not push out every entry before its next use.
 * Returns whether the entry was kept.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, maxEntries: number, evictable?: (oldest: V) => boolean): boolean {
  if (!map.has(key) && map.size >= maxEntries) {
    const oldest = map.entries().next();
    if (oldest.done) return false;
    if (evictable && !evictable(oldest.value[1])) return false;
    map.delete(oldest.value[0]);
  }
  map.delete(key);
  map.set(key, value);
  return true;
}
