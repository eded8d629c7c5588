// console/merkle.js, the auditor page's inclusion check, in Node (Web Crypto as in the browser):
// every proof of a small tree verifies, and any flipped bit of the leaf, a proof hash or the
// root, or a proof of the wrong length, does not. The trees are built here, naively.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';

if (!globalThis.crypto) globalThis.crypto = webcrypto;
const { bytesToHex, parseCheckpoint, verifyInclusion } = await import('../../console/merkle.js');

const sha = async (...parts) => {
  const joined = Buffer.concat(parts.map((p) => Buffer.from(p)));
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', joined));
};
const node = (l, r) => sha([1], l, r);

async function root(leaves) {
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return node(await root(leaves.slice(0, k)), await root(leaves.slice(k)));
}

async function path(m, leaves) {
  if (leaves.length === 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  if (m < k) return [...await path(m, leaves.slice(0, k)), await root(leaves.slice(k))];
  return [...await path(m - k, leaves.slice(k)), await root(leaves.slice(0, k))];
}

const flip = (hex, bit) => {
  const bytes = Buffer.from(hex, 'hex');
  bytes[bit >> 3] ^= 1 << (bit & 7);
  return bytes.toString('hex');
};

test('inclusion proofs of every leaf of trees up to 20 verify, and altered ones do not', async () => {
  for (let size = 1; size <= 20; size++) {
    const hashes = [];
    for (let i = 0; i < size; i++) hashes.push(bytesToHex(await sha(Buffer.from(`event ${i}`))));
    const leaves = await Promise.all(hashes.map((h) => sha([0], Buffer.from(h, 'hex'))));
    const rootBytes = await root(leaves);
    const cp = { size, root: rootBytes };
    for (let m = 0; m < size; m++) {
      const event = { position: m + 1, hash: hashes[m] };
      const proof = { leaf_hash: bytesToHex(leaves[m]), hashes: (await path(m, leaves)).map(bytesToHex) };
      assert.ok(await verifyInclusion(event, cp, proof), `size ${size} leaf ${m}`);
      const bit = (size * 31 + m * 7) % 256;
      assert.ok(!await verifyInclusion({ ...event, hash: flip(event.hash, bit) }, cp, proof));
      assert.ok(!await verifyInclusion(event, { ...cp, root: Buffer.from(flip(bytesToHex(cp.root), bit), 'hex') }, proof));
      if (proof.hashes.length > 0) {
        const bad = proof.hashes.slice();
        bad[m % bad.length] = flip(bad[m % bad.length], bit);
        assert.ok(!await verifyInclusion(event, cp, { ...proof, hashes: bad }));
        assert.ok(!await verifyInclusion(event, cp, { ...proof, hashes: proof.hashes.slice(1) }));
      }
      assert.ok(!await verifyInclusion(event, cp, { ...proof, hashes: [...proof.hashes, proof.leaf_hash] }));
      if (size > 1) assert.ok(!await verifyInclusion({ ...event, position: ((m + 1) % size) + 1 }, cp, proof));
    }
  }
});

test('a checkpoint body is parsed strictly', () => {
  const cp = parseCheckpoint('dialogue.local/ledger\n5\nmkr1AUBrOpOnuyxHx3CndvIsi0VUWU4rR21jTy22UIA=\n\n— x y\n');
  assert.equal(cp.size, 5);
  assert.equal(cp.origin, 'dialogue.local/ledger');
  assert.equal(cp.root.length, 32);
  for (const bad of ['', 'o\n05\nmkr1AUBrOpOnuyxHx3CndvIsi0VUWU4rR21jTy22UIA=\n', 'o\n5\nshort=\n', 'o\n-1\nmkr1AUBrOpOnuyxHx3CndvIsi0VUWU4rR21jTy22UIA=\n']) {
    assert.throws(() => parseCheckpoint(bad));
  }
});
