// Scans the QR code of a patient's MPI card with the device camera and a BarcodeDetector: the browser's own, or,
// where it has none (Firefox, Safari, Chromium on Linux/Windows), the vendored ZXing-based polyfill with the same
// API (js/vendor/barcode-detector, served by the portal; nothing is loaded from elsewhere). Where there is no camera
// or the decoder cannot load, the page says so and staff type the number instead.

let active = null;
let polyfill = null;

const vendor = new URL('./vendor/barcode-detector/', import.meta.url);

/** Loads the polyfill once, as a classic script (it is an IIFE that sets window.BarcodeDetector when missing). */
function loadPolyfill() {
    polyfill ??= new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = new URL('polyfill.js', vendor).href;
        script.onload = () => {
            // Before the first detect: the package would otherwise fetch its decoder from a CDN.
            window.BarcodeDetectionAPI?.setZXingModuleOverrides({
                locateFile: (path, prefix) => path.endsWith('.wasm') ? new URL(path, vendor).href : prefix + path,
            });
            resolve();
        };
        script.onerror = () => reject(new Error('the barcode decoder could not be loaded'));
        document.head.appendChild(script);
    });
    return polyfill;
}

/** What this browser can do: { camera, detector } (detector: BarcodeDetector that reads QR codes). */
export async function support() {
    const camera = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
    let detector = false;
    if (!('BarcodeDetector' in window)) {
        try {
            await loadPolyfill();
        } catch {
            // detector stays false: the page asks for the number to be typed
        }
    }
    if ('BarcodeDetector' in window) {
        try {
            const formats = await window.BarcodeDetector.getSupportedFormats();
            detector = formats.includes('qr_code');
        } catch {
            detector = false;
        }
    }
    return { camera, detector };
}

/**
 * Starts the camera into `video` and reports the first QR code read to `sink.OnScanned(text)`; a failure
 * (permission refused, no camera) goes to `sink.OnScanFailed(message)`. One scan at a time.
 */
export async function start(video, sink) {
    stop();
    const scan = { stream: null, timer: 0, stopped: false };
    active = scan;
    try {
        const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
        scan.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
        if (scan.stopped) { release(scan); return; }
        video.srcObject = scan.stream;
        video.setAttribute('playsinline', '');
        await video.play();
        const tick = async () => {
            if (scan.stopped) return;
            try {
                const codes = await detector.detect(video);
                if (codes.length > 0 && !scan.stopped) {
                    const text = codes[0].rawValue;
                    stop();
                    await sink.invokeMethodAsync('OnScanned', text);
                    return;
                }
            } catch {
                // a frame that is not ready yet: try the next one
            }
            scan.timer = setTimeout(tick, 200);
        };
        tick();
    } catch (e) {
        stop();
        const message = e && e.name === 'NotAllowedError'
            ? 'The camera permission was refused. Allow the camera for this site, or type the number.'
            : 'The camera could not be started (' + (e && e.message ? e.message : e) + '). Type the number instead.';
        await sink.invokeMethodAsync('OnScanFailed', message);
    }
}

function release(scan) {
    clearTimeout(scan.timer);
    if (scan.stream) scan.stream.getTracks().forEach(t => t.stop());
}

/** Stops the camera (also when the page goes away). */
export function stop() {
    if (!active) return;
    active.stopped = true;
    release(active);
    active = null;
}
