// The patient's signing key lives only in this browser: an ECDSA P-256 key pair made by WebCrypto with a
// NON-extractable private key, the CryptoKeyPair stored as-is in IndexedDB (structured clone keeps it usable
// but unexportable). The server only ever sees the public JWK and signatures.
import { canonicalize, signingBytes, base64url } from './jcs.js';

const DB = 'healthportal-keys';
const STORE = 'keys';

function openDb() {
    return new Promise((resolve, reject) => {
        const request = indexedDB.open(DB, 1);
        request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'owner' });
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
    });
}

async function withStore(mode, action) {
    const db = await openDb();
    try {
        return await new Promise((resolve, reject) => {
            const tx = db.transaction(STORE, mode);
            const request = action(tx.objectStore(STORE));
            tx.oncomplete = () => resolve(request?.result);
            tx.onerror = () => reject(tx.error);
        });
    } finally {
        db.close();
    }
}

const load = owner => withStore('readonly', s => s.get(owner));

function publicOnly(jwk) {
    return { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
}

/** The public JWK of this browser's key for `owner`, or null when this browser has none. */
export async function publicKey(owner) {
    const entry = await load(owner);
    return entry ? entry.jwk : null;
}

const AlreadyHeld = 'This browser already holds a key for this account.';

/**
 * Makes a new key for `owner` (replacing none: call forget first) and returns its public JWK. The key is stored with
 * `add` in one transaction, so of two tabs creating at once exactly one stores its key and the other is refused: a
 * check and a `put` in two transactions let the second silently replace a key that may already be on the ledger.
 */
export async function createKey(owner) {
    if (!window.isSecureContext || !crypto.subtle) throw new Error('This browser cannot make keys here (WebCrypto needs HTTPS or localhost).');
    // The pair is made before the transaction opens: an IndexedDB transaction commits as soon as it waits on anything else.
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const jwk = publicOnly(await crypto.subtle.exportKey('jwk', pair.publicKey));
    const db = await openDb();
    try {
        await new Promise((resolve, reject) => {
            const tx = db.transaction(STORE, 'readwrite');
            const request = tx.objectStore(STORE).add({ owner, pair, jwk, created: Date.now() });
            request.onerror = event => {
                // ConstraintError: a key for this owner is there already (made by another tab meanwhile, or before).
                event.preventDefault();
                reject(request.error?.name === 'ConstraintError' ? new Error(AlreadyHeld) : request.error);
            };
            tx.oncomplete = () => resolve();
            tx.onabort = () => reject(tx.error ?? request.error ?? new Error('the key store refused the key'));
        });
    } finally {
        db.close();
    }
    return jwk;
}

/** True when the stored private key is really non-extractable (shown to the patient as a reassurance). */
export async function isNonExtractable(owner) {
    const entry = await load(owner);
    return !!entry && entry.pair.privateKey.extractable === false;
}

/** Forgets this browser's key (used after it was revoked on the ledger). */
export async function forget(owner) {
    await withStore('readwrite', s => s.delete(owner));
}

/** Signs canonical {body, type} and returns the signature as base64url (64-byte IEEE P1363, as the ledger expects). */
export async function sign(owner, type, body) {
    const entry = await load(owner);
    if (!entry) throw new Error('This browser holds no key for this account.');
    const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, entry.pair.privateKey, signingBytes(type, body));
    return base64url(signature);
}

/** The canonical text of {body, type}: lets tests compare the browser's bytes with the server's. */
export function canonicalEnvelope(type, body) {
    return canonicalize({ body, type });
}

export { canonicalize };

/**
 * Solves the proof of work of a registration body in a Web Worker, reporting progress to .NET
 * (`progress.invokeMethodAsync('OnPowProgress', attempts, expected)`), and returns the body with its pow set.
 */
export async function solvePow(type, body, bits, progress) {
    const marker = '"pow":"0"';
    const text = canonicalize({ body: { ...body, pow: '0' }, type });
    const at = text.indexOf(marker);
    if (at < 0) throw new Error('the body has no pow member');
    const prefix = text.slice(0, at + marker.length - 2);
    const suffix = text.slice(at + marker.length - 1);
    const pow = await solveHashcash(prefix, suffix, bits, progress);
    return { ...body, pow };
}

const running = new Map();

/**
 * Finds, in a Web Worker, the decimal counter n for which SHA-256(prefix + n + suffix) has `bits` leading zero bits
 * (the canonical bytes around "pow":"…", as the server hands them out) and returns it as a string. Progress goes to
 * .NET as in solvePow. With a `ticket`, cancelPow(ticket) stops the worker and the promise rejects with 'cancelled'.
 */
export function solveHashcash(prefix, suffix, bits, progress, ticket) {
    return new Promise((resolve, reject) => {
        const worker = new Worker(new URL('./pow-worker.js', import.meta.url));
        const finish = () => { worker.terminate(); if (ticket) running.delete(ticket); };
        if (ticket) running.set(ticket, () => { finish(); reject(new Error('cancelled')); });
        // Progress is best effort: once the page has its answer it drops the progress reference, and a late
        // report must not surface as an unhandled rejection.
        const report = (attempts, expected) => progress?.invokeMethodAsync('OnPowProgress', attempts, expected).catch(() => { });
        worker.onmessage = e => {
            if (e.data.done) {
                finish();
                report(e.data.attempts, 2 ** bits);
                resolve(e.data.pow);
            } else {
                report(e.data.attempts, e.data.expected);
            }
        };
        worker.onerror = e => { finish(); reject(new Error(e.message)); };
        worker.postMessage({ prefix, suffix, bits });
    });
}

/** Stops the worker started by solveHashcash with this ticket (nothing happens when it already finished). */
export function cancelPow(ticket) {
    running.get(ticket)?.();
}
