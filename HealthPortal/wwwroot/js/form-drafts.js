// Keeps what staff type into an entry form in this tab's sessionStorage, so a lost circuit (a server restart, a laptop
// that slept, a reload after "Failed to rejoin") does not lose a half-written note: the form restores it on its next
// render and clears it once saved. sessionStorage, not localStorage: the draft holds clinical text and must not outlive
// the tab or reach another user of the same browser profile.
const tracked = new WeakSet();
const prefix = "hp-draft:";

// A field is named by the nearest test id (MudBlazor puts it on a text field's input but on a picker's wrapper).
function nameOf(field) {
    const named = field.closest("[data-testid]");
    return named ? named.getAttribute("data-testid") : null;
}

function editable(field) {
    if (field.readOnly || field.disabled) return false;
    if (field.tagName === "TEXTAREA") return true;
    return ["text", "search", "number", "tel", "email", ""].includes((field.getAttribute("type") || "").toLowerCase());
}

function fieldsOf(root) {
    return [...root.querySelectorAll("input, textarea")].filter(f => editable(f) && nameOf(f));
}

function read(key) {
    try { return JSON.parse(sessionStorage.getItem(prefix + key) || "{}"); } catch { return {}; }
}

function save(key, root) {
    const values = {};
    for (const field of fieldsOf(root)) if (field.value !== "") values[nameOf(field)] = field.value;
    try {
        if (Object.keys(values).length === 0) sessionStorage.removeItem(prefix + key);
        else sessionStorage.setItem(prefix + key, JSON.stringify(values));
    } catch { /* storage full or off: the form still works, only without a draft */ }
}

// Starts keeping the form's draft and puts back a stored one into fields that are still empty (never over what the
// server rendered). Returns how many fields were restored, so the page can say so.
export function track(key) {
    const root = document.querySelector(`[data-draft="${CSS.escape(key)}"]`);
    if (!root) return 0;
    let restored = 0;
    const stored = read(key);
    for (const field of fieldsOf(root)) {
        const value = stored[nameOf(field)];
        if (value === undefined || field.value !== "") continue;
        field.value = value;
        // Blazor binds on change (or input, for immediate fields): both carry the value to the circuit.
        field.dispatchEvent(new Event("input", { bubbles: true }));
        field.dispatchEvent(new Event("change", { bubbles: true }));
        restored++;
    }
    if (!tracked.has(root)) {
        tracked.add(root);
        root.addEventListener("input", () => save(key, root));
        root.addEventListener("change", () => save(key, root));
        // Text typed while this module was still loading is kept too, not only what comes after it.
        save(key, root);
        root.setAttribute("data-draft-tracked", "true");
    }
    return restored;
}

// After a save: the draft is in the store now.
export function clear(key) {
    try { sessionStorage.removeItem(prefix + key); } catch { /* nothing kept */ }
}
