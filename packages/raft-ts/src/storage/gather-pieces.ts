/** Bytes copied between two yields to the event loop while pieces are joined. */
const COPY_SLICE = 32 * 1024 * 1024;

/**
 * Takes every piece of `pieces` (handing each to `each`, awaited, as it comes) and joins them into
 * one array. The join is one copy into an array of the total size, made `COPY_SLICE` bytes at a
 * time with a yield to the event loop in between (`setImmediate`), so that joining hundreds of
 * MiB never holds the loop for more than a few milliseconds; each piece is let go once copied.
 */
export async function gatherPieces(pieces: AsyncIterable<Uint8Array>, each?: (piece: Uint8Array) => Promise<void> | void): Promise<Uint8Array> {
  const parts: (Uint8Array | undefined)[] = [];
  let total = 0;
  for await (const piece of pieces) {
    if (piece.byteLength === 0) continue;
    if (each) await each(piece);
    parts.push(piece);
    total += piece.byteLength;
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  let sinceYield = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    out.set(p, offset);
    offset += p.byteLength;
    sinceYield += p.byteLength;
    parts[i] = undefined;
    if (sinceYield >= COPY_SLICE && i < parts.length - 1) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  return out;
}
