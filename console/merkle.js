// RFC 9162 inclusion proofs checked in the browser with Web Crypto's SHA-256, for the auditor's
// page: the leaf of an event is SHA-256(0x00 || the 32 bytes of its hash); the proof's path is
// folded up to a root, which must be the checkpoint's (RFC 9162 section 2.1.3.2). The browser does
// not check the checkpoint's signature: `dialogue audit` does (docs/verifiable-history.md).

const subtle = () => globalThis.crypto.subtle;

export function hexToBytes(hex) {
  if (typeof hex !== 'string' || !/^([0-9a-f]{2})*$/.test(hex)) throw new Error('not hex');
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function base64ToBytes(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

async function sha256(...parts) {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const joined = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return new Uint8Array(await subtle().digest('SHA-256', joined));
}

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);

// The leaf hash of an event, from its hash as the log shows it (64 hex digits).
export async function eventLeafHash(eventHashHex) {
  return sha256(LEAF, hexToBytes(eventHashHex));
}

// The root the proof leads to from leafHash at index `index` of a tree of `size` leaves, or null
// when the proof's length does not fit the tree. Sizes stay below 2^53: plain numbers.
export async function rootFromInclusionProof(index, size, leafHash, proof) {
  if (!(index >= 0 && index < size)) return null;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(NODE, p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await sha256(NODE, r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

// Parses the body of a checkpoint (its first three lines): {origin, size, root (bytes), rootBase64}.
export function parseCheckpoint(text) {
  const [origin, sizeText, rootBase64] = text.split('\n');
  if (!origin || !/^(0|[1-9][0-9]*)$/.test(sizeText ?? '') || !/^[A-Za-z0-9+/]{43}=$/.test(rootBase64 ?? '')) {
    throw new Error('the checkpoint is malformed');
  }
  return { origin, size: Number(sizeText), rootBase64, root: base64ToBytes(rootBase64) };
}

// Whether the event (as GET /v1/events shows it) is in the checkpoint's tree, by the server's
// proof ({leaf_hash, hashes}): the leaf recomputed here from the event's hash, the root folded.
export async function verifyInclusion(event, checkpoint, proof) {
  try {
    const leaf = await eventLeafHash(event.hash);
    if (bytesToHex(leaf) !== proof.leaf_hash) return false;
    const root = await rootFromInclusionProof(event.position - 1, checkpoint.size, leaf,
                                              proof.hashes.map(hexToBytes));
    return root !== null && bytesToHex(root) === bytesToHex(checkpoint.root);
  } catch {
    return false;
  }
}
