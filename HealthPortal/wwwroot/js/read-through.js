// Tells the confirm page when the patient has had the whole of a record in view: the end of its box scrolled into
// sight (a short record is in view at once). The page enables signing only then. Idempotent: call after each render.
const watched = new WeakSet();

function atEnd(box) {
    // A box not laid out yet (or hidden) says nothing about what was seen.
    if (box.clientHeight === 0) return false;
    return box.scrollHeight - box.scrollTop - box.clientHeight <= 8;
}

export function watch(page) {
    for (const box of document.querySelectorAll("[data-read-through]")) {
        if (watched.has(box)) continue;
        watched.add(box);
        const id = box.getAttribute("data-read-through");
        let told = false;
        const check = () => {
            if (told || !atEnd(box)) return;
            told = true;
            box.removeEventListener("scroll", check);
            page.invokeMethodAsync("Seen", id).catch(() => { /* circuit gone: nothing to tell */ });
        };
        box.addEventListener("scroll", check, { passive: true });
        // Fonts and layout settle after the first paint: look once they did, and whenever the box changes size.
        requestAnimationFrame(() => requestAnimationFrame(check));
        new ResizeObserver(check).observe(box);
    }
}
