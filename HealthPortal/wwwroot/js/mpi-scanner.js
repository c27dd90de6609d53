// Scans the QR code of a patient's MPI card with the device camera and the browser's own BarcodeDetector.
// Nothing is loaded from elsewhere; where the browser has no camera or no BarcodeDetector the page says so and
// staff type the number instead.

let active = null;

/** What this browser can do: { camera, detector } (detector: BarcodeDetector that reads QR codes). */
export async function support() {
    const camera = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
    let detector = false;
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
