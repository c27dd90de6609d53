// RFC 8785 canonical JSON for ledger transaction bodies (strings, integers, booleans, null, arrays, objects).
// JCS serialises strings exactly as ECMAScript's JSON.stringify does and orders members by UTF-16 code units,
// which is what Array.prototype.sort does by default; so the browser's bytes equal the server's (HealthPortal.Ledger.Canonical.Jcs).
export function canonicalize(value, path = '$') {
    if (value === null || typeof value === 'boolean') return JSON.stringify(value);
    if (typeof value === 'number') {
        if (!Number.isSafeInteger(value)) throw new Error(`${path}: only integers are allowed in ledger bodies`);
        return String(value);
    }
    if (typeof value === 'string') return JSON.stringify(value);
    if (Array.isArray(value)) return '[' + value.map((v, i) => canonicalize(v, `${path}[${i}]`)).join(',') + ']';
    if (typeof value === 'object') {
        return '{' + Object.keys(value).sort()
            .map(k => JSON.stringify(k) + ':' + canonicalize(value[k], `${path}.${k}`)).join(',') + '}';
    }
    throw new Error(`${path}: ${typeof value} values are not allowed`);
}

/** The bytes every signer signs and the transaction id hashes: canonical {"body":…,"type":…}. */
export function signingBytes(type, body) {
    return new TextEncoder().encode(canonicalize({ body, type }));
}

export function base64url(bytes) {
    let s = '';
    for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
