// Solves a registration's proof of work off the page's thread: finds the decimal counter that, placed between
// prefix and suffix (the canonical transaction bytes around "pow":"…"), gives a SHA-256 with `bits` leading zeros.
const encoder = new TextEncoder();

function leadingZeroBits(bytes) {
    let bits = 0;
    for (const b of bytes) {
        if (b === 0) { bits += 8; continue; }
        return bits + Math.clz32(b) - 24;
    }
    return bits;
}

self.onmessage = async (e) => {
    const { prefix, suffix, bits } = e.data;
    const batch = 256; // digests in flight at once: subtle.digest is asynchronous
    const expected = 2 ** bits;
    for (let start = 0; ; start += batch) {
        const attempts = [];
        for (let i = start; i < start + batch; i++) {
            attempts.push(crypto.subtle.digest('SHA-256', encoder.encode(prefix + i + suffix)).then(h => [i, h]));
        }
        for (const [counter, hash] of await Promise.all(attempts)) {
            if (leadingZeroBits(new Uint8Array(hash)) >= bits) {
                self.postMessage({ done: true, pow: String(counter), attempts: counter + 1 });
                return;
            }
        }
        if ((start / batch) % 16 === 0) self.postMessage({ done: false, attempts: start + batch, expected });
    }
};
