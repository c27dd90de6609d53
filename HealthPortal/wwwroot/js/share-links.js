// The patient's side of a SMART Health Link. The content key is made here and never leaves this page: the server gets
// the ciphertext (through the Blazor stream) and later hands back the manifest URL and flags, and the key is put into
// the link's fragment only here. Nothing in this module sends the key anywhere.
import qrcode from './vendor/qrcode-generator/qrcode.mjs';

const sealed = new Map();

export function base64url(bytes) {
    let s = '';
    for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const utf8 = new TextEncoder();

async function deflateRaw(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Compact JWE, {"alg":"dir","enc":"A256GCM","zip":"DEF"}: 96-bit IV, 128-bit tag, the header's base64url as AAD. */
export async function encryptJwe(keyBytes, plain) {
    const zip = typeof CompressionStream === 'function';
    const header = zip ? { alg: 'dir', enc: 'A256GCM', zip: 'DEF' } : { alg: 'dir', enc: 'A256GCM' };
    const protectedHeader = base64url(utf8.encode(JSON.stringify(header)));
    const body = zip ? await deflateRaw(plain) : plain;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'AES-GCM' }, false, ['encrypt']);
    const sealedBytes = new Uint8Array(await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: utf8.encode(protectedHeader), tagLength: 128 }, key, body));
    // WebCrypto appends the tag to the ciphertext; JWE carries it as its own part.
    const ciphertext = sealedBytes.slice(0, sealedBytes.length - 16);
    const tag = sealedBytes.slice(sealedBytes.length - 16);
    return `${protectedHeader}..${base64url(iv)}.${base64url(ciphertext)}.${base64url(tag)}`;
}

/**
 * Fetches the chosen records as FHIR JSON (the caller's own, authorized on the server), makes a fresh 256-bit key and
 * encrypts them. Returns a handle for the ciphertext and the key, which stay in this page.
 */
export async function seal(bundleUrl) {
    const response = await fetch(bundleUrl, { credentials: 'same-origin', headers: { Accept: 'application/fhir+json' } });
    if (!response.ok) {
        let message = `The records could not be read (HTTP ${response.status}).`;
        try { message = (await response.json()).message ?? message; } catch { /* not JSON */ }
        return { error: message };
    }
    const plain = new Uint8Array(await response.arrayBuffer());
    const key = crypto.getRandomValues(new Uint8Array(32));
    const jwe = await encryptJwe(key, plain);
    const handle = crypto.randomUUID();
    sealed.set(handle, { key, jwe });
    return { handle, length: jwe.length };
}

/** The ciphertext's bytes; Blazor turns a returned typed array into a stream the server reads (no message-size limit). */
export function ciphertext(handle) {
    return utf8.encode(sealed.get(handle).jwe);
}

/** Forgets a sealed content that was not stored (the form was refused). */
export function discard(handle) { sealed.delete(handle); }

/**
 * Puts the key into the shlink:/ payload with what the server stored (manifest URL, expiry, flag, label), shows the
 * link and its QR code in `box`, then forgets the key: only the link on screen carries it.
 */
export function finish(handle, manifestUrl, exp, flag, label, viewerUrl, box) {
    const entry = sealed.get(handle);
    sealed.delete(handle);
    const payload = { url: manifestUrl, key: base64url(entry.key), exp, label, v: 1 };
    if (flag) payload.flag = flag;
    const link = `${viewerUrl}#shlink:/${base64url(utf8.encode(JSON.stringify(payload)))}`;

    const qr = qrcode(0, 'M');
    qr.addData(link, 'Byte');
    qr.make();

    box.replaceChildren();
    const field = document.createElement('textarea');
    field.readOnly = true;
    field.rows = 3;
    field.value = link;
    field.className = 'shl-link';
    field.style.cssText = 'display:block;width:100%;box-sizing:border-box;font-family:monospace;font-size:.85rem;margin-bottom:8px;word-break:break-all';
    field.setAttribute('aria-label', 'Share link');
    field.dataset.testid = 'share-link-value';
    const copy = document.createElement('button');
    copy.type = 'button';
    copy.textContent = 'Copy link';
    copy.className = 'mud-button-root mud-button mud-button-outlined mud-button-outlined-primary mud-button-outlined-size-medium';
    copy.dataset.testid = 'share-link-copy';
    copy.addEventListener('click', async () => {
        try { await navigator.clipboard.writeText(link); copy.textContent = 'Copied'; }
        catch { field.select(); copy.textContent = 'Select and copy (Ctrl+C)'; }
    });
    const img = document.createElement('img');
    img.src = qr.createDataURL(4, 8);
    img.alt = 'QR code of the share link';
    img.dataset.testid = 'share-link-qr';
    img.style.cssText = 'image-rendering:pixelated;margin-top:12px;max-width:100%';
    box.append(field, copy, document.createElement('br'), img);
    return link.length;
}
