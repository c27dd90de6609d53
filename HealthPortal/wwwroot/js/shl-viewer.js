// The recipient's viewer of a SMART Health Link. Everything happens in this browser: the key is read from the
// address's #fragment (never sent by the browser), the manifest request carries only the recipient's name and the PIN,
// the content is decrypted with WebCrypto, and each record's hash is computed here and sent to the portal only to ask
// whether it is the one the ledger anchored.

const $ = id => document.getElementById(id);
const utf8 = new TextEncoder();
const TX_SYSTEM = 'urn:healthportal:ledger:tx';

function fromBase64url(text) {
    const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(b64 + '='.repeat((4 - b64.length % 4) % 4));
    return Uint8Array.from(bin, c => c.charCodeAt(0));
}

function toBase64url(bytes) {
    let s = '';
    for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function parseLink(text) {
    const at = text.indexOf('shlink:/');
    if (at < 0) throw new Error('This address does not contain a SMART Health Link (shlink:/…).');
    const payload = JSON.parse(new TextDecoder().decode(fromBase64url(text.slice(at + 'shlink:/'.length))));
    if (typeof payload.url !== 'string' || typeof payload.key !== 'string' || payload.key.length !== 43)
        throw new Error('The link is damaged: it has no manifest address or no key. Ask for the link again.');
    return payload;
}

async function inflateRaw(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function decryptJwe(keyText, compact) {
    const [protectedHeader, encryptedKey, iv, ciphertext, tag] = compact.split('.');
    if (tag === undefined || encryptedKey !== '') throw new Error('The content is not a "dir" JWE.');
    const header = JSON.parse(new TextDecoder().decode(fromBase64url(protectedHeader)));
    if (header.alg !== 'dir' || header.enc !== 'A256GCM') throw new Error('The content is not encrypted with A256GCM.');
    const key = await crypto.subtle.importKey('raw', fromBase64url(keyText), { name: 'AES-GCM' }, false, ['decrypt']);
    const body = new Uint8Array([...fromBase64url(ciphertext), ...fromBase64url(tag)]);
    let plain = new Uint8Array(await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: fromBase64url(iv), additionalData: utf8.encode(protectedHeader), tagLength: 128 }, key, body));
    if (header.zip === 'DEF') plain = await inflateRaw(plain);
    return new TextDecoder().decode(plain);
}

// RFC 8785: members sorted by UTF-16 code units, numbers as ECMAScript prints them: the server's RecordHash bytes.
function canonicalize(value) {
    if (value === null || typeof value !== 'object') return JSON.stringify(value);
    if (Array.isArray(value)) return '[' + value.map(canonicalize).join(',') + ']';
    return '{' + Object.keys(value).sort().map(k => JSON.stringify(k) + ':' + canonicalize(value[k])).join(',') + '}';
}

async function recordHash(resource) {
    return toBase64url(await crypto.subtle.digest('SHA-256', utf8.encode(canonicalize(resource))));
}

function status(text, gone = false) {
    const box = $('shl-status');
    box.textContent = text;
    box.classList.toggle('gone', gone);
}

async function open(link, recipient, passcode) {
    const body = { recipient };
    if (passcode) body.passcode = passcode;
    const response = await fetch(link.url, {
        method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body), credentials: 'omit', referrerPolicy: 'no-referrer',
    });
    let answer = {};
    try { answer = await response.json(); } catch { /* empty or not JSON */ }
    return { status: response.status, answer };
}

const KIND = {
    Encounter: 'Visit', Condition: 'Diagnosis', MedicationRequest: 'Prescription', Observation: 'Result',
    DiagnosticReport: 'Report', AllergyIntolerance: 'Allergy', DocumentReference: 'Clinical note', Procedure: 'Procedure',
    Immunization: 'Immunization',
};

const concept = c => c ? (c.text || c.coding?.[0]?.display || c.coding?.[0]?.code || null) : null;
const quantity = q => q ? `${q.value ?? ''} ${q.unit ?? q.code ?? ''}`.trim() : null;
const dateOf = r => r.effectiveDateTime || r.effectivePeriod?.start || r.issued || r.period?.start || r.recordedDate
    || r.authoredOn || r.onsetDateTime || r.date || r.occurrenceDateTime || null;

// FHIR dates may be partial (2026, 2026-03) or plain days: shown as given; instants in the reader's own time.
function when(text) {
    if (!text || text.length <= 10) return text;
    const moment = new Date(text);
    return isNaN(moment) ? text : moment.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function valueOf(x) {
    if (x.valueQuantity) return quantity(x.valueQuantity);
    if (x.valueString !== undefined) return x.valueString;
    if (x.valueCodeableConcept) return concept(x.valueCodeableConcept);
    if (x.valueBoolean !== undefined) return x.valueBoolean ? 'yes' : 'no';
    if (x.valueInteger !== undefined) return String(x.valueInteger);
    return null;
}

function attachmentText(a) {
    if (!a?.data) return a?.title ?? null;
    try { return new TextDecoder().decode(fromBase64url(a.data.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''))); }
    catch { return a.title ?? null; }
}

function rows(r) {
    const out = [];
    const add = (k, v) => { if (v !== null && v !== undefined && v !== '') out.push([k, v]); };
    add('What', concept(r.code) || concept(r.medicationCodeableConcept) || concept(r.type?.[0]) || concept(r.vaccineCode));
    add('Value', valueOf(r));
    for (const c of r.component ?? []) add(concept(c.code) ?? 'Component', valueOf(c));
    add('Normal range', r.referenceRange?.map(rr => rr.text || [quantity(rr.low), quantity(rr.high)].filter(Boolean).join(' – ')).join('; '));
    add('Interpretation', r.interpretation?.map(concept).join(', '));
    add('Status', r.status || concept(r.clinicalStatus));
    add('Severity', concept(r.severity) || r.criticality);
    add('Reason', r.reasonCode?.map(concept).join(', '));
    add('Dosage', r.dosageInstruction?.map(d => d.text).filter(Boolean).join('; '));
    add('Reaction', r.reaction?.flatMap(x => x.manifestation ?? []).map(concept).join(', '));
    add('By', r.performer?.map(p => p.display ?? p.actor?.display).filter(Boolean).join(', ')
        || r.participant?.map(p => p.individual?.display).filter(Boolean).join(', ') || r.requester?.display || r.recorder?.display);
    add('Note', r.note?.map(n => n.text).join('\n'));
    for (const c of r.content ?? []) add(c.attachment?.title ?? 'Text', attachmentText(c.attachment));
    add('Conclusion', r.conclusion);
    // A lab report carries its results as contained Observations: one line per test, value with unit and range.
    for (const o of (r.contained ?? []).filter(c => c.resourceType === 'Observation')) {
        const range = o.referenceRange?.map(rr => rr.text || [quantity(rr.low), quantity(rr.high)].filter(Boolean).join(' – ')).join('; ');
        const flag = o.interpretation?.map(concept).filter(Boolean).join(', ');
        add(concept(o.code) ?? 'Result', [valueOf(o), range ? `(normal ${range})` : null, flag ? `· ${flag}` : null].filter(Boolean).join(' '));
    }
    return out;
}

function render(bundle) {
    const entries = bundle.entry ?? [];
    const provenance = new Map();
    for (const e of entries) {
        if (e.resource?.resourceType !== 'Provenance') continue;
        const target = e.resource.target?.[0]?.reference;
        const tx = e.resource.entity?.find(x => x.what?.identifier?.system === TX_SYSTEM)?.what.identifier.value;
        provenance.set(target, { tx, facility: e.resource.agent?.[0]?.who?.display ?? 'Unknown facility' });
    }
    const section = $('shl-records');
    section.replaceChildren();
    const records = entries.filter(e => e.resource && e.resource.resourceType !== 'Provenance');
    for (const e of records) {
        const r = e.resource;
        const meta = provenance.get(e.fullUrl) ?? { tx: null, facility: 'Unknown facility' };
        const card = document.createElement('article');
        card.className = 'shl-record';
        card.dataset.testid = 'shl-record';
        const h = document.createElement('h2');
        h.textContent = `${KIND[r.resourceType] ?? r.resourceType} · ${when(dateOf(r)) ?? 'no date'}`;
        const facility = document.createElement('div');
        facility.textContent = meta.facility;
        facility.dataset.testid = 'shl-record-facility';
        const dl = document.createElement('dl');
        for (const [k, v] of rows(r)) {
            const dt = document.createElement('dt'); dt.textContent = k;
            const dd = document.createElement('dd'); dd.textContent = v;
            dl.append(dt, dd);
        }
        const verdict = document.createElement('span');
        verdict.className = 'shl-verdict checking';
        verdict.dataset.testid = 'shl-record-verdict';
        verdict.textContent = 'Checking against the ledger…';
        const anchor = document.createElement('div');
        anchor.className = 'shl-anchor';
        anchor.dataset.testid = 'shl-record-anchor';
        anchor.textContent = meta.tx ? `Ledger anchor ${meta.tx}` : 'No ledger anchor given';
        card.append(h, facility, dl, verdict, anchor);
        section.append(card);
        check(r, meta.tx, verdict, anchor);
    }
    return records.length;
}

async function check(resource, tx, verdict, anchor) {
    const show = (cls, text) => { verdict.className = `shl-verdict ${cls}`; verdict.textContent = text; verdict.dataset.verdict = cls; };
    if (!tx) return show('unknown', 'Not anchored: cannot be checked');
    try {
        const hash = await recordHash(resource);
        const response = await fetch(`/shl/anchors/${encodeURIComponent(tx)}?hash=${encodeURIComponent(hash)}`, { credentials: 'omit', headers: { Accept: 'application/json' } });
        if (!response.ok) return show('unknown', `Could not check now (HTTP ${response.status})`);
        const a = await response.json();
        const label = { verified: 'Verified: matches the ledger', differs: 'Altered: does not match the ledger', superseded: 'Replaced by a newer version', unknown: 'Unknown to the ledger' }[a.verdict] ?? a.verdict;
        show(a.verdict, label);
        verdict.title = a.explanation;
        if (a.block !== null && a.block !== undefined)
            anchor.textContent = `Ledger anchor ${tx} · block ${a.block}${a.facility ? ` · anchored by ${a.facility}` : ''}`;
    } catch (e) {
        show('unknown', 'Could not check now');
    }
}

function start() {
    let link;
    try { link = parseLink(location.hash); }
    catch (e) { status(e.message, true); return; }
    $('shl-title').textContent = link.label ? `Shared health records: ${link.label}` : 'Shared health records';
    if (link.exp && link.exp * 1000 < Date.now()) {
        status(`This link expired on ${new Date(link.exp * 1000).toLocaleString()}. Ask the patient for a new one.`, true);
        return;
    }
    const needsPin = (link.flag ?? '').includes('P');
    status(link.exp ? `Open until ${new Date(link.exp * 1000).toLocaleString()}.` : 'Ready to open.');
    $('shl-pin-label').hidden = !needsPin;
    $('shl-pin').required = needsPin;
    const form = $('shl-form');
    form.hidden = false;
    form.addEventListener('submit', async event => {
        event.preventDefault();
        $('shl-error').textContent = '';
        const button = form.querySelector('button');
        button.disabled = true;
        try {
            const { status: code, answer } = await open(link, $('shl-recipient').value.trim(), needsPin ? $('shl-pin').value : null);
            if (code === 401) {
                $('shl-error').textContent = answer.message ?? `The PIN is not right. ${answer.remainingAttempts} attempts remain.`;
                $('shl-pin').value = '';
                return;
            }
            if (code === 429) { $('shl-error').textContent = 'Too many attempts from your network. Wait a minute and try again.'; return; }
            if (code !== 200) {
                form.hidden = true;
                status(answer.message ?? 'This link no longer opens. Ask the patient for a new one.', true);
                return;
            }
            const file = answer.files?.[0];
            const jwe = file?.embedded ?? (file?.location ? await (await fetch(file.location, { credentials: 'omit' })).text() : null);
            if (!jwe) { status('The link opened but carried no records.', true); return; }
            const bundle = JSON.parse(await decryptJwe(link.key, jwe));
            form.hidden = true;
            const count = render(bundle);
            status(`${count} ${count === 1 ? 'record' : 'records'} shared by the patient. Each is checked against the hash its facility anchored on the ledger.`);
        } catch (e) {
            $('shl-error').textContent = 'The records could not be opened: ' + (e?.message ?? e);
        } finally {
            button.disabled = false;
        }
    });
}

start();
