import { useEffect, useState } from 'react';
import QRCode from 'qrcode';

/** A QR code for a URL, as an image with a text alternative (the URL is always printed next to it too). */
export function QrCode({ url, label, size = 180 }: { url: string; label: string; size?: number }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    QRCode.toDataURL(url, { margin: 1, width: size * 2, errorCorrectionLevel: 'M', color: { dark: '#0b1526', light: '#ffffff' } }).then(
      (data) => alive && setSrc(data),
      () => alive && setSrc(null),
    );
    return () => {
      alive = false;
    };
  }, [url, size]);
  return src ? (
    <img className="qr" src={src} width={size} height={size} alt={label} data-testid="qr" />
  ) : (
    <div className="qr qr--placeholder" style={{ width: size, height: size }} aria-hidden="true" />
  );
}
