// The patient's Ethereum wallets through EIP-1193, found by EIP-6963 (several wallets may be installed; each
// announces itself) with the legacy window.ethereum as a fallback. No library: a few requests, and every failure comes
// back as {error, message} so the page can say what happened (EIP-1193 4001: the user rejected; 4100: not authorised,
// e.g. locked; -32002: a request is already waiting in the wallet).

// EIP-6963 announcements, by the provider's uuid. Wallets answer a request synchronously, but a wallet's content
// script may run after this module: listen from load, ask now and again on every listing.
const announced = new Map();
window.addEventListener('eip6963:announceProvider', event => {
    const detail = event?.detail;
    if (!detail?.info?.uuid || typeof detail.provider?.request !== 'function') return;
    announced.set(detail.info.uuid, { info: detail.info, provider: detail.provider });
});
window.dispatchEvent(new Event('eip6963:requestProvider'));

const legacyId = 'window.ethereum';

function wallets() {
    window.dispatchEvent(new Event('eip6963:requestProvider'));
    const list = [...announced.values()].map(w => ({ id: w.info.uuid, name: String(w.info.name ?? 'Wallet'), rdns: String(w.info.rdns ?? ''), provider: w.provider }));
    // A wallet that only injects window.ethereum (older wallets, some mobile wallet browsers), unless it also announced itself.
    const legacy = window.ethereum;
    if (typeof legacy?.request === 'function' && !list.some(w => w.provider === legacy))
        list.push({ id: legacyId, name: legacy.isMetaMask ? 'MetaMask' : 'Browser wallet', rdns: '', provider: legacy });
    return list;
}

function providerOf(id) {
    const list = wallets();
    return (list.find(w => w.id === id) ?? (id ? undefined : list[0]))?.provider;
}

/** The wallets found in this page: [{id, name, rdns}]. */
export function listWallets() {
    return wallets().map(({ id, name, rdns }) => ({ id, name, rdns }));
}

export function hasWallet() {
    return wallets().length > 0;
}

async function ask(id, method, params) {
    const provider = providerOf(id);
    if (!provider) return { error: -3, message: 'that wallet is no longer in this page' };
    try {
        return { value: await provider.request(params ? { method, params } : { method }) };
    } catch (e) {
        return { error: typeof e?.code === 'number' ? e.code : -1, message: e?.message ?? String(e) };
    }
}

/** eth_requestAccounts: the first account the wallet shares (it asks to unlock or connect if needed). */
export async function requestAccount(id) {
    const answer = await ask(id, 'eth_requestAccounts');
    if (answer.error !== undefined) return answer;
    return Array.isArray(answer.value) && answer.value.length > 0 ? { value: String(answer.value[0]) } : { error: -2, message: 'the wallet shared no account' };
}

/** eth_requestAccounts: every account the wallet shares, as text; an empty list means locked or not connected. */
export async function requestAccounts(id) {
    const answer = await ask(id, 'eth_requestAccounts');
    if (answer.error !== undefined) return answer;
    return { value: JSON.stringify(Array.isArray(answer.value) ? answer.value.map(String) : []) };
}

/** eth_chainId: the wallet's active chain id, as the 0x-hex text EIP-1193 gives. */
export function chainId(id) {
    return ask(id, 'eth_chainId');
}

export function signTypedData(id, account, typedDataJson) {
    return ask(id, 'eth_signTypedData_v4', [account, typedDataJson]);
}
