// The patient's Ethereum wallet through EIP-1193 (window.ethereum). No library: two requests, and every failure comes
// back as {error, message} so the page can say what happened (EIP-1193 code 4001: the user declined).
export function hasWallet() {
    return typeof window.ethereum?.request === 'function';
}

async function ask(method, params) {
    try {
        return { value: await window.ethereum.request(params ? { method, params } : { method }) };
    } catch (e) {
        return { error: e?.code ?? -1, message: e?.message ?? String(e) };
    }
}

export async function requestAccount() {
    const answer = await ask('eth_requestAccounts');
    if (answer.error !== undefined) return answer;
    return Array.isArray(answer.value) && answer.value.length > 0 ? { value: answer.value[0] } : { error: -2, message: 'the wallet shared no account' };
}

export function signTypedData(account, typedDataJson) {
    return ask('eth_signTypedData_v4', [account, typedDataJson]);
}
